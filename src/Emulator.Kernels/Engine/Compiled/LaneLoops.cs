using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Compiled;

// The per-lane operations of the compiled tier. Each is a struct whose static method is the exact semantics of
// one instruction form (the same arithmetic the reference interpreter applies, often the very same Semantics/
// function); the generic loops below are instantiated per struct, so RyuJIT inlines the operation into a tight
// loop over the warp's 32 lanes. Compiled code passes register offsets (slot × 32) as constants.

interface IUnaryLane { static abstract ulong Apply(ulong a); }

/// <summary>A lane operation that also has a 4-lane SIMD form (Vector256 over the 64-bit register slots), bit-identical to the scalar one.</summary>
interface IVectorUnaryLane : IUnaryLane { static abstract Vector256<ulong> Apply(Vector256<ulong> a); }
interface IVectorBinaryLane : IBinaryLane { static abstract Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b); }
interface IVectorTernaryLane : ITernaryLane { static abstract Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c); }
interface IBinaryLane { static abstract ulong Apply(ulong a, ulong b); }
interface ITernaryLane { static abstract ulong Apply(ulong a, ulong b, ulong c); }

static unsafe class LaneLoops
{
    const uint FullWarp = uint.MaxValue;

    /// <summary>d = op(a) & destinationMask for the lanes in <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unary<TOp>(ulong* r, int d, int a, ulong destinationMask, uint mask) where TOp : struct, IUnaryLane
    {
        ulong* pd = r + d, pa = r + a;
        if (mask == FullWarp)
        {
            for (int lane = 0; lane < 32; lane++) pd[lane] = TOp.Apply(pa[lane]) & destinationMask;
            return;
        }
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            pd[lane] = TOp.Apply(pa[lane]) & destinationMask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Binary<TOp>(ulong* r, int d, int a, int b, ulong destinationMask, uint mask) where TOp : struct, IBinaryLane
    {
        ulong* pd = r + d, pa = r + a, pb = r + b;
        if (mask == FullWarp)
        {
            for (int lane = 0; lane < 32; lane++) pd[lane] = TOp.Apply(pa[lane], pb[lane]) & destinationMask;
            return;
        }
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            pd[lane] = TOp.Apply(pa[lane], pb[lane]) & destinationMask;
        }
    }

