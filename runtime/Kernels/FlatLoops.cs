using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ILGPU;

namespace Kiln.Kernels;

// A flat fused kernel (an elementwise map, or a sum of all its elements) is generated as a small struct: its value at one
// element, once over floats (the ILGPU form) and once over vectors (the managed form). The loops that run it over its
// domain live here, once for every kernel: FlatLoops on the managed path, FlatLoopsGpu on an ILGPU device. Each
// operand is read whole (Dense), as one value (One), or as one row broadcast down the rows (Row, read at c & (cols - 1)).
// The Rows loops take the domain as [count / cols, cols] rows of any length, whole rows per worker: there an operand may
// also be one value per row (Col), and a kernel may sum each row into one value (RowTotals) or all of them (TotalByRows).

/// <summary>A generated flat kernel of one operand: its value at an element, over floats and over vectors.</summary>
public interface IKernel1
{
    float Apply(float l0, KernelArgs d);
    S Apply<S>(S l0, KernelArgs d) where S : struct, IVector<S>;
}

/// <summary>A generated flat kernel of two operands (<see cref="IKernel1"/>).</summary>
public interface IKernel2
{
    float Apply(float l0, float l1, KernelArgs d);
    S Apply<S>(S l0, S l1, KernelArgs d) where S : struct, IVector<S>;
}

/// <summary>A generated flat kernel of three operands (<see cref="IKernel1"/>).</summary>
public interface IKernel3
{
    float Apply(float l0, float l1, float l2, KernelArgs d);
    S Apply<S>(S l0, S l1, S l2, KernelArgs d) where S : struct, IVector<S>;
}

/// <summary>A generated flat kernel of four operands (<see cref="IKernel1"/>).</summary>
public interface IKernel4
{
    float Apply(float l0, float l1, float l2, float l3, KernelArgs d);
    S Apply<S>(S l0, S l1, S l2, S l3, KernelArgs d) where S : struct, IVector<S>;
}

/// <summary>How the managed loop reads an operand's vector at element c (m: the row mask of <see cref="Row"/>).</summary>
public interface IReach
{
    /// <summary>Where row r of a [rows, cols] domain starts for this operand (the Rows loops).</summary>
    static abstract ref float RowBase(ref float b, int r, int cols);
    static abstract S Get<S>(ref float b, int c, int m) where S : struct, IVector<S>;
    /// <summary>The last, partial vector: n elements left.</summary>
    static abstract S Get<S>(ref float b, int c, int m, int n) where S : struct, IVector<S>;
}

/// <summary>An operand covering the domain: the vector at c.</summary>
public struct Dense : IReach
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ref float RowBase(ref float b, int r, int cols) => ref Unsafe.Add(ref b, (nint)r * cols);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S Get<S>(ref float b, int c, int m) where S : struct, IVector<S> => S.Load(ref b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S Get<S>(ref float b, int c, int m, int n) where S : struct, IVector<S> => S.Load(ref b, c, n);
}

/// <summary>One value for the whole domain, in every lane.</summary>
public struct One : IReach
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ref float RowBase(ref float b, int r, int cols) => ref b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S Get<S>(ref float b, int c, int m) where S : struct, IVector<S> => S.Create(b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S Get<S>(ref float b, int c, int m, int n) where S : struct, IVector<S> => S.Create(b);
}

/// <summary>A row broadcast down the domain's rows (a bias), rows a power of two and a multiple of the lanes long, read at
/// c &amp; (cols - 1): a vector stays in its row because every segment starts at a multiple of 16 (<see cref="Fused{TArgs}"/>
/// splits maps and totals so) and its vectors follow one another. In the Rows loops a row of any length, read at c (m = -1).</summary>
public struct Row : IReach
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ref float RowBase(ref float b, int r, int cols) => ref b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S Get<S>(ref float b, int c, int m) where S : struct, IVector<S> => S.Load(ref b, c & m);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S Get<S>(ref float b, int c, int m, int n) where S : struct, IVector<S> => S.Load(ref b, c & m, n);
}

