using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Kiln;
using Samples.Gan;

// Seed 000's 1-D GAN: G turns N(0, 1) noise into samples of N(4, 1.25²); D judges a batch by its four moments.
// `dotnet run --project samples/Gan -- [epochs] [device] [seed]`
int epochs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5000;
using var device = args.Length > 1 ? Device.Create(args[1]) : Device.Best();
int seed = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
SummaryWriter board = new(Path.Combine("runs", "gan"));
var result = GanTraining.Train(device, epochs, seed, log: Console.WriteLine, board: board, progress: Console.Out);
board.Close();
Plots.Curves("gan_losses.png", new Dictionary<string, IReadOnlyList<double>> { ["D"] = result.DLosses, ["G"] = result.GLosses },
    "GAN losses (D: real + fake BCE, G: BCE through D)", "epoch");
Plots.Histograms("gan_histogram.png", new Dictionary<string, IReadOnlyList<double>>
{
    ["real N(4, 1.25²)"] = result.Real.Select(v => (double)v).ToList(),
    ["generated"] = result.Generated.Select(v => (double)v).ToList(),
}, title: "Real vs generated samples");
Console.WriteLine("wrote runs/gan (tensorboard --logdir runs), gan_losses.png and gan_histogram.png");
Console.WriteLine($"device: {device.Name}");
Console.WriteLine($"            mean    std     skew    ex. kurtosis");
Console.WriteLine($"real        {Row(result.RealMoments)}");
Console.WriteLine($"generated   {Row(result.FakeMoments)}");
bool ok = GanTraining.Matches(result.FakeMoments);
Console.WriteLine(ok ? "OK: the generated moments match the data's" : "FAILED: the generated moments are off");
return ok ? 0 : 1;

static string Row(double[] m) => string.Join("  ", m.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture).PadLeft(6)));
