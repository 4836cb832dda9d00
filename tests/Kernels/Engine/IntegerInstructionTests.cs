using static Emulator.Tests.Kernels.Engine.InstructionCase;

namespace Emulator.Tests.Kernels.Engine;

// Integer forms of the census, executed through parser + engine; expected values from C# integer arithmetic.
public class IntegerInstructionTests
{
    static readonly (ulong, ulong, ulong)[] Pairs32 =
    [
        (5, 7, 3), (0xffffffff, 1, 2), (0x80000000, 0xffffffff, 9), (123456789, 987654, 11), (0, 0, 0), (0x7fffffff, 0x7fffffff, 31),
        (0xfffffff9, 2, 33), (100, 0, 40),
    ];

    static void Check(string body, string dType, string sType, (ulong, ulong, ulong)[] inputs, Func<ulong, ulong, ulong, ulong> oracle, string? cType = null)
    {
        var outputs = Run(body, dType, sType, inputs, cType);
        for (int i = 0; i < inputs.Length; i++)
        {
            var (a, b, c) = inputs[i];
            outputs[i].ShouldBe(oracle(a, b, c), $"{body} with a=0x{a:x} b=0x{b:x} c=0x{c:x}");
        }
    }

    [Fact]
    public void Add_sub_wrap_per_width()
    {
        Check("add.s32 %d, %a, %b;", "s32", "s32", Pairs32, (a, b, _) => (uint)((int)a + (int)b));
        Check("add.u32 %d, %a, %b;", "u32", "u32", Pairs32, (a, b, _) => (uint)(a + b));
        Check("sub.s32 %d, %a, %b;", "s32", "s32", Pairs32, (a, b, _) => (uint)((int)a - (int)b));
        Check("add.s16 %d, %a, %b;", "s16", "s16", [(0x7fff, 1, 0), (0xffff, 0xffff, 0)], (a, b, _) => (ushort)(a + b));
        Check("sub.s16 %d, %a, %b;", "s16", "s16", [(0x8000, 1, 0), (5, 9, 0)], (a, b, _) => (ushort)(a - b));
        Check("add.s64 %d, %a, %b;", "s64", "s64", [(ulong.MaxValue, 2, 0), (1UL << 40, 1UL << 41, 0)], (a, b, _) => a + b);
        Check("add.u64 %d, %a, %b;", "u64", "u64", [(ulong.MaxValue, 2, 0)], (a, b, _) => a + b);
        Check("sub.s64 %d, %a, %b;", "s64", "s64", [(0, 1, 0)], (a, b, _) => a - b);
        Check("add.sat.s32 %d, %a, %b;", "s32", "s32", [(0x7fffffff, 1, 0), (0x80000000, 0xffffffff, 0), (3, 4, 0)],
            (a, b, _) => (uint)(int)Math.Clamp((long)(int)a + (int)b, int.MinValue, int.MaxValue));
    }

    [Fact]
    public void Multiplies_lo_hi_wide_and_mad()
    {
        Check("mul.lo.s32 %d, %a, %b;", "s32", "s32", Pairs32, (a, b, _) => (uint)((int)a * (int)b));
        Check("mul.hi.s32 %d, %a, %b;", "s32", "s32", Pairs32, (a, b, _) => (uint)(((long)(int)a * (int)b) >> 32));
        Check("mul.hi.u32 %d, %a, %b;", "u32", "u32", Pairs32, (a, b, _) => (a * b) >> 32);
        Check("mul.lo.s64 %d, %a, %b;", "s64", "s64", [(ulong.MaxValue, 3, 0), (1UL << 33, 1UL << 33, 0)], (a, b, _) => a * b);
        Check("mul.hi.u64 %d, %a, %b;", "u64", "u64", [(ulong.MaxValue, ulong.MaxValue, 0), (1UL << 40, 1UL << 40, 0)],
            (a, b, _) => (ulong)((System.UInt128)a * b >> 64));
        Check("mul.wide.s32 %d, %a, %b;", "s64", "s32", Pairs32, (a, b, _) => (ulong)((long)(int)a * (int)b));
        Check("mul.wide.u32 %d, %a, %b;", "u64", "u32", Pairs32, (a, b, _) => a * b);
        Check("mul.wide.u16 %d, %a, %b;", "u32", "u16", [(0xffff, 0xffff, 0), (300, 7, 0)], (a, b, _) => a * b);
        Check("mad.lo.s32 %d, %a, %b, %c;", "s32", "s32", Pairs32, (a, b, c) => (uint)((int)a * (int)b + (int)c));
    }