/// <summary>One value per row of the Rows loops' [rows, cols] domain (a per-sample scale, a row's max), in every lane.</summary>
public struct Col : IReach
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ref float RowBase(ref float b, int r, int cols) => ref Unsafe.Add(ref b, r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S Get<S>(ref float b, int c, int m) where S : struct, IVector<S> => S.Create(b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S Get<S>(ref float b, int c, int m, int n) where S : struct, IVector<S> => S.Create(b);
}

/// <summary>How the managed loop writes a map's vector at c: over the output, or added into it (a gradient).</summary>
public interface IStore
{
    static abstract void Put<S>(S v, ref float y, int c) where S : struct, IVector<S>;
    static abstract void Put<S>(S v, ref float y, int c, int n) where S : struct, IVector<S>;
}

/// <summary>The map's value replaces the output's.</summary>
public struct Assign : IStore
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Put<S>(S v, ref float y, int c) where S : struct, IVector<S> => v.Store(ref y, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Put<S>(S v, ref float y, int c, int n) where S : struct, IVector<S> => v.Store(ref y, c, n);
}

/// <summary>The map's value is added into the output (a parameter's gradient).</summary>
public struct AddInto : IStore
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Put<S>(S v, ref float y, int c) where S : struct, IVector<S> => (S.Load(ref y, c) + v).Store(ref y, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Put<S>(S v, ref float y, int c, int n) where S : struct, IVector<S> => (S.Load(ref y, c, n) + v).Store(ref y, c, n);
}

/// <summary>How a kernel struct's operand covers its domain: whole, one value, a row broadcast down the rows, or one value per row.</summary>
public enum Along { Dense, One, Row, Col }

/// <summary>
/// One operand of a flat kernel as its plan gives it: where it lives (a block at an offset, or a bound slot: the caller's
/// array on the managed path, the work arena at the offset on a device) and how it is read (<see cref="Mask"/>: -1 whole,
/// 0 one value, cols - 1 a row broadcast down rows of a power-of-two length; <see cref="Along"/> for the Rows loops).
/// </summary>
public readonly record struct In(Region Region, int Slot, int Offset, int Mask, Along Along = Along.Dense)
{
    public static In Work(int offset) => new(Region.Work, -1, offset, -1);
    public static In Params(int offset) => new(Region.Parameters, -1, offset, -1);
    public static In Grads(int offset) => new(Region.Gradients, -1, offset, -1);
    /// <summary>A bound slot's input (an input kept in the caller's array on the managed path).</summary>
    public static In Bound(int slot, int offset) => new(Region.Work, slot, offset, -1);
    /// <summary>This operand read as one value.</summary>
    public In One => this with { Mask = 0, Along = Along.One };
    /// <summary>This operand read as a row of <paramref name="cols"/> broadcast down the rows (a power of two, in the flat loops).</summary>
    public In Row(int cols) => this with { Mask = cols - 1, Along = Along.Row };
    /// <summary>This operand read as a row broadcast down the rows of the Rows loops (a row length known when the plan is compiled).</summary>
    public In Row() => this with { Mask = -1, Along = Along.Row };
    /// <summary>This operand read as one value per row (the Rows loops).</summary>
    public In Col => this with { Mask = 0, Along = Along.Col };
}

/// <summary>A flat kernel's operands and output as its loops read them (an ILGPU kernel argument): for operand i its block
/// (0 work, 1 parameters, 2 gradients), offset and mask, and in the Rows loops its steps per row and per column (Di, Ci:
/// operand i is read at Oi + r·Di + c·Ci); the output's block and offset; the element count; whether a map adds into its
/// output; the row length of the Rows loops.</summary>
public struct Operands
{
    public int R0, O0, M0, R1, O1, M1, R2, O2, M2, R3, O3, M3, ROut, Out, Count, Accumulate;
    public int D0, C0, D1, C1, D2, C2, D3, C3, Cols;

    internal void Steps(int i, int perRow, int perColumn)
    {
        switch (i)
        {
            case 0: (D0, C0) = (perRow, perColumn); break;
            case 1: (D1, C1) = (perRow, perColumn); break;
            case 2: (D2, C2) = (perRow, perColumn); break;
            default: (D3, C3) = (perRow, perColumn); break;
        }
    }

    internal void Set(int i, int region, int offset, int mask)
    {
        switch (i)
        {
            case 0: (R0, O0, M0) = (region, offset, mask); break;
            case 1: (R1, O1, M1) = (region, offset, mask); break;
            case 2: (R2, O2, M2) = (region, offset, mask); break;
            default: (R3, O3, M3) = (region, offset, mask); break;
        }
    }
}

/// <summary>
/// The managed loops of flat kernels over elements [c, stop): whole vectors in a do-while (the form in which the JIT keeps
/// the body's constants in registers when the lane count is a type's member), then one partial vector (masked loads and
/// stores; a total keeps only its lanes). Operand i is <c>a.In[i]</c> at <c>a.Ops.Oi</c>; the output is <c>a.Y</c> at
/// <c>a.Ops.Out</c>. The kernel's <c>Apply</c> is inlined into the loop, so each runs as if written out.
/// </summary>
public static class FlatLoops
{
    // each loop is compiled on its own, optimised from its first call, with the kernel's Apply and the vector members
    // inlined into it (the plan's delegate points at the loop itself, Fused.Map1 and the others): inlined into a caller
    // as well, the JIT's inlining budget ran out and left the vector members as calls (a GAN step took 8x as long)
    private const MethodImplOptions Loop = MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref float At(float[] array, int offset) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), offset);

    [MethodImpl(Loop)]
    public static void Map1<S, K, T, R0>(KernelArrays a, KernelArgs d, int c, int stop)
        where S : struct, IVector<S> where K : struct, IKernel1 where T : IStore where R0 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0);
        ref float y = ref At(a.Y, a.Ops.Out);
        int m0 = a.Ops.M0;
        K k = default;
        if (c <= stop - S.Count) do T.Put(k.Apply(R0.Get<S>(ref b0, c, m0), d), ref y, c); while ((c += S.Count) <= stop - S.Count);
        if (c < stop) T.Put(k.Apply(R0.Get<S>(ref b0, c, m0, stop - c), d), ref y, c, stop - c);
    }

    [MethodImpl(Loop)]
    public static void Map2<S, K, T, R0, R1>(KernelArrays a, KernelArgs d, int c, int stop)
        where S : struct, IVector<S> where K : struct, IKernel2 where T : IStore where R0 : IReach where R1 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1);
        ref float y = ref At(a.Y, a.Ops.Out);
        int m0 = a.Ops.M0, m1 = a.Ops.M1;
        K k = default;
        if (c <= stop - S.Count) do T.Put(k.Apply(R0.Get<S>(ref b0, c, m0), R1.Get<S>(ref b1, c, m1), d), ref y, c); while ((c += S.Count) <= stop - S.Count);
        if (c < stop) T.Put(k.Apply(R0.Get<S>(ref b0, c, m0, stop - c), R1.Get<S>(ref b1, c, m1, stop - c), d), ref y, c, stop - c);
    }

    [MethodImpl(Loop)]
    public static void Map3<S, K, T, R0, R1, R2>(KernelArrays a, KernelArgs d, int c, int stop)
        where S : struct, IVector<S> where K : struct, IKernel3 where T : IStore where R0 : IReach where R1 : IReach where R2 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2);
        ref float y = ref At(a.Y, a.Ops.Out);
        int m0 = a.Ops.M0, m1 = a.Ops.M1, m2 = a.Ops.M2;
        K k = default;
        if (c <= stop - S.Count)
            do T.Put(k.Apply(R0.Get<S>(ref b0, c, m0), R1.Get<S>(ref b1, c, m1), R2.Get<S>(ref b2, c, m2), d), ref y, c); while ((c += S.Count) <= stop - S.Count);
        if (c < stop) T.Put(k.Apply(R0.Get<S>(ref b0, c, m0, stop - c), R1.Get<S>(ref b1, c, m1, stop - c), R2.Get<S>(ref b2, c, m2, stop - c), d), ref y, c, stop - c);
    }

    [MethodImpl(Loop)]
    public static void Map4<S, K, T, R0, R1, R2, R3>(KernelArrays a, KernelArgs d, int c, int stop)
        where S : struct, IVector<S> where K : struct, IKernel4 where T : IStore where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2), b3 = ref At(a.In[3], a.Ops.O3);
        ref float y = ref At(a.Y, a.Ops.Out);
        int m0 = a.Ops.M0, m1 = a.Ops.M1, m2 = a.Ops.M2, m3 = a.Ops.M3;
        K k = default;
        if (c <= stop - S.Count)
            do T.Put(k.Apply(R0.Get<S>(ref b0, c, m0), R1.Get<S>(ref b1, c, m1), R2.Get<S>(ref b2, c, m2), R3.Get<S>(ref b3, c, m3), d), ref y, c); while ((c += S.Count) <= stop - S.Count);
        if (c < stop)
            T.Put(k.Apply(R0.Get<S>(ref b0, c, m0, stop - c), R1.Get<S>(ref b1, c, m1, stop - c), R2.Get<S>(ref b2, c, m2, stop - c), R3.Get<S>(ref b3, c, m3, stop - c), d), ref y, c, stop - c);
    }

    // a total adds its vectors in blocks of Block: each block in one vector accumulator (a register through the loop), its
    // lanes then added into a double, so no float lane adds more than Block values (one accumulator over a 32,768-element
    // chunk drifted by 6e-4 on a million equal values; this stays near float's precision, as PyTorch's cascade sum does);
    // the last, partial vector is added after the blocks

    /// <summary>Vectors a total adds in one float accumulator before its lanes go into a double.</summary>
    private const int Block = 32;

    /// <summary>Where the block starting at element c ends: its last whole vector's start, at most <paramref name="lastVector"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Last<S>(int c, int lastVector) where S : struct, IVector<S> =>
        lastVector - c <= (Block - 1) * S.Count ? lastVector : c + (Block - 1) * S.Count;

    [MethodImpl(Loop)]
    public static double Total1<S, K, R0>(KernelArrays a, KernelArgs d, int c, int stop)
        where S : struct, IVector<S> where K : struct, IKernel1 where R0 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0);
        int m0 = a.Ops.M0;
        K k = default;
        double acc = 0;
        while (c <= stop - S.Count)
        {
            S vacc = S.Zero;
            int last = Last<S>(c, stop - S.Count);
            do vacc += k.Apply(R0.Get<S>(ref b0, c, m0), d); while ((c += S.Count) <= last);
            acc += S.Sum(vacc);
        }
        if (c < stop) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref b0, c, m0, stop - c), d), stop - c, S.Zero));
        return acc;
    }

    [MethodImpl(Loop)]
    public static double Total2<S, K, R0, R1>(KernelArrays a, KernelArgs d, int c, int stop)
        where S : struct, IVector<S> where K : struct, IKernel2 where R0 : IReach where R1 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1);
        int m0 = a.Ops.M0, m1 = a.Ops.M1;
        K k = default;
        double acc = 0;
        while (c <= stop - S.Count)
        {
            S vacc = S.Zero;
            int last = Last<S>(c, stop - S.Count);
            do vacc += k.Apply(R0.Get<S>(ref b0, c, m0), R1.Get<S>(ref b1, c, m1), d); while ((c += S.Count) <= last);
            acc += S.Sum(vacc);
        }
        if (c < stop) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref b0, c, m0, stop - c), R1.Get<S>(ref b1, c, m1, stop - c), d), stop - c, S.Zero));
        return acc;
    }

    [MethodImpl(Loop)]
    public static double Total3<S, K, R0, R1, R2>(KernelArrays a, KernelArgs d, int c, int stop)
        where S : struct, IVector<S> where K : struct, IKernel3 where R0 : IReach where R1 : IReach where R2 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2);
        int m0 = a.Ops.M0, m1 = a.Ops.M1, m2 = a.Ops.M2;
        K k = default;
        double acc = 0;
        while (c <= stop - S.Count)
        {
            S vacc = S.Zero;
            int last = Last<S>(c, stop - S.Count);
            do vacc += k.Apply(R0.Get<S>(ref b0, c, m0), R1.Get<S>(ref b1, c, m1), R2.Get<S>(ref b2, c, m2), d); while ((c += S.Count) <= last);
            acc += S.Sum(vacc);
        }
        if (c < stop) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref b0, c, m0, stop - c), R1.Get<S>(ref b1, c, m1, stop - c), R2.Get<S>(ref b2, c, m2, stop - c), d), stop - c, S.Zero));
        return acc;
    }

    [MethodImpl(Loop)]
    public static double Total4<S, K, R0, R1, R2, R3>(KernelArrays a, KernelArgs d, int c, int stop)
        where S : struct, IVector<S> where K : struct, IKernel4 where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2), b3 = ref At(a.In[3], a.Ops.O3);
        int m0 = a.Ops.M0, m1 = a.Ops.M1, m2 = a.Ops.M2, m3 = a.Ops.M3;
        K k = default;
        double acc = 0;
        while (c <= stop - S.Count)
        {
            S vacc = S.Zero;
            int last = Last<S>(c, stop - S.Count);
            do vacc += k.Apply(R0.Get<S>(ref b0, c, m0), R1.Get<S>(ref b1, c, m1), R2.Get<S>(ref b2, c, m2), R3.Get<S>(ref b3, c, m3), d); while ((c += S.Count) <= last);
            acc += S.Sum(vacc);
        }
        if (c < stop) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref b0, c, m0, stop - c), R1.Get<S>(ref b1, c, m1, stop - c), R2.Get<S>(ref b2, c, m2, stop - c), R3.Get<S>(ref b3, c, m3, stop - c), d), stop - c, S.Zero));
        return acc;
    }

    // the Rows loops: whole rows of a [rows, cols] domain, each row in vectors and one partial vector
    [MethodImpl(Loop)]
    public static void Rows1<S, K, T, R0>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel1 where T : IStore where R0 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0);
        ref float y = ref At(a.Y, a.Ops.Out);
        int cols = a.Ops.Cols;
        K k = default;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols);
            ref float yr = ref Unsafe.Add(ref y, e);
            int c = 0;
            for (; c <= cols - S.Count; c += S.Count) T.Put(k.Apply(R0.Get<S>(ref r0, c, -1), d), ref yr, c);
            if (c < cols) T.Put(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), d), ref yr, c, cols - c);
        }
    }

    [MethodImpl(Loop)]
    public static void RowTotals1<S, K, R0>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel1 where R0 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0);
        ref float y = ref At(a.Y, a.Ops.Out);
        int cols = a.Ops.Cols;
        K k = default;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols);
            double acc = 0;
            int c = 0;
            while (c <= cols - S.Count)
            {
                S vacc = S.Zero;
                int last = Last<S>(c, cols - S.Count);
                do vacc += k.Apply(R0.Get<S>(ref r0, c, -1), d); while ((c += S.Count) <= last);
                acc += S.Sum(vacc);
            }
            if (c < cols) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), d), cols - c, S.Zero));
            Unsafe.Add(ref y, r) += (float)acc;
        }
    }

    [MethodImpl(Loop)]
    public static void Rows2<S, K, T, R0, R1>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel2 where T : IStore where R0 : IReach where R1 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1);
        ref float y = ref At(a.Y, a.Ops.Out);
        int cols = a.Ops.Cols;
        K k = default;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols);
            ref float yr = ref Unsafe.Add(ref y, e);
            int c = 0;
            for (; c <= cols - S.Count; c += S.Count) T.Put(k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), d), ref yr, c);
            if (c < cols) T.Put(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), d), ref yr, c, cols - c);
        }
    }

    [MethodImpl(Loop)]
    public static void RowTotals2<S, K, R0, R1>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel2 where R0 : IReach where R1 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1);
        ref float y = ref At(a.Y, a.Ops.Out);
        int cols = a.Ops.Cols;
        K k = default;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols);
            double acc = 0;
            int c = 0;
            while (c <= cols - S.Count)
            {
                S vacc = S.Zero;
                int last = Last<S>(c, cols - S.Count);
                do vacc += k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), d); while ((c += S.Count) <= last);
                acc += S.Sum(vacc);
            }
            if (c < cols) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), d), cols - c, S.Zero));
            Unsafe.Add(ref y, r) += (float)acc;
        }
    }

    [MethodImpl(Loop)]
    public static void Rows3<S, K, T, R0, R1, R2>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel3 where T : IStore where R0 : IReach where R1 : IReach where R2 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2);
        ref float y = ref At(a.Y, a.Ops.Out);
        int cols = a.Ops.Cols;
        K k = default;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols), r2 = ref R2.RowBase(ref b2, r, cols);
            ref float yr = ref Unsafe.Add(ref y, e);
            int c = 0;
            for (; c <= cols - S.Count; c += S.Count) T.Put(k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), R2.Get<S>(ref r2, c, -1), d), ref yr, c);
            if (c < cols) T.Put(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), R2.Get<S>(ref r2, c, -1, cols - c), d), ref yr, c, cols - c);
        }
    }

    [MethodImpl(Loop)]
    public static void RowTotals3<S, K, R0, R1, R2>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel3 where R0 : IReach where R1 : IReach where R2 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2);
        ref float y = ref At(a.Y, a.Ops.Out);
        int cols = a.Ops.Cols;
        K k = default;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols), r2 = ref R2.RowBase(ref b2, r, cols);
            double acc = 0;
            int c = 0;
            while (c <= cols - S.Count)
            {
                S vacc = S.Zero;
                int last = Last<S>(c, cols - S.Count);
                do vacc += k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), R2.Get<S>(ref r2, c, -1), d); while ((c += S.Count) <= last);
                acc += S.Sum(vacc);
            }
            if (c < cols) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), R2.Get<S>(ref r2, c, -1, cols - c), d), cols - c, S.Zero));
            Unsafe.Add(ref y, r) += (float)acc;
        }
    }

    [MethodImpl(Loop)]
    public static void Rows4<S, K, T, R0, R1, R2, R3>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel4 where T : IStore where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2), b3 = ref At(a.In[3], a.Ops.O3);
        ref float y = ref At(a.Y, a.Ops.Out);
        int cols = a.Ops.Cols;
        K k = default;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols), r2 = ref R2.RowBase(ref b2, r, cols), r3 = ref R3.RowBase(ref b3, r, cols);
            ref float yr = ref Unsafe.Add(ref y, e);
            int c = 0;
            for (; c <= cols - S.Count; c += S.Count) T.Put(k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), R2.Get<S>(ref r2, c, -1), R3.Get<S>(ref r3, c, -1), d), ref yr, c);
            if (c < cols) T.Put(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), R2.Get<S>(ref r2, c, -1, cols - c), R3.Get<S>(ref r3, c, -1, cols - c), d), ref yr, c, cols - c);
        }
    }

    [MethodImpl(Loop)]
    public static void RowTotals4<S, K, R0, R1, R2, R3>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel4 where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2), b3 = ref At(a.In[3], a.Ops.O3);
        ref float y = ref At(a.Y, a.Ops.Out);
        int cols = a.Ops.Cols;
        K k = default;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols), r2 = ref R2.RowBase(ref b2, r, cols), r3 = ref R3.RowBase(ref b3, r, cols);
            double acc = 0;
            int c = 0;
            while (c <= cols - S.Count)
            {
                S vacc = S.Zero;
                int last = Last<S>(c, cols - S.Count);
                do vacc += k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), R2.Get<S>(ref r2, c, -1), R3.Get<S>(ref r3, c, -1), d); while ((c += S.Count) <= last);
                acc += S.Sum(vacc);
            }
            if (c < cols) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), R2.Get<S>(ref r2, c, -1, cols - c), R3.Get<S>(ref r3, c, -1, cols - c), d), cols - c, S.Zero));
            Unsafe.Add(ref y, r) += (float)acc;
        }
    }
    [MethodImpl(Loop)]
    public static double TotalByRows1<S, K, R0>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel1 where R0 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0);
        int cols = a.Ops.Cols;
        K k = default;
        double total = 0;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols);
            double acc = 0;
            int c = 0;
            while (c <= cols - S.Count)
            {
                S vacc = S.Zero;
                int last = Last<S>(c, cols - S.Count);
                do vacc += k.Apply(R0.Get<S>(ref r0, c, -1), d); while ((c += S.Count) <= last);
                acc += S.Sum(vacc);
            }
            if (c < cols) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), d), cols - c, S.Zero));
            total += acc;
        }
        return total;
    }

    [MethodImpl(Loop)]
    public static double TotalByRows2<S, K, R0, R1>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel2 where R0 : IReach where R1 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1);
        int cols = a.Ops.Cols;
        K k = default;
        double total = 0;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols);
            double acc = 0;
            int c = 0;
            while (c <= cols - S.Count)
            {
                S vacc = S.Zero;
                int last = Last<S>(c, cols - S.Count);
                do vacc += k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), d); while ((c += S.Count) <= last);
                acc += S.Sum(vacc);
            }
            if (c < cols) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), d), cols - c, S.Zero));
            total += acc;
        }
        return total;
    }

    [MethodImpl(Loop)]
    public static double TotalByRows3<S, K, R0, R1, R2>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel3 where R0 : IReach where R1 : IReach where R2 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2);
        int cols = a.Ops.Cols;
        K k = default;
        double total = 0;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols), r2 = ref R2.RowBase(ref b2, r, cols);
            double acc = 0;
            int c = 0;
            while (c <= cols - S.Count)
            {
                S vacc = S.Zero;
                int last = Last<S>(c, cols - S.Count);
                do vacc += k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), R2.Get<S>(ref r2, c, -1), d); while ((c += S.Count) <= last);
                acc += S.Sum(vacc);
            }
            if (c < cols) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), R2.Get<S>(ref r2, c, -1, cols - c), d), cols - c, S.Zero));
            total += acc;
        }
        return total;
    }

    [MethodImpl(Loop)]
    public static double TotalByRows4<S, K, R0, R1, R2, R3>(KernelArrays a, KernelArgs d, int start, int end)
        where S : struct, IVector<S> where K : struct, IKernel4 where R0 : IReach where R1 : IReach where R2 : IReach where R3 : IReach
    {
        ref float b0 = ref At(a.In[0], a.Ops.O0), b1 = ref At(a.In[1], a.Ops.O1), b2 = ref At(a.In[2], a.Ops.O2), b3 = ref At(a.In[3], a.Ops.O3);
        int cols = a.Ops.Cols;
        K k = default;
        double total = 0;
        for (int r = start / cols, e = start; e < end; r++, e += cols)
        {
            ref float r0 = ref R0.RowBase(ref b0, r, cols), r1 = ref R1.RowBase(ref b1, r, cols), r2 = ref R2.RowBase(ref b2, r, cols), r3 = ref R3.RowBase(ref b3, r, cols);
            double acc = 0;
            int c = 0;
            while (c <= cols - S.Count)
            {
                S vacc = S.Zero;
                int last = Last<S>(c, cols - S.Count);
                do vacc += k.Apply(R0.Get<S>(ref r0, c, -1), R1.Get<S>(ref r1, c, -1), R2.Get<S>(ref r2, c, -1), R3.Get<S>(ref r3, c, -1), d); while ((c += S.Count) <= last);
                acc += S.Sum(vacc);
            }
            if (c < cols) acc += S.Sum(S.Keep(k.Apply(R0.Get<S>(ref r0, c, -1, cols - c), R1.Get<S>(ref r1, c, -1, cols - c), R2.Get<S>(ref r2, c, -1, cols - c), R3.Get<S>(ref r3, c, -1, cols - c), d), cols - c, S.Zero));
            total += acc;
        }
        return total;
    }
}

