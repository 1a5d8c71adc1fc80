using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kiln;
using Samples.Optimizers;

// Seed 004's optimizer demos: gradient descent on y = 4x², momentum, EWA weights, and a race on Himmelblau's function.
using var device = args.Length > 0 ? Device.Create(args[0]) : Device.Best();

Console.WriteLine("Gradient descent on y = 4x² from x = 2 (30 steps; x_t = 2(1 - 8 lr)^t):");
Console.WriteLine("    lr   final x        y = 4x²");
foreach (var lr in new[] { 0.01f, 0.05f, 0.1f, 0.2f, 0.25f, 0.3f })
{
    float x = Demos.GradientDescent(device, lr, 30)[^1];
    Console.WriteLine($"  {lr,4:0.00}  {x,12:G5}  {4 * x * x,12:G5}{(Math.Abs(x) > 2 ? "   diverges (lr > 0.25)" : Math.Abs(x) == 2 ? "   oscillates (lr = 0.25)" : "")}");
}

Console.WriteLine();
Console.WriteLine("Momentum 0.9 at lr 0.01 against plain SGD at lr 0.03 (x after steps 5, 10, 20, 40):");
var withMomentum = Demos.GradientDescent(device, 0.01f, 40, momentum: 0.9f);
var plain = Demos.GradientDescent(device, 0.03f, 40);
Console.WriteLine($"  momentum: {string.Join("  ", new[] { 4, 9, 19, 39 }.Select(i => withMomentum[i].ToString("G4")))}");
Console.WriteLine($"  plain:    {string.Join("  ", new[] { 4, 9, 19, 39 }.Select(i => plain[i].ToString("G4")))}");

Console.WriteLine();
Console.WriteLine($"Exponentially weighted average, beta 0.9: weights (1-b)b^t = {string.Join(", ", Demos.EwaWeights(0.9, 5).Select(w => w.ToString("0.0000")))}, ... (the first 22 sum to {Demos.EwaWeights(0.9, 22).Sum():0.000})");

Console.WriteLine();
Console.WriteLine("Optimizer race on Himmelblau's function from (0, 0), 500 steps (minima: (3, 2), (-2.805, 3.131), (-3.779, -3.283), (3.584, -1.848); all 0):");
var race = Demos.Race(device, progress: Console.Out);   // the bar first, then the table
Console.WriteLine($"  {"optimizer",-20} {"x",9} {"y",9} {"final loss",12}");
foreach (var r in race.OrderBy(r => r.Loss))
    Console.WriteLine($"  {r.Optimizer,-20} {r.X,9:F4} {r.Y,9:F4} {r.Loss,12:G4}");

// TensorBoard (tensorboard --logdir runs) and a PNG of the race: each optimizer's loss per step
using (var board = new SummaryWriter(Path.Combine("runs", "optimizers")))
    foreach (var r in race)
        for (int step = 0; step < r.History.Count; step++)
            board.AddScalar($"himmelblau/{r.Optimizer}", r.History[step], step);
Plots.Curves("himmelblau_race.png", race.ToDictionary(r => r.Optimizer, r => (IReadOnlyList<double>)r.History.Select(v => Math.Log10(Math.Max(v, 1e-12))).ToList()),
    "Himmelblau race: log10 loss per step", "step", "log10 loss");
Console.WriteLine();
Console.WriteLine("Wrote runs/optimizers (tensorboard --logdir runs) and himmelblau_race.png");
return 0;