    [Fact]
    public void Division_and_remainder_including_by_zero()
    {
        (ulong, ulong, ulong)[] cases = [(7, 2, 0), (0xfffffff9, 2, 0), (7, 0, 0), (0xfffffff9, 0, 0), (0x80000000, 0xffffffff, 0)];
        Check("div.s32 %d, %a, %b;", "s32", "s32", cases, (a, b, _) => (int)b == 0 ? ((int)a >= 0 ? 0xffffffffUL : 1UL)
            : (int)a == int.MinValue && (int)b == -1 ? 0x80000000UL : (uint)((int)a / (int)b));
        Check("div.u32 %d, %a, %b;", "u32", "u32", cases, (a, b, _) => b == 0 ? 0xffffffffUL : a / b);
        Check("rem.s32 %d, %a, %b;", "s32", "s32", cases, (a, b, _) => (int)b == 0 ? a : (int)b == -1 ? 0 : (uint)((int)a % (int)b));
        Check("rem.u32 %d, %a, %b;", "u32", "u32", cases, (a, b, _) => b == 0 ? a : a % b);
        (ulong, ulong, ulong)[] wide = [(ulong.MaxValue, 3, 0), (1UL << 62, 7, 0), (5, 0, 0)];
        Check("div.u64 %d, %a, %b;", "u64", "u64", wide, (a, b, _) => b == 0 ? ulong.MaxValue : a / b);
        Check("div.s64 %d, %a, %b;", "s64", "s64", wide, (a, b, _) => b == 0 ? ((long)a >= 0 ? ulong.MaxValue : 1) : (ulong)((long)a / (long)b));
        Check("rem.s64 %d, %a, %b;", "s64", "s64", wide, (a, b, _) => b == 0 ? a : (ulong)((long)a % (long)b));
    }

    [Fact]
    public void Min_max_abs_neg()
    {
        Check("min.s32 %d, %a, %b;", "s32", "s32", Pairs32, (a, b, _) => (uint)Math.Min((int)a, (int)b));
        Check("max.s32 %d, %a, %b;", "s32", "s32", Pairs32, (a, b, _) => (uint)Math.Max((int)a, (int)b));
        Check("min.u32 %d, %a, %b;", "u32", "u32", Pairs32, (a, b, _) => Math.Min(a, b));
        Check("max.s64 %d, %a, %b;", "s64", "s64", [(ulong.MaxValue, 1, 0)], (a, b, _) => 1);
        Check("min.s64 %d, %a, %b;", "s64", "s64", [(ulong.MaxValue, 1, 0)], (a, b, _) => ulong.MaxValue);
        Check("neg.s32 %d, %a;", "s32", "s32", Pairs32, (a, _, _) => (uint)(-(int)a));
        Check("neg.s64 %d, %a;", "s64", "s64", [(5, 0, 0), (0, 0, 0)], (a, _, _) => (ulong)(-(long)a));
    }

