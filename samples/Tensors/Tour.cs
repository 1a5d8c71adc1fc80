using System.Collections.Generic;
using Kiln;
using static Kiln.Ops;

namespace Samples.Tensors;

/// <summary>
/// Seed 002 as C#: each step is the line of code and what it prints (a heading has no code). Random values come from
/// <see cref="RandomGenerator.Default"/> reseeded with <paramref name="seed"/>, so a run replays.
/// </summary>
public static class TensorTour
{
    public static List<(string Code, string Value)> Run(ulong seed)
    {
        ManualSeed(seed);
        var lines = new List<(string, string)>();
        void Heading(string text) => lines.Add(("", text));
        void Show(string code, object value) => lines.Add((code, value.ToString()!));

        Heading("Shapes: a.shape is a property, a.size() a method");
        var a = Randn(2, 3);
        Show("var a = Randn(2, 3);", a);
        Show("a.Shape", a.Shape);
        Show("a.Shape[0]", a.Shape[0]);
        Show("a.Size()", a.Size());
        Show("a.Size(0)", a.Size(0));
        Show("a.Numel()", a.Numel());
        Show("a.Dim()", a.Dim());

        Heading("Making tensors: from data (torch.tensor), uninitialised (torch.empty), random, filled, ranges");
        Show("Tensor.From(2f, 3f)", Tensor.From(2f, 3f));
        Show("Tensor.From(new float[,] { { 1, 2 }, { 3, 4 } })", Tensor.From(new float[,] { { 1, 2 }, { 3, 4 } }));
        Show("Empty(2, 3).Shape", Empty(2, 3).Shape);
        var r = Rand(3, 3);
        Show("var r = Rand(3, 3);", r);
        Show("RandLike(r)", RandLike(r));
        Show("Randint(1, 10, 3, 3)", Randint(1, 10, 3, 3));
        Show("Randn(3, 3)", Randn(3, 3));
        Show("Normal(Full([10], 0f), Arange(1f, 0f, -0.1f))", Normal(Full([10], 0f), Arange(1f, 0f, -0.1f)));
        Show("Full([2, 3], 7f)", Full([2, 3], 7f));
        Show("Full([], 7f)", Full([], 7f));
        Show("Arange(0f, 10f)", Arange(0f, 10f));
        Show("Arange(0f, 10f, 2f)", Arange(0f, 10f, 2f));
        Show("Linspace(0, 10, steps: 4)", Linspace(0, 10, steps: 4));
        Show("Linspace(0, 10, steps: 10)", Linspace(0, 10, steps: 10));
        Show("Logspace(0, -1, steps: 10)", Logspace(0, -1, steps: 10));
        Show("Ones(3, 3)", Ones(3, 3));
        Show("Eye(3)", Eye(3));
        Show("Randperm(10)", Randperm(10));

        Heading("Indexing: 4 images of 3 channels, 28×28");
        var images = Rand(4, 3, 28, 28);
        Show("images.Shape", images.Shape);
        Show("images[0].Shape", images[0].Shape);
        Show("images[0, 0].Shape", images[0, 0].Shape);
        Show("images[0, 0, 2, 4]", images[0, 0, 2, 4]);
        Show("images[..2].Shape                # a[:2]", images[..2].Shape);
        Show("images[..2, ..1, .., ..].Shape   # a[:2, :1, :, :]", images[..2, ..1, .., ..].Shape);
        Show("images[..2, 1.., .., ..].Shape   # a[:2, 1:, :, :]", images[..2, 1.., .., ..].Shape);
        Show("images[..2, ^1.., .., ..].Shape  # a[:2, -1:, :, :]", images[..2, ^1.., .., ..].Shape);
        Show("images.Slice(2, 0, 28, 2).Shape  # a[:, :, 0:28:2]", images.Slice(2, 0, 28, 2).Shape);
        Show("images.Slice(2, step: 2).Slice(3, step: 2).Shape", images.Slice(2, step: 2).Slice(3, step: 2).Shape);
        Show("images.IndexSelect(0, IntTensor.From(0, 2)).Shape", images.IndexSelect(0, IntTensor.From(0, 2)).Shape);
        Show("images.IndexSelect(2, IntTensor.From(0, 1, 2)).Shape", images.IndexSelect(2, IntTensor.From(0, 1, 2)).Shape);
        Show("images[Ellipsis].Shape           # a[...]", images[Ellipsis].Shape);
        Show("images[0, Ellipsis].Shape", images[0, Ellipsis].Shape);
        Show("images[..2, Ellipsis].Shape", images[..2, Ellipsis].Shape);
        Show("images[Ellipsis, ..2].Shape", images[Ellipsis, ..2].Shape);
        var x = Randn(3, 4);
        Show("var x = Randn(3, 4);", x);
        var mask = x.Ge(0.5f);
        Show("var mask = x.Ge(0.5f);", mask);
        Show("x.MaskedSelect(mask)", x.MaskedSelect(mask));

        Heading("Reshaping: View and Reshape, Unsqueeze and Squeeze, Expand and Repeat, T, Transpose, Permute");
        Show("images.View(4, 28 * 28 * 3).Shape", images.View(4, 28 * 28 * 3).Shape);
        Show("images.View(4 * 28, 28 * 3).Shape", images.View(4 * 28, 28 * 3).Shape);
        Show("images.Reshape(4 * 3, 28, 28).Shape", images.Reshape(4 * 3, 28, 28).Shape);
        Show("images.Unsqueeze(0).Shape", images.Unsqueeze(0).Shape);
        Show("images.Unsqueeze(-1).Shape", images.Unsqueeze(-1).Shape);
        Show("images.Unsqueeze(4).Shape", images.Unsqueeze(4).Shape);
        Show("images.Unsqueeze(-4).Shape", images.Unsqueeze(-4).Shape);
        var bias = Rand(32).Unsqueeze(1).Unsqueeze(2).Unsqueeze(0);
        Show("var b = Rand(32).Unsqueeze(1).Unsqueeze(2).Unsqueeze(0); b.Shape", bias.Shape);
        Show("b.Squeeze().Shape", bias.Squeeze().Shape);
        Show("b.Squeeze(0).Shape", bias.Squeeze(0).Shape);
        Show("b.Squeeze(-1).Shape", bias.Squeeze(-1).Shape);
        Show("b.Squeeze(1).Shape", bias.Squeeze(1).Shape);
        Show("b.Expand(4, 32, 14, 14).Shape", bias.Expand(4, 32, 14, 14).Shape);
        Show("b.Expand(-1, 32, -1, -1).Shape", bias.Expand(-1, 32, -1, -1).Shape);
        Show("b.Repeat(4, 32, 1, 1).Shape", bias.Repeat(4, 32, 1, 1).Shape);
        Show("b.Repeat(4, 1, 1, 1).Shape", bias.Repeat(4, 1, 1, 1).Shape);
        Show("b.Repeat(4, 1, 32, 32).Shape", bias.Repeat(4, 1, 32, 32).Shape);
        var m = Randn(3, 4);
        Show("var m = Randn(3, 4);", m);
        Show("m.T", m.T);
        var t = images.Transpose(1, 3).Contiguous().View(4, 3 * 28 * 28).View(4, 3, 28, 28);
        Show("images.Transpose(1, 3).Contiguous().View(4, 3*28*28).View(4, 3, 28, 28).Shape", t.Shape);
        var back = images.Transpose(1, 3).Contiguous().View(4, 3 * 28 * 28).View(4, 28, 28, 3).Transpose(1, 3);
        Show("… .View(4, 28, 28, 3).Transpose(1, 3) equals images", (back == images).Sum().Item() == images.Numel());
        Show("t equals images (the wrong order of dims)", (t == images).Sum().Item() == images.Numel());
        var p = Rand(4, 3, 28, 32);
        Show("Rand(4, 3, 28, 32).Transpose(1, 3).Shape", p.Transpose(1, 3).Shape);
        Show("Rand(4, 3, 28, 32).Transpose(1, 3).Transpose(1, 2).Shape", p.Transpose(1, 3).Transpose(1, 2).Shape);
        Show("Rand(4, 3, 28, 32).Permute(0, 2, 3, 1).Shape", p.Permute(0, 2, 3, 1).Shape);
        return lines;
    }
}