    /// <summary><see cref="Binary{TOp}"/> for operations with a SIMD form: a fully enabled warp runs 4 lanes per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BinaryVector<TOp>(ulong* r, int d, int a, int b, ulong destinationMask, uint mask) where TOp : struct, IVectorBinaryLane
    {
        if (mask != FullWarp || !Vector256.IsHardwareAccelerated)
        {
            Binary<TOp>(r, d, a, b, destinationMask, mask);
            return;
        }
        ulong* pd = r + d, pa = r + a, pb = r + b;
        var keep = Vector256.Create(destinationMask);
        for (int lane = 0; lane < 32; lane += 4)
        {
            var result = TOp.Apply(Vector256.Load(pa + lane), Vector256.Load(pb + lane)) & keep;
            result.Store(pd + lane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TernaryVector<TOp>(ulong* r, int d, int a, int b, int c, ulong destinationMask, uint mask) where TOp : struct, IVectorTernaryLane
    {
        if (mask != FullWarp || !Vector256.IsHardwareAccelerated)
        {
            Ternary<TOp>(r, d, a, b, c, destinationMask, mask);
            return;
        }
        ulong* pd = r + d, pa = r + a, pb = r + b, pc = r + c;
        var keep = Vector256.Create(destinationMask);
        for (int lane = 0; lane < 32; lane += 4)
        {
            var result = TOp.Apply(Vector256.Load(pa + lane), Vector256.Load(pb + lane), Vector256.Load(pc + lane)) & keep;
            result.Store(pd + lane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Ternary<TOp>(ulong* r, int d, int a, int b, int c, ulong destinationMask, uint mask) where TOp : struct, ITernaryLane
    {
        ulong* pd = r + d, pa = r + a, pb = r + b, pc = r + c;
        if (mask == FullWarp)
        {
            for (int lane = 0; lane < 32; lane++) pd[lane] = TOp.Apply(pa[lane], pb[lane], pc[lane]) & destinationMask;
            return;
        }
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            pd[lane] = TOp.Apply(pa[lane], pb[lane], pc[lane]) & destinationMask;
        }
    }

    /// <summary>
    /// setp: d = compare(a, b) [combined with c], and the complement predicate when the form has one
    /// (<paramref name="complement"/> ≥ 0). <paramref name="combine"/> is 0, 'a', 'o' or 'x'.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Setp<TCompare>(ulong* r, int d, int complement, int a, int b, int c, int combine, uint mask) where TCompare : struct, IBinaryLane
    {
        ulong* pd = r + d, pa = r + a, pb = r + b;
        if (combine == 0 && complement < 0)
        {
            if (mask == FullWarp)
            {
                for (int lane = 0; lane < 32; lane++) pd[lane] = TCompare.Apply(pa[lane], pb[lane]);
                return;
            }
            for (uint m = mask; m != 0; m &= m - 1)
            {
                int lane = BitOperations.TrailingZeroCount(m);
                pd[lane] = TCompare.Apply(pa[lane], pb[lane]);
            }
            return;
        }
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            ulong result = TCompare.Apply(pa[lane], pb[lane]);
            ulong inverse = result ^ 1;
            if (combine != 0)
            {
                ulong other = r[c + lane] != 0 ? 1UL : 0;
                (result, inverse) = combine switch
                {
                    'a' => (result & other, inverse & other),
                    'o' => (result | other, inverse | other),
                    _ => (result ^ other, inverse ^ other),
                };
            }
            pd[lane] = result;
            if (complement >= 0) r[complement + lane] = inverse;
        }
    }

    /// <summary>cvt between integer types: the source is read at its width (sign- or zero-extended), cut to the destination width, and sign-extended again when the destination is signed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvertInteger(ulong* r, int d, int a, int sourceBits, int sourceSigned, int destinationBits, int destinationSigned, ulong destinationMask, uint mask)
    {
        ulong* pd = r + d, pa = r + a;
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            pd[lane] = ConvertIntegerValue(pa[lane], sourceBits, sourceSigned, destinationBits, destinationSigned) & destinationMask;
        }
    }

    /// <summary>One lane of <see cref="ConvertInteger"/> (before the destination register's mask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ConvertIntegerValue(ulong source, int sourceBits, int sourceSigned, int destinationBits, int destinationSigned)
    {
        ulong value = sourceSigned != 0 ? (ulong)IntegerOps.SignExtend(source, sourceBits) : source & IntegerOps.Mask(sourceBits);
        value &= IntegerOps.Mask(destinationBits);
        return destinationSigned != 0 ? (ulong)IntegerOps.SignExtend(value, destinationBits) : value;
    }

    /// <summary>
    /// shfl.sync: every lane's source value is captured first (inactive lanes included, as on hardware), then each
    /// enabled lane reads lane j chosen by the mode (0 up, 1 down, 2 bfly, 3 idx) with the ISA's clamp/segment
    /// rule; out of range reads its own value and clears the optional predicate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Shuffle(ulong* r, int d, int predicate, int a, int b, int c, int mode, ulong destinationMask, uint mask)
    {
        ulong* source = stackalloc ulong[32];
        for (int lane = 0; lane < 32; lane++) source[lane] = r[a + lane];
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            var (j, inRange) = ShuffleSource(mode, (int)(r[b + lane] & 0x1f), (uint)r[c + lane], lane);
            r[d + lane] = source[j] & 0xffff_ffff & destinationMask;
            if (predicate >= 0) r[predicate + lane] = inRange ? 1UL : 0;
        }
    }

    /// <summary>
    /// A constant shuffle, packed for <see cref="ShuffleFixed"/>: bits 0–31 which lanes are in range, bits 32–36 the
    /// lane offset, bits 40–41 the mode, bits 48–60 the clamp and segment mask of the control operand.
    /// </summary>
    public static ulong ShuffleSources(int mode, int offset, uint control)
    {
        uint inRange = 0;
        for (int lane = 0; lane < 32; lane++)
            if (ShuffleSource(mode, offset, control, lane).InRange) inRange |= 1u << lane;
        return inRange | ((ulong)(uint)offset << 32) | ((ulong)(uint)mode << 40) | ((ulong)(control & 0x1f1f) << 48);
    }

    /// <summary>The ISA's source lane and range test for one lane (out of range: the lane's own value).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static (int Source, bool InRange) ShuffleSource(int mode, int offset, uint control, int lane)
    {
        int clamp = (int)(control & 0x1f);
        int segmentMask = (int)((control >> 8) & 0x1f);
        int maxLane = (lane & segmentMask) | (clamp & ~segmentMask);
        int minLane = lane & segmentMask;
        int j;
        bool inRange;
        switch (mode)
        {
            case 0: j = lane - offset; inRange = j >= maxLane; break;
            case 1: j = lane + offset; inRange = j <= maxLane; break;
            case 2: j = lane ^ offset; inRange = j <= maxLane; break;
            default: j = minLane | (offset & ~segmentMask); inRange = j <= maxLane; break;
        }
        return (inRange ? j : lane, inRange);
    }

    /// <summary>shfl.sync with a constant offset and control (<paramref name="sources"/> from <see cref="ShuffleSources"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ShuffleFixed(ulong* r, int d, int predicate, int a, ulong sources, ulong destinationMask, uint mask)
    {
        ulong* source = stackalloc ulong[32];
        for (int lane = 0; lane < 32; lane++) source[lane] = r[a + lane];
        uint inRange = (uint)sources;
        int offset = (int)(sources >> 32) & 0x1f;
        int mode = (int)(sources >> 40) & 3;
        uint control = (uint)(sources >> 48);
        ulong keep = 0xffff_ffff & destinationMask;
        int segmentMask = (int)((control >> 8) & 0x1f);
        // Lanes out of range read their own value; the rest follow the mode (the rule of ShuffleSource).
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            bool valid = (inRange & (1u << lane)) != 0;
            int j = !valid ? lane : mode switch
            {
                0 => lane - offset,
                1 => lane + offset,
                2 => lane ^ offset,
                _ => (lane & segmentMask) | (offset & ~segmentMask),
            };
            r[d + lane] = source[j] & keep;
            if (predicate >= 0) r[predicate + lane] = valid ? 1UL : 0;
        }
    }

    /// <summary>mov {e0, e1, ...}, a: element i takes bits [i·width, (i+1)·width) of a (a negative offset discards it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unpack(ulong* r, int a, int count, int width, int d0, int d1, int d2, int d3, ulong destinationMask, uint mask)
    {
        ulong elementMask = IntegerOps.Mask(width) & destinationMask;
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            ulong value = r[a + lane];
            if (d0 >= 0) r[d0 + lane] = value & elementMask;
            if (d1 >= 0) r[d1 + lane] = (value >> width) & elementMask;
            if (count > 2)
            {
                if (d2 >= 0) r[d2 + lane] = (value >> (2 * width)) & elementMask;
                if (d3 >= 0) r[d3 + lane] = (value >> (3 * width)) & elementMask;
            }
        }
    }

