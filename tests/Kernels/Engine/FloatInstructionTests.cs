using static Emulator.Tests.Kernels.Engine.InstructionCase;

namespace Emulator.Tests.Kernels.Engine;

// Float forms of the census. Oracles: the CPU's IEEE float ops (.rn is IEEE), System.Half, and hand-computed
// values for directed rounding, ftz and NaN rules.
public class FloatInstructionTests
{
    static readonly float Denormal = BitConverter.UInt32BitsToSingle(0x00400000);
    static readonly float[] Values = [1.5f, -2.25f, 3e38f, 1e-3f, -0f, 0f, float.NaN, float.PositiveInfinity, 7f, 1f / 3f];

    static (ulong, ulong, ulong)[] Pairs() => Values.SelectMany(x => Values.Select(y => (F(x), F(y), F(0.5f)))).ToArray();

    static void Check(string body, string dType, string sType, (ulong, ulong, ulong)[] inputs, Func<ulong, ulong, ulong, ulong> oracle, string? cType = null)
    {
        var outputs = Run(body, dType, sType, inputs, cType);
        for (int i = 0; i < inputs.Length; i++)
        {
            var (a, b, c) = inputs[i];
            outputs[i].ShouldBe(oracle(a, b, c), $"{body} with a=0x{a:x} b=0x{b:x} c=0x{c:x}");
        }
    }

    static ulong Canonical(float value) => float.IsNaN(value) ? 0x7fffffffUL : F(value);
    static float Ftz(float value) => float.IsSubnormal(value) ? MathF.CopySign(0f, value) : value;

    [Fact]
    public void Rn_arithmetic_is_ieee_with_canonical_nan()
    {
        Check("add.f32 %d, %a, %b;", "f32", "f32", Pairs(), (a, b, _) => Canonical(AsF(a) + AsF(b)));
        Check("add.ftz.f32 %d, %a, %b;", "f32", "f32", Pairs(), (a, b, _) => Canonical(Ftz(AsF(a) + AsF(b))));
        Check("sub.ftz.f32 %d, %a, %b;", "f32", "f32", Pairs(), (a, b, _) => Canonical(Ftz(AsF(a) - AsF(b))));
        Check("mul.ftz.f32 %d, %a, %b;", "f32", "f32", Pairs(), (a, b, _) => Canonical(Ftz(AsF(a) * AsF(b))));
        Check("fma.rn.ftz.f32 %d, %a, %b, %c;", "f32", "f32", Pairs(), (a, b, c) => Canonical(Ftz(MathF.FusedMultiplyAdd(AsF(a), AsF(b), AsF(c)))));
    }

    [Fact]
    public void Ftz_flushes_subnormal_inputs_and_results()
    {
        Check("add.ftz.f32 %d, %a, %b;", "f32", "f32", [(F(Denormal), F(0f), 0), (F(-Denormal), F(-0f), 0)], (a, b, _) => a == F(Denormal) ? F(0f) : F(-0f));
        Check("add.f32 %d, %a, %b;", "f32", "f32", [(F(Denormal), F(0f), 0)], (a, b, _) => F(Denormal));
        // 2^-126 · 0.5 is subnormal: flushed to +0 with .ftz.
        Check("mul.ftz.f32 %d, %a, %b;", "f32", "f32", [(F(MathF.Pow(2, -126)), F(0.5f), 0)], (a, b, _) => F(0f));
        Check("abs.ftz.f32 %d, %a;", "f32", "f32", [(F(-Denormal), 0, 0), (F(-2f), 0, 0)], (a, _, _) => a == F(-Denormal) ? F(0f) : F(2f));
        Check("neg.ftz.f32 %d, %a;", "f32", "f32", [(F(Denormal), 0, 0), (F(2f), 0, 0)], (a, _, _) => a == F(Denormal) ? F(-0f) : F(-2f));
    }

    [Fact]
    public void Add_rz_truncates()
    {
        float tiny = MathF.Pow(2, -30);
        Check("add.rz.ftz.f32 %d, %a, %b;", "f32", "f32", [(F(1f), F(tiny), 0), (F(-1f), F(-tiny), 0), (F(float.MaxValue), F(float.MaxValue), 0), (F(1f), F(2f), 0)],
            (a, b, _) => AsF(a) == 1f && AsF(b) == tiny ? F(1f) : AsF(a) == -1f ? F(-1f) : AsF(a) == float.MaxValue ? F(float.MaxValue) : F(3f));
    }

