namespace Emulator.Kernels.Engine.Semantics;

/// <summary>
/// Conversions between f32/f64 and the narrow float formats (f16, bf16, tf32, e4m3, e5m2) and integers,
/// with the PTX rounding modes and saturation. Narrowing works on the exact value (every f32/f64 input is a
/// double), scaled by the target's quantum and rounded once, so there is no double rounding.
/// </summary>
public static class Conversions
{
    /// <summary>A binary floating-point format: significand bits after the point, exponent bias, and whether it has infinities.</summary>
    public readonly record struct NarrowFormat(int MantissaBits, int ExponentBits, bool HasInfinity, double MaxFinite, ushort CanonicalNaN)
    {
        public int Bias => (1 << (ExponentBits - 1)) - 1;
        public int MinNormalExponent => 1 - Bias;
    }

    public static readonly NarrowFormat Half = new(10, 5, true, 65504.0, 0x7fff);
    public static readonly NarrowFormat BFloat16 = new(7, 8, true, 3.3895313892515355e38, 0x7fff);
    /// <summary>OCP FP8 E4M3 (the "fn" variant): no infinities, S.1111.111 is the only NaN, max 448.</summary>
    public static readonly NarrowFormat E4M3 = new(3, 4, false, 448.0, 0x7f);
    public static readonly NarrowFormat E5M2 = new(2, 5, true, 57344.0, 0x7f);

    /// <summary>
    /// Round <paramref name="value"/> to the nearest representable value of <paramref name="format"/> by
    /// <paramref name="mode"/>; returns the rounded value as a double (exact) or ±∞ / NaN.
    /// With <paramref name="saturateFinite"/> (.satfinite, and always for formats without infinity) overflow
    /// clamps to ±MaxFinite.
    /// </summary>
    public static double RoundToFormat(double value, NarrowFormat format, RoundingMode mode, bool saturateFinite)
    {
        if (double.IsNaN(value)) return double.NaN;
        bool clampInfinities = saturateFinite || !format.HasInfinity;
        if (double.IsInfinity(value))
            return clampInfinities ? Math.CopySign(format.MaxFinite, value) : value;
        if (value == 0) return value;

        int exponent = Math.Max(Math.ILogB(value), format.MinNormalExponent);
        double quantum = Math.ScaleB(1.0, exponent - format.MantissaBits);
        double scaled = value / quantum; // exact: a power-of-two scale
        double rounded = mode switch
        {
            RoundingMode.NearestEven => Math.Round(scaled, MidpointRounding.ToEven),
            RoundingMode.NearestAway => Math.Round(scaled, MidpointRounding.AwayFromZero),
            RoundingMode.TowardZero => Math.Truncate(scaled),
            RoundingMode.TowardNegative => Math.Floor(scaled),
            _ => Math.Ceiling(scaled),
        };
        double result = rounded * quantum;
        if (result == 0) return value < 0 ? -0.0 : 0.0;
        if (Math.Abs(result) > format.MaxFinite)
        {
            bool positive = result > 0;
            bool toInfinity = mode switch
            {
                RoundingMode.TowardZero => false,
                RoundingMode.TowardNegative => !positive,
                RoundingMode.TowardPositive => positive,
                _ => true,
            };
            if (!toInfinity || clampInfinities) return Math.CopySign(format.MaxFinite, result);
            return positive ? double.PositiveInfinity : double.NegativeInfinity;
        }
        return result;
    }

    /// <summary>Encode a value already representable in <paramref name="format"/> (or ±∞/NaN) as its bit pattern.</summary>
    public static ushort Encode(double value, NarrowFormat format)
    {
        int totalBits = 1 + format.ExponentBits + format.MantissaBits;
        ushort sign = (ushort)(double.IsNegative(value) ? 1 << (totalBits - 1) : 0);
        if (double.IsNaN(value)) return format.CanonicalNaN;
        int exponentField;
        ulong mantissaField;
        double magnitude = Math.Abs(value);
        if (double.IsInfinity(magnitude))
        {
            exponentField = (1 << format.ExponentBits) - 1;
            mantissaField = 0;
        }
        else if (magnitude == 0)
        {
            exponentField = 0;
            mantissaField = 0;
        }
        else
        {
            int exponent = Math.ILogB(magnitude);
            if (exponent < format.MinNormalExponent)
            {
                exponentField = 0;
                mantissaField = (ulong)(magnitude / Math.ScaleB(1.0, format.MinNormalExponent - format.MantissaBits));
            }
            else
            {
                exponentField = exponent + format.Bias;
                mantissaField = (ulong)((magnitude / Math.ScaleB(1.0, exponent) - 1.0) * (1 << format.MantissaBits));
            }
        }
        return (ushort)(sign | (exponentField << format.MantissaBits) | (int)mantissaField);
    }