    /// <summary>mov d, {e0, e1, ...}: element i goes to bits [i·width, (i+1)·width) of d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(ulong* r, int d, int count, int width, int s0, int s1, int s2, int s3, ulong destinationMask, uint mask)
    {
        ulong elementMask = IntegerOps.Mask(width);
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            ulong packed = (r[s0 + lane] & elementMask) | ((r[s1 + lane] & elementMask) << width);
            if (count > 2) packed |= ((r[s2 + lane] & elementMask) << (2 * width)) | ((r[s3 + lane] & elementMask) << (3 * width));
            r[d + lane] = packed & destinationMask;
        }
    }

    /// <summary>The lanes of <paramref name="active"/> whose predicate register is set (clear, when negated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Guard(ulong* r, int predicate, int negated, uint active)
    {
        ulong* p = r + predicate;
        uint set = 0;
        for (int lane = 0; lane < 32; lane++) set |= (p[lane] != 0 ? 1u : 0u) << lane;
        return (negated != 0 ? ~set : set) & active;
    }
}

// ---- integer forms (values arrive as the register's bits; results are masked by the caller to the destination) ----

struct Add32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)((uint)a + (uint)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => (a + b) & Vector256.Create(0xffff_ffffUL);
}
struct Add64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a + b;
}
struct Sub32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)((uint)a - (uint)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => (a - b) & Vector256.Create(0xffff_ffffUL);
}
struct Sub64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a - b;
}
struct MulLo32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)((uint)a * (uint)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsUInt32(), b.AsUInt32()) & Vector256.Create(0xffff_ffffUL);
}
struct MulLo64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a * b;
    // AVX2 has no 64-bit multiply: low × low plus the two cross products shifted up (all mod 2^64).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) =>
        Avx2.Multiply(a.AsUInt32(), b.AsUInt32())
        + ((Avx2.Multiply((a >>> 32).AsUInt32(), b.AsUInt32()) + Avx2.Multiply(a.AsUInt32(), (b >>> 32).AsUInt32())) << 32);
}
struct MulWideU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (ulong)(uint)a * (uint)b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsUInt32(), b.AsUInt32());
}
struct MulWideS32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (ulong)((long)(int)(uint)a * (int)(uint)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsInt32(), b.AsInt32()).AsUInt64();
}
struct MulHiU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => IntegerOps.MulHiU32((uint)a, (uint)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsUInt32(), b.AsUInt32()) >>> 32;
}
struct MulHiS32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)IntegerOps.MulHiS32((int)(uint)a, (int)(uint)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsInt32(), b.AsInt32()).AsUInt64() >>> 32;
}
struct MinU32 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => Math.Min((uint)a, (uint)b); }
struct MaxU32 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => Math.Max((uint)a, (uint)b); }
struct MinS32 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (uint)Math.Min((int)(uint)a, (int)(uint)b); }
struct MaxS32 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (uint)Math.Max((int)(uint)a, (int)(uint)b); }
struct MinU64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => Math.Min(a, b); }
struct MaxU64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => Math.Max(a, b); }
struct MinS64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (ulong)Math.Min((long)a, (long)b); }
struct MaxS64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (ulong)Math.Max((long)a, (long)b); }
struct And64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a & b;
}
struct Or64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a | b;
}
struct Xor64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a ^ b;
}
struct Shl32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftLeft(a, (uint)b, 32);
    // Counts of 32..63 leave nothing in the low half, and the hardware shift gives 0 from 64 on.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.ShiftLeftLogicalVariable(a, b & Vector256.Create(0xffff_ffffUL)) & Vector256.Create(0xffff_ffffUL);
}
struct Shl64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftLeft(a, (uint)b, 64);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.ShiftLeftLogicalVariable(a, b & Vector256.Create(0xffff_ffffUL));
}
struct ShrU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftRightLogical(a, (uint)b, 32);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.ShiftRightLogicalVariable(a & Vector256.Create(0xffff_ffffUL), b & Vector256.Create(0xffff_ffffUL));
}
struct ShrU64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftRightLogical(a, (uint)b, 64);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.ShiftRightLogicalVariable(a, b & Vector256.Create(0xffff_ffffUL));
}
struct ShrS32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftRightArithmetic(a, (uint)b, 32);
    // On 32-bit elements: each slot's low half is the value and its shift count (counts above 31 fill with the sign);
    // the high halves' results are cleared.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Avx2.ShiftRightArithmeticVariable(a.AsInt32(), b.AsUInt32()).AsUInt64() & Vector256.Create(0xffff_ffffUL);
}
struct ShrS64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftRightArithmetic(a, (uint)b, 64); }

