using System;
using System.Collections.Generic;
using System.Linq;

namespace Kiln;

/// <summary>
/// torch.nn.utils.clip_grad_norm_ and clip_grad_value_ over a model's gradient block (between backward and the
/// optimizer's step). On the managed path the gradients are scaled or clamped in place; on an ILGPU device the block is
/// read to the host and written back (one round trip per call).
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales the gradients of <paramref name="names"/> (every parameter when null) so that their total norm is at most
    /// <paramref name="maxNorm"/>, as clip_grad_norm_: the total is the <paramref name="normType"/>-norm of the
    /// parameters' norms (the largest magnitude for infinity), each gradient is multiplied by min(1, maxNorm / (total +
    /// 1e-6)) in float32, and the total is returned (as a float: PyTorch's 0-d tensor).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="normType"/> is not positive (or +∞).</exception>
    /// <exception cref="InvalidOperationException">The total is NaN or infinite and <paramref name="errorIfNonfinite"/> is set.</exception>
    public static float ClipGradNorm(this ModelState state, double maxNorm, double normType = 2.0, IEnumerable<string>? names = null, bool errorIfNonfinite = false)
    {
        if (!(normType > 0))
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "The norm type must be positive (2 for the Euclidean norm) or double.PositiveInfinity.");
        var (gradients, parameters) = Open(state, names);
        double total = 0;
        foreach (var p in parameters)
        {
            var g = gradients.AsSpan(p.Offset, p.Count);
            double norm = 0;
            if (double.IsPositiveInfinity(normType)) foreach (float v in g) norm = Math.Max(norm, Math.Abs(v));
            else
            {
                foreach (float v in g) norm += normType == 2 ? (double)v * v : normType == 1 ? Math.Abs(v) : Math.Pow(Math.Abs(v), normType);
                norm = normType == 2 ? Math.Sqrt(norm) : normType == 1 ? norm : Math.Pow(norm, 1 / normType);
            }
            // each parameter's norm is a float32 tensor in PyTorch before they are combined
            float rounded = (float)norm;
            total = double.IsPositiveInfinity(normType) ? Math.Max(total, rounded) : total + Math.Pow(rounded, normType);
        }
        float totalNorm = (float)(double.IsPositiveInfinity(normType) || parameters.Count == 0 ? total : Math.Pow(total, 1 / normType));
        if (errorIfNonfinite && !float.IsFinite(totalNorm))
            throw new InvalidOperationException($"The total norm of order {normType} for gradients is non-finite, so it cannot be clipped. To scale the gradients by the non-finite norm anyway, pass errorIfNonfinite: false.");
        // max_norm / (total + 1e-6) in float32, as PyTorch's reversed division: the reciprocal, times max_norm
        float coefficient = Math.Min(1f / (totalNorm + 1e-6f) * (float)maxNorm, 1f);
        foreach (var p in parameters)
            foreach (ref float v in gradients.AsSpan(p.Offset, p.Count)) v *= coefficient;
        Close(state, gradients);
        return totalNorm;
    }

    /// <summary>Clamps the gradients of <paramref name="names"/> (every parameter when null) to [-clipValue, clipValue], as clip_grad_value_.</summary>
    public static void ClipGradValue(this ModelState state, double clipValue, IEnumerable<string>? names = null)
    {
        var (gradients, parameters) = Open(state, names);
        float high = (float)clipValue, low = -high;
        // torch.clamp: the lower bound first, then the upper one (a negative clipValue sets every value to it)
        foreach (var p in parameters)
            foreach (ref float v in gradients.AsSpan(p.Offset, p.Count)) v = Math.Min(Math.Max(v, low), high);
        Close(state, gradients);
    }

    /// <summary>The gradient block as an array (the managed path's own; a copy on a device) and the parameters named.</summary>
    private static (float[] Gradients, List<ParameterInfo> Parameters) Open(ModelState state, IEnumerable<string>? names)
    {
        ArgumentNullException.ThrowIfNull(state);
        var parameters = names is null ? state.Layout.ToList() : names.Select(state.Info).ToList();
        if (state.Gradients.Host is { } host && state.Gradients.HostOffset == 0) return (host, parameters);
        var copy = new float[state.Count];
        state.Gradients.CopyTo(copy);
        return (copy, parameters);
    }

    private static void Close(ModelState state, float[] gradients)
    {
        if (!ReferenceEquals(gradients, state.Gradients.Host)) state.Gradients.CopyFrom(gradients);
    }
}
