namespace Emulator.Kernels.Engine.Semantics;

/// <summary>IEEE rounding modes as PTX names them (.rn .rz .rm .rp, and .rna for tf32).</summary>
public enum RoundingMode : byte { NearestEven, TowardZero, TowardNegative, TowardPositive, NearestAway }

/// <summary>
/// Exact directed rounding for f32 arithmetic. An operation's exact result is carried as an unevaluated
/// double-double (hi + lo, |lo| ≤ ½ulp(hi)), which every f32 add, mul and fma fits into exactly; it is then
/// rounded once to f32. Round-to-nearest add/mul go straight through the CPU's IEEE float unit.
/// </summary>
public static class FloatRounding
{
    public const uint CanonicalNaN32 = 0x7fffffff;

    public static float Add(float a, float b, RoundingMode mode)
    {
        if (mode == RoundingMode.NearestEven) return a + b;
        double hi = (double)a + b;
        double lo = TwoSumError(a, b, hi);
        return RoundToSingle(hi, lo, mode);
    }

    public static float Mul(float a, float b, RoundingMode mode)
    {
        if (mode == RoundingMode.NearestEven) return a * b;
        // 24 × 24 significant bits fit the 53 of a double: the product is exact.
        return RoundToSingle((double)a * b, 0, mode);
    }

    public static float Fma(float a, float b, float c, RoundingMode mode)
    {
        if (mode == RoundingMode.NearestEven) return MathF.FusedMultiplyAdd(a, b, c);
        double product = (double)a * b;
        double hi = product + c;
        double lo = TwoSumError(product, c, hi);
        return RoundToSingle(hi, lo, mode);
    }

    /// <summary>Round the exact value hi + lo (hi = fl64(hi + lo)) to f32 with the given mode.</summary>
    public static float RoundToSingle(double hi, double lo, RoundingMode mode)
    {
        if (double.IsNaN(hi)) return float.NaN;
        if (double.IsInfinity(hi)) return (float)hi;
        if (hi == 0 && lo == 0) return (float)hi;
        if (Math.Abs(hi) > float.MaxValue)
            return Overflow(hi > 0, mode);

        float nearest = (float)hi;
        if (mode == RoundingMode.NearestEven)
        {
            // Only a hi that sits exactly on an f32 midpoint can round the wrong way: lo breaks the tie.
            if (lo != 0 && IsSingleMidpoint(hi))
                return lo > 0 ? MathF.BitIncrement(LowerNeighbour(hi)) : LowerNeighbour(hi);
            return nearest;
        }
        if (mode == RoundingMode.NearestAway)
        {
            if (IsSingleMidpoint(hi) && lo == 0) return hi > 0 ? MathF.BitIncrement(LowerNeighbour(hi)) : LowerNeighbour(hi);
            return RoundToSingle(hi, lo, RoundingMode.NearestEven);
        }

        float lower, upper;
        if (nearest == hi)
        {
            if (lo == 0) return nearest;
            lower = lo > 0 ? nearest : MathF.BitDecrement(nearest);
            upper = lo > 0 ? MathF.BitIncrement(nearest) : nearest;
        }
        else
        {
            lower = nearest > hi ? MathF.BitDecrement(nearest) : nearest;
            upper = MathF.BitIncrement(lower);
        }
        float chosen = mode switch
        {
            RoundingMode.TowardNegative => lower,
            RoundingMode.TowardPositive => upper,
            _ => hi > 0 ? lower : upper,
        };
        // Stepping off ±MaxValue towards infinity is correct for directed modes; zero keeps hi's sign.
        if (chosen == 0) return hi < 0 ? -0f : 0f;
        return chosen;
    }

    static float Overflow(bool positive, RoundingMode mode) => mode switch
    {
        RoundingMode.TowardZero => positive ? float.MaxValue : -float.MaxValue,
        RoundingMode.TowardNegative => positive ? float.MaxValue : float.NegativeInfinity,
        RoundingMode.TowardPositive => positive ? float.PositiveInfinity : -float.MaxValue,
        _ => positive ? float.PositiveInfinity : float.NegativeInfinity,
    };

    static float LowerNeighbour(double value)
    {
        float f = (float)value;
        return f > value ? MathF.BitDecrement(f) : f;
    }

    static bool IsSingleMidpoint(double value)
    {
        float below = LowerNeighbour(value);
        if (below == value) return false;
        float above = MathF.BitIncrement(below);
        return ((double)below + above) * 0.5 == value;
    }

