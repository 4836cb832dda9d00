using System.Runtime.Intrinsics;
using Emulator.Kernels.Blas;

namespace Emulator.Tests.Kernels.Blas;

public class RoundingTests
{
    [Fact]
    public void Vector_round_to_half_equals_the_runtime_conversion_for_every_exponent()
    {
        // Every binary32 exponent (normal, subnormal and overflowing binary16 ranges, ∞, NaN) with random
        // mantissas and both signs, plus the exact ties and boundaries.
        var random = new Random(1);
        var inputs = new List<float>();
        for (uint exponent = 0; exponent < 256; exponent++)
        {
            for (int sample = 0; sample < 256; sample++)
            {
                uint mantissa = (uint)random.Next(0, 1 << 23);
                uint sign = (uint)(sample & 1) << 31;
                inputs.Add(BitConverter.UInt32BitsToSingle(sign | exponent << 23 | mantissa));
                inputs.Add(BitConverter.UInt32BitsToSingle(sign | exponent << 23 | (mantissa & ~0x1FFFu) | 0x1000));
            }
        }
        inputs.AddRange([65504f, 65519.99f, 65520f, 65536f, MathF.Pow(2, -14), MathF.Pow(2, -24), MathF.Pow(2, -25),
            MathF.Pow(2, -25) * 1.0001f, 3 * MathF.Pow(2, -25), float.Epsilon, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity]);
        while (inputs.Count % 8 != 0)
            inputs.Add(1f);

        float[] values = inputs.ToArray();
        for (int i = 0; i < values.Length; i += 8)
        {
            Vector256<float> rounded = Rounding.RoundToHalf(Vector256.Create(values, i));
            for (int lane = 0; lane < 8; lane++)
            {
                float expected = (float)(Half)values[i + lane];
                float actual = rounded[lane];
                bool same = float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToUInt32Bits(actual) == BitConverter.SingleToUInt32Bits(expected);
                same.ShouldBeTrue($"input {values[i + lane]:R} (0x{BitConverter.SingleToUInt32Bits(values[i + lane]):X8}): got {actual:R}, expected {expected:R}");
            }
        }
    }

    [Theory]
    [InlineData(0x3F80_0000u, 0x3F80)]   // 1
    [InlineData(0xC020_0000u, 0xC020)]   // -2.5
    [InlineData(0x3F80_8000u, 0x3F80)]   // 1 + 2⁻⁸: a tie, to even (down)
    [InlineData(0x3F81_8000u, 0x3F82)]   // 1 + 3·2⁻⁸: a tie, to even (up)
    [InlineData(0x3F80_8001u, 0x3F81)]   // just above the tie: up
    [InlineData(0x3F80_7FFFu, 0x3F80)]   // just below the tie: down
    [InlineData(0x7F7F_8000u, 0x7F80)]   // halfway above the largest bfloat16: to even, which is ∞
    public void BFloat16_rounds_to_nearest_even(uint valueBits, int expectedBits)
    {
        Rounding.SingleToBFloat16Bits(BitConverter.UInt32BitsToSingle(valueBits)).ShouldBe((ushort)expectedBits);
    }

    [Fact]
    public void BFloat16_keeps_NaN_a_NaN()
    {
        float.IsNaN(Rounding.RoundToBFloat16(BitConverter.UInt32BitsToSingle(0x7F80_0001))).ShouldBeTrue();
        float.IsNaN(Rounding.RoundToBFloat16(float.NaN)).ShouldBeTrue();
    }

    [Theory]
    [InlineData(1.00048828125f, 1.0009765625f)]     // 1 + 2⁻¹¹, half a TF32 ulp: a tie, away from zero
    [InlineData(-1.00048828125f, -1.0009765625f)]
    [InlineData(1.00146484375f, 1.001953125f)]       // 1 + 3·2⁻¹¹: a tie, away from zero (not to even)
    [InlineData(1.000244140625f, 1f)]               // 1 + 2⁻¹², below the tie: down
    [InlineData(1.5f, 1.5f)]
    public void Tf32_rounds_to_nearest_ties_away(float value, float expected)
    {
        Rounding.RoundToTf32(value).ShouldBe(expected);
    }
}