    public static double Decode(ushort bits, NarrowFormat format)
    {
        int totalBits = 1 + format.ExponentBits + format.MantissaBits;
        bool negative = ((bits >> (totalBits - 1)) & 1) != 0;
        int exponentField = (bits >> format.MantissaBits) & ((1 << format.ExponentBits) - 1);
        int mantissaField = bits & ((1 << format.MantissaBits) - 1);
        int maxExponentField = (1 << format.ExponentBits) - 1;
        double magnitude;
        if (format.HasInfinity && exponentField == maxExponentField)
            magnitude = mantissaField == 0 ? double.PositiveInfinity : double.NaN;
        else if (!format.HasInfinity && exponentField == maxExponentField && mantissaField == (1 << format.MantissaBits) - 1)
            magnitude = double.NaN;
        else if (exponentField == 0)
            magnitude = Math.ScaleB(mantissaField, format.MinNormalExponent - format.MantissaBits);
        else
            magnitude = Math.ScaleB((1 << format.MantissaBits) + mantissaField, exponentField - format.Bias - format.MantissaBits);
        return negative ? -magnitude : magnitude;
    }

    public static ushort SingleToHalf(float value, RoundingMode mode = RoundingMode.NearestEven, bool saturateFinite = false)
        => Encode(RoundToFormat(value, Half, mode, saturateFinite), Half);

    public static float HalfToSingle(ushort bits) => (float)Decode(bits, Half);

    public static ushort SingleToBFloat16(float value, RoundingMode mode = RoundingMode.NearestEven, bool saturateFinite = false)
    {
        if (float.IsNaN(value)) return BFloat16.CanonicalNaN;
        float rounded = (float)RoundToFormat(value, BFloat16, mode, saturateFinite);
        return (ushort)(BitConverter.SingleToUInt32Bits(rounded) >> 16);
    }

    public static float BFloat16ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>cvt.rna.tf32.f32 and friends: an f32 pattern whose low 13 significand bits are zero.</summary>
    public static uint SingleToTf32(float value, RoundingMode mode)
    {
        if (float.IsNaN(value)) return FloatRounding.CanonicalNaN32;
        if (float.IsInfinity(value)) return BitConverter.SingleToUInt32Bits(value);
        var tf32 = new NarrowFormat(10, 8, true, 3.4011621342146535e38, 0);
        return BitConverter.SingleToUInt32Bits((float)RoundToFormat(value, tf32, mode, false));
    }

    /// <summary>How mma reads a .tf32 operand: the register's low 13 significand bits are ignored.</summary>
    public static float Tf32OperandToSingle(uint bits) => BitConverter.UInt32BitsToSingle(bits & 0xffffe000);

    /// <summary>f32 → e4m3 (always .satfinite in PTX): overflow clamps to ±448, NaN → 0x7f.</summary>
    public static byte SingleToE4M3(float value, RoundingMode mode = RoundingMode.NearestEven)
        => (byte)Encode(RoundToFormat(value, E4M3, mode, true), E4M3);

    public static byte SingleToE5M2(float value, bool saturateFinite, RoundingMode mode = RoundingMode.NearestEven)
        => (byte)Encode(RoundToFormat(value, E5M2, mode, saturateFinite), E5M2);

    public static float E4M3ToSingle(byte bits) => (float)Decode(bits, E4M3);
    public static float E5M2ToSingle(byte bits) => (float)Decode(bits, E5M2);

    /// <summary>cvt.rn.f16x2.e4m3x2: each byte of the 16-bit source to an f16 (exact), low byte to low half.</summary>
    public static uint E4M3x2ToHalf2(ushort pair)
        => (uint)SingleToHalf(E4M3ToSingle((byte)pair)) | ((uint)SingleToHalf(E4M3ToSingle((byte)(pair >> 8))) << 16);

