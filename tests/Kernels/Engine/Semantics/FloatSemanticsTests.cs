using System.Numerics;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Tests.Kernels.Engine.Semantics;

public class FloatSemanticsTests
{
    // Independent oracle for directed rounding: the exact result as a scaled BigInteger, compared against
    // the IEEE round-to-nearest float that the CPU produces, then stepped to the neighbour the mode demands.
    static BigInteger Exact(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int exponent = (int)((bits >> 52) & 0x7ff);
        long mantissa = bits & 0xfffffffffffff;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        var magnitude = new BigInteger(mantissa) << (exponent - 1075 + 1200);
        return bits < 0 ? -magnitude : magnitude;
    }

    static float Directed(float nearest, BigInteger exact, RoundingMode mode)
    {
        var n = Exact(nearest);
        if (n == exact) return nearest;
        float lower = n < exact ? nearest : MathF.BitDecrement(nearest);
        float upper = n < exact ? MathF.BitIncrement(nearest) : nearest;
        return mode switch
        {
            RoundingMode.TowardNegative => lower,
            RoundingMode.TowardPositive => upper,
            _ => exact.Sign > 0 ? lower : upper,
        };
    }

    static float RandomFloat(Random random)
    {
        // Mix of exponent ranges so that cancellation, large exponent gaps and subnormals all occur.
        float mantissa = (float)(random.NextDouble() * 2 - 1);
        return mantissa * MathF.Pow(2, random.Next(-140, 100));
    }

    [Fact]
    public void Directed_rounding_of_add_mul_fma_matches_exact_arithmetic()
    {
        var random = new Random(42);
        var modes = new[] { RoundingMode.TowardZero, RoundingMode.TowardNegative, RoundingMode.TowardPositive };
        for (int i = 0; i < 20000; i++)
        {
            float a = RandomFloat(random), b = RandomFloat(random), c = RandomFloat(random);
            if (random.Next(4) == 0) b = -a * (1 + (float)random.NextDouble() * 1e-6f);
            foreach (var mode in modes)
            {
                float sum = a + b;
                if (float.IsFinite(sum))
                    FloatRounding.Add(a, b, mode).ShouldBe(Directed(sum, Exact(a) + Exact(b), mode), $"{a:R} + {b:R} {mode}");
                float product = a * b;
                if (float.IsFinite(product) && product != 0)
                    FloatRounding.Mul(a, b, mode).ShouldBe(Directed(product, Exact(a) * Exact(b) >> 1200, mode), $"{a:R} * {b:R} {mode}");
                float fused = MathF.FusedMultiplyAdd(a, b, c);
                if (float.IsFinite(fused) && fused != 0)
                    FloatRounding.Fma(a, b, c, mode).ShouldBe(Directed(fused, (Exact(a) * Exact(b) >> 1200) + Exact(c), mode), $"fma {a:R} {b:R} {c:R} {mode}");
            }
        }
    }

    [Fact]
    public void Directed_rounding_hand_cases()
    {
        float tiny = MathF.Pow(2, -30);
        FloatRounding.Add(1f, tiny, RoundingMode.TowardZero).ShouldBe(1f);
        FloatRounding.Add(1f, tiny, RoundingMode.TowardPositive).ShouldBe(MathF.BitIncrement(1f));
        FloatRounding.Add(-1f, -tiny, RoundingMode.TowardNegative).ShouldBe(-MathF.BitIncrement(1f));
        FloatRounding.Add(-1f, -tiny, RoundingMode.TowardZero).ShouldBe(-1f);
        FloatRounding.Add(float.MaxValue, float.MaxValue, RoundingMode.TowardZero).ShouldBe(float.MaxValue);
        FloatRounding.Add(float.MaxValue, float.MaxValue, RoundingMode.TowardNegative).ShouldBe(float.MaxValue);
        FloatRounding.Add(float.MaxValue, float.MaxValue, RoundingMode.TowardPositive).ShouldBe(float.PositiveInfinity);
        FloatRounding.Add(1f, -1f, RoundingMode.TowardNegative).ShouldBe(0f);
    }

