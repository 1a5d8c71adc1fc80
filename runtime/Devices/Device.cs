using System;
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

    public string Name => Accelerator is null ? $"Managed CPU ({Environment.ProcessorCount} threads, {System.Numerics.Vector<float>.Count * 32}-bit SIMD)" : $"{Kind}: {Accelerator.Name}";

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

    /// <summary>CUDA, then OpenCL, then the managed CPU path; KILN_DEVICE forces one.</summary>
    public static Device Best()
    {
        var forced = Environment.GetEnvironmentVariable("KILN_DEVICE");
        if (!string.IsNullOrWhiteSpace(forced)) return Create(forced);
        foreach (var factory in new Func<Device>[] { Cuda, OpenCL })
        {
            try { return factory(); }
            catch (Exception) { /* not present here: try the next one */ }
        }
        return ManagedCpu();
    }

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

    /// <summary>Loads an ILGPU kernel once per device and caches the launcher.</summary>
    public TLauncher Kernel<TLauncher>(Delegate method, Func<Accelerator, TLauncher> load) where TLauncher : Delegate
    {
        var accelerator = Accelerator ?? throw new InvalidOperationException("The managed CPU device has no ILGPU kernels.");
        return (TLauncher)_kernels.GetOrAdd((method, typeof(TLauncher)), _ => load(accelerator));
    }

    /// <summary>A launch size for grid-stride kernels: enough threads to fill the device, few on the CPU emulator.</summary>
    public int LaunchSize(long total)
    {
        long cap = Kind == DeviceKind.IlgpuCpu ? 256 : (long)Accelerator!.MaxNumThreads * Math.Max(1, Accelerator.NumMultiprocessors) * 2;
        return (int)Math.Max(1, Math.Min(total, cap));
    }

    public void Synchronize() => Accelerator?.Synchronize();

    public void Dispose()
    {
        Accelerator?.Dispose();
        _context?.Dispose();
    }
}
