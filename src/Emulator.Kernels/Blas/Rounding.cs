using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Emulator.Kernels.Blas;

/// <summary>
/// Conversions between binary32 and the narrow formats GEMM reads and writes, each with the rounding rule it
/// documents. Every helper maps a float to the float value of the narrow result, so the GEMM engine works in
/// binary32 registers throughout.
/// </summary>
public static class Rounding
{
    private const uint SignMask = 0x8000_0000;
    private const uint MagnitudeMask = 0x7FFF_FFFF;

    /// <summary>binary16 → binary32 (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfBitsToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>binary32 → binary16, round to nearest even, overflow to ±∞ (IEEE 754, as <c>__float2half_rn</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort SingleToHalfBits(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>The binary32 value of <paramref name="value"/> rounded to binary16 (round to nearest even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundToHalf(float value) => (float)(Half)value;

    /// <summary>bfloat16 → binary32 (exact: bfloat16 is the upper half of a binary32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BFloat16BitsToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>binary32 → bfloat16, round to nearest even; NaN stays a (quiet) NaN, as <c>__float2bfloat16_rn</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort SingleToBFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & MagnitudeMask) > 0x7F80_0000)
            return (ushort)((bits >> 16) | 0x0040);
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>The binary32 value of <paramref name="value"/> rounded to bfloat16 (round to nearest even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundToBFloat16(float value) => BFloat16BitsToSingle(SingleToBFloat16Bits(value));

    /// <summary>
    /// The binary32 value of <paramref name="value"/> rounded to TF32 (10 explicit mantissa bits), round to
    /// nearest with ties away from zero, as PTX <c>cvt.rna.tf32.f32</c> does for tensor-core inputs.
    /// NaN and ±∞ pass unchanged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundToTf32(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7F80_0000) == 0x7F80_0000)
            return value;
        return BitConverter.UInt32BitsToSingle((bits + 0x1000) & 0xFFFF_E000);
    }

    /// <summary>
    /// Lane-wise <see cref="RoundToHalf(float)"/>: the same results bit for bit (the tests compare them), without
    /// leaving vector registers. Normal binary16 magnitudes round at mantissa bit 13 by integer arithmetic;
    /// subnormal ones (below 2⁻¹⁴) round to a multiple of 2⁻²⁴ by adding and removing 0.5f, whose binary32 ulp
    /// is exactly 2⁻²⁴; results beyond 65504 become ±∞; NaN passes through.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RoundToHalf(Vector256<float> value)
    {
        Vector256<uint> bits = value.AsUInt32();
        Vector256<uint> sign = bits & Vector256.Create(SignMask);
        Vector256<uint> magnitude = bits & Vector256.Create(MagnitudeMask);

        Vector256<uint> tieToEven = (magnitude >> 13) & Vector256<uint>.One;
        Vector256<uint> normal = (magnitude + Vector256.Create(0x0FFFu) + tieToEven) & Vector256.Create(0xFFFF_E000u);
        Vector256<uint> overflowed = Vector256.GreaterThan(normal, Vector256.Create(0x477F_E000u));
        normal = Vector256.ConditionalSelect(overflowed, Vector256.Create(0x7F80_0000u), normal);

        Vector256<float> half = Vector256.Create(0.5f);
        Vector256<uint> subnormal = ((magnitude.AsSingle() + half) - half).AsUInt32();
        Vector256<uint> isSubnormal = Vector256.LessThan(magnitude, Vector256.Create(0x3880_0000u));

        Vector256<uint> rounded = Vector256.ConditionalSelect(isSubnormal, subnormal, normal) | sign;
        Vector256<uint> isNaN = Vector256.GreaterThan(magnitude, Vector256.Create(0x7F80_0000u));
        return Vector256.ConditionalSelect(isNaN, bits, rounded).AsSingle();
    }
}
