using System.Numerics;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>Per-lane instruction semantics; each case delegates the arithmetic to <c>Engine/Semantics</c>.</summary>
sealed unsafe partial class BlockExecutor
{
    void Execute(Warp warp, Instruction ins, uint enabled)
    {
        switch (ins.Opcode)
        {
            case Opcode.Nop:
            case Opcode.Membar:
            case Opcode.BarWarpSync:
            case Opcode.PrefetchOrHint:
            case Opcode.CpAsyncWaitAll:
            case Opcode.CpAsyncCommit:
            case Opcode.CpAsyncWaitGroup:
                // Serial, in-order execution makes fences, warp syncs and async-copy waits already satisfied.
                return;
            case Opcode.Trap:
                throw Fault(warp, BitOperations.TrailingZeroCount(enabled), ins, LaunchStatus.LaunchFailed, "trap");
            case Opcode.Unsupported:
                throw Fault(warp, BitOperations.TrailingZeroCount(enabled), ins, LaunchStatus.IllegalInstruction, $"unsupported instruction '{ins.Text}'");
            case Opcode.Shfl: ExecuteShuffle(warp, ins, enabled); return;
            case Opcode.Vote: ExecuteVote(warp, ins, enabled); return;
            case Opcode.Redux: ExecuteRedux(warp, ins, enabled); return;
            case Opcode.Activemask:
                for (uint m = enabled; m != 0; m &= m - 1) WriteRegister(warp, ins.Operands[0], BitOperations.TrailingZeroCount(m), enabled);
                return;
            case Opcode.Mma: ExecuteMma(warp, ins, enabled); return;
            case Opcode.Ldmatrix: ExecuteLdmatrix(warp, ins, enabled); return;
            case Opcode.Movmatrix: ExecuteMovmatrix(warp, ins, enabled); return;
            case Opcode.WmmaLoadA:
            case Opcode.WmmaLoadB:
            case Opcode.WmmaLoadC:
            case Opcode.WmmaStoreD:
            case Opcode.WmmaMma:
                ExecuteWmma(warp, ins, enabled); return;
        }
        for (uint m = enabled; m != 0; m &= m - 1)
            ExecuteLane(warp, ins, BitOperations.TrailingZeroCount(m));
    }

