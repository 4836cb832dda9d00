using static Emulator.Tests.Kernels.Engine.Differential.InstructionFuzzing;

namespace Emulator.Tests.Kernels.Engine.Differential;

// The forms of IntegerInstructionTests and FloatInstructionTests (their hand-computed oracles check the reference
// tier on chosen values); here random operands check that the compiled tier agrees with it bit for bit. Where the
// example tests use an immediate for a position, length or selector that may also be a register, the register
// form is fuzzed as well.

/// <summary>Integer, bit, predicate, conversion and load forms on random operands through both tiers.</summary>
public class IntegerFuzzTests
{
    public static TheoryData<string, string, string, string?> Forms => ToTheoryData(
    [
        new("add.s32 %d, %a, %b;", "s32", "s32"), new("add.u32 %d, %a, %b;", "u32", "u32"), new("sub.s32 %d, %a, %b;", "s32", "s32"),
        new("add.s16 %d, %a, %b;", "s16", "s16"), new("sub.s16 %d, %a, %b;", "s16", "s16"),
        new("add.s64 %d, %a, %b;", "s64", "s64"), new("add.u64 %d, %a, %b;", "u64", "u64"), new("sub.s64 %d, %a, %b;", "s64", "s64"),
        new("add.sat.s32 %d, %a, %b;", "s32", "s32"),
        new("mul.lo.s32 %d, %a, %b;", "s32", "s32"), new("mul.hi.s32 %d, %a, %b;", "s32", "s32"), new("mul.hi.u32 %d, %a, %b;", "u32", "u32"),
        new("mul.lo.s64 %d, %a, %b;", "s64", "s64"), new("mul.hi.u64 %d, %a, %b;", "u64", "u64"),
        new("mul.wide.s32 %d, %a, %b;", "s64", "s32"), new("mul.wide.u32 %d, %a, %b;", "u64", "u32"), new("mul.wide.u16 %d, %a, %b;", "u32", "u16"),
        new("mad.lo.s32 %d, %a, %b, %c;", "s32", "s32"),
        new("div.s32 %d, %a, %b;", "s32", "s32"), new("div.u32 %d, %a, %b;", "u32", "u32"), new("rem.s32 %d, %a, %b;", "s32", "s32"),
        new("rem.u32 %d, %a, %b;", "u32", "u32"), new("div.u64 %d, %a, %b;", "u64", "u64"), new("div.s64 %d, %a, %b;", "s64", "s64"),
        new("rem.s64 %d, %a, %b;", "s64", "s64"),
        new("min.s32 %d, %a, %b;", "s32", "s32"), new("max.s32 %d, %a, %b;", "s32", "s32"), new("min.u32 %d, %a, %b;", "u32", "u32"),
        new("max.s64 %d, %a, %b;", "s64", "s64"), new("min.s64 %d, %a, %b;", "s64", "s64"),
        new("neg.s32 %d, %a;", "s32", "s32"), new("neg.s64 %d, %a;", "s64", "s64"),
        new("and.b32 %d, %a, %b;", "b32", "b32"), new("or.b32 %d, %a, %b;", "b32", "b32"), new("xor.b32 %d, %a, %b;", "b32", "b32"),
        new("not.b32 %d, %a;", "b32", "b32"), new("and.b16 %d, %a, %b;", "b16", "b16"), new("or.b16 %d, %a, %b;", "b16", "b16"),
        new("xor.b64 %d, %a, %b;", "b64", "b64"), new("not.b64 %d, %a;", "b64", "b64"), new("and.b64 %d, %a, %b;", "b64", "b64"),
        new("or.b64 %d, %a, %b;", "b64", "b64"),
        new("shl.b32 %d, %a, %b;", "b32", "b32"), new("shr.u32 %d, %a, %b;", "u32", "u32"), new("shr.b32 %d, %a, %b;", "b32", "b32"),
        new("shr.s32 %d, %a, %b;", "s32", "s32"),
        new("shl.b64 %d, %a, 63;", "b64", "b64"), new("shr.s64 %d, %a, 70;", "s64", "s64"), new("shr.u64 %d, %a, 4;", "u64", "u64"),
        new("shl.b64 %d, %a, %c;", "b64", "b64", "u32"), new("shr.s64 %d, %a, %c;", "s64", "s64", "u32"), new("shr.u64 %d, %a, %c;", "u64", "u64", "u32"),
        new("shl.b16 %d, %a, 4;", "b16", "b16"), new("shr.u16 %d, %a, 4;", "u16", "u16"), new("shr.s16 %d, %a, 4;", "s16", "s16"),
        new("rem.u64 %d, %a, %b;", "u64", "u64"), new("add.u16 %d, %a, %b;", "u16", "u16"),
        new("neg.s64 %d, %a;", "s64", "s64"), new("neg.s32 %d, %a;", "s32", "s32"), new("abs.s16 %d, %a;", "s16", "s16"),
        new("setp.lt.s16 %d, %a, %b;", "pred", "s16"), new("setp.hi.u16 %d, %a, %b;", "pred", "u16"),
        new("setp.lt.s16 %d, %a, -3;", "pred", "s16"), new("sub.s16 %d, %a, %b;", "s16", "s16"), new("mul.lo.u16 %d, %a, %b;", "u16", "u16"),
        new("mul.wide.s16 %d, %a, %b;", "s32", "s16"), new("shr.s16 %d, %a, %c;", "s16", "s16", "u32"), new("shl.b16 %d, %a, %c;", "b16", "b16", "u32"),
        new("popc.b32 %d, %a;", "b32", "b32"), new("clz.b32 %d, %a;", "b32", "b32"), new("brev.b32 %d, %a;", "b32", "b32"),
        new("bfe.u32 %d, %a, %b, %c;", "u32", "u32"), new("bfe.s32 %d, %a, %b, %c;", "s32", "s32"),
        new("bfe.u64 %d, %a, 60, 8;", "u64", "u64"), new("bfe.s64 %d, %a, 60, 8;", "s64", "s64"),
        new("bfe.u64 %d, %a, %c, 8;", "u64", "u64", "u32"), new("bfe.s64 %d, %a, 28, %c;", "s64", "s64", "u32"),
        new("bfi.b32 %d, %a, %b, 8, 8;", "b32", "b32"), new("bfi.b32 %d, %a, %b, %c, 8;", "b32", "b32"), new("bfi.b32 %d, %a, %b, 4, %c;", "b32", "b32"),
        new("bfi.b64 %d, %a, %b, 60, 8;", "b64", "b64"),
        new("bmsk.clamp.b32 %d, %a, %b;", "b32", "b32"),
        new("prmt.b32 %d, %a, %b, 0x5140;", "b32", "b32"), new("prmt.b32 %d, %a, %b, 30212;", "b32", "b32"), new("prmt.b32 %d, %a, %b, %c;", "b32", "b32"),
        new("dp4a.s32.s32 %d, %a, %b, %c;", "s32", "s32"),
        new("lop3.b32 %d, %a, %b, %c, 0x96;", "b32", "b32"), new("lop3.b32 %d, %a, %b, %c, 0xe8;", "b32", "b32"),
        new("lop3.b32 %d, %a, %b, %c, 0x1e;", "b32", "b32"), new("lop3.b32 %d, %a, %b, %c, 0x00;", "b32", "b32"),
        new("setp.eq.s32 %d, %a, %b;", "pred", "s32"), new("setp.ne.s32 %d, %a, %b;", "pred", "s32"), new("setp.lt.s32 %d, %a, %b;", "pred", "s32"),
        new("setp.le.s32 %d, %a, %b;", "pred", "s32"), new("setp.gt.s32 %d, %a, %b;", "pred", "s32"), new("setp.ge.s32 %d, %a, %b;", "pred", "s32"),
        new("setp.eq.s64 %d, %a, %b;", "pred", "s64"), new("setp.ne.s64 %d, %a, %b;", "pred", "s64"), new("setp.lt.s64 %d, %a, %b;", "pred", "s64"),
        new("setp.le.s64 %d, %a, %b;", "pred", "s64"), new("setp.gt.s64 %d, %a, %b;", "pred", "s64"), new("setp.ge.s64 %d, %a, %b;", "pred", "s64"),
        new("setp.lt.u32 %d, %a, %b;", "pred", "u32"), new("setp.le.u32 %d, %a, %b;", "pred", "u32"), new("setp.gt.u32 %d, %a, %b;", "pred", "u32"),
        new("setp.ge.u32 %d, %a, %b;", "pred", "u32"), new("setp.ne.u32 %d, %a, %b;", "pred", "u32"), new("setp.eq.u32 %d, %a, %b;", "pred", "u32"),
        new("setp.lt.u64 %d, %a, %b;", "pred", "u64"), new("setp.gt.s16 %d, %a, %b;", "pred", "s16"), new("setp.eq.b16 %d, %a, %b;", "pred", "b16"),
        new("setp.ne.s32 %q, %a, %b;\n\tselp.b32 %d, %a, %c, %q;", "b32", "b32"),
        new("setp.lt.and.s32 %d, %a, %b, %q;", "pred", "s32"),
        new("setp.lt.s32 %d|%q, %a, %b;\n\tselp.b32 %t, 1, 0, %q;\n\tsetp.eq.and.s32 %d, %t, 0, %d;", "pred", "s32"),
        new("setp.ge.u32 %q, %c, 7;\n\tselp.b64 %d, %a, %b, %q;", "b64", "b64", "u32"),
        new("cvt.s32.s8 %d, %a;", "s32", "s32"), new("cvt.s32.s16 %d, %a;", "s32", "s32"), new("cvt.u32.u8 %d, %a;", "u32", "u32"),
        new("cvt.u32.u16 %d, %a;", "u32", "u32"), new("cvt.u32.u64 %d, %a;", "u32", "u64"), new("cvt.u64.u32 %d, %a;", "u64", "u32"),
        new("cvt.s64.s32 %d, %a;", "s64", "s32"), new("cvt.u64.u16 %d, %a;", "u64", "u16"), new("cvt.u16.u32 %d, %a;", "u16", "u32"),
        new("cvt.u16.u64 %d, %a;", "u16", "u64"), new("cvt.s16.s8 %d, %a;", "s16", "s16"), new("cvt.u16.u8 %d, %a;", "u16", "u16"),
        new("mov.b32 %d, {%a, %b};", "b32", "b16"), new("mov.b64 %d, {%a, %b};", "b64", "b32"),
        new("and.pred %d, %a, %b;", "pred", "pred"), new("or.pred %d, %a, %b;", "pred", "pred"), new("xor.pred %d, %a, %b;", "pred", "pred"),
        new("not.pred %d, %a;", "pred", "pred"), new("mov.pred %d, %a;", "pred", "pred"),
        new("selp.u32 %t, 1, 0, !%a;\n\tsetp.ne.u32 %d, %t, 0;", "pred", "pred"),
        new("mov.b16 %d, %a;", "b16", "b16"), new("setp.ne.b16 %q, %c, 0;\n\tselp.b16 %d, %a, %b, %q;", "b16", "b16"),
        new("selp.u16 %d, %a, %b, %q;", "u16", "u16"), new("mov.b32 {%d, %c}, %a;", "b16", "b32", "b16"),
        new("ld.global.s8 %d, [%rd4];", "s32", "s32"), new("ld.global.u8 %d, [%rd4];", "u32", "u32"), new("ld.global.s16 %d, [%rd4];", "s32", "s32"),
        new("ld.global.u16 %d, [%rd4];", "u32", "u32"), new("ld.global.v2.u16 {%d, %c}, [%rd4];", "u16", "u16"),
        new("ld.global.nc.v2.u8 {%d, %c}, [%rd4];", "u16", "u16"),
    ]);