    /// <summary>Knuth's TwoSum: the exact rounding error of sum = fl(a + b).</summary>
    static double TwoSumError(double a, double b, double sum)
    {
        double bVirtual = sum - a;
        double aVirtual = sum - bVirtual;
        return (a - aVirtual) + (b - bVirtual);
    }

    /// <summary>Flush an f32 subnormal to a zero of the same sign (.ftz).</summary>
    public static float FlushDenormal(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x7f800000) == 0 ? BitConverter.UInt32BitsToSingle(bits & 0x80000000) : value;
    }

    /// <summary>PTX arithmetic produces the canonical NaN 0x7fffffff, never a propagated payload.</summary>
    public static float Canonicalize(float value) => float.IsNaN(value) ? BitConverter.UInt32BitsToSingle(CanonicalNaN32) : value;

    /// <summary>.sat: clamp to [0, 1]; NaN becomes +0.</summary>
    public static float Saturate(float value)
    {
        if (float.IsNaN(value) || value <= 0f) return 0f;
        return value >= 1f ? 1f : value;
    }

    /// <summary>min.f32: a NaN operand yields the other operand; two NaNs the canonical NaN; −0 orders below +0.</summary>
    public static float Min(float a, float b)
    {
        if (float.IsNaN(a)) return float.IsNaN(b) ? Canonicalize(a) : b;
        if (float.IsNaN(b)) return a;
        if (a == b) return float.IsNegative(a) ? a : b;
        return a < b ? a : b;
    }

    public static float Max(float a, float b)
    {
        if (float.IsNaN(a)) return float.IsNaN(b) ? Canonicalize(a) : b;
        if (float.IsNaN(b)) return a;
        if (a == b) return float.IsNegative(a) ? b : a;
        return a > b ? a : b;
    }

    public static double Min(double a, double b)
    {
        if (double.IsNaN(a)) return double.IsNaN(b) ? BitConverter.UInt64BitsToDouble(0x7fffffffffffffff) : b;
        if (double.IsNaN(b)) return a;
        if (a == b) return double.IsNegative(a) ? a : b;
        return a < b ? a : b;
    }

    public static double Max(double a, double b)
    {
        if (double.IsNaN(a)) return double.IsNaN(b) ? BitConverter.UInt64BitsToDouble(0x7fffffffffffffff) : b;
        if (double.IsNaN(b)) return a;
        if (a == b) return double.IsNegative(a) ? b : a;
        return a > b ? a : b;
    }

    /// <summary>copysign.f32 d, a, b: b's magnitude with a's sign.</summary>
    public static float CopySign(float signSource, float magnitude) => MathF.CopySign(magnitude, signSource);

    /// <summary>The comparison operators of setp/set/selp; the "u" forms are true when either operand is NaN.</summary>
    public enum Compare : byte { Eq, Ne, Lt, Le, Gt, Ge, Lo, Ls, Hi, Hs, Equ, Neu, Ltu, Leu, Gtu, Geu, Num, Nan }

    public static bool CompareFloat(double a, double b, Compare op)
    {
        bool unordered = double.IsNaN(a) || double.IsNaN(b);
        return op switch
        {
            Compare.Eq => !unordered && a == b,
            Compare.Ne => !unordered && a != b,
            Compare.Lt => !unordered && a < b,
            Compare.Le => !unordered && a <= b,
            Compare.Gt => !unordered && a > b,
            Compare.Ge => !unordered && a >= b,
            Compare.Equ => unordered || a == b,
            Compare.Neu => unordered || a != b,
            Compare.Ltu => unordered || a < b,
            Compare.Leu => unordered || a <= b,
            Compare.Gtu => unordered || a > b,
            Compare.Geu => unordered || a >= b,
            Compare.Num => !unordered,
            Compare.Nan => unordered,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a floating-point comparison"),
        };
    }

    public static bool CompareSigned(long a, long b, Compare op) => op switch
    {
        Compare.Eq => a == b,
        Compare.Ne => a != b,
        Compare.Lt => a < b,
        Compare.Le => a <= b,
        Compare.Gt => a > b,
        Compare.Ge => a >= b,
        _ => CompareUnsigned((ulong)a, (ulong)b, op),
    };

    public static bool CompareUnsigned(ulong a, ulong b, Compare op) => op switch
    {
        Compare.Eq => a == b,
        Compare.Ne => a != b,
        Compare.Lt or Compare.Lo => a < b,
        Compare.Le or Compare.Ls => a <= b,
        Compare.Gt or Compare.Hi => a > b,
        Compare.Ge or Compare.Hs => a >= b,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an integer comparison"),
    };
}