    [Fact]
    public void Min_max_ignore_a_single_nan()
    {
        Check("min.ftz.f32 %d, %a, %b;", "f32", "f32", Pairs(), (a, b, _) =>
        {
            float x = AsF(a), y = AsF(b);
            if (float.IsNaN(x) && float.IsNaN(y)) return 0x7fffffff;
            if (float.IsNaN(x)) return F(y);
            if (float.IsNaN(y)) return F(x);
            if (x == 0 && y == 0) return float.IsNegative(x) || float.IsNegative(y) ? F(-0f) : F(0f);
            return F(Math.Min(x, y));
        });
        Check("max.ftz.f32 %d, %a, %b;", "f32", "f32", Pairs(), (a, b, _) =>
        {
            float x = AsF(a), y = AsF(b);
            if (float.IsNaN(x) && float.IsNaN(y)) return 0x7fffffff;
            if (float.IsNaN(x)) return F(y);
            if (float.IsNaN(y)) return F(x);
            if (x == 0 && y == 0) return float.IsNegative(x) && float.IsNegative(y) ? F(-0f) : F(0f);
            return F(Math.Max(x, y));
        });
    }

    [Fact]
    public void Setp_float_ordered_and_unordered()
    {
        var compares = new (string, Func<float, float, bool>)[]
        {
            ("eq", (x, y) => x == y), ("lt", (x, y) => x < y), ("le", (x, y) => x <= y), ("gt", (x, y) => x > y), ("ge", (x, y) => x >= y),
            ("neu", (x, y) => !(x == y)), ("ltu", (x, y) => !(x >= y)), ("leu", (x, y) => !(x > y)), ("gtu", (x, y) => !(x <= y)), ("geu", (x, y) => !(x < y)),
        };
        foreach (var (op, oracle) in compares)
            Check($"setp.{op}.ftz.f32 %d, %a, %b;", "pred", "f32", Pairs(), (a, b, _) => oracle(AsF(a), AsF(b)) ? 1UL : 0);
        Check("selp.f32 %d, %a, %b, %q;", "f32", "f32", [(F(1f), F(2f), 0)], (a, b, _) => b);
    }

    [Fact]
    public void Special_functions_within_documented_error()
    {
        static int Ulps(ulong x, float y) => Math.Abs((int)(uint)x - BitConverter.SingleToInt32Bits(y));
        var inputs = new[] { 0.5f, 1f, 2.5f, 10f, 0.01f, 100f, 3.14159f }.Select(x => (F(x), F(-x), 0UL)).ToArray();
        var ex2 = Run("ex2.approx.ftz.f32 %d, %a;", "f32", "f32", inputs);
        var lg2 = Run("lg2.approx.ftz.f32 %d, %a;", "f32", "f32", inputs);
        var rsqrt = Run("rsqrt.approx.ftz.f32 %d, %a;", "f32", "f32", inputs);
        var rcp = Run("rcp.approx.ftz.f32 %d, %a;", "f32", "f32", inputs);
        var sqrt = Run("sqrt.approx.ftz.f32 %d, %a;", "f32", "f32", inputs);
        var sin = Run("sin.approx.ftz.f32 %d, %a;", "f32", "f32", inputs);
        var cos = Run("cos.approx.ftz.f32 %d, %a;", "f32", "f32", inputs);
        var tanh = Run("tanh.approx.f32 %d, %a;", "f32", "f32", inputs);
        var div = Run("div.approx.ftz.f32 %d, %b, %a;", "f32", "f32", inputs);
        var rcpRn = Run("rcp.rn.ftz.f32 %d, %a;", "f32", "f32", inputs);
        for (int i = 0; i < inputs.Length; i++)
        {
            float x = AsF(inputs[i].Item1);
            Ulps(ex2[i], MathF.Pow(2, x)).ShouldBeLessThanOrEqualTo(2);
            Math.Abs(AsF(lg2[i]) - MathF.Log2(x)).ShouldBeLessThanOrEqualTo(MathF.Pow(2, -22) * Math.Max(1, Math.Abs(MathF.Log2(x))));
            Ulps(rsqrt[i], 1 / MathF.Sqrt(x)).ShouldBeLessThanOrEqualTo(2);
            Ulps(rcp[i], 1 / x).ShouldBeLessThanOrEqualTo(1);
            Ulps(sqrt[i], MathF.Sqrt(x)).ShouldBeLessThanOrEqualTo(2);
            Math.Abs(AsF(sin[i]) - MathF.Sin(x)).ShouldBeLessThanOrEqualTo(MathF.Pow(2, -20.9f));
            Math.Abs(AsF(cos[i]) - MathF.Cos(x)).ShouldBeLessThanOrEqualTo(MathF.Pow(2, -20.9f));
            Math.Abs(AsF(tanh[i]) - MathF.Tanh(x)).ShouldBeLessThanOrEqualTo(MathF.Pow(2, -10.987f));
            Ulps(div[i], -x / x).ShouldBeLessThanOrEqualTo(2);
            rcpRn[i].ShouldBe(F(1 / x)); // .rn is correctly rounded
        }
        Check("copysign.f32 %d, %a, %b;", "f32", "f32", [(F(-1f), F(2f), 0), (F(1f), F(-3f), 0)], (a, b, _) => F(MathF.CopySign(AsF(b), AsF(a))));
        Check("rcp.rn.f64 %d, %a;", "f64", "f64", [(D(3.0), 0, 0)], (a, _, _) => D(1.0 / 3.0));
    }