    [Theory]
    [MemberData(nameof(Forms))]
    public void Compiled_tier_agrees_with_the_reference_on_random_operands(string body, string destinationType, string sourceType, string? cType)
        => CheckForm(new Form(body, destinationType, sourceType, cType));

    internal static TheoryData<string, string, string, string?> ToTheoryData(IEnumerable<Form> forms)
    {
        var data = new TheoryData<string, string, string, string?>();
        foreach (var form in forms) data.Add(form.Body, form.DestinationType, form.SourceType, form.CType);
        return data;
    }
}

/// <summary>Float, half, bf16 and fp8 forms (arithmetic, compares, approximate functions, conversions) on random operands through both tiers.</summary>
public class FloatFuzzTests
{
    public static TheoryData<string, string, string, string?> Forms => IntegerFuzzTests.ToTheoryData(
    [
        new("add.f32 %d, %a, %b;", "f32", "f32"), new("add.ftz.f32 %d, %a, %b;", "f32", "f32"), new("sub.ftz.f32 %d, %a, %b;", "f32", "f32"),
        new("mul.ftz.f32 %d, %a, %b;", "f32", "f32"), new("fma.rn.ftz.f32 %d, %a, %b, %c;", "f32", "f32"),
        new("lg2.approx.f32 %d, %a;", "f32", "f32"), new("sin.approx.f32 %d, %a;", "f32", "f32"), new("cos.approx.f32 %d, %a;", "f32", "f32"),
        new("setp.equ.f32 %d, %a, %b;", "pred", "f32"), new("setp.num.ftz.f32 %d, %a, %b;", "pred", "f32"),
        new("add.rz.ftz.f32 %d, %a, %b;", "f32", "f32"), new("sub.rm.f32 %d, %a, %b;", "f32", "f32"), new("mul.rp.ftz.f32 %d, %a, %b;", "f32", "f32"),
        new("fma.rz.f32 %d, %a, %b, %a;", "f32", "f32"), new("cvt.rmi.u32.f32 %d, %a;", "u32", "f32"), new("cvt.rpi.s32.f32 %d, %a;", "s32", "f32"), new("abs.ftz.f32 %d, %a;", "f32", "f32"), new("neg.ftz.f32 %d, %a;", "f32", "f32"),
        new("min.ftz.f32 %d, %a, %b;", "f32", "f32"), new("max.ftz.f32 %d, %a, %b;", "f32", "f32"),
        new("setp.eq.ftz.f32 %d, %a, %b;", "pred", "f32"), new("setp.lt.ftz.f32 %d, %a, %b;", "pred", "f32"),
        new("setp.le.ftz.f32 %d, %a, %b;", "pred", "f32"), new("setp.gt.ftz.f32 %d, %a, %b;", "pred", "f32"),
        new("setp.ge.ftz.f32 %d, %a, %b;", "pred", "f32"), new("setp.neu.ftz.f32 %d, %a, %b;", "pred", "f32"),
        new("setp.ltu.ftz.f32 %d, %a, %b;", "pred", "f32"), new("setp.leu.ftz.f32 %d, %a, %b;", "pred", "f32"),
        new("setp.gtu.ftz.f32 %d, %a, %b;", "pred", "f32"), new("setp.geu.ftz.f32 %d, %a, %b;", "pred", "f32"),
        new("setp.lt.ftz.f32 %q, %a, %b;\n\tselp.f32 %d, %a, %b, %q;", "f32", "f32"),
        new("ex2.approx.ftz.f32 %d, %a;", "f32", "f32"), new("lg2.approx.ftz.f32 %d, %a;", "f32", "f32"),
        new("rsqrt.approx.ftz.f32 %d, %a;", "f32", "f32"), new("rcp.approx.ftz.f32 %d, %a;", "f32", "f32"),
        new("sqrt.approx.ftz.f32 %d, %a;", "f32", "f32"), new("sin.approx.ftz.f32 %d, %a;", "f32", "f32"),
        new("cos.approx.ftz.f32 %d, %a;", "f32", "f32"), new("tanh.approx.f32 %d, %a;", "f32", "f32"),
        new("div.approx.ftz.f32 %d, %a, %b;", "f32", "f32"), new("rcp.rn.ftz.f32 %d, %a;", "f32", "f32"),
        new("copysign.f32 %d, %a, %b;", "f32", "f32"), new("rcp.rn.f64 %d, %a;", "f64", "f64"),
        new("cvt.rni.ftz.s32.f32 %d, %a;", "s32", "f32"), new("cvt.rzi.ftz.s32.f32 %d, %a;", "s32", "f32"),
        new("cvt.rzi.ftz.u32.f32 %d, %a;", "u32", "f32"), new("cvt.rzi.ftz.s64.f32 %d, %a;", "s64", "f32"),
        new("cvt.rni.f32.f32 %d, %a;", "f32", "f32"), new("cvt.rzi.f32.f32 %d, %a;", "f32", "f32"),
        new("cvt.rmi.ftz.f32.f32 %d, %a;", "f32", "f32"), new("cvt.rpi.ftz.f32.f32 %d, %a;", "f32", "f32"),
        new("cvt.rn.f32.s32 %d, %a;", "f32", "s32"), new("cvt.rn.f32.u32 %d, %a;", "f32", "u32"),
        new("cvt.rn.f32.s64 %d, %a;", "f32", "s64"), new("cvt.rn.f32.u64 %d, %a;", "f32", "u64"),
        new("cvt.rn.f32.s16 %d, %a;", "f32", "s16"), new("cvt.rn.f32.u16 %d, %a;", "f32", "u16"),
        new("cvt.rn.f64.s32 %d, %a;", "f64", "s32"), new("cvt.ftz.f64.f32 %d, %a;", "f64", "f32"),
        new("cvt.rn.ftz.f32.f64 %d, %a;", "f32", "f64"),
        new("cvt.rn.f16.f32 %d, %a;", "f16", "f32"), new("cvt.rn.f16x2.f32 %d, %a, %b;", "f16x2", "f32"),
        new("cvt.f32.f16 %d, %a;", "f32", "f16"), new("cvt.rzi.s32.f16 %d, %a;", "s32", "f16"), new("cvt.rn.f16.s32 %d, %a;", "f16", "s32"),
        new("cvt.rn.bf16.f32 %d, %a;", "bf16", "f32"), new("cvt.f32.bf16 %d, %a;", "f32", "bf16"),
        new("cvt.rn.f16x2.e4m3x2 %d, %a;", "f16x2", "b16"),
        new("add.f16x2 %d, %a, %b;", "f16x2", "f16x2"), new("mul.f16x2 %d, %a, %b;", "f16x2", "f16x2"),
        new("sub.f16x2 %d, %a, %b;", "f16x2", "f16x2"), new("fma.rn.f16x2 %d, %a, %b, %a;", "f16x2", "f16x2"),
    ]);

    [Theory]
    [MemberData(nameof(Forms))]
    public void Compiled_tier_agrees_with_the_reference_on_random_operands(string body, string destinationType, string sourceType, string? cType)
        => CheckForm(new Form(body, destinationType, sourceType, cType));
}
