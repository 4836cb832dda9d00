using Emulator.Kernels.Engine.Semantics;
using static Emulator.Kernels.Engine.Semantics.IntegerOps;

namespace Emulator.Tests.Kernels.Engine.Semantics;

// Expected values are hand-computed from the PTX ISA's pseudo-code.
public class IntegerOpsTests
{
    [Fact]
    public void Saturating_add_and_sub_clamp_instead_of_wrapping()
    {
        AddSaturate(int.MaxValue, 1).ShouldBe(int.MaxValue);
        AddSaturate(int.MinValue, -1).ShouldBe(int.MinValue);
        AddSaturate(5, -7).ShouldBe(-2);
        SubSaturate(int.MinValue, 1).ShouldBe(int.MinValue);
        SubSaturate(int.MaxValue, -1).ShouldBe(int.MaxValue);
    }

    [Fact]
    public void Mul_hi_returns_the_upper_half_of_the_full_product()
    {
        MulHiU32(0xffffffff, 0xffffffff).ShouldBe(0xfffffffeu);
        MulHiS32(-1, 1).ShouldBe(-1);
        MulHiS32(0x40000000, 4).ShouldBe(1);
        MulHiU64(ulong.MaxValue, 2).ShouldBe(1UL);
        MulHiS64(long.MinValue, 2).ShouldBe(-1L);
    }

    [Fact]
    public void Division_by_zero_and_overflow_follow_hardware()
    {
        DivUnsigned(7, 0, 32).ShouldBe(0xffffffffUL);
        DivUnsigned(7, 0, 64).ShouldBe(ulong.MaxValue);
        DivSigned(7, 0, 32).ShouldBe(-1);
        DivSigned(-7, 0, 32).ShouldBe(1);
        DivSigned(int.MinValue, -1, 32).ShouldBe(int.MinValue);
        DivSigned(-7, 2, 32).ShouldBe(-3);
        RemUnsigned(7, 0).ShouldBe(7UL);
        RemSigned(-7, 0).ShouldBe(-7);
        RemSigned(-7, 2).ShouldBe(-1);
        RemSigned(long.MinValue, -1).ShouldBe(0);
    }

    [Fact]
    public void Shifts_by_at_least_the_width_clear_or_sign_fill()
    {
        ShiftLeft(1, 31, 32).ShouldBe(0x80000000UL);
        ShiftLeft(1, 32, 32).ShouldBe(0UL);
        ShiftLeft(0xffff, 8, 16).ShouldBe(0xff00UL);
        ShiftRightLogical(0x80000000, 40, 32).ShouldBe(0UL);
        ShiftRightArithmetic(0x80000000, 40, 32).ShouldBe(0xffffffffUL);
        ShiftRightArithmetic(0x80000000, 4, 32).ShouldBe(0xf8000000UL);
        ShiftRightArithmetic(0x8000, 1, 16).ShouldBe(0xc000UL);
        ShiftRightArithmetic(0x40000000, 100, 32).ShouldBe(0UL);
    }

    [Fact]
    public void Bfe_extracts_with_sign_or_zero_fill()
    {
        BitFieldExtract(0xf0, 4, 4, 32, false).ShouldBe(0xfUL);
        BitFieldExtract(0xf0, 4, 4, 32, true).ShouldBe(0xffffffffUL);
        BitFieldExtract(0x70, 4, 4, 32, true).ShouldBe(0x7UL);
        BitFieldExtract(0xf0, 4, 0, 32, true).ShouldBe(0UL);
        // Field running past bit 31: the missing bits replicate a[31] for signed, are zero for unsigned.
        BitFieldExtract(0x80000000, 28, 8, 32, true).ShouldBe(0xfffffff8UL);
        BitFieldExtract(0x80000000, 28, 8, 32, false).ShouldBe(0x8UL);
        // Position beyond the width: all bits are the sign bit.
        BitFieldExtract(0x80000000, 40, 4, 32, true).ShouldBe(0xffffffffUL);
        BitFieldExtract(0x8000000000000000, 60, 8, 64, true).ShouldBe(0xfffffffffffffff8UL);
        // Only the low 8 bits of position and length count.
        BitFieldExtract(0xf0, 0x104, 0x204, 32, false).ShouldBe(0xfUL);
    }

    [Fact]
    public void Bfi_inserts_and_clips_at_the_width()
    {
        BitFieldInsert(0xab, 0x12345678, 8, 8, 32).ShouldBe(0x1234ab78UL);
        BitFieldInsert(0xff, 0, 28, 8, 32).ShouldBe(0xf0000000UL);
        BitFieldInsert(0xff, 0x11, 0, 0, 32).ShouldBe(0x11UL);
        BitFieldInsert(1, 0, 63, 1, 64).ShouldBe(0x8000000000000000UL);
    }

