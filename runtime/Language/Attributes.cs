using System;

namespace Kiln;

/// <summary>
/// Marks a partial class as a model (like <c>nn.Module</c>): its <see cref="ParamAttribute"/> fields are
/// its parameters, its <see cref="ForwardAttribute"/> and <see cref="LossAttribute"/> methods are compiled
/// at build time into fused forward/backward plans.
/// </summary>
/// <param name="dims">Named dimensions a parent binds with <see cref="ModuleAttribute"/> (e.g. "In", "Out").</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute(params string[] dims) : Attribute
{
    public string[] Dims { get; } = dims;
}

/// <summary>How a parameter is initialised.</summary>
public enum Init
{
    /// <summary>PyTorch's <c>nn.Linear</c> default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    Default,
    Zeros,
    Ones,
    /// <summary>PyTorch's <c>nn.Embedding</c> default: N(0, 1).</summary>
    Normal,
}

/// <summary>
/// A trainable parameter with a build-time shape. Dims are ints or the model's named dims.
/// Fan-in defaults to PyTorch's rule (dim 1 times the receptive field for rank ≥ 2, dim 0 for rank 1);
/// set <see cref="FanIn"/> (an int or a named dim) to match a layer whose weight is stored transposed.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class ParamAttribute(params object[] shape) : Attribute
{
    public object[] Shape { get; } = shape;
    public object? FanIn { get; set; }
    public Init Init { get; set; }
}

/// <summary>
/// Non-trainable model state, as PyTorch's register_buffer: running statistics, momentum-averaged counts. A method
/// reads it and may assign it a new value (<c>running = 0.9f * running + 0.1f * x.Mean(0);</c>), which the plan writes
/// back after a run in training mode only. Buffers live in their own block (<c>model.Parameters.Buffers</c>), are never
/// differentiated or touched by optimizers, and are saved and loaded by checkpoints beside the parameters. They start at
/// zero, or at one with <c>Init = Init.Ones</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class BufferAttribute(params object[] shape) : Attribute
{
    public object[] Shape { get; } = shape;
    public Init Init { get; set; }
}

/// <summary>A submodule field: its type is a [Model] class; the ints bind that class's named dims in order.</summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class ModuleAttribute(params int[] dims) : Attribute
{
    public int[] Dims { get; } = dims;
}

/// <summary>A method compiled into a forward plan returning a tensor.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ForwardAttribute : Attribute { }

/// <summary>A method returning a scalar loss, compiled into a fused forward+backward plan.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class LossAttribute : Attribute
{
    /// <summary>
    /// Parameters this plan does not differentiate (requires_grad = False for this plan): a parameter's path
    /// ("disc.fc.weight") or a submodule's ("disc"). Their gradients are neither computed nor touched, as a GAN's
    /// generator step leaves the discriminator's alone; the backward work that only fed them is not built.
    /// </summary>
    public string[] Frozen { get; set; } = [];
}

/// <summary>The shape of a method input: ints, or symbolic names (e.g. "N") bound when the plan is compiled.</summary>
/// <summary>
/// On a [Loss] method's float input: the plan also computes d loss / d input in ForwardBackward, as
/// <c>torch.autograd.grad(loss, [input])</c>, read with <see cref="Plan.InputGrad(string)"/>. The gradient is
/// written afresh by every ForwardBackward (returned, not accumulated, as autograd.grad does); parameters keep
/// accumulating as loss.backward() does.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class RequiresGradAttribute : Attribute;

[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class ShapeAttribute(params object[] dims) : Attribute
{
    public object[] Dims { get; } = dims;
}
