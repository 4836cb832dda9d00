using System.Buffers.Binary;
using Cuemu.Tools.ModelGen;
using Cuemu.Tools.ModelGen.Gguf;

namespace Cuemu.Tools.ModelGen.Tests;

public class QuantizationTests
{
    [Fact]
    public void F16_rounds_halfway_values_to_even()
    {
        // 1 + 2^-11 lies halfway between 1 (0x3C00) and the next half 1 + 2^-10 (0x3C01): even wins.
        // 1 + 3·2^-11 lies halfway between 0x3C01 and 0x3C02: even wins again, upwards.
        var bytes = Quantization.EncodeF16([1f + MathF.Pow(2, -11), 1f + 3 * MathF.Pow(2, -11), -2f]);
        BinaryPrimitives.ReadUInt16LittleEndian(bytes).ShouldBe((ushort)0x3C00);
        BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2)).ShouldBe((ushort)0x3C02);
        BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)).ShouldBe((ushort)0xC000);
    }

    [Fact]
    public void Q8_0_block_matches_hand_computed_values()
    {
        // x_j = j - 16: max |x| = 16, so d = 16/127 and q_j = round((j - 16) · 127/16).
        var values = Enumerable.Range(0, 32).Select(j => (float)(j - 16)).ToArray();
        var block = Quantization.EncodeQ8_0(values);

        block.Length.ShouldBe(34);
        BinaryPrimitives.ReadHalfLittleEndian(block).ShouldBe((Half)(16f / 127f));
        ((sbyte)block[2 + 0]).ShouldBe((sbyte)-127);  // -16 · 7.9375
        ((sbyte)block[2 + 15]).ShouldBe((sbyte)-8);   // -1 · 7.9375 = -7.94
        ((sbyte)block[2 + 16]).ShouldBe((sbyte)0);
        ((sbyte)block[2 + 17]).ShouldBe((sbyte)8);    // 7.94
        ((sbyte)block[2 + 31]).ShouldBe((sbyte)119);  // 15 · 7.9375 = 119.06
    }

    [Fact]
    public void Q8_0_rounds_halfway_away_from_zero_like_roundf()
    {
        // max |x| = 127 gives d = 1 exactly, so x itself is the scaled value.
        var values = new float[32];
        values[0] = 127f;
        values[1] = 2.5f;
        values[2] = -2.5f;
        values[3] = 0.5f;
        var block = Quantization.EncodeQ8_0(values);
        ((sbyte)block[2 + 1]).ShouldBe((sbyte)3);
        ((sbyte)block[2 + 2]).ShouldBe((sbyte)-3);
        ((sbyte)block[2 + 3]).ShouldBe((sbyte)1);
    }

    [Fact]
    public void Q4_0_block_matches_hand_computed_values()
    {
        // x_j = j - 20: the largest magnitude is -20 (j = 0), so d = -20 / -8 = 2.5 and
        // q_j = min(15, trunc((j - 20) · 0.4 + 8.5)).
        var values = Enumerable.Range(0, 32).Select(j => (float)(j - 20)).ToArray();
        var block = Quantization.EncodeQ4_0(values);

        block.Length.ShouldBe(18);
        BinaryPrimitives.ReadHalfLittleEndian(block).ShouldBe((Half)2.5f);
        block[2 + 0].ShouldBe((byte)0x60);   // q0 = trunc(0.5) = 0, q16 = trunc(6.9) = 6
        block[2 + 4].ShouldBe((byte)0x82);   // q4 = trunc(2.1) = 2, q20 = trunc(8.5) = 8
    }

    [Fact]
    public void Q4_0_maps_the_signed_extreme_to_minus_eight_and_clamps_at_fifteen()
    {
        // Positive extreme: d = 8 / -8 = -1, so x = 8 → q = trunc(-8 + 8.5) = 0 and x = -8 → trunc(16.5) → 15.
        var values = new float[32];
        values[0] = 8f;
        values[1] = -8f;
        values[2] = 1f;
        var block = Quantization.EncodeQ4_0(values);
        BinaryPrimitives.ReadHalfLittleEndian(block).ShouldBe((Half)(-1f));
        (block[2 + 0] & 0x0F).ShouldBe(0);
        (block[2 + 1] & 0x0F).ShouldBe(15);
        (block[2 + 2] & 0x0F).ShouldBe(7);   // trunc(-1 + 8.5) = 7
        (block[2 + 3] & 0x0F).ShouldBe(8);   // zero → trunc(8.5) = 8
    }

    [Fact]
    public void Dequantised_blocks_stay_within_the_format_error_bound()
    {
        // Independent of the encoder's formulas: decoding (q - offset) · d must land within half a step of
        // every input for Q8_0, and within one step for Q4_0 (its positive side stops at 7·|d|).
        var random = new Random(20260922);
        for (var trial = 0; trial < 2000; trial++)
        {
            var values = new float[32];
            // 10^-2 … 10^3 keeps the scale d a normal fp16 number, whose relative rounding error (2^-11)
            // the tolerance below covers; subnormal scales lose precision by design of the format.
            var magnitude = MathF.Pow(10, random.Next(-2, 4));
            for (var j = 0; j < values.Length; j++)
                values[j] = (float)(random.NextDouble() * 2 - 1) * magnitude;

            var q8 = Quantization.EncodeQ8_0(values);
            var d8 = (float)BinaryPrimitives.ReadHalfLittleEndian(q8);
            var q4 = Quantization.EncodeQ4_0(values);
            var d4 = (float)BinaryPrimitives.ReadHalfLittleEndian(q4);
            for (var j = 0; j < values.Length; j++)
            {
                var decoded8 = (sbyte)q8[2 + j] * d8;
                MathF.Abs(decoded8 - values[j]).ShouldBeLessThanOrEqualTo(MathF.Abs(d8) * 0.5f + magnitude * 2e-3f);

                var packed = q4[2 + j % 16];
                var nibble = j < 16 ? packed & 0x0F : packed >> 4;
                var decoded4 = (nibble - 8) * d4;
                MathF.Abs(decoded4 - values[j]).ShouldBeLessThanOrEqualTo(MathF.Abs(d4) + magnitude * 2e-3f);
            }
        }
    }

    [Fact]
    public void Row_sizes_follow_the_block_formats()
    {
        Quantization.RowBytes(GgmlType.Q8_0, 768).ShouldBe(24 * 34);
        Quantization.RowBytes(GgmlType.Q4_0, 768).ShouldBe(24 * 18);
        Quantization.RowBytes(GgmlType.F16, 768).ShouldBe(1536);
        Should.Throw<ArgumentException>(() => Quantization.EncodeQ8_0(new float[33]));
    }
}