/// <summary>
/// The ILGPU kernels of flat kernels: a grid-stride loop, one element per iteration, operand i read from its block at
/// <c>Oi + (e &amp; Mi)</c>; a map stores (or adds) at <c>Out + e</c>; a total adds its thread's elements in double and
/// that once into <c>Out</c> atomically (one atomic per thread, not per element); a row total adds each element into its row's slot.
/// </summary>
public static class FlatLoopsGpu
{
    private static ArrayView<float> View(int region, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w) => region == 1 ? p : region == 2 ? g : w;

    private static void Put(ArrayView<float> y, int at, float v, int accumulate)
    {
        if (accumulate != 0) y[at] += v; else y[at] = v;
    }

    public static void Map1<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel1
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride) Put(y, o.Out + e, default(K).Apply(x0[o.O0 + (e & o.M0)], d), o.Accumulate);
    }

    public static void Map2<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel2
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride) Put(y, o.Out + e, default(K).Apply(x0[o.O0 + (e & o.M0)], x1[o.O1 + (e & o.M1)], d), o.Accumulate);
    }

    public static void Map3<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel3
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
            Put(y, o.Out + e, default(K).Apply(x0[o.O0 + (e & o.M0)], x1[o.O1 + (e & o.M1)], x2[o.O2 + (e & o.M2)], d), o.Accumulate);
    }

    public static void Map4<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel4
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), x3 = View(o.R3, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
            Put(y, o.Out + e, default(K).Apply(x0[o.O0 + (e & o.M0)], x1[o.O1 + (e & o.M1)], x2[o.O2 + (e & o.M2)], x3[o.O3 + (e & o.M3)], d), o.Accumulate);
    }

    public static void Total1<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel1
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), y = View(o.ROut, p, g, w);
        double acc = 0; // each thread adds its elements in double, then once into the output
        for (int e = index; e < o.Count; e += stride) acc += default(K).Apply(x0[o.O0 + (e & o.M0)], d);
        if (index < o.Count) global::Kiln.Kernels.Atomics.Add(ref y[o.Out], (float)acc);
    }

    public static void Total2<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel2
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), y = View(o.ROut, p, g, w);
        double acc = 0; // each thread adds its elements in double, then once into the output
        for (int e = index; e < o.Count; e += stride) acc += default(K).Apply(x0[o.O0 + (e & o.M0)], x1[o.O1 + (e & o.M1)], d);
        if (index < o.Count) global::Kiln.Kernels.Atomics.Add(ref y[o.Out], (float)acc);
    }

    public static void Total3<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel3
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), y = View(o.ROut, p, g, w);
        double acc = 0; // each thread adds its elements in double, then once into the output
        for (int e = index; e < o.Count; e += stride) acc += default(K).Apply(x0[o.O0 + (e & o.M0)], x1[o.O1 + (e & o.M1)], x2[o.O2 + (e & o.M2)], d);
        if (index < o.Count) global::Kiln.Kernels.Atomics.Add(ref y[o.Out], (float)acc);
    }

    public static void Total4<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel4
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), x3 = View(o.R3, p, g, w), y = View(o.ROut, p, g, w);
        double acc = 0; // each thread adds its elements in double, then once into the output
        for (int e = index; e < o.Count; e += stride) acc += default(K).Apply(x0[o.O0 + (e & o.M0)], x1[o.O1 + (e & o.M1)], x2[o.O2 + (e & o.M2)], x3[o.O3 + (e & o.M3)], d);
        if (index < o.Count) global::Kiln.Kernels.Atomics.Add(ref y[o.Out], (float)acc);
    }

    // the Rows loops: operand i at Oi + r·Di + c·Ci of row r, column c
    public static void Rows1<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel1
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            Put(y, o.Out + e, default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], d), o.Accumulate);
        }
    }

    public static void RowTotals1<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel1
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            global::Kiln.Kernels.Atomics.Add(ref y[o.Out + r], default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], d));
        }
    }

    public static void Rows2<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel2
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            Put(y, o.Out + e, default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], d), o.Accumulate);
        }
    }

    public static void RowTotals2<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel2
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            global::Kiln.Kernels.Atomics.Add(ref y[o.Out + r], default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], d));
        }
    }

    public static void Rows3<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel3
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            Put(y, o.Out + e, default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], x2[o.O2 + r * o.D2 + c * o.C2], d), o.Accumulate);
        }
    }

    public static void RowTotals3<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel3
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            global::Kiln.Kernels.Atomics.Add(ref y[o.Out + r], default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], x2[o.O2 + r * o.D2 + c * o.C2], d));
        }
    }

    public static void Rows4<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel4
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), x3 = View(o.R3, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            Put(y, o.Out + e, default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], x2[o.O2 + r * o.D2 + c * o.C2], x3[o.O3 + r * o.D3 + c * o.C3], d), o.Accumulate);
        }
    }

    public static void RowTotals4<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel4
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), x3 = View(o.R3, p, g, w), y = View(o.ROut, p, g, w);
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            global::Kiln.Kernels.Atomics.Add(ref y[o.Out + r], default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], x2[o.O2 + r * o.D2 + c * o.C2], x3[o.O3 + r * o.D3 + c * o.C3], d));
        }
    }

    public static void TotalByRows1<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel1
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), y = View(o.ROut, p, g, w);
        double acc = 0;
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            acc += default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], d);
        }
        if (index < o.Count) global::Kiln.Kernels.Atomics.Add(ref y[o.Out], (float)acc);
    }

    public static void TotalByRows2<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel2
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), y = View(o.ROut, p, g, w);
        double acc = 0;
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            acc += default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], d);
        }
        if (index < o.Count) global::Kiln.Kernels.Atomics.Add(ref y[o.Out], (float)acc);
    }

    public static void TotalByRows3<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel3
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), y = View(o.ROut, p, g, w);
        double acc = 0;
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            acc += default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], x2[o.O2 + r * o.D2 + c * o.C2], d);
        }
        if (index < o.Count) global::Kiln.Kernels.Atomics.Add(ref y[o.Out], (float)acc);
    }

    public static void TotalByRows4<K>(Index1D index, ArrayView<float> p, ArrayView<float> g, ArrayView<float> w, KernelArgs d, Operands o, int stride) where K : struct, IKernel4
    {
        ArrayView<float> x0 = View(o.R0, p, g, w), x1 = View(o.R1, p, g, w), x2 = View(o.R2, p, g, w), x3 = View(o.R3, p, g, w), y = View(o.ROut, p, g, w);
        double acc = 0;
        for (int e = index; e < o.Count; e += stride)
        {
            int r = e / o.Cols, c = e - r * o.Cols;
            acc += default(K).Apply(x0[o.O0 + r * o.D0 + c * o.C0], x1[o.O1 + r * o.D1 + c * o.C1], x2[o.O2 + r * o.D2 + c * o.C2], x3[o.O3 + r * o.D3 + c * o.C3], d);
        }
        if (index < o.Count) global::Kiln.Kernels.Atomics.Add(ref y[o.Out], (float)acc);
    }
}