    static float F32(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);
    static ulong Bits(float value) => BitConverter.SingleToUInt32Bits(value);
    static double F64(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
    static ulong Bits(double value) => BitConverter.DoubleToUInt64Bits(value);
    static ulong Mask(int bits) => IntegerOps.Mask(bits);
    static long Signed(ulong bits, int width) => IntegerOps.SignExtend(bits, width);

    static float InF32(ulong bits, bool ftz) => ftz ? FloatRounding.FlushDenormal(F32(bits)) : F32(bits);

    static ulong OutF32(float value, bool ftz, bool saturate)
    {
        if (saturate) value = FloatRounding.Saturate(value);
        if (ftz) value = FloatRounding.FlushDenormal(value);
        return Bits(FloatRounding.Canonicalize(value));
    }

    static ulong OutF64(double value, bool saturate)
    {
        if (saturate) value = double.IsNaN(value) || value <= 0 ? 0.0 : Math.Min(value, 1.0);
        return Bits(double.IsNaN(value) ? BitConverter.UInt64BitsToDouble(0x7fffffffffffffff) : value);
    }

    void ExecuteLane(Warp warp, Instruction ins, int lane)
    {
        var ops = ins.Operands;
        var type = ins.Type;
        int bits = type.Bits();
        switch (ins.Opcode)
        {
            case Opcode.Mov: ExecuteMov(warp, ins, lane); return;
            case Opcode.Add:
            case Opcode.Sub:
            case Opcode.Mul:
            case Opcode.Min:
            case Opcode.Max:
            case Opcode.Div:
            case Opcode.Rem:
                WriteRegister(warp, ops[0], lane, Binary(warp, ins, Read(warp, ops[1], lane), Read(warp, ops[2], lane), lane));
                return;
            case Opcode.Mad:
            case Opcode.Fma:
                WriteRegister(warp, ops[0], lane, Ternary(warp, ins, Read(warp, ops[1], lane), Read(warp, ops[2], lane), Read(warp, ops[3], lane), lane));
                return;
            case Opcode.Abs:
            case Opcode.Neg:
                WriteRegister(warp, ops[0], lane, Unary(warp, ins, Read(warp, ops[1], lane), lane));
                return;
            case Opcode.And: WriteRegister(warp, ops[0], lane, Read(warp, ops[1], lane) & Read(warp, ops[2], lane)); return;
            case Opcode.Or: WriteRegister(warp, ops[0], lane, Read(warp, ops[1], lane) | Read(warp, ops[2], lane)); return;
            case Opcode.Xor: WriteRegister(warp, ops[0], lane, Read(warp, ops[1], lane) ^ Read(warp, ops[2], lane)); return;
            case Opcode.Not:
                WriteRegister(warp, ops[0], lane, type == ScalarType.Pred ? Read(warp, ops[1], lane) ^ 1 : ~Read(warp, ops[1], lane) & Mask(bits));
                return;
            case Opcode.Cnot: WriteRegister(warp, ops[0], lane, (Read(warp, ops[1], lane) & Mask(bits)) == 0 ? 1UL : 0); return;
            case Opcode.Shl:
                WriteRegister(warp, ops[0], lane, IntegerOps.ShiftLeft(Read(warp, ops[1], lane), (uint)Read(warp, ops[2], lane), bits));
                return;
            case Opcode.Shr:
            {
                ulong a = Read(warp, ops[1], lane);
                uint amount = (uint)Read(warp, ops[2], lane);
                WriteRegister(warp, ops[0], lane, type.IsSigned() ? IntegerOps.ShiftRightArithmetic(a, amount, bits) : IntegerOps.ShiftRightLogical(a, amount, bits));
                return;
            }
            case Opcode.Lop3:
                WriteRegister(warp, ops[0], lane, IntegerOps.Lop3((uint)Read(warp, ops[1], lane), (uint)Read(warp, ops[2], lane), (uint)Read(warp, ops[3], lane), (byte)Read(warp, ops[4], lane)));
                return;
            case Opcode.Setp: ExecuteSetp(warp, ins, lane); return;
            case Opcode.Selp:
                WriteRegister(warp, ops[0], lane, Read(warp, ops[3], lane) != 0 ? Read(warp, ops[1], lane) : Read(warp, ops[2], lane));
                return;
            case Opcode.Cvt: WriteRegister(warp, ops[0], lane, Convert(warp, ins, lane)); return;
            case Opcode.Cvta:
            {
                ulong a = Read(warp, ops[1], lane);
                ulong generic = ins.Space switch
                {
                    StateSpace.Shared => AddressWindows.SharedBase + (a & 0xffff_ffff),
                    StateSpace.Local => AddressWindows.LocalBase + (a & 0xffff_ffff),
                    _ => a,
                };
                WriteRegister(warp, ops[0], lane, generic);
                return;
            }
            case Opcode.CvtaTo:
            {
                ulong a = Read(warp, ops[1], lane);
                ulong specific = ins.Space switch
                {
                    StateSpace.Shared => a - AddressWindows.SharedBase,
                    StateSpace.Local => a - AddressWindows.LocalBase,
                    _ => a,
                };
                WriteRegister(warp, ops[0], lane, specific);
                return;
            }
            case Opcode.Ld: ExecuteLoad(warp, ins, lane); return;
            case Opcode.St: ExecuteStore(warp, ins, lane); return;
            case Opcode.Atom:
            case Opcode.Red:
                ExecuteAtomic(warp, ins, lane); return;
            case Opcode.CpAsync: ExecuteCpAsync(warp, ins, lane); return;
            case Opcode.Bfe:
                WriteRegister(warp, ops[0], lane, IntegerOps.BitFieldExtract(Read(warp, ops[1], lane) & Mask(bits), (uint)Read(warp, ops[2], lane), (uint)Read(warp, ops[3], lane), bits, type.IsSigned()));
                return;
            case Opcode.Bfi:
                WriteRegister(warp, ops[0], lane, IntegerOps.BitFieldInsert(Read(warp, ops[1], lane), Read(warp, ops[2], lane), (uint)Read(warp, ops[3], lane), (uint)Read(warp, ops[4], lane), bits));
                return;
            case Opcode.Bmsk:
                WriteRegister(warp, ops[0], lane, IntegerOps.BitMask((uint)Read(warp, ops[1], lane), (uint)Read(warp, ops[2], lane), ins.Clamp));
                return;
            case Opcode.Prmt:
                WriteRegister(warp, ops[0], lane, IntegerOps.Permute((uint)Read(warp, ops[1], lane), (uint)Read(warp, ops[2], lane), (uint)Read(warp, ops[3], lane), ins.PermuteMode));
                return;
            case Opcode.Dp4a:
                WriteRegister(warp, ops[0], lane, IntegerOps.Dp4a((uint)Read(warp, ops[1], lane), (uint)Read(warp, ops[2], lane), (uint)Read(warp, ops[3], lane), ins.Type.IsSigned(), ins.SourceType.IsSigned()));
                return;
            case Opcode.Dp2a:
                WriteRegister(warp, ops[0], lane, IntegerOps.Dp2a((uint)Read(warp, ops[1], lane), (uint)Read(warp, ops[2], lane), (uint)Read(warp, ops[3], lane), ins.Type.IsSigned(), ins.SourceType.IsSigned(), ins.Hi));
                return;
            case Opcode.Popc: WriteRegister(warp, ops[0], lane, IntegerOps.PopCount(Read(warp, ops[1], lane) & Mask(bits))); return;
            case Opcode.Clz:
                WriteRegister(warp, ops[0], lane, bits == 64 ? IntegerOps.CountLeadingZeros64(Read(warp, ops[1], lane)) : IntegerOps.CountLeadingZeros32((uint)Read(warp, ops[1], lane)));
                return;
            case Opcode.Brev:
                WriteRegister(warp, ops[0], lane, bits == 64 ? IntegerOps.BitReverse64(Read(warp, ops[1], lane)) : IntegerOps.BitReverse32((uint)Read(warp, ops[1], lane)));
                return;
            case Opcode.Bfind:
                WriteRegister(warp, ops[0], lane, IntegerOps.FindMostSignificantBit(Read(warp, ops[1], lane), bits, type.IsSigned(), ins.Clamp));
                return;
            case Opcode.Ex2:
            case Opcode.Lg2:
            case Opcode.Sin:
            case Opcode.Cos:
            case Opcode.Rsqrt:
            case Opcode.Rcp:
            case Opcode.Sqrt:
            case Opcode.Tanh:
                WriteRegister(warp, ops[0], lane, SpecialFunction(warp, ins, Read(warp, ops[1], lane), lane));
                return;
            case Opcode.Copysign:
                WriteRegister(warp, ops[0], lane, type == ScalarType.F64
                    ? Bits(Math.CopySign(F64(Read(warp, ops[2], lane)), F64(Read(warp, ops[1], lane))))
                    : Bits(FloatRounding.CopySign(F32(Read(warp, ops[1], lane)), F32(Read(warp, ops[2], lane)))));
                return;
            case Opcode.CallVprintf: ExecuteVprintf(warp, ins, lane); return;
            default:
                throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported instruction '{ins.Text}'");
        }
    }

    void ExecuteMov(Warp warp, Instruction ins, int lane)
    {
        var destination = ins.Operands[0];
        var source = ins.Operands[1];
        if (destination.Kind == OperandKind.Vector)
        {
            // Unpack: mov.b32 {lo, hi}, %r — element i takes bits [i·w, (i+1)·w).
            ulong value = Read(warp, source, lane);
            var elements = destination.Elements!;
            int width = ins.Type.Bits() / elements.Length;
            for (int i = 0; i < elements.Length; i++)
                WriteRegister(warp, elements[i], lane, (value >> (i * width)) & Mask(width));
            return;
        }
        if (source.Kind == OperandKind.Vector)
        {
            var elements = source.Elements!;
            int width = ins.Type.Bits() / elements.Length;
            ulong packed = 0;
            for (int i = 0; i < elements.Length; i++)
                packed |= (Read(warp, elements[i], lane) & Mask(width)) << (i * width);
            WriteRegister(warp, destination, lane, packed);
            return;
        }
        ulong bits = Read(warp, source, lane);
        WriteRegister(warp, destination, lane, ins.Type == ScalarType.Pred ? bits & 1 : bits & Mask(Math.Max(ins.Type.Bits(), 1)));
    }

    ulong Binary(Warp warp, Instruction ins, ulong a, ulong b, int lane)
    {
        var type = ins.Type;
        int bits = type.Bits();
        switch (type)
        {
            case ScalarType.F32:
            {
                float x = InF32(a, ins.Ftz), y = InF32(b, ins.Ftz);
                float result = ins.Opcode switch
                {
                    Opcode.Add => FloatRounding.Add(x, y, ins.Rounding),
                    Opcode.Sub => FloatRounding.Add(x, -y, ins.Rounding),
                    Opcode.Mul => FloatRounding.Mul(x, y, ins.Rounding),
                    Opcode.Min => FloatRounding.Min(x, y),
                    Opcode.Max => FloatRounding.Max(x, y),
                    Opcode.Div => ins.Approximate ? ApproximateMath.DivideApproximate(x, y, ins.Ftz)
                        : ins.HasRounding ? ApproximateMath.Divide(x, y, ins.Rounding, ins.Ftz)
                        : ApproximateMath.DivideFull(x, y, ins.Ftz),
                    _ => throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"'{ins.Text}' on f32"),
                };
                return OutF32(result, ins.Ftz, ins.Saturate);
            }
            case ScalarType.F64:
            {
                double x = F64(a), y = F64(b);
                if (ins.HasRounding && ins.Rounding != RoundingMode.NearestEven && ins.Opcode is Opcode.Add or Opcode.Sub or Opcode.Mul or Opcode.Div)
                    throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"directed rounding on f64 is not implemented: '{ins.Text}'");
                double result = ins.Opcode switch
                {
                    Opcode.Add => x + y,
                    Opcode.Sub => x - y,
                    Opcode.Mul => x * y,
                    Opcode.Min => FloatRounding.Min(x, y),
                    Opcode.Max => FloatRounding.Max(x, y),
                    Opcode.Div => x / y,
                    _ => throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"'{ins.Text}' on f64"),
                };
                return OutF64(result, ins.Saturate);
            }
            case ScalarType.F16:
            case ScalarType.F16x2:
            {
                var op = ins.Opcode switch
                {
                    Opcode.Add => HalfOps.Operation.Add,
                    Opcode.Sub => HalfOps.Operation.Sub,
                    Opcode.Mul => HalfOps.Operation.Mul,
                    Opcode.Min => HalfOps.Operation.Min,
                    Opcode.Max => HalfOps.Operation.Max,
                    _ => throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"'{ins.Text}' on f16"),
                };
                return type == ScalarType.F16
                    ? HalfOps.Apply((ushort)a, (ushort)b, op, ins.Rounding, ins.Ftz, ins.Saturate)
                    : HalfOps.ApplyPacked((uint)a, (uint)b, op, ins.Rounding, ins.Ftz, ins.Saturate);
            }
        }
        if (type.IsFloat() || bits == 0)
            throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported type in '{ins.Text}'");

        bool signed = type.IsSigned();
        ulong mask = Mask(bits);
        a &= mask;
        b &= mask;
        switch (ins.Opcode)
        {
            case Opcode.Add:
                if (ins.Saturate) return (ulong)(uint)IntegerOps.AddSaturate((int)a, (int)b);
                return (a + b) & mask;
            case Opcode.Sub:
                if (ins.Saturate) return (ulong)(uint)IntegerOps.SubSaturate((int)a, (int)b);
                return (a - b) & mask;
            case Opcode.Mul:
                if (ins.Wide)
                {
                    ulong product = signed ? (ulong)(Signed(a, bits) * Signed(b, bits)) : a * b;
                    return product & Mask(bits * 2);
                }
                if (ins.Hi)
                {
                    if (bits == 64) return signed ? (ulong)IntegerOps.MulHiS64((long)a, (long)b) : IntegerOps.MulHiU64(a, b);
                    ulong full = signed ? (ulong)(Signed(a, bits) * Signed(b, bits)) : a * b;
                    return (full >> bits) & mask;
                }
                return (a * b) & mask;
            case Opcode.Min:
                return signed ? (ulong)Math.Min(Signed(a, bits), Signed(b, bits)) & mask : Math.Min(a, b);
            case Opcode.Max:
                return signed ? (ulong)Math.Max(Signed(a, bits), Signed(b, bits)) & mask : Math.Max(a, b);
            case Opcode.Div:
                return signed ? (ulong)IntegerOps.DivSigned(Signed(a, bits), Signed(b, bits), bits) & mask : IntegerOps.DivUnsigned(a, b, bits);
            case Opcode.Rem:
                return signed ? (ulong)IntegerOps.RemSigned(Signed(a, bits), Signed(b, bits)) & mask : IntegerOps.RemUnsigned(a, b);
        }
        throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported instruction '{ins.Text}'");
    }

    ulong Ternary(Warp warp, Instruction ins, ulong a, ulong b, ulong c, int lane)
    {
        var type = ins.Type;
        int bits = type.Bits();
        switch (type)
        {
            case ScalarType.F32:
            {
                float result = FloatRounding.Fma(InF32(a, ins.Ftz), InF32(b, ins.Ftz), InF32(c, ins.Ftz), ins.Rounding);
                return OutF32(result, ins.Ftz, ins.Saturate);
            }
            case ScalarType.F64:
                if (ins.Rounding != RoundingMode.NearestEven)
                    throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"directed rounding on f64 is not implemented: '{ins.Text}'");
                return OutF64(Math.FusedMultiplyAdd(F64(a), F64(b), F64(c)), ins.Saturate);
            case ScalarType.F16:
                return HalfOps.Fma((ushort)a, (ushort)b, (ushort)c, ins.Rounding, ins.Ftz, ins.Saturate);
            case ScalarType.F16x2:
                return HalfOps.FmaPacked((uint)a, (uint)b, (uint)c, ins.Rounding, ins.Ftz, ins.Saturate);
        }
        if (type.IsFloat() || bits == 0)
            throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported type in '{ins.Text}'");
        bool signed = type.IsSigned();
        ulong mask = Mask(bits);
        a &= mask;
        b &= mask;
        if (ins.Wide)
        {
            ulong product = signed ? (ulong)(Signed(a, bits) * Signed(b, bits)) : a * b;
            return (product + c) & Mask(bits * 2);
        }
        if (ins.Hi)
        {
            ulong high = bits == 64
                ? (signed ? (ulong)IntegerOps.MulHiS64((long)a, (long)b) : IntegerOps.MulHiU64(a, b))
                : ((signed ? (ulong)(Signed(a, bits) * Signed(b, bits)) : a * b) >> bits) & mask;
            if (ins.Saturate) return (ulong)(uint)IntegerOps.AddSaturate((int)high, (int)c);
            return (high + c) & mask;
        }
        return (a * b + c) & mask;
    }

    ulong Unary(Warp warp, Instruction ins, ulong a, int lane)
    {
        var type = ins.Type;
        int bits = type.Bits();
        bool negate = ins.Opcode == Opcode.Neg;
        switch (type)
        {
            case ScalarType.F32:
            {
                // abs/neg act on the sign bit; .ftz flushes a subnormal input first.
                uint x = (uint)Bits(InF32(a, ins.Ftz));
                return negate ? x ^ 0x80000000u : x & 0x7fffffffu;
            }
            case ScalarType.F64:
                return negate ? a ^ 0x8000000000000000UL : a & 0x7fffffffffffffffUL;
            case ScalarType.F16:
                return negate ? (a ^ 0x8000) & 0xffff : a & 0x7fff;
            case ScalarType.F16x2:
                return negate ? HalfOps.NegatePacked((uint)a) : HalfOps.AbsPacked((uint)a);
        }
        if (type.IsFloat() || bits == 0)
            throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported type in '{ins.Text}'");
        long value = Signed(a, bits);
        // Two's complement wrap: abs(MIN) and neg(MIN) are MIN, as the ISA specifies.
        ulong result = negate ? (ulong)(-value) : (ulong)(value < 0 ? -value : value);
        return result & Mask(bits);
    }

    void ExecuteSetp(Warp warp, Instruction ins, int lane)
    {
        var ops = ins.Operands;
        ulong a = Read(warp, ops[1], lane), b = Read(warp, ops[2], lane);
        var type = ins.Type;
        int bits = type.Bits();
        bool result = type switch
        {
            ScalarType.F32 => FloatRounding.CompareFloat(InF32(a, ins.Ftz), InF32(b, ins.Ftz), ins.Compare),
            ScalarType.F64 => FloatRounding.CompareFloat(F64(a), F64(b), ins.Compare),
            ScalarType.F16 => FloatRounding.CompareFloat(Conversions.HalfToSingle((ushort)a), Conversions.HalfToSingle((ushort)b), ins.Compare),
            _ when type.IsSigned() => FloatRounding.CompareSigned(Signed(a, bits), Signed(b, bits), ins.Compare),
            _ => FloatRounding.CompareUnsigned(a & Mask(bits), b & Mask(bits), ins.Compare),
        };
        bool complement = !result;
        if (ins.Combine != 0)
        {
            bool c = Read(warp, ops[3], lane) != 0;
            (result, complement) = ins.Combine switch
            {
                'a' => (result & c, complement & c),
                'o' => (result | c, complement | c),
                _ => (result ^ c, complement ^ c),
            };
        }
        WriteRegister(warp, ops[0], lane, result ? 1UL : 0);
        if (ins.PredicateDestination >= 0)
            warp.Registers[ins.PredicateDestination * Warp.Size + lane] = complement ? 1UL : 0;
    }

    ulong SpecialFunction(Warp warp, Instruction ins, ulong a, int lane)
    {
        if (ins.Type == ScalarType.F64)
        {
            double x = F64(a);
            double result = ins.Opcode switch
            {
                Opcode.Rcp => 1.0 / x,
                Opcode.Sqrt => Math.Sqrt(x),
                Opcode.Rsqrt => 1.0 / Math.Sqrt(x),
                _ => throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported instruction '{ins.Text}'"),
            };
            return OutF64(result, false);
        }
        if (ins.Type != ScalarType.F32)
            throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported type in '{ins.Text}'");
        float value = F32(a);
        bool ftz = ins.Ftz;
        float output = ins.Opcode switch
        {
            Opcode.Ex2 => ApproximateMath.Exp2(value, ftz),
            Opcode.Lg2 => ApproximateMath.Log2(value, ftz),
            Opcode.Sin => ApproximateMath.Sin(value, ftz),
            Opcode.Cos => ApproximateMath.Cos(value, ftz),
            Opcode.Tanh => ApproximateMath.Tanh(value),
            Opcode.Rsqrt => ApproximateMath.ReciprocalSqrt(value, ftz),
            Opcode.Rcp => ins.Approximate ? ApproximateMath.Reciprocal(value, ftz) : ApproximateMath.Divide(1f, value, ins.Rounding, ftz),
            Opcode.Sqrt => ins.Approximate ? ApproximateMath.Sqrt(value, ftz) : ApproximateMath.SqrtRounded(value, ins.Rounding, ftz),
            _ => throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported instruction '{ins.Text}'"),
        };
        return OutF32(output, ftz, ins.Saturate);
    }
}