    [Fact]
    public void Logic_and_shifts()
    {
        Check("and.b32 %d, %a, %b;", "b32", "b32", Pairs32, (a, b, _) => a & b);
        Check("or.b32 %d, %a, %b;", "b32", "b32", Pairs32, (a, b, _) => a | b);
        Check("xor.b32 %d, %a, %b;", "b32", "b32", Pairs32, (a, b, _) => a ^ b);
        Check("not.b32 %d, %a;", "b32", "b32", Pairs32, (a, _, _) => ~a & 0xffffffff);
        Check("and.b16 %d, %a, %b;", "b16", "b16", [(0xff0f, 0x0ff0, 0)], (a, b, _) => a & b);
        Check("or.b16 %d, %a, %b;", "b16", "b16", [(0xff0f, 0x0ff0, 0)], (a, b, _) => a | b);
        Check("xor.b64 %d, %a, %b;", "b64", "b64", [(ulong.MaxValue, 0x1234, 0)], (a, b, _) => a ^ b);
        Check("not.b64 %d, %a;", "b64", "b64", [(0x1234, 0, 0)], (a, _, _) => ~a);
        Check("and.b64 %d, %a, %b;", "b64", "b64", [(ulong.MaxValue, 0x1234, 0)], (a, b, _) => a & b);
        Check("or.b64 %d, %a, %b;", "b64", "b64", [(1UL << 63, 1, 0)], (a, b, _) => a | b);
        (ulong, ulong, ulong)[] shifts = [(0x80000001, 0, 0), (0x80000001, 1, 0), (0x80000001, 31, 0), (0x80000001, 32, 0), (0x80000001, 200, 0)];
        Check("shl.b32 %d, %a, %b;", "b32", "b32", shifts, (a, b, _) => b >= 32 ? 0 : (a << (int)b) & 0xffffffff);
        Check("shr.u32 %d, %a, %b;", "u32", "u32", shifts, (a, b, _) => b >= 32 ? 0 : a >> (int)b);
        Check("shr.b32 %d, %a, %b;", "b32", "b32", shifts, (a, b, _) => b >= 32 ? 0 : a >> (int)b);
        Check("shr.s32 %d, %a, %b;", "s32", "s32", shifts, (a, b, _) => (uint)((int)a >> (int)Math.Min(b, 31)));
        Check("shl.b64 %d, %a, 63;", "b64", "b64", [(3, 0, 0)], (a, _, _) => 1UL << 63);
        Check("shr.s64 %d, %a, 70;", "s64", "s64", [(1UL << 63, 0, 0), (5, 0, 0)], (a, _, _) => (long)a < 0 ? ulong.MaxValue : 0);
        Check("shr.u64 %d, %a, 4;", "u64", "u64", [(1UL << 63, 0, 0)], (a, _, _) => a >> 4);
        Check("shl.b16 %d, %a, 4;", "b16", "b16", [(0xabcd, 0, 0)], (a, _, _) => 0xbcd0);
        Check("shr.u16 %d, %a, 4;", "u16", "u16", [(0xabcd, 0, 0)], (a, _, _) => 0x0abc);
        Check("shr.s16 %d, %a, 4;", "s16", "s16", [(0xabcd, 0, 0)], (a, _, _) => 0xfabc);
    }

    [Fact]
    public void Bit_manipulation_forms()
    {
        Check("popc.b32 %d, %a;", "b32", "b32", Pairs32, (a, _, _) => (ulong)System.Numerics.BitOperations.PopCount(a));
        Check("clz.b32 %d, %a;", "b32", "b32", Pairs32, (a, _, _) => (ulong)System.Numerics.BitOperations.LeadingZeroCount((uint)a));
        Check("brev.b32 %d, %a;", "b32", "b32", [(1, 0, 0), (0x12345678, 0, 0)], (a, _, _) => a == 1 ? 0x80000000 : 0x1e6a2c48);
        Check("bfe.u32 %d, %a, 4, 8;", "u32", "u32", [(0xabcd, 0, 0)], (a, _, _) => 0xbc);
        Check("bfe.s32 %d, %a, 4, 8;", "s32", "s32", [(0xabcd, 0, 0), (0x73cd, 0, 0)], (a, _, _) => a == 0xabcd ? 0xffffffbc : 0x3c); // sign = bit 11
        Check("bfe.u64 %d, %a, 60, 8;", "u64", "u64", [(0xf000000000000000, 0, 0)], (a, _, _) => 0xf);
        Check("bfe.s64 %d, %a, 60, 8;", "s64", "s64", [(0xf000000000000000, 0, 0)], (a, _, _) => ulong.MaxValue);
        Check("bfi.b32 %d, %a, %b, 8, 8;", "b32", "b32", [(0xab, 0x12345678, 0)], (a, b, _) => 0x1234ab78);
        Check("bfi.b64 %d, %a, %b, 60, 8;", "b64", "b64", [(0xff, 0, 0)], (a, b, _) => 0xf000000000000000);
        Check("bmsk.clamp.b32 %d, %a, %b;", "b32", "b32", [(4, 8, 0), (0, 40, 0), (32, 3, 0), (28, 8, 0)],
            (a, b, _) => a >= 32 ? 0 : (ulong)(uint)(((1UL << (int)Math.Min(b, 32)) - 1) << (int)a));
        Check("prmt.b32 %d, %a, %b, 0x5140;", "b32", "b32", [(0x33221100, 0x77665544, 0)], (a, b, _) => 0x55114400);
        Check("prmt.b32 %d, %a, %b, 30212;", "b32", "b32", [(0x33221100, 0x77665544, 0)], (a, b, _) => 0x77660044); // 30212 = 0x7604: bytes 4, 0, 6, 7
        Check("dp4a.s32.s32 %d, %a, %b, %c;", "s32", "s32", [(0xfc03fe01, 0x08f90605, 100)], (a, b, c) => 40);
        Check("lop3.b32 %d, %a, %b, %c, 0x96;", "b32", "b32", Pairs32, (a, b, c) => a ^ b ^ c);
    }