struct MadLo32 : IVectorTernaryLane
{
    public static ulong Apply(ulong a, ulong b, ulong c) => (uint)((uint)a * (uint)b + (uint)c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => (Avx2.Multiply(a.AsUInt32(), b.AsUInt32()) + c) & Vector256.Create(0xffff_ffffUL);
}
struct MadLo64 : ITernaryLane { public static ulong Apply(ulong a, ulong b, ulong c) => a * b + c; }
struct MadWideU32 : IVectorTernaryLane
{
    public static ulong Apply(ulong a, ulong b, ulong c) => (ulong)(uint)a * (uint)b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => Avx2.Multiply(a.AsUInt32(), b.AsUInt32()) + c;
}
struct MadWideS32 : IVectorTernaryLane
{
    public static ulong Apply(ulong a, ulong b, ulong c) => (ulong)((long)(int)(uint)a * (int)(uint)b) + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => Avx2.Multiply(a.AsInt32(), b.AsInt32()).AsUInt64() + c;
}
struct Selp : IVectorTernaryLane
{
    public static ulong Apply(ulong a, ulong b, ulong c) => c != 0 ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => Vector256.ConditionalSelect(Vector256.Equals(c, Vector256<ulong>.Zero), b, a);
}
// dp4a: the four byte products written out (the same sum as IntegerOps.Dp4a, which loops), so RyuJIT inlines them.
struct Dp4aUU : IVectorTernaryLane
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b, ulong c) => (uint)((int)(uint)c
        + (int)((byte)a * (uint)(byte)b) + (int)((byte)(a >> 8) * (uint)(byte)(b >> 8))
        + (int)((byte)(a >> 16) * (uint)(byte)(b >> 16)) + (int)((byte)(a >> 24) * (uint)(byte)(b >> 24)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => VectorLanes.Dot4(a, b, c, false, false);
}
struct Dp4aSS : IVectorTernaryLane
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b, ulong c) => (uint)((int)(uint)c
        + (sbyte)a * (sbyte)b + (sbyte)(a >> 8) * (sbyte)(b >> 8)
        + (sbyte)(a >> 16) * (sbyte)(b >> 16) + (sbyte)(a >> 24) * (sbyte)(b >> 24));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => VectorLanes.Dot4(a, b, c, true, true);
}
struct Dp4aSU : IVectorTernaryLane
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b, ulong c) => (uint)((int)(uint)c
        + (sbyte)a * (byte)b + (sbyte)(a >> 8) * (byte)(b >> 8)
        + (sbyte)(a >> 16) * (byte)(b >> 16) + (sbyte)(a >> 24) * (byte)(b >> 24));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => VectorLanes.Dot4(a, b, c, true, false);
}
struct Dp4aUS : IVectorTernaryLane
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b, ulong c) => (uint)((int)(uint)c
        + (byte)a * (sbyte)b + (byte)(a >> 8) * (sbyte)(b >> 8)
        + (byte)(a >> 16) * (sbyte)(b >> 16) + (byte)(a >> 24) * (sbyte)(b >> 24));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => VectorLanes.Dot4(a, b, c, false, true);
}
struct PermuteDefault : IVectorTernaryLane
{
    public static ulong Apply(ulong a, ulong b, ulong c) => IntegerOps.Permute((uint)a, (uint)b, (uint)c, default);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => VectorLanes.Permute(a, b, c);
}

struct Not64 : IVectorUnaryLane
{
    public static ulong Apply(ulong a) => ~a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => ~a;
}
struct NotPredicate : IVectorUnaryLane
{
    public static ulong Apply(ulong a) => a ^ 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => a ^ Vector256<ulong>.One;
}
struct Copy : IVectorUnaryLane
{
    public static ulong Apply(ulong a) => a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => a;
}
struct SignExtend32To64 : IVectorUnaryLane
{
    public static ulong Apply(ulong a) => (ulong)(long)(int)(uint)a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => VectorLanes.SignExtend32(a);
}
struct PopCount32 : IUnaryLane { public static ulong Apply(ulong a) => IntegerOps.PopCount(a & 0xffff_ffff); }
struct PopCount64 : IUnaryLane { public static ulong Apply(ulong a) => IntegerOps.PopCount(a); }
struct Clz32 : IUnaryLane { public static ulong Apply(ulong a) => IntegerOps.CountLeadingZeros32((uint)a); }

// ---- f32 forms with round-to-nearest-even and no .sat. .ftz is a type parameter: inputs and results are flushed
// like the interpreter's InF32/OutF32, and a NaN result is canonicalised. ----

interface IFlushPolicy
{
    static abstract float In(ulong bits);
    static abstract ulong Out(float value);
    /// <summary>In for 8 packed singles (each 64-bit slot holds one f32 in its low half; the high halves are zero).</summary>
    static abstract Vector256<float> In(Vector256<ulong> bits);
    /// <summary>Out for 8 packed singles; the caller's destination mask clears the high halves again.</summary>
    static abstract Vector256<ulong> Out(Vector256<float> values);
}

static class F32Vector
{
    /// <summary>NaN → the canonical NaN (0x7fffffff), as <see cref="FloatRounding.Canonicalize(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Canonical(Vector256<float> values)
    {
        var nan = ~Vector256.Equals(values, values).AsUInt32();
        return Vector256.ConditionalSelect(nan, Vector256.Create(FloatRounding.CanonicalNaN32), values.AsUInt32());
    }

