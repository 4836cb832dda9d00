namespace Emulator.Kernels.Engine.Semantics;

/// <summary>
/// f16 / f16x2 / bf16x2 arithmetic. Each lane is widened to f32 exactly, computed there and rounded once to
/// f16: for add/sub/mul the f32 result is itself correctly rounded and f32's 24 bits ≥ 2·11+2 make the second
/// rounding innocuous, so this equals native f16 arithmetic. fma goes through f64 (a·b exact, one f64 rounding
/// of the sum at 53 bits far below f16 precision, then one f16 rounding).
/// NaN results are the canonical f16 NaN 0x7fff.
/// </summary>
public static class HalfOps
{
    public enum Operation : byte { Add, Sub, Mul, Min, Max }

    public static ushort Apply(ushort a, ushort b, Operation op, RoundingMode mode, bool ftz, bool saturate)
    {
        float x = Input(a, ftz), y = Input(b, ftz);
        double exact = op switch
        {
            Operation.Add => (double)x + y,
            Operation.Sub => (double)x - y,
            Operation.Mul => (double)x * y,
            Operation.Min => FloatRounding.Min(x, y),
            _ => FloatRounding.Max(x, y),
        };
        return Output(exact, mode, ftz, saturate);
    }

    public static ushort Fma(ushort a, ushort b, ushort c, RoundingMode mode, bool ftz, bool saturate)
    {
        double exact = (double)Input(a, ftz) * Input(b, ftz) + Input(c, ftz);
        return Output(exact, mode, ftz, saturate);
    }

    public static uint ApplyPacked(uint a, uint b, Operation op, RoundingMode mode, bool ftz, bool saturate)
        => Apply((ushort)a, (ushort)b, op, mode, ftz, saturate)
           | ((uint)Apply((ushort)(a >> 16), (ushort)(b >> 16), op, mode, ftz, saturate) << 16);

    public static uint FmaPacked(uint a, uint b, uint c, RoundingMode mode, bool ftz, bool saturate)
        => Fma((ushort)a, (ushort)b, (ushort)c, mode, ftz, saturate)
           | ((uint)Fma((ushort)(a >> 16), (ushort)(b >> 16), (ushort)(c >> 16), mode, ftz, saturate) << 16);

    /// <summary>neg/abs on f16 act on the sign bit only.</summary>
    public static uint NegatePacked(uint a) => a ^ 0x80008000;
    public static uint AbsPacked(uint a) => a & 0x7fff7fff;

    static float Input(ushort bits, bool ftz)
    {
        if (ftz && (bits & 0x7c00) == 0) return (bits & 0x8000) != 0 ? -0f : 0f;
        // A NaN input (whatever its payload) makes a NaN result, which Output canonicalises.
        return HalfTable.ToSingle(bits);
    }

    static ushort Output(double exact, RoundingMode mode, bool ftz, bool saturate)
    {
        if (double.IsNaN(exact)) return saturate ? (ushort)0 : Conversions.Half.CanonicalNaN;
        if (saturate) exact = exact <= 0 ? 0.0 : Math.Min(exact, 1.0);
        ushort bits = mode == RoundingMode.NearestEven
            ? RoundToHalfNearestEven(exact)
            : Conversions.Encode(Conversions.RoundToFormat(exact, Conversions.Half, mode, false), Conversions.Half);
        if (ftz && (bits & 0x7c00) == 0) bits &= 0x8000;
        return bits;
    }

    /// <summary>
    /// IEEE round-to-nearest-even of a (non-NaN) double to f16 in one step from the double's bits, subnormals and
    /// overflow to infinity included: the same bits as the generic <c>Encode(RoundToFormat(value, Half, NearestEven))</c>
    /// (checked on every f16, every midpoint and its neighbours and millions of random values by the tests), and
    /// cheap enough to inline into the f16 lane operations.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ushort RoundToHalfNearestEven(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        ushort sign = (ushort)((bits >> 48) & 0x8000);
        int exponent = (int)((bits >> 52) & 0x7ff);
        ulong mantissa = bits & 0x000f_ffff_ffff_ffff;
        if (exponent == 0x7ff) return (ushort)(sign | 0x7c00); // infinity (NaN is handled by the callers)
        int halfExponent = exponent - 1023 + 15;
        if (halfExponent >= 31) return (ushort)(sign | 0x7c00);
        // The significand with its implicit bit, aligned so that the f16 result's last kept bit is bit `drop`.
        ulong significand = mantissa | (exponent == 0 ? 0 : 1UL << 52);
        int drop = halfExponent > 0 ? 42 : 42 + 1 - halfExponent;
        if (drop > 53) return sign; // below half of the smallest subnormal: rounds to zero
        ulong kept = significand >> drop;
        ulong rest = significand & ((1UL << drop) - 1);
        ulong half = 1UL << (drop - 1);
        if (rest > half || (rest == half && (kept & 1) != 0)) kept++;
        // Normal: kept carries the implicit bit (0x400); a carry out of the significand bumps the exponent, which is
        // exactly adding kept to the biased exponent field. Subnormal: kept is the subnormal's field (a carry into
        // 0x400 is the smallest normal).
        ulong result = halfExponent > 0 ? ((ulong)(halfExponent - 1) << 10) + kept : kept;
        return result >= 0x7c00 ? (ushort)(sign | 0x7c00) : (ushort)(sign | result);
    }

    /// <summary>Output for round-to-nearest-even without .ftz/.sat: the canonical NaN, or the nearest f16.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ushort Nearest(double exact) => double.IsNaN(exact) ? Conversions.Half.CanonicalNaN : RoundToHalfNearestEven(exact);
}
