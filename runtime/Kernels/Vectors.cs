using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Kiln.Kernels;

/// <summary>
/// A vector of float lanes as generated kernels compute with it. A kernel's managed form is written once, generic over
/// <typeparamref name="S"/>, and the JIT specialises it per width (struct type arguments, every member inlined): it runs
/// as <see cref="Vec16"/> (Vector512) where the hardware accelerates that, as <see cref="Vec8"/> (Vector256) elsewhere
/// (<see cref="VectorWidths.Wide"/>). The members mirror Vector256's, so an op's vector form reads as it would there.
/// </summary>
public interface IVector<S> where S : struct, IVector<S>
{
    static abstract int Count { get; }
    static abstract S Zero { get; }
    static abstract S One { get; }
    static abstract S Create(float x);
    /// <summary>The <see cref="Count"/> floats at <paramref name="c"/>.</summary>
    static abstract S Load(ref float b, int c);
    /// <summary>The lanes at <paramref name="c"/>: all of them when <paramref name="n"/> ≥ Count, else the first n and zeros
    /// (no read past them).</summary>
    static abstract S Load(ref float b, int c, int n);
    void Store(ref float b, int c);
    /// <summary>Writes all lanes at <paramref name="c"/> when <paramref name="n"/> ≥ Count, else only the first n.</summary>
    void Store(ref float b, int c, int n);
    /// <summary><paramref name="v"/>, or for n &lt; Count its first n lanes and <paramref name="identity"/> in the others.</summary>
    static abstract S Keep(S v, int n, S identity);

    static abstract S operator +(S a, S b);
    static abstract S operator -(S a, S b);
    static abstract S operator *(S a, S b);
    static abstract S operator /(S a, S b);
    static abstract S operator -(S a);
    static abstract S operator &(S a, S b);
    static abstract S operator |(S a, S b);
    static abstract S operator ^(S a, S b);
    static abstract S operator ~(S a);

    static abstract S Equals(S a, S b);
    static abstract S GreaterThan(S a, S b);
    static abstract S GreaterThanOrEqual(S a, S b);
    static abstract S LessThan(S a, S b);
    static abstract S LessThanOrEqual(S a, S b);
    static abstract S ConditionalSelect(S mask, S a, S b);
    /// <summary><paramref name="yes"/> where a &gt; b, else <paramref name="no"/>. A select on a comparison is written with
    /// these, not ConditionalSelect(GreaterThan(…)): a mask that passes through the wrapper struct is turned into a vector
    /// and back (vpmovm2d, vpternlogd) and the loop's constants are reloaded; in one member the compare stays in a mask
    /// register and feeds one masked blend (bias + ELU over 8000: 2.76 → 2.24 µs).</summary>
    static abstract S IfGreater(S a, S b, S yes, S no);
    static abstract S IfGreaterOrEqual(S a, S b, S yes, S no);
    static abstract S IfLess(S a, S b, S yes, S no);
    static abstract S IfLessOrEqual(S a, S b, S yes, S no);
    static abstract S IfEqual(S a, S b, S yes, S no);
    static abstract S Max(S a, S b);
    static abstract S Min(S a, S b);
    /// <summary>The raw vmaxps/vminps: when either operand is NaN the second is returned.</summary>
    static abstract S MaxNative(S a, S b);
    static abstract S MinNative(S a, S b);
    static abstract S FusedMultiplyAdd(S a, S b, S c);
    static abstract S Abs(S x);
    static abstract S Sqrt(S x);
    static abstract S Floor(S x);
    static abstract S Ceiling(S x);
    /// <summary>Round to nearest, ties to even.</summary>
    static abstract S Round(S x);
    static abstract S Log2(S x);
    static abstract S Sin(S x);
    static abstract S Cos(S x);
    /// <summary>eˣ (<see cref="Simd.Exp(Vector256{float})"/>).</summary>
    static abstract S Exp(S x);
    /// <summary>eˣ/2, finite up to x = 89.4 (<see cref="Simd.HalfExp(Vector256{float})"/>).</summary>
    static abstract S HalfExp(S x);
    /// <summary>log x (<see cref="Simd.Log(Vector256{float})"/>).</summary>
    static abstract S Log(S x);
    /// <summary>v·2ⁿ for an integral n in [-128, 128]: one vscalefps with AVX-512 unless <paramref name="portable"/>, else two
    /// exponent-field multiplies.</summary>
    static abstract S TimesPow2(S v, S n, bool portable);
    /// <summary>v·2ⁿ for an integral n in [-126, 127] where v·2ⁿ is normal or zero: one vscalefps with AVX-512, else one
    /// multiply by 2ⁿ made in the exponent field (<see cref="TimesPow2"/>'s two halves are for results outside that range).</summary>
    static abstract S TimesPow2Once(S v, S n);
    static abstract float Sum(S v);
    static abstract float Lane(S v, int i);
}

