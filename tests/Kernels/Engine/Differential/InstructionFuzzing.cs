using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Kernels.Engine.Differential;

/// <summary>
/// Random differential testing of single instruction forms: random operands, biased towards the values where
/// implementations differ (NaN payloads and signalling NaNs, ±0, denormals, ±inf, the largest finite values,
/// integer minimum/maximum, shift counts at and past the width, rounding ties), run through
/// <see cref="InstructionCase.Prepared"/>, whose every launch compares the compiled tier with the reference
/// interpreter bit for bit. Each form gets its own fixed FsCheck seed (derived from its text), so a run is
/// reproducible and a failure names the form, the thread and its operands.
/// </summary>
public static class InstructionFuzzing
{
    /// <summary>One instruction form as <see cref="InstructionCase"/> runs it: %a and %b of <paramref name="SourceType"/>, %c of <paramref name="CType"/>.</summary>
    public sealed record Form(string Body, string DestinationType, string SourceType, string? CType = null)
    {
        public override string ToString() => Body;
    }

    /// <summary>FsCheck cases per form (≈ 1 850 operand triples per form with the thread counts below).</summary>
    public const int CasesPerForm = 50;

    /// <summary>
    /// Threads per launch: one full warp, two full warps, a full and a partial warp, a small partial warp, so a tier
    /// that treats full and partial warps differently is exercised both ways.
    /// </summary>
    static readonly int[] ThreadCounts = [32, 64, 45, 7];

    public static void CheckForm(Form form)
    {
        using var prepared = new InstructionCase.Prepared(form.Body, form.DestinationType, form.SourceType, ThreadCounts.Max(), form.CType);
        var triples = Triples(form);
        var operands = Gen.Elements(ThreadCounts).SelectMany(threads => Gen.ArrayOf(triples, threads)).ToArbitrary();
        ulong seed = StableHash(form.Body + "|" + form.DestinationType + "|" + form.SourceType + "|" + form.CType);
        var config = Config.QuickThrowOnFailure.WithReplay(seed, seed | 1).WithMaxTest(CasesPerForm);
        Check.One(config, Prop.ForAll(operands, ((ulong A, ulong B, ulong C)[] inputs) => { prepared.Run(inputs); }));
    }

    static Gen<(ulong A, ulong B, ulong C)> Triples(Form form)
    {
        var a = Operand(form.SourceType);
        var c = Operand(form.CType ?? form.SourceType);
        ulong sign = SignBit(form.SourceType);
        // Mostly independent operands; sometimes b equals a, differs from it in the last bit, or only in sign,
        // so compares, subtraction and min/max meet their ties and cancellations.
        var related = a.SelectMany(x => Gen.Elements(new[] { x, x ^ 1, x ^ sign }), (x, y) => (x, y));
        var pair = Gen.Frequency((6, Gen.Zip(a, a)), (3, related));
        return Gen.Zip(pair, c, (ab, z) => (ab.Item1, ab.Item2, z));
    }

    static Gen<ulong> Operand(string type) => type switch
    {
        "f32" => Float32,
        "f64" => Float64,
        "f16" or "bf16" or "f16x2" or "bf16x2" => PackedHalves,
        _ => Integer,
    };

    static ulong SignBit(string type) => type switch
    {
        "s8" or "u8" or "b8" => 0x80,
        "s16" or "u16" or "b16" or "f16" or "bf16" => 0x8000,
        "s64" or "u64" or "b64" or "f64" => 1UL << 63,
        _ => 0x8000_0000,
    };

    static readonly Gen<ulong> Chunk16 = Gen.Choose(0, 0xffff).Select(x => (ulong)x);
    static readonly Gen<ulong> Bits64 = Gen.Zip(Gen.Zip(Chunk16, Chunk16), Gen.Zip(Chunk16, Chunk16),
        (low, high) => low.Item1 | low.Item2 << 16 | high.Item1 << 32 | high.Item2 << 48);
    static readonly Gen<ulong> Bits32 = Bits64.Select(x => x & 0xffff_ffff);

    static readonly ulong[] IntegerSpecials =
    [
        0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 200, 255, 256,
        0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000,
        long.MaxValue, unchecked((ulong)long.MinValue), ulong.MaxValue, ulong.MaxValue - 1,
        0xffff_ffff_8000_0000, 0xffff_ffff_ffff_8000, 0xffff_ffff_ffff_ff80,
    ];

    static readonly Gen<ulong> Integer = Gen.Frequency(
        (3, Gen.Elements(IntegerSpecials)),
        (3, Bits64),
        (2, Bits32),
        (2, Gen.Choose(-70, 70).Select(x => (ulong)(long)x)));

