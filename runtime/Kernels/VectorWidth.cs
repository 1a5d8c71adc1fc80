using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kiln.Kernels;

/// <summary>Which vector width the runtime's hand-written kernels and the generated kernels run.</summary>
public static class VectorWidths
{
    /// <summary>Set by tests (or KILN_VECTOR256=1 in the environment) to run the Vector256 forms on hardware that has Vector512.</summary>
    internal static bool ForceVector256 { get; set; } = Environment.GetEnvironmentVariable("KILN_VECTOR256") == "1";

    /// <summary>Whether the Vector512 forms run: where the hardware accelerates them, unless a test asks for the narrow ones.</summary>
    public static bool Wide => Vector512.IsHardwareAccelerated && !ForceVector256;
}

/// <summary>The vector operations the runtime's hand-written kernels need (GEMM's micro-kernel, softmax rows), for one
/// vector width: a kernel is written once and the JIT specialises it per width (struct type arguments), so each call is
/// the bare intrinsic. <see cref="Wide512"/> runs where Vector512 is hardware-accelerated, <see cref="Narrow256"/> elsewhere.</summary>
internal interface IVectorWidth<V> where V : struct
{
    static abstract int Count { get; }
    static abstract V Load(ref float p, nint i);
    static abstract void Store(V v, ref float p, nint i);
    static abstract V Splat(float x);
    static abstract V Fma(V x, V y, V acc);
    static abstract V Add(V x, V y);
    static abstract V Sub(V x, V y);
    static abstract V Mul(V x, V y);
    static abstract V Max(V x, V y);
    /// <summary>The raw vmaxps/vminps: when either operand is NaN the second is returned.</summary>
    static abstract V MaxNative(V x, V y);
    static abstract V MinNative(V x, V y);
    /// <summary>Round to nearest, ties to even.</summary>
    static abstract V Round(V x);
    static abstract V Exp(V x);
    /// <summary>x with the lanes below <paramref name="first"/> set to 0 (the overlapping tail vector of a row sum).</summary>
    static abstract V KeepFrom(V x, int first);
    static abstract float Sum(V x);
    static abstract float MaxAcross(V x);
}

internal readonly struct Wide512 : IVectorWidth<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float p, nint i) => Vector512.LoadUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float p, nint i) => v.StoreUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> x, Vector512<float> y, Vector512<float> acc) => Vector512.FusedMultiplyAdd(x, y, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> x, Vector512<float> y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sub(Vector512<float> x, Vector512<float> y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> x, Vector512<float> y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> x, Vector512<float> y) => Vector512.Max(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxNative(Vector512<float> x, Vector512<float> y) => Vector512.MaxNative(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MinNative(Vector512<float> x, Vector512<float> y) => Vector512.MinNative(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Round(Vector512<float> x) => Vector512.Round(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> x) => Simd.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> KeepFrom(Vector512<float> x, int first) =>
        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(first)).AsSingle(), x, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> x) => Vector512.Sum(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector512<float> x) => Simd.MaxAcross(Vector256.Max(x.GetLower(), x.GetUpper()));
}

internal readonly struct Narrow256 : IVectorWidth<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float p, nint i) => Vector256.LoadUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float p, nint i) => v.StoreUnsafe(ref p, (nuint)i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> x, Vector256<float> y, Vector256<float> acc) => Vector256.FusedMultiplyAdd(x, y, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> x, Vector256<float> y) => x + y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sub(Vector256<float> x, Vector256<float> y) => x - y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> x, Vector256<float> y) => x * y;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> x, Vector256<float> y) => Vector256.Max(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxNative(Vector256<float> x, Vector256<float> y) => Vector256.MaxNative(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MinNative(Vector256<float> x, Vector256<float> y) => Vector256.MinNative(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Round(Vector256<float> x) => Vector256.Round(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> x) => Simd.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> KeepFrom(Vector256<float> x, int first) =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(first)).AsSingle(), x, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> x) => Vector256.Sum(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector256<float> x) => Simd.MaxAcross(x);
}
