using System;
using System.Linq;
using System.Collections.Concurrent;
using System.Collections.Generic;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Kiln;

/// <summary>Where plans run.</summary>
public enum DeviceKind
{
    /// <summary>The fast path on a machine without a GPU: generated managed SIMD loops on all cores.</summary>
    ManagedCpu,
    /// <summary>ILGPU's CPU accelerator: emulates GPU threads (slow, ~1 µs per thread), for stepping through kernels.</summary>
    IlgpuCpu,
    Cuda,
    OpenCL,
}

/// <summary>
/// One compute device: ILGPU's context and accelerator (CUDA, OpenCL, CPU emulator) or the managed CPU path.
/// Choice order of <see cref="Best"/>: CUDA, then OpenCL, then the managed CPU path; the environment variable
/// <c>KILN_DEVICE</c> (cpu, ilgpu-cpu, cuda, opencl) forces one.
/// </summary>
public sealed class Device : IDisposable
{
    private readonly Context? _context;
    private readonly ConcurrentDictionary<(Delegate Method, Type Signature), Delegate> _kernels = new();

    private Device(DeviceKind kind, Context? context, Accelerator? accelerator)
    {
        Kind = kind;
        _context = context;
        Accelerator = accelerator;
    }

    public DeviceKind Kind { get; }

    /// <summary>The ILGPU accelerator, or null on the managed CPU path.</summary>
    public Accelerator? Accelerator { get; }

    public bool IsManaged => Kind == DeviceKind.ManagedCpu;

    public string Name => Accelerator is null ? $"Managed CPU ({Environment.ProcessorCount} threads, {Simd})" : $"{Kind}: {Accelerator.Name}";

    /// <summary>The vectors the managed path's kernels run: sixteen lanes where Vector512 is accelerated (and not turned
    /// off), else eight, which .NET runs as two 128-bit halves where only Vector128 is accelerated.</summary>
    private static string Simd =>
        Kernels.VectorWidths.Wide ? "512-bit SIMD"
        : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256-bit SIMD"
        : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "128-bit SIMD"
        : "no SIMD";

    public override string ToString() => Name;

    /// <summary>The managed SIMD CPU path.</summary>
    public static Device ManagedCpu() => new(DeviceKind.ManagedCpu, null, null);

    /// <summary>ILGPU's CPU accelerator (a debugger's backend: kernels can be stepped through).</summary>
    public static Device IlgpuCpu()
    {
        var context = Context.Create(b => b.CPU().Math(MathMode.Default).EnableAlgorithms());
        return new Device(DeviceKind.IlgpuCpu, context, context.CreateCPUAccelerator(0));
    }

    /// <summary>The first CUDA GPU; throws <see cref="NotSupportedException"/> when there is none.</summary>
    public static Device Cuda()
    {
        var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        var devices = context.GetCudaDevices();
        if (devices.Count == 0)
        {
            context.Dispose();
            throw new NotSupportedException("No CUDA device was found on this machine.");
        }
        return new Device(DeviceKind.Cuda, context, devices[0].CreateAccelerator(context));
    }

    /// <summary>
    /// The first OpenCL device ILGPU can use. ILGPU needs OpenCL's generic address space (OpenCL 2.0);
    /// drivers without it (Debian's PoCL, for one) are rejected with <see cref="NotSupportedException"/>.
    /// </summary>
    public static Device OpenCL()
    {
        var context = Context.Create(b => b.OpenCL().EnableAlgorithms());
        var devices = context.GetCLDevices();
        if (devices.Count == 0)
        {
            context.Dispose();
            throw new NotSupportedException("No OpenCL device usable by ILGPU was found (ILGPU needs OpenCL 2.0's generic address space).");
        }
        try
        {
            return new Device(DeviceKind.OpenCL, context, devices[0].CreateAccelerator(context));
        }
        catch (Exception e)
        {
            context.Dispose();
            throw new NotSupportedException($"OpenCL device '{devices[0].Name}' cannot run ILGPU kernels: {e.Message}", e);
        }
    }

