using System.Runtime.CompilerServices;
using System.Numerics;

namespace Emulator.Kernels.Engine.Semantics;

/// <summary>
/// Integer instruction semantics of the PTX ISA as pure functions. Values travel as raw bit patterns
/// (<see cref="ulong"/>); the caller truncates to the instruction's width. Where the ISA leaves a result
/// "unspecified" (division by zero) we return what NVIDIA hardware produces, documented per method.
/// </summary>
public static class IntegerOps
{
    public static int AddSaturate(int a, int b)
    {
        long sum = (long)a + b;
        return (int)Math.Clamp(sum, int.MinValue, int.MaxValue);
    }

    public static int SubSaturate(int a, int b)
    {
        long difference = (long)a - b;
        return (int)Math.Clamp(difference, int.MinValue, int.MaxValue);
    }

    public static uint MulHiU32(uint a, uint b) => (uint)(((ulong)a * b) >> 32);
    public static int MulHiS32(int a, int b) => (int)(((long)a * b) >> 32);
    public static ulong MulHiU64(ulong a, ulong b) => Math.BigMul(a, b, out _);
    public static long MulHiS64(long a, long b) => Math.BigMul(a, b, out _);

    /// <summary>div.u32/u64 by zero: hardware returns all ones (the unsigned division loop saturates).</summary>
    public static ulong DivUnsigned(ulong a, ulong b, int bits) => b == 0 ? Mask(bits) : a / b;

    /// <summary>
    /// div.s32/s64. Division by zero yields -1 for a non-negative dividend and 1 for a negative one (the
    /// hardware divides magnitudes, getting all ones, then applies the quotient's sign); MIN / -1 wraps to MIN.
    /// </summary>
    public static long DivSigned(long a, long b, int bits)
    {
        if (b == 0) return a >= 0 ? -1 : 1;
        long min = bits == 32 ? int.MinValue : long.MinValue;
        if (b == -1 && a == min) return min;
        return a / b;
    }

    /// <summary>rem.u by zero returns the dividend (a - q*0).</summary>
    public static ulong RemUnsigned(ulong a, ulong b) => b == 0 ? a : a % b;

    /// <summary>rem.s by zero returns the dividend; MIN % -1 is 0. The sign follows the dividend (C semantics).</summary>
    public static long RemSigned(long a, long b)
    {
        if (b == 0) return a;
        if (b == -1) return 0;
        return a % b;
    }

    /// <summary>shl: shift amounts are unsigned and amounts ≥ width give 0 (no modulo, unlike x86).</summary>
    public static ulong ShiftLeft(ulong a, uint amount, int bits) => amount >= bits ? 0 : (a << (int)amount) & Mask(bits);

    public static ulong ShiftRightLogical(ulong a, uint amount, int bits) => amount >= bits ? 0 : (a & Mask(bits)) >> (int)amount;

    /// <summary>shr.s: amounts ≥ width fill with the sign bit.</summary>
    public static ulong ShiftRightArithmetic(ulong a, uint amount, int bits)
    {
        long signed = SignExtend(a, bits);
        int shift = (int)Math.Min(amount, (uint)(bits - 1));
        return (ulong)(signed >> shift) & Mask(bits);
    }

    /// <summary>
    /// bfe: extract <paramref name="length"/> bits from position <paramref name="position"/> (both taken mod 256);
    /// bits beyond the source width replicate the sign bit (signed) or are zero.
    /// </summary>
    public static ulong BitFieldExtract(ulong a, uint position, uint length, int bits, bool signed)
    {
        int msb = bits - 1;
        int pos = (int)(position & 0xff);
        int len = (int)(length & 0xff);
        ulong signBit = 0;
        if (signed && len != 0)
            signBit = (a >> Math.Min(pos + len - 1, msb)) & 1;
        ulong result = 0;
        for (int i = 0; i <= msb; i++)
        {
            ulong bit = i < len && pos + i <= msb ? (a >> (pos + i)) & 1 : signBit;
            result |= bit << i;
        }
        return result;
    }

    /// <summary>bfi: insert the low <paramref name="length"/> bits of <paramref name="a"/> into <paramref name="b"/> at <paramref name="position"/>.</summary>
    public static ulong BitFieldInsert(ulong a, ulong b, uint position, uint length, int bits)
    {
        int msb = bits - 1;
        int pos = (int)(position & 0xff);
        int len = (int)(length & 0xff);
        ulong result = b & Mask(bits);
        for (int i = 0; i < len && pos + i <= msb; i++)
        {
            ulong bit = (a >> i) & 1;
            result = (result & ~(1UL << (pos + i))) | (bit << (pos + i));
        }
        return result;
    }

    /// <summary>
    /// bmsk.b32: a mask of <paramref name="width"/> ones starting at bit <paramref name="position"/>.
    /// .clamp limits both operands to 32; .wrap takes them mod 32. Bits beyond 31 are dropped.
    /// </summary>
    public static uint BitMask(uint position, uint width, bool clamp)
    {
        uint pos = clamp ? Math.Min(position, 32u) : position & 31;
        uint len = clamp ? Math.Min(width, 32u) : width & 31;
        if (pos >= 32) return 0;
        ulong ones = len >= 64 ? ulong.MaxValue : (1UL << (int)len) - 1;
        return (uint)(ones << (int)pos);
    }

    /// <summary>The prmt modes: default (selector nibbles), f4e, b4e, rc8, ecl, ecr, rc16.</summary>
    public enum PermuteMode { Default, Forward4Extract, Backward4Extract, Replicate8, EdgeClampLeft, EdgeClampRight, Replicate16 }