/// <summary>Eight lanes: Vector256&lt;float&gt;.</summary>
public readonly struct Vec8 : IVector<Vec8>
{
    public readonly Vector256<float> Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vec8(Vector256<float> value) => Value = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static implicit operator Vec8(Vector256<float> v) => new(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static implicit operator Vector256<float>(Vec8 v) => v.Value;

    public static int Count => 8;
    public static Vec8 Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector256<float>.Zero; }
    public static Vec8 One { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector256<float>.One; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Create(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Load(ref float b, int c) => Vector256.LoadUnsafe(ref b, (nuint)c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Load(ref float b, int c, int n) => Lanes.Load(ref b, c, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref float b, int c) => Value.StoreUnsafe(ref b, (nuint)c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref float b, int c, int n) => Lanes.Store(Value, ref b, c, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Keep(Vec8 v, int n, Vec8 identity) => Lanes.Keep(v, n, identity);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator +(Vec8 a, Vec8 b) => a.Value + b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator -(Vec8 a, Vec8 b) => a.Value - b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator *(Vec8 a, Vec8 b) => a.Value * b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator /(Vec8 a, Vec8 b) => a.Value / b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator -(Vec8 a) => -a.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator &(Vec8 a, Vec8 b) => a.Value & b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator |(Vec8 a, Vec8 b) => a.Value | b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator ^(Vec8 a, Vec8 b) => a.Value ^ b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 operator ~(Vec8 a) => ~a.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Equals(Vec8 a, Vec8 b) => Vector256.Equals(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 GreaterThan(Vec8 a, Vec8 b) => Vector256.GreaterThan(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 GreaterThanOrEqual(Vec8 a, Vec8 b) => Vector256.GreaterThanOrEqual(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 LessThan(Vec8 a, Vec8 b) => Vector256.LessThan(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 LessThanOrEqual(Vec8 a, Vec8 b) => Vector256.LessThanOrEqual(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 ConditionalSelect(Vec8 mask, Vec8 a, Vec8 b) => Vector256.ConditionalSelect(mask.Value, a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 IfGreater(Vec8 a, Vec8 b, Vec8 yes, Vec8 no) => Vector256.ConditionalSelect(Vector256.GreaterThan(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 IfGreaterOrEqual(Vec8 a, Vec8 b, Vec8 yes, Vec8 no) => Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 IfLess(Vec8 a, Vec8 b, Vec8 yes, Vec8 no) => Vector256.ConditionalSelect(Vector256.LessThan(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 IfLessOrEqual(Vec8 a, Vec8 b, Vec8 yes, Vec8 no) => Vector256.ConditionalSelect(Vector256.LessThanOrEqual(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 IfEqual(Vec8 a, Vec8 b, Vec8 yes, Vec8 no) => Vector256.ConditionalSelect(Vector256.Equals(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Max(Vec8 a, Vec8 b) => Vector256.Max(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Min(Vec8 a, Vec8 b) => Vector256.Min(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 MaxNative(Vec8 a, Vec8 b) => Vector256.MaxNative(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 MinNative(Vec8 a, Vec8 b) => Vector256.MinNative(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 FusedMultiplyAdd(Vec8 a, Vec8 b, Vec8 c) => Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Abs(Vec8 x) => Vector256.Abs(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Sqrt(Vec8 x) => Vector256.Sqrt(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Floor(Vec8 x) => Vector256.Floor(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Ceiling(Vec8 x) => Vector256.Ceiling(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Round(Vec8 x) => Vector256.Round(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Log2(Vec8 x) => Vector256.Log2(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Sin(Vec8 x) => Vector256.Sin(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Cos(Vec8 x) => Vector256.Cos(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Exp(Vec8 x) => Simd.Exp(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 HalfExp(Vec8 x) => Simd.HalfExp(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec8 Log(Vec8 x) => Simd.Log(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec8 TimesPow2(Vec8 v, Vec8 n, bool portable)
    {
        if (!portable && Avx512F.VL.IsSupported) return Avx512F.VL.Scale(v.Value, n.Value);
        var k = Vector256.ConvertToInt32Native(n.Value);
        var half = Vector256.ShiftRightArithmetic(k, 1);
        var bias = Vector256.Create(127);
        return v.Value * ((half + bias) << 23).AsSingle() * ((k - half + bias) << 23).AsSingle();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec8 TimesPow2Once(Vec8 v, Vec8 n) => Avx512F.VL.IsSupported
        ? Avx512F.VL.Scale(v.Value, n.Value)
        : v.Value * ((Vector256.ConvertToInt32Native(n.Value) + Vector256.Create(127)) << 23).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vec8 v) => Vector256.Sum(v.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lane(Vec8 v, int i) => v.Value.GetElement(i);

    public override bool Equals(object? obj) => obj is Vec8 v && v.Value.Equals(Value);
    public override int GetHashCode() => Value.GetHashCode();
    public override string ToString() => Value.ToString();
}

/// <summary>Sixteen lanes: Vector512&lt;float&gt;, run only where it is hardware-accelerated (so AVX-512F is there).</summary>
public readonly struct Vec16 : IVector<Vec16>
{
    public readonly Vector512<float> Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vec16(Vector512<float> value) => Value = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static implicit operator Vec16(Vector512<float> v) => new(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static implicit operator Vector512<float>(Vec16 v) => v.Value;

    public static int Count => 16;
    public static Vec16 Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512<float>.Zero; }
    public static Vec16 One { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512<float>.One; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Create(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Load(ref float b, int c) => Vector512.LoadUnsafe(ref b, (nuint)c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Load(ref float b, int c, int n) => Lanes.Load16(ref b, c, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref float b, int c) => Value.StoreUnsafe(ref b, (nuint)c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(ref float b, int c, int n) => Lanes.Store16(Value, ref b, c, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Keep(Vec16 v, int n, Vec16 identity) =>
        n >= 16 ? v : Vector512.ConditionalSelect(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle(), v.Value, identity.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator +(Vec16 a, Vec16 b) => a.Value + b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator -(Vec16 a, Vec16 b) => a.Value - b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator *(Vec16 a, Vec16 b) => a.Value * b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator /(Vec16 a, Vec16 b) => a.Value / b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator -(Vec16 a) => -a.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator &(Vec16 a, Vec16 b) => a.Value & b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator |(Vec16 a, Vec16 b) => a.Value | b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator ^(Vec16 a, Vec16 b) => a.Value ^ b.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 operator ~(Vec16 a) => ~a.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Equals(Vec16 a, Vec16 b) => Vector512.Equals(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 GreaterThan(Vec16 a, Vec16 b) => Vector512.GreaterThan(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 GreaterThanOrEqual(Vec16 a, Vec16 b) => Vector512.GreaterThanOrEqual(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 LessThan(Vec16 a, Vec16 b) => Vector512.LessThan(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 LessThanOrEqual(Vec16 a, Vec16 b) => Vector512.LessThanOrEqual(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 ConditionalSelect(Vec16 mask, Vec16 a, Vec16 b) => Vector512.ConditionalSelect(mask.Value, a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 IfGreater(Vec16 a, Vec16 b, Vec16 yes, Vec16 no) => Vector512.ConditionalSelect(Vector512.GreaterThan(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 IfGreaterOrEqual(Vec16 a, Vec16 b, Vec16 yes, Vec16 no) => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 IfLess(Vec16 a, Vec16 b, Vec16 yes, Vec16 no) => Vector512.ConditionalSelect(Vector512.LessThan(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 IfLessOrEqual(Vec16 a, Vec16 b, Vec16 yes, Vec16 no) => Vector512.ConditionalSelect(Vector512.LessThanOrEqual(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 IfEqual(Vec16 a, Vec16 b, Vec16 yes, Vec16 no) => Vector512.ConditionalSelect(Vector512.Equals(a.Value, b.Value), yes.Value, no.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Max(Vec16 a, Vec16 b) => Vector512.Max(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Min(Vec16 a, Vec16 b) => Vector512.Min(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 MaxNative(Vec16 a, Vec16 b) => Vector512.MaxNative(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 MinNative(Vec16 a, Vec16 b) => Vector512.MinNative(a.Value, b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 FusedMultiplyAdd(Vec16 a, Vec16 b, Vec16 c) => Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Abs(Vec16 x) => Vector512.Abs(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Sqrt(Vec16 x) => Vector512.Sqrt(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Floor(Vec16 x) => Vector512.Floor(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Ceiling(Vec16 x) => Vector512.Ceiling(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Round(Vec16 x) => Vector512.Round(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Log2(Vec16 x) => Vector512.Log2(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Sin(Vec16 x) => Vector512.Sin(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Cos(Vec16 x) => Vector512.Cos(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Exp(Vec16 x) => Simd.Exp(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 HalfExp(Vec16 x) => Simd.HalfExp(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec16 Log(Vec16 x) => Simd.Log(x.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec16 TimesPow2(Vec16 v, Vec16 n, bool portable)
    {
        if (!portable && Avx512F.IsSupported) return Avx512F.Scale(v.Value, n.Value);
        var k = Vector512.ConvertToInt32Native(n.Value);
        var half = Vector512.ShiftRightArithmetic(k, 1);
        var bias = Vector512.Create(127);
        return v.Value * ((half + bias) << 23).AsSingle() * ((k - half + bias) << 23).AsSingle();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec16 TimesPow2Once(Vec16 v, Vec16 n) => Avx512F.IsSupported
        ? Avx512F.Scale(v.Value, n.Value)
        : v.Value * ((Vector512.ConvertToInt32Native(n.Value) + Vector512.Create(127)) << 23).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vec16 v) => Vector512.Sum(v.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lane(Vec16 v, int i) => v.Value.GetElement(i);

    public override bool Equals(object? obj) => obj is Vec16 v && v.Value.Equals(Value);
    public override int GetHashCode() => Value.GetHashCode();
    public override string ToString() => Value.ToString();
}