    [Fact]
    public void Bmsk_clamp_and_wrap()
    {
        BitMask(4, 8, clamp: true).ShouldBe(0xff0u);
        BitMask(0, 32, clamp: true).ShouldBe(0xffffffffu);
        BitMask(0, 40, clamp: true).ShouldBe(0xffffffffu);
        BitMask(28, 8, clamp: true).ShouldBe(0xf0000000u);
        BitMask(32, 4, clamp: true).ShouldBe(0u);
        BitMask(33, 4, clamp: false).ShouldBe(0x1eu);
    }

    [Fact]
    public void Prmt_all_modes()
    {
        const uint a = 0x83828180, b = 0x07060504;
        Permute(a, b, 0x3210, PermuteMode.Default).ShouldBe(a);
        Permute(a, b, 0x7654, PermuteMode.Default).ShouldBe(b);
        Permute(a, b, 0x0123, PermuteMode.Default).ShouldBe(0x80818283u);
        Permute(a, b, 0x4444, PermuteMode.Default).ShouldBe(0x04040404u);
        // Nibbles from the low end: 8 → sign of byte 0 (0xff), 0 → byte 0 (0x80), c → sign of byte 4 (0x00), 8 → 0xff.
        Permute(a, b, 0x8c08, PermuteMode.Default).ShouldBe(0xff0080ffu);
        Permute(a, b, 1, PermuteMode.Forward4Extract).ShouldBe(0x04838281u);
        Permute(a, b, 1, PermuteMode.Backward4Extract).ShouldBe(0x06078081u);
        Permute(a, b, 2, PermuteMode.Replicate8).ShouldBe(0x82828282u);
        Permute(a, b, 1, PermuteMode.EdgeClampLeft).ShouldBe(0x81818180u);
        Permute(a, b, 2, PermuteMode.EdgeClampRight).ShouldBe(0x83828282u);
        Permute(a, b, 1, PermuteMode.Replicate16).ShouldBe(0x83828382u);
        Permute(a, b, 0, PermuteMode.Replicate16).ShouldBe(0x81808180u);
    }

    [Fact]
    public void Lop3_evaluates_the_truth_table()
    {
        var random = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            uint a = (uint)random.NextInt64(), b = (uint)random.NextInt64(), c = (uint)random.NextInt64();
            Lop3(a, b, c, 0x96).ShouldBe(a ^ b ^ c);
            Lop3(a, b, c, 0xe8).ShouldBe((a & b) | (a & c) | (b & c));
            Lop3(a, b, c, 0xf0).ShouldBe(a);
            Lop3(a, b, c, 0xcc).ShouldBe(b);
            Lop3(a, b, c, 0xaa).ShouldBe(c);
            Lop3(a, b, c, 0x80).ShouldBe(a & b & c);
            Lop3(a, b, c, 0x00).ShouldBe(0u);
            Lop3(a, b, c, 0xf8).ShouldBe(a | (b & c));
        }
    }

    [Fact]
    public void Dp4a_sign_extends_bytes_per_operand()
    {
        // bytes a = (1, -2, 3, -4), b = (5, 6, -7, 8): 5 - 12 - 21 - 32 = -60, plus c = 100.
        uint a = 0xfc03fe01, b = 0x08f90605;
        Dp4a(a, b, 100, true, true).ShouldBe(40u);
        // unsigned a: bytes 1, 254, 3, 252 with signed b: 5 + 1524 - 21 + 2016 = 3524.
        Dp4a(a, b, 0, false, true).ShouldBe(3524u);
        Dp4a(0x7f7f7f7f, 0x7f7f7f7f, 0, true, true).ShouldBe(4u * 127 * 127);
        Dp4a(0x80808080, 0x80808080, 0, true, true).ShouldBe(4u * 128 * 128);
    }

    [Fact]
    public void Bit_counting()
    {
        PopCount(0xf0f0_0001).ShouldBe(9u);
        CountLeadingZeros32(0).ShouldBe(32u);
        CountLeadingZeros32(1).ShouldBe(31u);
        CountLeadingZeros32(0x80000000).ShouldBe(0u);
        BitReverse32(1).ShouldBe(0x80000000u);
        BitReverse32(0x12345678).ShouldBe(0x1e6a2c48u);
        FindMostSignificantBit(0x10, 32, false, false).ShouldBe(4u);
        FindMostSignificantBit(0, 32, false, false).ShouldBe(uint.MaxValue);
        FindMostSignificantBit(0xffffffef, 32, true, false).ShouldBe(4u);
    }
}
