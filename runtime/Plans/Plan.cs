using System;

namespace Kiln;

/// <summary>
/// Base of every generated plan: the device, the model's parameter/gradient blocks, and one work arena sized
/// by the build-time memory plan (inputs, activations and backward temporaries; allocated once). Generated
/// subclasses bind the symbolic dims, check inputs, and launch their kernels in order.
/// </summary>
public abstract class Plan : IDisposable
{
    protected Plan(ModelState state, long workFloats, long targetInts)
    {
        State = state;
        Device = state.Device;
        Work = Device.Allocate<float>(workFloats);
        Targets = Device.Allocate<int>(targetInts);
    }

    public Device Device { get; }
    public ModelState State { get; }
    /// <summary>The activation arena.</summary>
    protected DeviceBuffer<float> Work { get; }
    /// <summary>Class-index inputs.</summary>
    protected DeviceBuffer<int> Targets { get; }

    /// <summary>Bytes of the work arena and target buffer for the bound dims (the memory plan's total).</summary>
    public long WorkBytes => Work.Length * sizeof(float) + Targets.Length * sizeof(int);

    /// <summary>
    /// The untyped entry point, for tools and tests: inputs in declaration order (float[] or int[] per input).
    /// A loss plan returns [loss] (running backward too when asked); a forward plan returns its output.
    /// </summary>
    public abstract float[] Invoke(Array[] inputs, bool backward = false);

    protected static T[] Arg<T>(Array[] inputs, int index, string name, int count)
    {
        if (inputs.Length != count) throw new ArgumentException($"Expected {count} inputs but got {inputs.Length}.", nameof(inputs));
        return inputs[index] as T[] ?? throw new ArgumentException($"Input '{name}' must be a {typeof(T).Name}[] but is {inputs[index]?.GetType().Name ?? "null"}.", name);
    }

    protected static void CheckInput(string input, int actual, long expected, string shape)
    {
        if (actual != expected)
            throw new ArgumentException($"Input '{input}' must have shape {shape} ({expected} values) but has {actual} values.", input);
    }

    protected static void CheckTargets(string input, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if ((uint)t >= (uint)classes && t != ignoreIndex)
                throw new ArgumentOutOfRangeException(input, t, $"Target '{input}'[{i}] = {t} is out of bounds: class indices must be in [0, {classes}) or equal ignore_index {ignoreIndex}.");
        }
    }

    protected static void CheckDim(string name, int value)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"Dimension '{name}' must be positive.");
    }

    /// <summary>Reads one float of the work arena (the loss) back to the host.</summary>
    protected float ReadScalar(long offset)
    {
        if (Work.Host is { } host) return host[offset];
        Span<float> one = stackalloc float[1];
        Work.CopyTo(one, offset);
        return one[0];
    }

    public void Dispose()
    {
        Work.Dispose();
        Targets.Dispose();
    }
}