    [Fact]
    public void Setp_and_selp_integer_forms()
    {
        foreach (var (op, oracle) in new (string, Func<int, int, bool>)[] { ("eq", (x, y) => x == y), ("ne", (x, y) => x != y), ("lt", (x, y) => x < y), ("le", (x, y) => x <= y), ("gt", (x, y) => x > y), ("ge", (x, y) => x >= y) })
        {
            Check($"setp.{op}.s32 %d, %a, %b;", "pred", "s32", Pairs32, (a, b, _) => oracle((int)a, (int)b) ? 1UL : 0);
            Check($"setp.{op}.s64 %d, %a, %b;", "pred", "s64", [(ulong.MaxValue, 1, 0), (3, 3, 0)], (a, b, _) => oracle(Math.Sign((long)a - (long)b), 0) ? 1UL : 0);
        }
        foreach (var (op, oracle) in new (string, Func<uint, uint, bool>)[] { ("lt", (x, y) => x < y), ("le", (x, y) => x <= y), ("gt", (x, y) => x > y), ("ge", (x, y) => x >= y), ("ne", (x, y) => x != y), ("eq", (x, y) => x == y) })
            Check($"setp.{op}.u32 %d, %a, %b;", "pred", "u32", Pairs32, (a, b, _) => oracle((uint)a, (uint)b) ? 1UL : 0);
        Check("setp.lt.u64 %d, %a, %b;", "pred", "u64", [(ulong.MaxValue, 1, 0), (1, 2, 0)], (a, b, _) => a < b ? 1UL : 0);
        Check("setp.gt.s16 %d, %a, %b;", "pred", "s16", [(0xffff, 1, 0), (2, 1, 0)], (a, b, _) => (short)a > (short)b ? 1UL : 0);
        Check("setp.eq.b16 %d, %a, %b;", "pred", "b16", [(0xffff, 0xffff, 0), (2, 1, 0)], (a, b, _) => a == b ? 1UL : 0);
        Check("setp.ne.s32 %q, %a, %b;\n\tselp.b32 %d, %a, %c, %q;", "b32", "b32", Pairs32, (a, b, c) => a != b ? a : c);
        Check("setp.lt.and.s32 %d, %a, %b, %q;", "pred", "s32", [(1, 2, 0)], (a, b, _) => 0); // %q is false (never set)
        Check("setp.lt.s32 %d|%q, %a, %b;\n\tselp.b32 %t, 1, 0, %q;\n\tsetp.eq.and.s32 %d, %t, 0, %d;", "pred", "s32", Pairs32, (a, b, _) => (int)a < (int)b ? 1UL : 0);
        Check("selp.b64 %d, %a, %b, %q;", "b64", "b64", [(1, 2, 0)], (a, b, _) => b);
    }