    /// <summary>cvt.rn.satfinite.e4m3x2.f32 d, a, b: a goes to the upper byte, b to the lower.</summary>
    public static ushort SinglesToE4M3x2(float upper, float lower)
        => (ushort)(SingleToE4M3(lower) | (SingleToE4M3(upper) << 8));

    /// <summary>cvt.rn.f16x2.f32 d, a, b: a goes to the upper half, b to the lower.</summary>
    public static uint SinglesToHalf2(float upper, float lower, RoundingMode mode = RoundingMode.NearestEven)
        => SingleToHalf(lower, mode) | ((uint)SingleToHalf(upper, mode) << 16);

    public static uint SinglesToBFloat16x2(float upper, float lower, RoundingMode mode = RoundingMode.NearestEven)
        => SingleToBFloat16(lower, mode) | ((uint)SingleToBFloat16(upper, mode) << 16);

    /// <summary>f64 → f32 (cvt.rn/rz/rm/rp.f32.f64).</summary>
    public static float DoubleToSingle(double value, RoundingMode mode) => FloatRounding.RoundToSingle(value, 0, mode);

    /// <summary>cvt.rni/rzi/rmi/rpi.f32.f32: round to an integral value in floating point; keeps the sign of zero.</summary>
    public static double RoundToIntegral(double value, RoundingMode mode) => mode switch
    {
        RoundingMode.NearestEven => Math.Round(value, MidpointRounding.ToEven),
        RoundingMode.NearestAway => Math.Round(value, MidpointRounding.AwayFromZero),
        RoundingMode.TowardZero => Math.Truncate(value),
        RoundingMode.TowardNegative => Math.Floor(value),
        _ => Math.Ceiling(value),
    };

    /// <summary>
    /// float → integer (cvt.rXi.{s,u}{8,16,32,64}.f*): round by mode, clamp to the destination range, NaN → 0.
    /// Returns the destination's bit pattern zero-extended to 64 bits.
    /// </summary>
    public static ulong FloatToInteger(double value, RoundingMode mode, int bits, bool signed)
    {
        if (double.IsNaN(value)) return 0;
        double integral = RoundToIntegral(value, mode);
        if (signed)
        {
            long min = bits == 64 ? long.MinValue : -(1L << (bits - 1));
            long max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
            long result = integral <= min ? min : integral >= max ? max : (long)integral;
            return (ulong)result & IntegerOps.Mask(bits);
        }
        if (integral <= 0) return 0;
        if (integral >= Math.ScaleB(1.0, bits)) return IntegerOps.Mask(bits);
        return (ulong)integral;
    }

    /// <summary>
    /// integer → f32 (cvt.rn/rz/rm/rp.f32.{s,u}NN): exact bit-level rounding of the 64-bit magnitude, since a
    /// conversion through double would round twice for 64-bit sources.
    /// </summary>
    public static float IntegerToSingle(ulong magnitude, bool negative, RoundingMode mode)
        => (float)IntegerToBinary(magnitude, negative, mode, 24);

    public static double IntegerToDouble(ulong magnitude, bool negative, RoundingMode mode)
        => IntegerToBinary(magnitude, negative, mode, 53);

    public static float SignedToSingle(long value, RoundingMode mode)
        => IntegerToSingle(value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value, value < 0, mode);

    public static double SignedToDouble(long value, RoundingMode mode)
        => IntegerToDouble(value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value, value < 0, mode);

    static double IntegerToBinary(ulong magnitude, bool negative, RoundingMode mode, int precision)
    {
        if (magnitude == 0) return 0.0;
        int width = 64 - System.Numerics.BitOperations.LeadingZeroCount(magnitude);
        if (width <= precision) return negative ? -(double)magnitude : magnitude;
        int dropped = width - precision;
        ulong kept = magnitude >> dropped;
        ulong remainder = magnitude & ((1UL << dropped) - 1);
        ulong half = 1UL << (dropped - 1);
        bool roundUp = mode switch
        {
            RoundingMode.NearestEven => remainder > half || (remainder == half && (kept & 1) != 0),
            RoundingMode.NearestAway => remainder >= half,
            RoundingMode.TowardZero => false,
            RoundingMode.TowardNegative => negative && remainder != 0,
            _ => !negative && remainder != 0,
        };
        double result = Math.ScaleB((double)(kept + (roundUp ? 1UL : 0)), dropped);
        return negative ? -result : result;
    }
}