    /// <summary>Subnormals (and zeros) → zero of the same sign.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Flush(Vector256<uint> bits)
    {
        var subnormal = Vector256.Equals(bits & Vector256.Create(0x7f80_0000u), Vector256<uint>.Zero);
        return Vector256.ConditionalSelect(subnormal, bits & Vector256.Create(0x8000_0000u), bits);
    }
}

/// <summary>No .ftz: subnormals are kept.</summary>
struct KeepSubnormals : IFlushPolicy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float In(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Out(float value) => float.IsNaN(value) ? FloatRounding.CanonicalNaN32 : BitConverter.SingleToUInt32Bits(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> In(Vector256<ulong> bits) => bits.AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Out(Vector256<float> values) => F32Vector.Canonical(values).AsUInt64();
}

/// <summary>.ftz: subnormal inputs and results become zero of the same sign.</summary>
struct FlushSubnormals : IFlushPolicy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float In(ulong bits)
    {
        uint value = (uint)bits;
        return BitConverter.UInt32BitsToSingle((value & 0x7f80_0000) == 0 ? value & 0x8000_0000 : value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Out(float value)
    {
        if (float.IsNaN(value)) return FloatRounding.CanonicalNaN32;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x7f80_0000) == 0 ? bits & 0x8000_0000 : bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> In(Vector256<ulong> bits) => F32Vector.Flush(bits.AsUInt32()).AsSingle();

    // Canonicalise first: a NaN has a non-zero exponent, so flushing never touches it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Out(Vector256<float> values) => F32Vector.Flush(F32Vector.Canonical(values)).AsUInt64();
}

struct AddF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.Out(F.In(a) + F.In(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => F.Out(F.In(a) + F.In(b));
}
struct SubF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.Out(F.In(a) + -F.In(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => F.Out(F.In(a) + -F.In(b));
}
struct MulF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.Out(F.In(a) * F.In(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => F.Out(F.In(a) * F.In(b));
}
struct MinF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.Out(FloatRounding.Min(F.In(a), F.In(b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => F.Out(VectorLanes.MinMax(F.In(a), F.In(b), maximum: false));
}
struct MaxF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.Out(FloatRounding.Max(F.In(a), F.In(b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => F.Out(VectorLanes.MinMax(F.In(a), F.In(b), maximum: true));
}
struct FmaF32<F> : IVectorTernaryLane where F : struct, IFlushPolicy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b, ulong c) => F.Out(MathF.FusedMultiplyAdd(F.In(a), F.In(b), F.In(c)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c) => F.Out(Vector256.FusedMultiplyAdd(F.In(a), F.In(b), F.In(c)));
}
struct NegF32<F> : IUnaryLane where F : struct, IFlushPolicy { public static ulong Apply(ulong a) => BitConverter.SingleToUInt32Bits(F.In(a)) ^ 0x8000_0000u; }
struct AbsF32<F> : IUnaryLane where F : struct, IFlushPolicy { public static ulong Apply(ulong a) => BitConverter.SingleToUInt32Bits(F.In(a)) & 0x7fff_ffffu; }
struct DivApproxF32<F> : IBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.Out(ApproximateMath.DivideApproximate(F.In(a), F.In(b), typeof(F) == typeof(FlushSubnormals)));
}
struct Exp2F32<F> : IUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => F.Out(ApproximateMath.Exp2(BitConverter.UInt32BitsToSingle((uint)a), typeof(F) == typeof(FlushSubnormals)));
}
struct RcpApproxF32<F> : IUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => F.Out(ApproximateMath.Reciprocal(BitConverter.UInt32BitsToSingle((uint)a), typeof(F) == typeof(FlushSubnormals)));
}
struct RsqrtF32<F> : IUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => F.Out(ApproximateMath.ReciprocalSqrt(BitConverter.UInt32BitsToSingle((uint)a), typeof(F) == typeof(FlushSubnormals)));
}
struct TanhF32 : IUnaryLane { public static ulong Apply(ulong a) => KeepSubnormals.Out(ApproximateMath.Tanh(BitConverter.UInt32BitsToSingle((uint)a))); }

// ---- conversions (cvt without .sat / integral rounding; the interpreter's Convert for exactly these pairs) ----

/// <summary>cvt.f32.f16: exact widening; a NaN becomes the canonical NaN (OutF32).</summary>
struct F16ToF32<F> : IVectorUnaryLane where F : struct, IFlushPolicy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a) => F.Out(HalfTable.ToSingle((ushort)a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => F.Out(VectorLanes.HalvesToSingles(a));
}
struct Bf16ToF32<F> : IVectorUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => F.Out(Conversions.BFloat16ToSingle((ushort)a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => F.Out(((a & Vector256.Create(0xffffUL)) << 16).AsSingle());
}
/// <summary>cvt.rn.f32.s32 / .u32: the hardware's (and C#'s) correctly rounded integer conversion.</summary>
/// <summary>cvt.rn.f16.s32: the integer is exact in a double, rounded once to f16 (the interpreter's RoundToFormat, nearest even).</summary>
struct S32ToF16 : IUnaryLane { public static ulong Apply(ulong a) => HalfOps.RoundToHalfNearestEven((int)(uint)a); }

/// <summary>cvt.rn.f32.s16 / .u16: every 16-bit integer is exact in f32.</summary>
struct S16ToF32 : IVectorUnaryLane
{
    public static ulong Apply(ulong a) => BitConverter.SingleToUInt32Bits((float)(short)a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => Vector256.ConvertToSingle((a.AsInt32() << 16) >> 16).AsUInt64();
}
struct U16ToF32 : IVectorUnaryLane
{
    public static ulong Apply(ulong a) => BitConverter.SingleToUInt32Bits((float)(ushort)a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => Vector256.ConvertToSingle((a & Vector256.Create(0xffffUL)).AsInt32()).AsUInt64();
}

/// <summary>cvt.rn[.ftz].f16x2.f32 d, a, b: the interpreter's SinglesToHalf2 (a in the high half).</summary>
struct F32PairToF16x2<F> : IBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => Conversions.SinglesToHalf2(F.In(a), F.In(b), RoundingMode.NearestEven);
}
struct S32ToF32 : IVectorUnaryLane
{
    public static ulong Apply(ulong a) => BitConverter.SingleToUInt32Bits((float)(int)(uint)a);
    // Each slot's high half converts too (to +0.0, or garbage the destination mask clears).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a) => Vector256.ConvertToSingle(a.AsInt32()).AsUInt64();
}
struct U32ToF32 : IUnaryLane { public static ulong Apply(ulong a) => BitConverter.SingleToUInt32Bits((float)(long)(uint)a); }
struct F32ToF16<F> : IUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => Conversions.Encode(Conversions.RoundToFormat(F.In(a), Conversions.Half, RoundingMode.NearestEven, false), Conversions.Half);
}
struct F32ToBf16<F> : IUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => Conversions.Encode(Conversions.RoundToFormat(F.In(a), Conversions.BFloat16, RoundingMode.NearestEven, false), Conversions.BFloat16);
}

// ---- f16x2 arithmetic (round to nearest even, no .ftz/.sat): HalfOps, the interpreter's own semantics ----

// f16x2 with round-to-nearest-even, no .ftz/.sat: HalfOps' arithmetic for that case, both halves inline.
struct AddF16x2 : IBinaryLane
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b) => HalfOps.Nearest((double)HalfTable.ToSingle((ushort)a) + HalfTable.ToSingle((ushort)b))
        | (uint)HalfOps.Nearest((double)HalfTable.ToSingle((ushort)(a >> 16)) + HalfTable.ToSingle((ushort)(b >> 16))) << 16;
}
struct SubF16x2 : IBinaryLane
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b) => HalfOps.Nearest((double)HalfTable.ToSingle((ushort)a) - HalfTable.ToSingle((ushort)b))
        | (uint)HalfOps.Nearest((double)HalfTable.ToSingle((ushort)(a >> 16)) - HalfTable.ToSingle((ushort)(b >> 16))) << 16;
}
struct MulF16x2 : IBinaryLane
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b) => HalfOps.Nearest((double)HalfTable.ToSingle((ushort)a) * HalfTable.ToSingle((ushort)b))
        | (uint)HalfOps.Nearest((double)HalfTable.ToSingle((ushort)(a >> 16)) * HalfTable.ToSingle((ushort)(b >> 16))) << 16;
}
struct FmaF16x2 : ITernaryLane
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b, ulong c) =>
        HalfOps.Nearest((double)HalfTable.ToSingle((ushort)a) * HalfTable.ToSingle((ushort)b) + HalfTable.ToSingle((ushort)c))
        | (uint)HalfOps.Nearest((double)HalfTable.ToSingle((ushort)(a >> 16)) * HalfTable.ToSingle((ushort)(b >> 16)) + HalfTable.ToSingle((ushort)(c >> 16))) << 16;
}