    [Fact]
    public void Integer_conversions_extend_and_truncate()
    {
        Check("cvt.s32.s8 %d, %a;", "s32", "s32", [(0x80, 0, 0), (0x17f, 0, 0)], (a, _, _) => (uint)(int)(sbyte)a);
        Check("cvt.s32.s16 %d, %a;", "s32", "s32", [(0x8000, 0, 0)], (a, _, _) => 0xffff8000);
        Check("cvt.u32.u8 %d, %a;", "u32", "u32", [(0x1ff, 0, 0)], (a, _, _) => 0xff);
        Check("cvt.u32.u16 %d, %a;", "u32", "u32", [(0x1ffff, 0, 0)], (a, _, _) => 0xffff);
        Check("cvt.u32.u64 %d, %a;", "u32", "u64", [(0x1_2345_6789, 0, 0)], (a, _, _) => 0x2345_6789);
        Check("cvt.u64.u32 %d, %a;", "u64", "u32", [(0xffffffff, 0, 0)], (a, _, _) => 0xffffffff);
        Check("cvt.s64.s32 %d, %a;", "s64", "s32", [(0xffffffff, 0, 0)], (a, _, _) => ulong.MaxValue);
        Check("cvt.u64.u16 %d, %a;", "u64", "u16", [(0xffff, 0, 0)], (a, _, _) => 0xffff);
        Check("cvt.u16.u32 %d, %a;", "u16", "u32", [(0x12345, 0, 0)], (a, _, _) => 0x2345);
        Check("cvt.u16.u64 %d, %a;", "u16", "u64", [(0x12345, 0, 0)], (a, _, _) => 0x2345);
        Check("cvt.s16.s8 %d, %a;", "s16", "s16", [(0x80, 0, 0)], (a, _, _) => 0xff80);
        Check("cvt.u16.u8 %d, %a;", "u16", "u16", [(0x180, 0, 0)], (a, _, _) => 0x80);
        Check("mov.b32 %d, {%a, %b};", "b32", "b16", [(0x1234, 0xabcd, 0)], (a, b, _) => 0xabcd1234);
        Check("mov.b64 %d, {%a, %b};", "b64", "b32", [(0x1234, 0xabcd, 0)], (a, b, _) => 0xabcd_0000_1234);
    }

    [Fact]
    public void Predicate_logic_and_narrow_moves()
    {
        (ulong, ulong, ulong)[] truth = [(0, 0, 0), (0, 1, 0), (1, 0, 1), (1, 1, 1)];
        Check("and.pred %d, %a, %b;", "pred", "pred", truth, (a, b, _) => a & b);
        Check("or.pred %d, %a, %b;", "pred", "pred", truth, (a, b, _) => a | b);
        Check("xor.pred %d, %a, %b;", "pred", "pred", truth, (a, b, _) => a ^ b);
        Check("not.pred %d, %a;", "pred", "pred", truth, (a, _, _) => a ^ 1);
        Check("mov.pred %d, %a;", "pred", "pred", truth, (a, _, _) => a);
        Check("selp.u32 %t, 1, 0, !%a;\n\tsetp.ne.u32 %d, %t, 0;", "pred", "pred", truth, (a, _, _) => a ^ 1);
        Check("mov.b16 %d, %a;", "b16", "b16", [(0xbeef, 0, 0)], (a, _, _) => 0xbeef);
        Check("selp.b16 %d, %a, %b, %q;", "b16", "b16", [(1, 2, 0)], (a, b, _) => 2);
        Check("selp.u16 %d, %a, %b, %q;", "u16", "u16", [(1, 2, 0)], (a, b, _) => 2);
        Check("mov.b32 {%d, %c}, %a;", "b16", "b32", [(0x1234abcd, 0, 0)], (a, _, _) => 0xabcd, cType: "b16");
    }

    [Fact]
    public void Narrow_loads_sign_or_zero_extend_into_wide_registers()
    {
        (ulong, ulong, ulong)[] bytes = [(0x80, 0, 0), (0x7f, 0, 0), (0x8001, 0, 0)];
        Check("ld.global.s8 %d, [%rd4];", "s32", "s32", bytes, (a, _, _) => (uint)(int)(sbyte)a);
        Check("ld.global.u8 %d, [%rd4];", "u32", "u32", bytes, (a, _, _) => a & 0xff);
        Check("ld.global.s16 %d, [%rd4];", "s32", "s32", bytes, (a, _, _) => (uint)(int)(short)a);
        Check("ld.global.u16 %d, [%rd4];", "u32", "u32", bytes, (a, _, _) => a & 0xffff);
        Check("ld.global.v2.u16 {%d, %c}, [%rd4];", "u16", "u16", [(0x22221111, 0, 0)], (a, _, _) => 0x1111);
        Check("ld.global.nc.v2.u8 {%d, %c}, [%rd4];", "u16", "u16", [(0x2211, 0, 0)], (a, _, _) => 0x11);
    }
}