    [Fact]
    public void Conversions_between_floats_and_integers()
    {
        var floats = new[] { 2.5f, 3.5f, -2.5f, -0.4f, 1e10f, -1e10f, float.NaN, 0.75f }.Select(x => (F(x), 0UL, 0UL)).ToArray();
        Check("cvt.rni.ftz.s32.f32 %d, %a;", "s32", "f32", floats, (a, _, _) => Sat32(AsF(a), MidpointRounding.ToEven));
        Check("cvt.rzi.ftz.s32.f32 %d, %a;", "s32", "f32", floats, (a, _, _) => Sat32(AsF(a), MidpointRounding.ToZero));
        Check("cvt.rzi.ftz.u32.f32 %d, %a;", "u32", "f32", floats, (a, _, _) =>
            float.IsNaN(AsF(a)) || AsF(a) <= 0 ? 0 : AsF(a) >= 4294967296f ? 0xffffffff : (ulong)MathF.Truncate(AsF(a)));
        Check("cvt.rzi.ftz.s64.f32 %d, %a;", "s64", "f32", floats, (a, _, _) => float.IsNaN(AsF(a)) ? 0 : (ulong)(long)MathF.Truncate(AsF(a)));
        Check("cvt.rni.f32.f32 %d, %a;", "f32", "f32", floats, (a, _, _) => Canonical(MathF.Round(AsF(a), MidpointRounding.ToEven)));
        Check("cvt.rzi.f32.f32 %d, %a;", "f32", "f32", floats, (a, _, _) => Canonical(MathF.Truncate(AsF(a))));
        Check("cvt.rmi.ftz.f32.f32 %d, %a;", "f32", "f32", floats, (a, _, _) => Canonical(MathF.Floor(AsF(a))));
        Check("cvt.rpi.ftz.f32.f32 %d, %a;", "f32", "f32", floats, (a, _, _) => Canonical(MathF.Ceiling(AsF(a))));
        var ints = new long[] { 0, 1, -1, 16777217, -16777219, int.MaxValue, int.MinValue }.Select(x => ((ulong)x, 0UL, 0UL)).ToArray();
        Check("cvt.rn.f32.s32 %d, %a;", "f32", "s32", ints, (a, _, _) => F((float)(int)a));
        Check("cvt.rn.f32.u32 %d, %a;", "f32", "u32", ints, (a, _, _) => F((float)(uint)a));
        Check("cvt.rn.f32.s64 %d, %a;", "f32", "s64", ints, (a, _, _) => F((float)(long)a));
        Check("cvt.rn.f32.u64 %d, %a;", "f32", "u64", [(ulong.MaxValue, 0, 0), (1UL << 63 | 1, 0, 0)], (a, _, _) => F(a == ulong.MaxValue ? 18446744073709551616f : 9223372036854775808f));
        Check("cvt.rn.f32.s16 %d, %a;", "f32", "s16", [(0x8000, 0, 0)], (a, _, _) => F(-32768f));
        Check("cvt.rn.f32.u16 %d, %a;", "f32", "u16", [(0x8000, 0, 0)], (a, _, _) => F(32768f));
        Check("cvt.rn.f64.s32 %d, %a;", "f64", "s32", ints, (a, _, _) => D((int)a));
        Check("cvt.ftz.f64.f32 %d, %a;", "f64", "f32", [(F(Denormal), 0, 0), (F(1.5f), 0, 0)], (a, _, _) => a == F(Denormal) ? D(0.0) : D(1.5));
        Check("cvt.rn.ftz.f32.f64 %d, %a;", "f32", "f64", [(D(1.0 / 3.0), 0, 0), (D(1e300), 0, 0)], (a, _, _) => F((float)BitConverter.UInt64BitsToDouble(a)));
    }