// ---- integer division (PTX defines division by zero; IntegerOps has the rule) ----

struct DivU64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => IntegerOps.DivUnsigned(a, b, 64); }
struct DivS64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (ulong)IntegerOps.DivSigned((long)a, (long)b, 64); }
struct RemU64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => IntegerOps.RemUnsigned(a, b); }
struct RemS64 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (ulong)IntegerOps.RemSigned((long)a, (long)b); }
struct DivU32 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => IntegerOps.DivUnsigned((uint)a, (uint)b, 32); }
struct DivS32 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (ulong)IntegerOps.DivSigned((int)(uint)a, (int)(uint)b, 32) & 0xffff_ffff; }
struct RemU32 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => IntegerOps.RemUnsigned((uint)a, (uint)b); }
struct RemS32 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (ulong)IntegerOps.RemSigned((int)(uint)a, (int)(uint)b) & 0xffff_ffff; }

// ---- comparisons for setp (result 0/1) ----

struct EqU64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a == b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.Equals(a, b));
}
struct NeU64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a != b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.Equals(a, b)) ^ Vector256<ulong>.One;
}
struct LtS32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (int)(uint)a < (int)(uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThan(a.AsInt32(), b.AsInt32()).AsUInt64());
}
struct LeS32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (int)(uint)a <= (int)(uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThanOrEqual(a.AsInt32(), b.AsInt32()).AsUInt64());
}
struct GtS32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (int)(uint)a > (int)(uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThan(a.AsInt32(), b.AsInt32()).AsUInt64());
}
struct GeS32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (int)(uint)a >= (int)(uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThanOrEqual(a.AsInt32(), b.AsInt32()).AsUInt64());
}
struct EqU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)a == (uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.Equals(a.AsUInt32(), b.AsUInt32()).AsUInt64());
}
struct NeU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)a != (uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.Equals(a.AsUInt32(), b.AsUInt32()).AsUInt64()) ^ Vector256<ulong>.One;
}
struct LtU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)a < (uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThan(a.AsUInt32(), b.AsUInt32()).AsUInt64());
}
struct LeU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)a <= (uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsUInt64());
}
struct GtU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)a > (uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThan(a.AsUInt32(), b.AsUInt32()).AsUInt64());
}
struct GeU32 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (uint)a >= (uint)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThanOrEqual(a.AsUInt32(), b.AsUInt32()).AsUInt64());
}
struct LtU64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a < b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThan(a, b));
}
struct LeU64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a <= b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThanOrEqual(a, b));
}
struct GtU64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a > b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThan(a, b));
}
struct GeU64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => a >= b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThanOrEqual(a, b));
}
struct LtS64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (long)a < (long)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThan(a.AsInt64(), b.AsInt64()).AsUInt64());
}
struct LeS64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (long)a <= (long)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThanOrEqual(a.AsInt64(), b.AsInt64()).AsUInt64());
}
struct GtS64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (long)a > (long)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThan(a.AsInt64(), b.AsInt64()).AsUInt64());
}
struct GeS64 : IVectorBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => (long)a >= (long)b ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThanOrEqual(a.AsInt64(), b.AsInt64()).AsUInt64());
}
struct EqF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.In(a) == F.In(b) ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.Equals(F.In(a), F.In(b)).AsUInt64());
}
struct NeF32<F> : IBinaryLane where F : struct, IFlushPolicy { public static ulong Apply(ulong a, ulong b) { float x = F.In(a), y = F.In(b); return x != y && !float.IsNaN(x) && !float.IsNaN(y) ? 1UL : 0; } }
struct LtF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.In(a) < F.In(b) ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThan(F.In(a), F.In(b)).AsUInt64());
}
struct LeF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.In(a) <= F.In(b) ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.LessThanOrEqual(F.In(a), F.In(b)).AsUInt64());
}
struct GtF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.In(a) > F.In(b) ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThan(F.In(a), F.In(b)).AsUInt64());
}
struct GeF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.In(a) >= F.In(b) ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.GreaterThanOrEqual(F.In(a), F.In(b)).AsUInt64());
}
struct NeuF32<F> : IVectorBinaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a, ulong b) => F.In(a) != F.In(b) ? 1UL : 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => VectorLanes.Bit(Vector256.Equals(F.In(a), F.In(b)).AsUInt64()) ^ Vector256<ulong>.One;
}
struct NanF32<F> : IBinaryLane where F : struct, IFlushPolicy { public static ulong Apply(ulong a, ulong b) => float.IsNaN(F.In(a)) || float.IsNaN(F.In(b)) ? 1UL : 0; }

