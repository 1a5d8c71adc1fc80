using System;
using ILGPU;
using ILGPU.Runtime;

namespace Kiln;

/// <summary>A 1-D block of memory on a device: a managed array on the CPU path, an ILGPU buffer elsewhere.</summary>
public sealed class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense>? _gpu;

    internal DeviceBuffer(Device device, long length, bool pinned = false, int hostOffset = 0)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer's length cannot be negative.");
        if (device.IsManaged && length + hostOffset > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"A buffer of {length:N0} {typeof(T).Name} elements exceeds the managed path's limit of {Array.MaxLength - hostOffset:N0} (a .NET array): use smaller dims (batch size) or an ILGPU device.");
        Device = device;
        Length = length;
        // a plan's arena is pinned, so its addresses stay put for the slots it aligns (Plan.Align); other blocks are plain
        // arrays, whose large ones share one misalignment that the optimizers' prologue corrects for all streams at once
        if (device.IsManaged)
        {
            HostOffset = hostOffset;
            Host = pinned ? GC.AllocateArray<T>((int)(length + hostOffset), pinned: true) : new T[length + hostOffset];
            // written once now: fresh pages from the OS are mapped at their first write, which would otherwise fall in a
            // plan's first step (a page fault per 4 KB)
            Array.Clear(Host);
        }
        else _gpu = device.Accelerator!.Allocate1D<T>(Math.Max(1, length));
    }

    public Device Device { get; }
    public long Length { get; }

    /// <summary>The array on the managed path (null on ILGPU devices): element i of the buffer is <c>Host[HostOffset + i]</c>.</summary>
    public T[]? Host { get; }

    /// <summary>
    /// Where element 0 lives in <see cref="Host"/>: 0, except for a staggered buffer (<see cref="Device.AllocateStaggered{T}"/>),
    /// whose data starts a few hundred elements in.
    /// </summary>
    public int HostOffset { get; }

    /// <summary>The buffer's elements on the managed path (empty on ILGPU devices).</summary>
    public Span<T> HostSpan => Host is null ? default : Host.AsSpan(HostOffset, (int)Length);

    /// <summary>The ILGPU view (throws on the managed path).</summary>
    public ArrayView<T> View => Live()._gpu?.View.AsContiguous() ?? throw new InvalidOperationException("Managed buffers have no ILGPU view.");

    private bool _disposed;

    /// <summary>This buffer, after checking that neither it nor its device was disposed (freed device memory must not be touched).</summary>
    private DeviceBuffer<T> Live()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Device.ThrowIfDisposed();
        return this;
    }

    public void CopyFrom(ReadOnlySpan<T> source, long offset = 0)
    {
        Live();
        if (offset < 0 || offset + source.Length > Length) throw new ArgumentOutOfRangeException(nameof(source), $"Copying {source.Length} elements at {offset} overruns a buffer of {Length}.");
        if (Host is not null) Kernels.HostCopy.Copy(source, Host.AsSpan(HostOffset + (int)offset));
        else if (source.Length > 0) _gpu!.View.AsContiguous().SubView(offset, source.Length).CopyFromCPU(source);
    }

    public void CopyTo(Span<T> destination, long offset = 0)
    {
        Live();
        if (offset < 0 || offset + destination.Length > Length) throw new ArgumentOutOfRangeException(nameof(destination), $"Reading {destination.Length} elements at {offset} overruns a buffer of {Length}.");
        if (Host is not null) Kernels.HostCopy.Copy<T>(Host.AsSpan(HostOffset + (int)offset, destination.Length), destination);
        else if (destination.Length > 0) _gpu!.View.AsContiguous().SubView(offset, destination.Length).CopyToCPU(destination);
    }

    /// <summary>Copies <paramref name="count"/> elements from <paramref name="source"/> at <paramref name="from"/> to this buffer at <paramref name="to"/>, on the device.</summary>
    public void CopyFrom(DeviceBuffer<T> source, long from, long to, long count)
    {
        Live();
        source.Live();
        if (from < 0 || to < 0 || count < 0 || from + count > source.Length || to + count > Length)
            throw new ArgumentOutOfRangeException(nameof(count), $"Copying {count} elements from {from} of {source.Length} to {to} of {Length} overruns a buffer.");
        if (count == 0) return;
        if (Host is not null) Array.Copy(source.Host!, source.HostOffset + from, Host, HostOffset + to, count);
        else source._gpu!.View.AsContiguous().SubView(from, count).CopyTo(_gpu!.View.AsContiguous().SubView(to, count));
    }

    public T[] ToArray()
    {
        var result = new T[Length];
        CopyTo(result);
        return result;
    }

    public void Clear()
    {
        Live();
        if (Host is not null) Array.Clear(Host, HostOffset, (int)Length);
        else _gpu!.MemSetToZero();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _gpu?.Dispose();
    }
}