    [Fact]
    public void Ftz_sat_and_nan_rules()
    {
        float denormal = BitConverter.UInt32BitsToSingle(0x00000001);
        BitConverter.SingleToUInt32Bits(FloatRounding.FlushDenormal(denormal)).ShouldBe(0u);
        BitConverter.SingleToUInt32Bits(FloatRounding.FlushDenormal(-denormal)).ShouldBe(0x80000000u);
        FloatRounding.FlushDenormal(1e-38f).ShouldBe(0f); // below 2^-126 ≈ 1.1755e-38: subnormal
        FloatRounding.FlushDenormal(1.2e-38f).ShouldBe(1.2e-38f);
    }

    [Fact]
    public void Saturate_clamps_to_unit_interval_and_maps_nan_to_zero()
    {
        FloatRounding.Saturate(float.NaN).ShouldBe(0f);
        FloatRounding.Saturate(-3f).ShouldBe(0f);
        BitConverter.SingleToUInt32Bits(FloatRounding.Saturate(-0f)).ShouldBe(0u);
        FloatRounding.Saturate(0.25f).ShouldBe(0.25f);
        FloatRounding.Saturate(7f).ShouldBe(1f);
        FloatRounding.Saturate(float.PositiveInfinity).ShouldBe(1f);
    }

    [Fact]
    public void Min_max_return_the_number_when_one_operand_is_nan()
    {
        FloatRounding.Min(float.NaN, 2f).ShouldBe(2f);
        FloatRounding.Max(3f, float.NaN).ShouldBe(3f);
        BitConverter.SingleToUInt32Bits(FloatRounding.Min(float.NaN, float.NaN)).ShouldBe(0x7fffffffu);
        BitConverter.SingleToUInt32Bits(FloatRounding.Min(0f, -0f)).ShouldBe(0x80000000u);
        BitConverter.SingleToUInt32Bits(FloatRounding.Max(-0f, 0f)).ShouldBe(0u);
        FloatRounding.Canonicalize(BitConverter.UInt32BitsToSingle(0xffc00001)).ShouldBe(BitConverter.UInt32BitsToSingle(0x7fffffff));
    }

    [Fact]
    public void Setp_ordered_and_unordered_comparisons()
    {
        var c = FloatRounding.Compare.Lt;
        FloatRounding.CompareFloat(1, 2, c).ShouldBeTrue();
        FloatRounding.CompareFloat(double.NaN, 2, FloatRounding.Compare.Lt).ShouldBeFalse();
        FloatRounding.CompareFloat(double.NaN, 2, FloatRounding.Compare.Ltu).ShouldBeTrue();
        FloatRounding.CompareFloat(double.NaN, 2, FloatRounding.Compare.Ne).ShouldBeFalse();
        FloatRounding.CompareFloat(double.NaN, 2, FloatRounding.Compare.Neu).ShouldBeTrue();
        FloatRounding.CompareFloat(3, 2, FloatRounding.Compare.Geu).ShouldBeTrue();
        FloatRounding.CompareFloat(1, 2, FloatRounding.Compare.Gtu).ShouldBeFalse();
        FloatRounding.CompareFloat(1, double.NaN, FloatRounding.Compare.Nan).ShouldBeTrue();
        FloatRounding.CompareFloat(1, 1, FloatRounding.Compare.Num).ShouldBeTrue();
        FloatRounding.CompareFloat(0.0, -0.0, FloatRounding.Compare.Eq).ShouldBeTrue();
        FloatRounding.CompareSigned(-1, 0, FloatRounding.Compare.Lt).ShouldBeTrue();
        FloatRounding.CompareUnsigned(ulong.MaxValue, 0, FloatRounding.Compare.Hi).ShouldBeTrue();
    }

