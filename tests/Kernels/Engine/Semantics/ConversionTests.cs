using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Tests.Kernels.Engine.Semantics;

public class ConversionTests
{
    static ushort HalfBits(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>
    /// The compiled tier and mma widen f16 with .NET's Half (hardware conversion); the reference semantics decode the
    /// format from its fields. Every one of the 65,536 encodings must give the same single (NaNs: both NaN, since
    /// results are canonicalised).
    /// </summary>
    [Fact]
    public void Half_widening_by_the_runtime_equals_the_format_decoder_for_every_encoding()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            float decoded = Conversions.HalfToSingle((ushort)bits);
            float widened = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            if (float.IsNaN(decoded)) Assert.True(float.IsNaN(widened), $"0x{bits:x4}");
            else Assert.Equal(BitConverter.SingleToUInt32Bits(decoded), BitConverter.SingleToUInt32Bits(widened));
        }
    }

    [Fact]
    public void F16_round_to_nearest_matches_dotnet_half_for_every_pattern_and_random_floats()
    {
        for (int bits = 0; bits < 0x10000; bits++)
        {
            Half h = BitConverter.UInt16BitsToHalf((ushort)bits);
            if (Half.IsNaN(h)) continue;
            Conversions.HalfToSingle((ushort)bits).ShouldBe((float)h);
            Conversions.SingleToHalf((float)h).ShouldBe((ushort)bits);
        }
        var random = new Random(5);
        for (int i = 0; i < 100000; i++)
        {
            float value = BitConverter.Int32BitsToSingle(random.Next(0x30000000, 0x48000000)) * (random.Next(2) == 0 ? 1 : -1);
            Conversions.SingleToHalf(value).ShouldBe(HalfBits(value), $"{value:R}");
        }
        Conversions.SingleToHalf(float.NaN).ShouldBe((ushort)0x7fff);
    }

    [Fact]
    public void F16_directed_modes_and_saturation()
    {
        // 1 + 2^-11 lies exactly between 1 and 1 + 2^-10: ties to even (1), rz 1, rp 1+2^-10.
        float tie = 1f + MathF.Pow(2, -11);
        Conversions.SingleToHalf(tie).ShouldBe((ushort)0x3c00);
        Conversions.SingleToHalf(tie, RoundingMode.TowardPositive).ShouldBe((ushort)0x3c01);
        Conversions.SingleToHalf(-tie, RoundingMode.TowardNegative).ShouldBe((ushort)0xbc01);
        Conversions.SingleToHalf(-tie, RoundingMode.TowardZero).ShouldBe((ushort)0xbc00);
        Conversions.SingleToHalf(70000f).ShouldBe((ushort)0x7c00);
        Conversions.SingleToHalf(70000f, RoundingMode.TowardZero).ShouldBe((ushort)0x7bff);
        Conversions.SingleToHalf(70000f, RoundingMode.NearestEven, saturateFinite: true).ShouldBe((ushort)0x7bff);
        Conversions.SingleToHalf(-70000f, RoundingMode.TowardPositive).ShouldBe((ushort)0xfbff);
        Conversions.SingleToHalf(MathF.Pow(2, -25)).ShouldBe((ushort)0); // exactly half the smallest subnormal: to even (0)
        Conversions.SingleToHalf(MathF.Pow(2, -25), RoundingMode.TowardPositive).ShouldBe((ushort)1);
        Conversions.SingleToHalf(MathF.Pow(2, -24) * 1.5f).ShouldBe((ushort)2); // 1.5 quanta: tie to even 2
    }

    [Fact]
    public void Bf16_round_to_nearest_matches_the_bit_trick()
    {
        var random = new Random(6);
        for (int i = 0; i < 100000; i++)
        {
            uint bits = (uint)random.NextInt64(0, 0x7f7fffff) | (random.Next(2) == 0 ? 0 : 0x80000000u);
            float value = BitConverter.UInt32BitsToSingle(bits);
            uint expected = (bits + 0x7fff + ((bits >> 16) & 1)) >> 16;
            Conversions.SingleToBFloat16(value).ShouldBe((ushort)expected, $"{bits:x8}");
            Conversions.BFloat16ToSingle((ushort)expected).ShouldBe(BitConverter.UInt32BitsToSingle(expected << 16));
        }
        Conversions.SingleToBFloat16(float.NaN).ShouldBe((ushort)0x7fff);
        Conversions.SingleToBFloat16(float.NegativeInfinity).ShouldBe((ushort)0xff80);
    }

    [Fact]
    public void E4m3_encoding_saturates_and_has_no_infinity()
    {
        Conversions.SingleToE4M3(1f).ShouldBe((byte)0x38);
        Conversions.SingleToE4M3(-0.5f).ShouldBe((byte)0xb0);
        Conversions.SingleToE4M3(448f).ShouldBe((byte)0x7e);
        Conversions.SingleToE4M3(1000f).ShouldBe((byte)0x7e);
        Conversions.SingleToE4M3(float.NegativeInfinity).ShouldBe((byte)0xfe);
        Conversions.SingleToE4M3(float.NaN).ShouldBe((byte)0x7f);
        Conversions.SingleToE4M3(MathF.Pow(2, -9)).ShouldBe((byte)0x01); // smallest subnormal
        Conversions.SingleToE4M3(1.0625f).ShouldBe((byte)0x38); // tie between 1 and 1.125: even
        Conversions.SingleToE4M3(1.1f).ShouldBe((byte)0x39);
        for (int bits = 0; bits < 256; bits++)
        {
            float value = Conversions.E4M3ToSingle((byte)bits);
            if ((bits & 0x7f) == 0x7f) { float.IsNaN(value).ShouldBeTrue(); continue; }
            Conversions.SingleToE4M3(value).ShouldBe((byte)bits);
        }
        // 0x3840 = bytes (0x40 = 2.0 low, 0x38 = 1.0 high) → halves 0x4000 low, 0x3c00 high.
        Conversions.E4M3x2ToHalf2(0x3840).ShouldBe(0x3c004000u);
    }

    [Fact]
    public void Packed_conversions_put_the_first_source_in_the_upper_half()
    {
        Conversions.SinglesToHalf2(1f, 2f).ShouldBe(0x3c004000u);
        Conversions.SinglesToBFloat16x2(1f, -2f).ShouldBe(0x3f80c000u);
    }

    [Fact]
    public void Float_to_integer_rounds_saturates_and_maps_nan_to_zero()
    {
        Conversions.FloatToInteger(2.5, RoundingMode.NearestEven, 32, true).ShouldBe(2UL);
        Conversions.FloatToInteger(3.5, RoundingMode.NearestEven, 32, true).ShouldBe(4UL);
        Conversions.FloatToInteger(-2.5, RoundingMode.TowardNegative, 32, true).ShouldBe(0xfffffffdUL);
        Conversions.FloatToInteger(-2.5, RoundingMode.TowardPositive, 32, true).ShouldBe(0xfffffffeUL);
        Conversions.FloatToInteger(-2.7, RoundingMode.TowardZero, 32, true).ShouldBe(0xfffffffeUL);
        Conversions.FloatToInteger(double.NaN, RoundingMode.TowardZero, 32, true).ShouldBe(0UL);
        Conversions.FloatToInteger(1e10, RoundingMode.TowardZero, 32, true).ShouldBe(0x7fffffffUL);
        Conversions.FloatToInteger(-1e10, RoundingMode.TowardZero, 32, true).ShouldBe(0x80000000UL);
        Conversions.FloatToInteger(double.PositiveInfinity, RoundingMode.TowardZero, 64, true).ShouldBe((ulong)long.MaxValue);
        Conversions.FloatToInteger(-1.0, RoundingMode.TowardZero, 32, false).ShouldBe(0UL);
        Conversions.FloatToInteger(5e9, RoundingMode.TowardZero, 32, false).ShouldBe(0xffffffffUL);
        Conversions.FloatToInteger(300, RoundingMode.TowardZero, 8, true).ShouldBe(0x7fUL);
        Conversions.RoundToIntegral(-0.3, RoundingMode.NearestEven).ShouldBe(-0.0);
        double.IsNegative(Conversions.RoundToIntegral(-0.3, RoundingMode.TowardPositive)).ShouldBeTrue();
    }

    [Fact]
    public void Integer_to_float_is_rounded_once()
    {
        var random = new Random(8);
        for (int i = 0; i < 100000; i++)
        {
            long value = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(0, 40);
            Conversions.SignedToSingle(value, RoundingMode.NearestEven).ShouldBe((float)value); // x64 cvtsi2ss: one IEEE rounding
            Conversions.SignedToDouble(value, RoundingMode.NearestEven).ShouldBe((double)value);
        }
        Conversions.IntegerToSingle(ulong.MaxValue, false, RoundingMode.NearestEven).ShouldBe(18446744073709551616f);
        Conversions.IntegerToSingle(ulong.MaxValue, false, RoundingMode.TowardZero).ShouldBe(MathF.BitDecrement(18446744073709551616f));
        Conversions.SignedToSingle((1 << 24) + 1, RoundingMode.NearestEven).ShouldBe(16777216f);
        Conversions.SignedToSingle((1 << 24) + 1, RoundingMode.TowardPositive).ShouldBe(16777218f);
        Conversions.SignedToSingle(-((1 << 24) + 1), RoundingMode.TowardNegative).ShouldBe(-16777218f);
        Conversions.SignedToSingle(-((1 << 24) + 3), RoundingMode.NearestEven).ShouldBe(-16777220f);
        Conversions.SignedToSingle(long.MinValue, RoundingMode.NearestEven).ShouldBe(-9223372036854775808f);
    }

    [Fact]
    public void Double_to_single_with_modes()
    {
        Conversions.DoubleToSingle(1.0 + Math.Pow(2, -40), RoundingMode.TowardPositive).ShouldBe(MathF.BitIncrement(1f));
        Conversions.DoubleToSingle(1.0 + Math.Pow(2, -40), RoundingMode.NearestEven).ShouldBe(1f);
        Conversions.DoubleToSingle(1e300, RoundingMode.TowardZero).ShouldBe(float.MaxValue);
        Conversions.DoubleToSingle(1e300, RoundingMode.NearestEven).ShouldBe(float.PositiveInfinity);
        Conversions.SingleToTf32(1f + MathF.Pow(2, -11), RoundingMode.NearestAway).ShouldBe(BitConverter.SingleToUInt32Bits(1f + MathF.Pow(2, -10)));
        Conversions.Tf32OperandToSingle(0x3f801fff).ShouldBe(1f);
    }

    [Fact]
    public void Half_arithmetic_rounds_once_per_lane()
    {
        uint a = (uint)HalfBits(1f) | ((uint)HalfBits(65504f) << 16);
        uint b = (uint)HalfBits(MathF.Pow(2, -11)) | ((uint)HalfBits(65504f) << 16);
        uint sum = HalfOps.ApplyPacked(a, b, HalfOps.Operation.Add, RoundingMode.NearestEven, false, false);
        (sum & 0xffff).ShouldBe((uint)HalfBits(1f)); // tie → even
        (sum >> 16).ShouldBe(0x7c00u); // overflow → inf
        var random = new Random(10);
        for (int i = 0; i < 20000; i++)
        {
            Half x = (Half)(float)(random.NextDouble() * 200 - 100), y = (Half)(float)(random.NextDouble() * 200 - 100);
            ushort xb = BitConverter.HalfToUInt16Bits(x), yb = BitConverter.HalfToUInt16Bits(y);
            HalfOps.Apply(xb, yb, HalfOps.Operation.Mul, RoundingMode.NearestEven, false, false).ShouldBe(BitConverter.HalfToUInt16Bits(x * y));
            HalfOps.Apply(xb, yb, HalfOps.Operation.Add, RoundingMode.NearestEven, false, false).ShouldBe(BitConverter.HalfToUInt16Bits(x + y));
        }
        HalfOps.Apply(0x7c00, 0xfc00, HalfOps.Operation.Add, RoundingMode.NearestEven, false, false).ShouldBe((ushort)0x7fff);
        HalfOps.Apply(0x0001, 0x3c00, HalfOps.Operation.Mul, RoundingMode.NearestEven, true, false).ShouldBe((ushort)0);
    }

    /// <summary>
    /// f16 arithmetic rounds its exact double result with .NET's double → Half conversion (the fast path of
    /// <see cref="HalfOps"/>); the reference is the generic format rounding. They must agree bit for bit on every f16
    /// value, every midpoint between neighbours and its two double neighbours (the ties and near-ties), the overflow
    /// and subnormal boundaries, and millions of random doubles and sums / products / fma results of f16 values.
    /// </summary>
    [Fact]
    public void Half_rounding_by_the_runtime_equals_the_generic_format_rounding()
    {
        static ushort Reference(double value) => Conversions.Encode(Conversions.RoundToFormat(value, Conversions.Half, RoundingMode.NearestEven, false), Conversions.Half);
        static void Check(double value)
        {
            if (double.IsNaN(value)) return;
            ushort fast = HalfOps.RoundToHalfNearestEven(value), slow = Reference(value);
            if (fast != slow) throw new ShouldAssertException($"{value:R} (0x{BitConverter.DoubleToUInt64Bits(value):x16}): runtime 0x{fast:x4}, reference 0x{slow:x4}");
        }
        var finite = Enumerable.Range(0, 65536).Select(b => (double)Conversions.HalfToSingle((ushort)b)).Where(double.IsFinite).Distinct().Order().ToArray();
        foreach (double value in finite) Check(value);
        for (int i = 0; i + 1 < finite.Length; i++)
        {
            double middle = (finite[i] + finite[i + 1]) / 2; // exact: neighbours differ by one quantum
            Check(middle);
            Check(Math.BitIncrement(middle));
            Check(Math.BitDecrement(middle));
        }
        foreach (double edge in new[] { 65504.0, 65519.99, 65520.0, 65520.000001, 1e5, double.MaxValue, double.Epsilon, 5.960464477539063e-8, 2.98e-8, 2.9802322387695312e-8, 6.1035156e-5 })
        {
            Check(edge);
            Check(-edge);
        }
        Check(double.PositiveInfinity);
        Check(double.NegativeInfinity);
        var random = new Random(20261122);
        for (int i = 0; i < 2_000_000; i++)
        {
            // A double with an exponent across f16's range and beyond, random mantissa.
            Check(Math.ScaleB(1.0 + random.NextDouble(), random.Next(-40, 20)) * (random.Next(2) == 0 ? 1 : -1));
            double x = finite[random.Next(finite.Length)], y = finite[random.Next(finite.Length)], z = finite[random.Next(finite.Length)];
            Check(x + y);
            Check(x * y);
            Check(x * y + z);
        }
    }
}