    static ulong Sat32(float value, MidpointRounding rounding)
    {
        if (float.IsNaN(value)) return 0;
        double rounded = Math.Round((double)value, rounding);
        return (uint)(int)Math.Clamp(rounded, int.MinValue, int.MaxValue);
    }

    [Fact]
    public void Half_bf16_and_fp8_conversions()
    {
        var floats = new[] { 1f, 1f + MathF.Pow(2, -11), 65504f, 70000f, -3.1f, 1e-8f, float.NaN }.Select(x => (F(x), F(x * 2), 0UL)).ToArray();
        Check("cvt.rn.f16.f32 %d, %a;", "f16", "f32", floats, (a, _, _) => float.IsNaN(AsF(a)) ? 0x7fff : H(AsF(a)));
        Check("cvt.rn.f16x2.f32 %d, %a, %b;", "f16x2", "f32", floats,
            (a, b, _) => float.IsNaN(AsF(a)) ? 0x7fff7fff : H(AsF(b)) | (H(AsF(a)) << 16));
        var halves = Enumerable.Range(0, 64).Select(i => ((ulong)(i * 1021 & 0xffff), 0UL, 0UL)).Where(x => !Half.IsNaN(BitConverter.UInt16BitsToHalf((ushort)x.Item1))).ToArray();
        Check("cvt.f32.f16 %d, %a;", "f32", "f16", halves, (a, _, _) => F((float)BitConverter.UInt16BitsToHalf((ushort)a)));
        Check("cvt.rzi.s32.f16 %d, %a;", "s32", "f16", halves, (a, _, _) =>
        {
            float x = (float)BitConverter.UInt16BitsToHalf((ushort)a);
            return float.IsInfinity(x) ? (x > 0 ? 0x7fffffffUL : 0x80000000UL) : (uint)(int)MathF.Truncate(x);
        });
        Check("cvt.rn.f16.s32 %d, %a;", "f16", "s32", [(3, 0, 0), (unchecked((ulong)-2049L), 0, 0), (100000, 0, 0)], (a, _, _) => H((float)(int)a));
        // bf16: round-to-nearest-even on the upper 16 bits of the f32 pattern.
        var bf = new[] { 1f, 1.00390625f, 1.01171875f, -3.3f, 3.4e38f }.Select(x => (F(x), 0UL, 0UL)).ToArray();
        Check("cvt.rn.bf16.f32 %d, %a;", "bf16", "f32", bf, (a, _, _) => (a + 0x7fff + ((a >> 16) & 1)) >> 16);
        Check("cvt.f32.bf16 %d, %a;", "f32", "bf16", [(0x3f80, 0, 0), (0xc040, 0, 0)], (a, _, _) => a << 16);
        // e4m3x2 → f16x2: byte 0x38 = 1.0, 0x40 = 2.0, 0x7e = 448, 0xb0 = -0.5.
        Check("cvt.rn.f16x2.e4m3x2 %d, %a;", "f16x2", "b16", [(0x3840, 0, 0), (0x7eb0, 0, 0)],
            (a, _, _) => a == 0x3840 ? (H(2f) | H(1f) << 16) : (H(-0.5f) | H(448f) << 16));
    }

    [Fact]
    public void Packed_half_arithmetic()
    {
        static ulong Pack(float lo, float hi) => H(lo) | (H(hi) << 16);
        var inputs = new[] { (Pack(1f, 2f), Pack(0.5f, -3f), 0UL), (Pack(65504f, 1e-4f), Pack(65504f, 1e-4f), 0UL) };
        Check("add.f16x2 %d, %a, %b;", "f16x2", "f16x2", inputs, (a, b, _) => HalfOp(a, b, (x, y) => x + y));
        Check("mul.f16x2 %d, %a, %b;", "f16x2", "f16x2", inputs, (a, b, _) => HalfOp(a, b, (x, y) => x * y));
    }

    static ulong HalfOp(ulong a, ulong b, Func<Half, Half, Half> op)
    {
        Half Lane(ulong v, int i) => BitConverter.UInt16BitsToHalf((ushort)(v >> (16 * i)));
        return BitConverter.HalfToUInt16Bits(op(Lane(a, 0), Lane(b, 0))) | ((ulong)BitConverter.HalfToUInt16Bits(op(Lane(a, 1), Lane(b, 1))) << 16);
    }
}