    [Fact]
    public void Approximate_functions_stay_within_documented_error()
    {
        static int UlpDistance(float x, float y) => Math.Abs(BitConverter.SingleToInt32Bits(x) - BitConverter.SingleToInt32Bits(y));
        var random = new Random(7);
        for (int i = 0; i < 5000; i++)
        {
            float x = (float)(random.NextDouble() * 200 - 100);
            UlpDistance(ApproximateMath.Exp2(x / 2, true), MathF.Pow(2, x / 2)).ShouldBeLessThanOrEqualTo(2);
            float positive = MathF.Abs(x) + 1e-3f;
            Math.Abs(ApproximateMath.Log2(positive, true) - MathF.Log2(positive)).ShouldBeLessThanOrEqualTo(MathF.Pow(2, -22) * Math.Max(1, Math.Abs(MathF.Log2(positive))));
            float angle = x * MathF.PI / 100;
            Math.Abs(ApproximateMath.Sin(angle, true) - MathF.Sin(angle)).ShouldBeLessThanOrEqualTo(MathF.Pow(2, -20.9f));
            Math.Abs(ApproximateMath.Cos(angle, true) - MathF.Cos(angle)).ShouldBeLessThanOrEqualTo(MathF.Pow(2, -20.9f));
            UlpDistance(ApproximateMath.ReciprocalSqrt(positive, true), 1 / MathF.Sqrt(positive)).ShouldBeLessThanOrEqualTo(2);
            UlpDistance(ApproximateMath.Reciprocal(x, true), 1 / x).ShouldBeLessThanOrEqualTo(1);
            UlpDistance(ApproximateMath.DivideApproximate(x, positive, true), x / positive).ShouldBeLessThanOrEqualTo(2);
            Math.Abs(ApproximateMath.Tanh(x / 10) - MathF.Tanh(x / 10)).ShouldBeLessThanOrEqualTo(MathF.Pow(2, -10.987f));
        }
        ApproximateMath.Log2(0f, true).ShouldBe(float.NegativeInfinity);
        ApproximateMath.Log2(BitConverter.UInt32BitsToSingle(1), true).ShouldBe(float.NegativeInfinity); // flushed to 0
        float.IsNaN(ApproximateMath.Log2(-1f, true)).ShouldBeTrue();
        ApproximateMath.Exp2(float.NegativeInfinity, true).ShouldBe(0f);
        ApproximateMath.Reciprocal(-0f, true).ShouldBe(float.NegativeInfinity);
        ApproximateMath.ReciprocalSqrt(0f, true).ShouldBe(float.PositiveInfinity);
        ApproximateMath.DivideApproximate(1f, 1e38f, true).ShouldBe(0f);
        float.IsNaN(ApproximateMath.Sin(float.PositiveInfinity, true)).ShouldBeTrue();
    }

    [Fact]
    public void Correctly_rounded_division_matches_the_cpu()
    {
        var random = new Random(9);
        for (int i = 0; i < 20000; i++)
        {
            float a = RandomFloat(random), b = RandomFloat(random);
            if (b == 0) continue;
            ApproximateMath.Divide(a, b, RoundingMode.NearestEven, false).ShouldBe(FloatRounding.Canonicalize(a / b));
            float root = MathF.Abs(a);
            ApproximateMath.SqrtRounded(root, RoundingMode.NearestEven, false).ShouldBe(MathF.Sqrt(root));
        }
        ApproximateMath.Divide(1f, 3f, RoundingMode.TowardZero, false).ShouldBe(0.3333333f);
        ApproximateMath.Divide(1f, 3f, RoundingMode.TowardPositive, false).ShouldBe(MathF.BitIncrement(0.3333333f));
        ApproximateMath.Divide(1f, 4f, RoundingMode.TowardPositive, false).ShouldBe(0.25f);
    }

    [Fact]
    public void Copysign_takes_the_sign_of_the_first_operand()
    {
        FloatRounding.CopySign(-1f, 2f).ShouldBe(-2f);
        FloatRounding.CopySign(1f, -2f).ShouldBe(2f);
        BitConverter.SingleToUInt32Bits(FloatRounding.CopySign(-0f, 0f)).ShouldBe(0x80000000u);
    }
}
