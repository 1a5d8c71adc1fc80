using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Kiln;
using Samples.Autograd;

// Seeds 002 and 003: activations and their derivatives, softmax and its Jacobian, MSE with torch.autograd.grad,
// cross-entropy with backward and gradient accumulation, and Himmelblau's four minima found by Adam.
// `dotnet run --project samples/Autograd -- [device]`
using var device = args.Length > 0 ? Device.Create(args[0]) : Device.Best();
var r = AutogradTour.Run(device);
string F(float v) => v.ToString("F4", CultureInfo.InvariantCulture);
string Row(IEnumerable<float> v) => "[" + string.Join(", ", v.Select(F)) + "]";

Console.WriteLine($"device: {device.Name}");
var checks = AutogradChecks.All(r);

Console.WriteLine("\n1. activations on linspace(-10, 10, 1000), derivatives from backward (x.grad):");
Console.WriteLine($"   sigmoid'(x) vs σ(1 - σ): max |difference| {checks["sigmoid"]:E2}");
Console.WriteLine($"   tanh'(x) vs 1 - tanh²:   max |difference| {checks["tanh"]:E2}");
Console.WriteLine($"   relu'(x) vs [x > 0]:     max |difference| {checks["relu"]:E2}");
Plots.Lines("activations.png", r.Grid.Select(v => (double)v).ToList(), new Dictionary<string, IReadOnlyList<double>>
{
    ["sigmoid"] = r.Sigmoid.Select(v => (double)v).ToList(), ["sigmoid'"] = r.SigmoidGrad.Select(v => (double)v).ToList(),
    ["tanh"] = r.Tanh.Select(v => (double)v).ToList(), ["tanh'"] = r.TanhGrad.Select(v => (double)v).ToList(),
    ["relu / 10"] = r.Relu.Select(v => v / 10.0).ToList(), ["relu'"] = r.ReluGrad.Select(v => (double)v).ToList(),
}, "Activations and their derivatives (from backward)", "x", "y");
Console.WriteLine("   wrote activations.png");

Console.WriteLine("\n2. prob = F.softmax(torch.rand(10), dim=0):");
Console.WriteLine($"   logits {Row(r.Logits)}");
Console.WriteLine($"   prob   {Row(r.Prob)}  (sum {F(r.Prob.Sum())})");
Console.WriteLine($"   Jacobian ∂p_i/∂a_j vs p_i(δij − p_j): max |difference| {checks["jacobian"]:E2}");

Console.WriteLine("\n3. mse = F.mse_loss(x@w, y) with x = rand(100, 64), w = rand(64, 1), y = rand(100, 1):");
Console.WriteLine($"   mse {F(r.Mse)}; torch.autograd.grad(mse, [w])[0].shape = torch.Size([{r.MseGradW.Length}, 1])");
Console.WriteLine($"   vs 2/100 · xᵀ(xw − y): max |difference| {checks["mse"]:E2}");

Console.WriteLine("\n4. entropy = F.cross_entropy(x@w, y); entropy.backward():");
Console.WriteLine($"   entropy {F(r.Entropy)}; w.grad.shape = torch.Size([{string.Join(", ", r.EntropyGradShape)}])");
Console.WriteLine($"   vs xᵀ(softmax(xw) − onehot(y))/100: max |difference| {checks["entropy"]:E2}");
Console.WriteLine($"   without zero_grad: w.grad[0, 0] = {F(r.GradFirst[0])} + {F(r.GradSecond[0])} = {F(r.GradAccumulated[0])} (max |sum − accumulated| {checks["accumulation"]:E2})");

Console.WriteLine("\n5. Himmelblau f(x, y) = (x² + y − 11)² + (x + y² − 7)², Adam (lr 0.05) from four starts:");
foreach (var (start, min, f) in r.Himmelblau)
    Console.WriteLine($"   from ({F(start[0])}, {F(start[1])}) to ({F(min[0])}, {F(min[1])}), f = {f:E2}");
Console.WriteLine($"   distinct minima found: {checks["minima"]:F0} of 4");

bool ok = AutogradChecks.Pass(checks);
Console.WriteLine(ok ? "\nOK: every derivative matches its formula and all four minima were found" : "\nFAILED: see the differences above");
return ok ? 0 : 1;
