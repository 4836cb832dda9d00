namespace Emulator.Kernels.Engine.Semantics;

/// <summary>
/// The .approx / special-function instructions. The ISA only bounds their error (e.g. ex2.approx.f32: 2 ulp,
/// sin/cos: absolute error 2^-20.9 in [-π, π], rsqrt: 2 ulp); we evaluate them in double precision and
/// round once to f32, which is well inside every documented bound and identical on every run. The special
/// cases (±0, ±∞, NaN, the .ftz flush, div.approx's huge-divisor rule) follow the ISA tables.
/// </summary>
public static class ApproximateMath
{
    static float Flush(float x, bool ftz) => ftz ? FloatRounding.FlushDenormal(x) : x;
    static float Finish(double result, bool ftz) => Flush(FloatRounding.Canonicalize((float)result), ftz);

    public static float Exp2(float x, bool ftz) => Finish(Math.Pow(2.0, Flush(x, ftz)), ftz);

    /// <summary>lg2: ±0 → −∞ (after .ftz, subnormals too), negative → NaN.</summary>
    public static float Log2(float x, bool ftz) => Finish(Math.Log2(Flush(x, ftz)), ftz);

    public static float Sin(float x, bool ftz)
    {
        float input = Flush(x, ftz);
        return float.IsInfinity(input) ? FloatRounding.Canonicalize(float.NaN) : Finish(Math.Sin(input), ftz);
    }

    public static float Cos(float x, bool ftz)
    {
        float input = Flush(x, ftz);
        return float.IsInfinity(input) ? FloatRounding.Canonicalize(float.NaN) : Finish(Math.Cos(input), ftz);
    }

    public static float Tanh(float x) => Finish(Math.Tanh(x), false);

    /// <summary>rcp.approx: 1/±0 = ±∞, 1/±∞ = ±0.</summary>
    public static float Reciprocal(float x, bool ftz) => Finish(1.0 / Flush(x, ftz), ftz);

    public static float ReciprocalSqrt(float x, bool ftz) => Finish(1.0 / Math.Sqrt(Flush(x, ftz)), ftz);

    public static float Sqrt(float x, bool ftz) => Finish(Math.Sqrt(Flush(x, ftz)), ftz);

    /// <summary>
    /// div.approx.f32: for 2^126 &lt; |b| &lt; 2^128 the hardware computes a·rcp(b) with a flushed reciprocal,
    /// so a finite a gives zero (ISA); elsewhere a/b within 2 ulp.
    /// </summary>
    public static float DivideApproximate(float a, float b, bool ftz)
    {
        float dividend = Flush(a, ftz), divisor = Flush(b, ftz);
        float magnitude = MathF.Abs(divisor);
        if (magnitude > 8.507059e37f && !float.IsInfinity(magnitude) && float.IsFinite(dividend))
            return float.IsNegative(dividend) != float.IsNegative(divisor) ? -0f : 0f;
        return Finish((double)dividend / divisor, ftz);
    }

    /// <summary>div.full.f32: a·rcp(b) with about 2 ulp; we use the correctly rounded quotient.</summary>
    public static float DivideFull(float a, float b, bool ftz) => DivideApproximate(a, b, ftz);

    /// <summary>
    /// Correctly rounded f32 division and square root with any rounding mode (div.rn/rz/rm/rp.f32,
    /// sqrt.rn.f32, rcp.rn.f32): the f64 quotient rounded to nearest is the exact quotient unless it sits on an
    /// f32 rounding boundary, which the exact remainder then decides.
    /// </summary>
    public static float Divide(float a, float b, RoundingMode mode, bool ftz)
    {
        float dividend = Flush(a, ftz), divisor = Flush(b, ftz);
        double quotient = (double)dividend / divisor;
        if (!double.IsFinite(quotient) || quotient == 0) return Finish(quotient, ftz);
        // Remainder r = a − q·b is exact with fma in double; its sign tells on which side the true quotient lies.
        double remainder = Math.FusedMultiplyAdd(-quotient, divisor, dividend);
        double lo = remainder == 0 ? 0 : Math.CopySign(double.Epsilon, remainder * divisor);
        return Flush(FloatRounding.Canonicalize(FloatRounding.RoundToSingle(quotient, lo, mode)), ftz);
    }

    public static float SqrtRounded(float a, RoundingMode mode, bool ftz)
    {
        float x = Flush(a, ftz);
        double root = Math.Sqrt(x);
        if (!double.IsFinite(root) || root == 0) return Finish(root, ftz);
        double residual = Math.FusedMultiplyAdd(-root, root, x);
        double lo = residual == 0 ? 0 : Math.CopySign(double.Epsilon, residual);
        return Flush(FloatRounding.Canonicalize(FloatRounding.RoundToSingle(root, lo, mode)), ftz);
    }
}