    /// <summary>Forces a device by name: cpu (managed), ilgpu-cpu, cuda, opencl.</summary>
    public static Device Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cpu" or "managed" or "managed-cpu" => ManagedCpu(),
        "ilgpu-cpu" or "ilgpu" => IlgpuCpu(),
        "cuda" => Cuda(),
        "opencl" or "cl" => OpenCL(),
        _ => throw new ArgumentException($"Unknown device '{name}'. Known: cpu, ilgpu-cpu, cuda, opencl.", nameof(name)),
    };

    /// <summary>
    /// CUDA, then OpenCL, then the managed CPU path; KILN_DEVICE forces one. With <paramref name="explain"/>, says what it
    /// picked and why each device before it was skipped. A forced device that cannot open is an exception that says why
    /// and lists the devices this machine has.
    /// </summary>
    public static Device Best(System.IO.TextWriter? explain = null) => Choose(Environment.GetEnvironmentVariable("KILN_DEVICE"), explain);

    internal static Device Choose(string? forced, System.IO.TextWriter? explain)
    {
        if (!string.IsNullOrWhiteSpace(forced))
        {
            try
            {
                var chosen = Create(forced);
                explain?.WriteLine($"picked {chosen.Name}: forced by KILN_DEVICE={forced}");
                return chosen;
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException)
            {
                // the inner message without .NET's "(Parameter 'name')" suffix, which would land mid-sentence
                string reason = e is ArgumentException a && a.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "") : e.Message;
                throw new NotSupportedException($"KILN_DEVICE={forced}: {reason} Devices available here: {string.Join(", ", Available())}.", e);
            }
        }
        foreach (var (name, factory) in new (string, Func<Device>)[] { ("cuda", Cuda), ("opencl", OpenCL) })
        {
            try
            {
                var device = factory();
                explain?.WriteLine($"picked {device.Name}");
                return device;
            }
            catch (Exception e) { explain?.WriteLine($"skipped {name}: {e.Message}"); }
        }
        var cpu = ManagedCpu();
        explain?.WriteLine($"picked {cpu.Name}");
        return cpu;
    }

    /// <summary>The names (as Create takes them) of the devices that open on this machine.</summary>
    public static IReadOnlyList<string> Available() => Probe().Where(p => p.Available).Select(p => p.Kind switch
    {
        DeviceKind.ManagedCpu => "cpu", DeviceKind.IlgpuCpu => "ilgpu-cpu", DeviceKind.Cuda => "cuda", _ => "opencl",
    }).ToList();

    /// <summary>Which device kinds can run here, with the reason for each that cannot.</summary>
    public static IReadOnlyList<(DeviceKind Kind, bool Available, string Detail)> Probe()
    {
        var result = new List<(DeviceKind, bool, string)> { (DeviceKind.ManagedCpu, true, ManagedCpu().Name) };
        foreach (var (kind, factory) in new (DeviceKind, Func<Device>)[] { (DeviceKind.IlgpuCpu, IlgpuCpu), (DeviceKind.Cuda, Cuda), (DeviceKind.OpenCL, OpenCL) })
        {
            try { using var d = factory(); result.Add((kind, true, d.Name)); }
            catch (Exception e) { result.Add((kind, false, e.Message)); }
        }
        return result;
    }

    public DeviceBuffer<T> Allocate<T>(long length) where T : unmanaged => new(this, length);

    /// <summary>
    /// A buffer for one of several streams that a kernel reads and writes at the same index, beside the parameter and
    /// gradient blocks (an optimizer's state). On the managed path its data starts (<paramref name="stream"/> + 1) KiB into
    /// its array. The GC gives each large array a region of its own and starts it at the same offset there (a 40 MB array
    /// at a 64 MiB boundary), so without this the streams' elements at one index fall in one L1 set; where their regions'
    /// addresses also agree in bits 26-27 they share the L1 way predictor's tag (AMD Zen hashes it from address bits 12-27)
    /// and evict each other on every access. Adam over 10M parameters ran at half speed.
    /// </summary>
    internal DeviceBuffer<T> AllocateStaggered<T>(long length, int stream) where T : unmanaged =>
        // a fourth stream at 4 KiB would share the unstaggered blocks' L1 sets again
        (uint)stream > 2 ? throw new ArgumentOutOfRangeException(nameof(stream), stream, "At most three streams are staggered (1, 2 and 3 KiB).")
            : new(this, length, hostOffset: IsManaged ? (stream + 1) * 1024 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>() : 0);

    /// <summary>A buffer whose managed array never moves (the pinned object heap), so its addresses can be aligned to.</summary>
    internal DeviceBuffer<T> AllocatePinned<T>(long length) where T : unmanaged => new(this, length, pinned: true);

    /// <summary>Loads an ILGPU kernel once per device and caches the launcher.</summary>
    public TLauncher Kernel<TLauncher>(Delegate method, Func<Accelerator, TLauncher> load) where TLauncher : Delegate
    {
        var accelerator = Accelerator ?? throw new InvalidOperationException("The managed CPU device has no ILGPU kernels.");
        return (TLauncher)_kernels.GetOrAdd((method, typeof(TLauncher)), _ => load(accelerator));
    }

    /// <summary>The most threads one grid-stride launch uses (2^24, far past what fills a GPU): the headroom of <see cref="Plan.MaxElements"/>.</summary>
    public const int MaxLaunch = 1 << 24;

    /// <summary>A launch size for grid-stride kernels: enough threads to fill the device, few on the CPU emulator; at most <see cref="MaxLaunch"/>.</summary>
    public int LaunchSize(long total)
    {
        long cap = Kind == DeviceKind.IlgpuCpu ? 256 : Math.Min(MaxLaunch, (long)Accelerator!.MaxNumThreads * Math.Max(1, Accelerator.NumMultiprocessors) * 2);
        return (int)Math.Max(1, Math.Min(total, cap));
    }

    public void Synchronize() => Accelerator?.Synchronize();

    private bool _disposed;

    /// <summary>Throws ObjectDisposedException once the device is disposed (its accelerator and memory are gone).</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Accelerator?.Dispose();
        _context?.Dispose();
    }
}