struct CvtaShared : IUnaryLane { public static ulong Apply(ulong a) => AddressWindows.SharedBase + (a & 0xffff_ffff); }
struct CvtaToShared : IUnaryLane { public static ulong Apply(ulong a) => a - AddressWindows.SharedBase; }

// ---- 16-bit integer forms: the interpreter's arithmetic on operands cut to 16 bits ----

struct Add16 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (a + b) & 0xffff; }
struct Sub16 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (a - b) & 0xffff; }
struct MulLo16 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => ((a & 0xffff) * (b & 0xffff)) & 0xffff; }
struct MulWideU16 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (a & 0xffff) * (b & 0xffff); }
struct MulWideS16 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => (ulong)((long)(short)a * (short)b) & 0xffff_ffff; }
struct Shl16 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftLeft(a, (uint)b, 16); }
struct ShrU16 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftRightLogical(a, (uint)b, 16); }
struct ShrS16 : IBinaryLane { public static ulong Apply(ulong a, ulong b) => IntegerOps.ShiftRightArithmetic(a, (uint)b, 16); }

// ---- f32 with a directed rounding mode (.rz/.rm/.rp), the interpreter's exact FloatRounding ----

interface IRoundingMode { static abstract RoundingMode Mode { get; } }
struct TowardZero : IRoundingMode { public static RoundingMode Mode => RoundingMode.TowardZero; }
struct TowardNegative : IRoundingMode { public static RoundingMode Mode => RoundingMode.TowardNegative; }
struct TowardPositive : IRoundingMode { public static RoundingMode Mode => RoundingMode.TowardPositive; }
struct NearestEvenMode : IRoundingMode { public static RoundingMode Mode => RoundingMode.NearestEven; }

struct AddF32Rounded<F, R> : IBinaryLane where F : struct, IFlushPolicy where R : struct, IRoundingMode
{
    public static ulong Apply(ulong a, ulong b) => F.Out(FloatRounding.Add(F.In(a), F.In(b), R.Mode));
}
struct SubF32Rounded<F, R> : IBinaryLane where F : struct, IFlushPolicy where R : struct, IRoundingMode
{
    public static ulong Apply(ulong a, ulong b) => F.Out(FloatRounding.Add(F.In(a), -F.In(b), R.Mode));
}
struct MulF32Rounded<F, R> : IBinaryLane where F : struct, IFlushPolicy where R : struct, IRoundingMode
{
    public static ulong Apply(ulong a, ulong b) => F.Out(FloatRounding.Mul(F.In(a), F.In(b), R.Mode));
}
struct FmaF32Rounded<F, R> : ITernaryLane where F : struct, IFlushPolicy where R : struct, IRoundingMode
{
    public static ulong Apply(ulong a, ulong b, ulong c) => F.Out(FloatRounding.Fma(F.In(a), F.In(b), F.In(c), R.Mode));
}