    static readonly ulong[] Float32Specials =
    [
        0x0000_0000, 0x8000_0000, 0x7f80_0000, 0xff80_0000,                   // ±0, ±inf
        0x7fc0_0000, 0xffc0_0000, 0x7f80_0001, 0x7fa1_2345, 0xffff_ffff,     // quiet, signalling and payload NaNs
        0x0000_0001, 0x8000_0001, 0x007f_ffff, 0x807f_ffff, 0x0040_0000,     // denormals
        0x0080_0000, 0x8080_0000, 0x7f7f_ffff, 0xff7f_ffff,                   // smallest normal, largest finite
        0x3f80_0000, 0xbf80_0000, 0x3f00_0000, 0x4020_0000, 0xc020_0000, 0x4060_0000, 0xbecc_cccd, // ±1, 0.5, ±2.5, 3.5, -0.4
        0x4b80_0000, 0x4b80_0001, 0x4f00_0000, 0xcf00_0000, 0x4f80_0000, 0x5f00_0000, 0x5f80_0000, // 2^24, 2^31, 2^32, 2^63, 2^64
        0x477f_e000, 0x477f_f000, 0x3380_0000, 0x3880_0000, 0x387f_c000,    // f16 max, f16 overflow tie, f16 denormal/normal edges
        0x3eaa_aaab, 0x4049_0fdb, 0x42c8_0000, 0x3f80_8000, 0x3f81_8000,    // 1/3, pi, 100, bf16 rounding ties
    ];

    // Finite values of moderate magnitude (2^-30 .. 2^30) with random mantissas: the bulk of real arithmetic.
    static readonly Gen<ulong> OrdinaryFloat32 = Gen.Zip(Bits32, Gen.Choose(127 - 30, 127 + 30),
        (bits, exponent) => (bits & 0x807f_ffff) | (ulong)exponent << 23);

    static readonly Gen<ulong> Float32 = Gen.Frequency(
        (3, Gen.Elements(Float32Specials)),
        (2, Bits32),
        (4, OrdinaryFloat32),
        (1, Bits32.Select(x => x & 0x807f_ffff)));

    static readonly ulong[] Float64Specials =
    [
        0, 1UL << 63, 0x7ff0_0000_0000_0000, 0xfff0_0000_0000_0000,
        0x7ff8_0000_0000_0000, 0xfff8_0000_0000_0000, 0x7ff0_0000_0000_0001, 0x7ff4_5678_9abc_def0,
        1, 0x8000_0000_0000_0001, 0x000f_ffff_ffff_ffff, 0x0010_0000_0000_0000, 0x7fef_ffff_ffff_ffff,
        0x3ff0_0000_0000_0000, 0xbff0_0000_0000_0000, 0x3fd5_5555_5555_5555, 0x7e37_e43c_8800_759c, // ±1, 1/3, 1e300
        0x41e0_0000_0000_0000, 0x43e0_0000_0000_0000, 0x43f0_0000_0000_0000, 0x4004_0000_0000_0000, // 2^31, 2^63, 2^64, 2.5
        0x47ef_ffff_e000_0000, 0x47ef_ffff_f000_0000, 0x36a0_0000_0000_0000, 0x3690_0000_0000_0000, // f32 max and its tie, f32 denormal edges
        0x3ff0_0000_1000_0000, 0x3ff0_0000_3000_0000,                                             // f32 rounding ties
    ];

    static readonly Gen<ulong> Float64 = Gen.Frequency(
        (3, Gen.Elements(Float64Specials)),
        (2, Bits64),
        (4, Gen.Zip(Bits64, Gen.Choose(1023 - 60, 1023 + 60), (bits, exponent) => (bits & 0x800f_ffff_ffff_ffff) | (ulong)exponent << 52)),
        (1, Bits64.Select(x => x & 0x800f_ffff_ffff_ffff)));

    static readonly ulong[] HalfSpecials =
    [
        0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7c01, 0x7fff, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff,
        0x3c00, 0xbc00, 0x3800, 0x4100,                                // f16 ±0, ±inf, NaNs, denormals, max, 1, 0.5, 2.5
        0x7f80, 0xff80, 0x7fc0, 0x7f81, 0x7f7f, 0x0080, 0x3f80,        // bf16 inf, NaNs, max, smallest normal, 1
    ];

    static readonly Gen<ulong> Half16 = Gen.Frequency((2, Gen.Elements(HalfSpecials)), (3, Chunk16));

    // Two 16-bit values in the low 32 bits: a packed pair, or (low half) a scalar 16-bit float.
    static readonly Gen<ulong> PackedHalves = Gen.Zip(Half16, Half16, (low, high) => low | high << 16);

    /// <summary>FNV-1a over the form's text: a seed that is the same in every process (string.GetHashCode is not).</summary>
    static ulong StableHash(string text)
    {
        ulong hash = 0xcbf2_9ce4_8422_2325;
        foreach (char ch in text) hash = (hash ^ ch) * 0x100_0000_01b3;
        return hash;
    }
}
