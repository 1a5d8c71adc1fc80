using System;
using System.Linq;
using Kiln;
using Samples.LossExamples;

// Seed 004's losses: each example computed by Kiln next to the value PyTorch printed, then the SmoothL1-vs-L1 curve.
using var device = Device.Best();
Console.WriteLine($"Device: {device.Name}");
var examples = LossDemos.Run(device);
int width = examples.Max(e => e.Name.Length);
foreach (var e in examples)
    Console.WriteLine($"{e.Name.PadRight(width)}  Kiln [{string.Join(", ", e.Kiln.Select(v => v.ToString("F4")))}]  PyTorch [{string.Join(", ", e.PyTorch.Select(v => v.ToString("F4")))}]  {(e.Matches ? "ok" : "MISMATCH")}");
LossDemos.WriteCurve(device, "smoothl1_vs_l1.png");
Console.WriteLine("Wrote smoothl1_vs_l1.png");
int wrong = examples.Count(e => !e.Matches);
// PyTorch's values are the seed's printout, from inputs it printed rounded to 4 decimals: a last digit may differ
Console.WriteLine(wrong == 0 ? $"All {examples.Count} examples match PyTorch (within 1.5e-4: the seed printed its inputs rounded)." : $"{wrong} of {examples.Count} examples differ from PyTorch.");
return wrong == 0 ? 0 : 1;