/// <summary>copysign.f32 d, a, b: b's magnitude with a's sign (no canonicalisation, as the interpreter).</summary>
struct CopySignF32 : IBinaryLane
{
    public static ulong Apply(ulong a, ulong b) => BitConverter.SingleToUInt32Bits(FloatRounding.CopySign(BitConverter.UInt32BitsToSingle((uint)a), BitConverter.UInt32BitsToSingle((uint)b)));
}

/// <summary>cvt.{rni,rzi,rmi,rpi}[.ftz].f32.f32: round to an integral value in the given mode.</summary>
struct RoundIntegralF32<F, R> : IUnaryLane where F : struct, IFlushPolicy where R : struct, IRoundingMode
{
    public static ulong Apply(ulong a) => F.Out((float)Conversions.RoundToIntegral(F.In(a), R.Mode));
}

/// <summary>cvt.{rni,rzi,rmi,rpi}[.ftz].s32.f32 / .u32.f32: the interpreter's FloatToInteger (NaN → 0, clamped), signed results sign-extended.</summary>
struct F32ToS32<F, R> : IUnaryLane where F : struct, IFlushPolicy where R : struct, IRoundingMode
{
    public static ulong Apply(ulong a) => (ulong)IntegerOps.SignExtend(Conversions.FloatToInteger(F.In(a), R.Mode, 32, true), 32);
}
struct F32ToU32<F, R> : IUnaryLane where F : struct, IFlushPolicy where R : struct, IRoundingMode
{
    public static ulong Apply(ulong a) => Conversions.FloatToInteger(F.In(a), R.Mode, 32, false);
}

// ---- more special functions (the interpreter's ApproximateMath on the raw input, OutF32 on the result) ----

struct Lg2F32<F> : IUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => F.Out(ApproximateMath.Log2(BitConverter.UInt32BitsToSingle((uint)a), typeof(F) == typeof(FlushSubnormals)));
}
struct SinF32<F> : IUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => F.Out(ApproximateMath.Sin(BitConverter.UInt32BitsToSingle((uint)a), typeof(F) == typeof(FlushSubnormals)));
}
struct CosF32<F> : IUnaryLane where F : struct, IFlushPolicy
{
    public static ulong Apply(ulong a) => F.Out(ApproximateMath.Cos(BitConverter.UInt32BitsToSingle((uint)a), typeof(F) == typeof(FlushSubnormals)));
}

// ---- integer abs/neg at a width (two's complement wrap, as the interpreter's Unary) ----

interface IWidth { static abstract int Bits { get; } }
struct Width8 : IWidth { public static int Bits => 8; }
struct Width16 : IWidth { public static int Bits => 16; }
struct Width32 : IWidth { public static int Bits => 32; }
struct Width64 : IWidth { public static int Bits => 64; }

struct NegInteger<W> : IUnaryLane where W : struct, IWidth
{
    public static ulong Apply(ulong a) => (ulong)(-IntegerOps.SignExtend(a, W.Bits)) & IntegerOps.Mask(W.Bits);
}
struct AbsInteger<W> : IUnaryLane where W : struct, IWidth
{
    public static ulong Apply(ulong a)
    {
        long value = IntegerOps.SignExtend(a, W.Bits);
        return (ulong)(value < 0 ? -value : value) & IntegerOps.Mask(W.Bits);
    }
}

// ---- setp for every comparison the interpreter knows, through its own FloatRounding.Compare* ----

interface ICompareOp { static abstract FloatRounding.Compare Op { get; } }
struct CompareEq : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Eq; }
struct CompareNe : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Ne; }
struct CompareLt : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Lt; }
struct CompareLe : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Le; }
struct CompareGt : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Gt; }
struct CompareGe : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Ge; }
struct CompareLo : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Lo; }
struct CompareLs : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Ls; }
struct CompareHi : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Hi; }
struct CompareHs : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Hs; }
struct CompareEqu : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Equ; }
struct CompareNeu : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Neu; }
struct CompareLtu : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Ltu; }
struct CompareLeu : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Leu; }
struct CompareGtu : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Gtu; }
struct CompareGeu : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Geu; }
struct CompareNum : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Num; }
struct CompareNan : ICompareOp { public static FloatRounding.Compare Op => FloatRounding.Compare.Nan; }

struct CompareF32Generic<F, C> : IBinaryLane where F : struct, IFlushPolicy where C : struct, ICompareOp
{
    public static ulong Apply(ulong a, ulong b) => FloatRounding.CompareFloat(F.In(a), F.In(b), C.Op) ? 1UL : 0;
}
struct CompareSignedGeneric<W, C> : IBinaryLane where W : struct, IWidth where C : struct, ICompareOp
{
    public static ulong Apply(ulong a, ulong b) => FloatRounding.CompareSigned(IntegerOps.SignExtend(a, W.Bits), IntegerOps.SignExtend(b, W.Bits), C.Op) ? 1UL : 0;
}
struct CompareUnsignedGeneric<W, C> : IBinaryLane where W : struct, IWidth where C : struct, ICompareOp
{
    public static ulong Apply(ulong a, ulong b) => FloatRounding.CompareUnsigned(a & IntegerOps.Mask(W.Bits), b & IntegerOps.Mask(W.Bits), C.Op) ? 1UL : 0;
}