    /// <summary>
    /// prmt.b32: pick bytes from the 8-byte value {b, a} (a = bytes 0..3, b = bytes 4..7). In the default mode
    /// each selector nibble's low 3 bits choose a byte and bit 3 replicates that byte's sign bit.
    /// </summary>
    public static uint Permute(uint a, uint b, uint selector, PermuteMode mode)
    {
        ulong source = ((ulong)b << 32) | a;
        byte Byte(int index) => (byte)(source >> ((index & 7) * 8));
        Span<int> picks = stackalloc int[4];
        uint low2 = selector & 3;
        switch (mode)
        {
            case PermuteMode.Default:
            {
                uint result = 0;
                for (int i = 0; i < 4; i++)
                {
                    uint nibble = (selector >> (i * 4)) & 0xf;
                    byte value = Byte((int)(nibble & 7));
                    if ((nibble & 8) != 0) value = (value & 0x80) != 0 ? (byte)0xff : (byte)0;
                    result |= (uint)value << (i * 8);
                }
                return result;
            }
            case PermuteMode.Forward4Extract:
                for (int i = 0; i < 4; i++) picks[i] = (int)((low2 + i) & 7);
                break;
            case PermuteMode.Backward4Extract:
                for (int i = 0; i < 4; i++) picks[i] = (int)((low2 - i) & 7);
                break;
            case PermuteMode.Replicate8:
                for (int i = 0; i < 4; i++) picks[i] = (int)low2;
                break;
            case PermuteMode.EdgeClampLeft:
                for (int i = 0; i < 4; i++) picks[i] = (int)Math.Min((uint)i, low2);
                break;
            case PermuteMode.EdgeClampRight:
                for (int i = 0; i < 4; i++) picks[i] = (int)Math.Max((uint)i, low2);
                break;
            case PermuteMode.Replicate16:
                picks[0] = picks[2] = (int)((selector & 1) * 2);
                picks[1] = picks[3] = (int)((selector & 1) * 2 + 1);
                break;
        }
        uint picked = 0;
        for (int i = 0; i < 4; i++) picked |= (uint)Byte(picks[i]) << (i * 8);
        return picked;
    }

    /// <summary>lop3.b32: bit i of the result is bit (a_i·4 + b_i·2 + c_i) of the 8-bit truth table.</summary>
    public static uint Lop3(uint a, uint b, uint c, byte truthTable)
    {
        uint result = 0;
        for (int minterm = 0; minterm < 8; minterm++)
        {
            if (((truthTable >> minterm) & 1) == 0) continue;
            uint ma = (minterm & 4) != 0 ? a : ~a;
            uint mb = (minterm & 2) != 0 ? b : ~b;
            uint mc = (minterm & 1) != 0 ? c : ~c;
            result |= ma & mb & mc;
        }
        return result;
    }

    /// <summary>dp4a: c + Σ a.byte[i]·b.byte[i], each byte sign- or zero-extended per its operand type; wraps.</summary>
    public static uint Dp4a(uint a, uint b, uint c, bool aSigned, bool bSigned)
    {
        int sum = (int)c;
        for (int i = 0; i < 4; i++)
        {
            int x = aSigned ? (sbyte)(a >> (i * 8)) : (byte)(a >> (i * 8));
            int y = bSigned ? (sbyte)(b >> (i * 8)) : (byte)(b >> (i * 8));
            sum = unchecked(sum + x * y);
        }
        return (uint)sum;
    }

    /// <summary>dp2a.lo/hi: c + Σ a.half[i]·b.byte[2·part + i].</summary>
    public static uint Dp2a(uint a, uint b, uint c, bool aSigned, bool bSigned, bool highHalf)
    {
        int sum = (int)c;
        for (int i = 0; i < 2; i++)
        {
            int x = aSigned ? (short)(a >> (i * 16)) : (ushort)(a >> (i * 16));
            int byteIndex = (highHalf ? 2 : 0) + i;
            int y = bSigned ? (sbyte)(b >> (byteIndex * 8)) : (byte)(b >> (byteIndex * 8));
            sum = unchecked(sum + x * y);
        }
        return (uint)sum;
    }

    public static uint PopCount(ulong a) => (uint)BitOperations.PopCount(a);
    public static uint CountLeadingZeros32(uint a) => (uint)BitOperations.LeadingZeroCount(a);
    public static uint CountLeadingZeros64(ulong a) => (uint)BitOperations.LeadingZeroCount(a);

    public static uint BitReverse32(uint a)
    {
        uint r = 0;
        for (int i = 0; i < 32; i++) r |= ((a >> i) & 1) << (31 - i);
        return r;
    }

    public static ulong BitReverse64(ulong a) => ((ulong)BitReverse32((uint)a) << 32) | BitReverse32((uint)(a >> 32));

    /// <summary>bfind: index of the most significant bit (or most significant non-sign bit), 0xffffffff if none.</summary>
    public static uint FindMostSignificantBit(ulong a, int bits, bool signed, bool shiftAmount)
    {
        ulong value = a & Mask(bits);
        if (signed && ((value >> (bits - 1)) & 1) != 0) value = ~value & Mask(bits);
        if (value == 0) return uint.MaxValue;
        uint index = (uint)(63 - BitOperations.LeadingZeroCount(value));
        return shiftAmount ? (uint)(bits - 1) - index : index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mask(int bits) => bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SignExtend(ulong value, int bits) => bits >= 64 ? (long)value : ((long)(value << (64 - bits))) >> (64 - bits);
}
