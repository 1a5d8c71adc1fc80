using System;
using Samples.Tensors;

// Seed 002's tour of tensors, outside any model: making them, their shapes, indexing and slicing, and reshaping,
// each line printed as PyTorch prints it.  `dotnet run --project samples/Tensors`
foreach (var (code, value) in TensorTour.Run(seed: 0))
    Console.WriteLine(code.Length == 0 ? "\n" + value : $"{code,-48} # {value.Replace("\n", "\n" + new string(' ', 51))}");
