using System.Reflection;
using System.Reflection.Emit;
using Emulator.Kernels.Engine.Interpreter;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Compiled;

/// <summary>
/// The instruction forms the compiler specialises, chosen from the decoded instruction's opcode, type and
/// modifiers. Each selector returns the lane operation whose semantics equal the interpreter's for exactly that
/// form, or null — the instruction then runs on the interpreter's semantics (never an approximation).
/// </summary>
static class InstructionEmitters
{
    public static bool TryEmit(KernelCompiler.Builder builder, int pc, Instruction ins) => ins.Opcode switch
    {
        Opcode.Ld => EmitLoad(builder, pc, ins),
        Opcode.St => EmitStore(builder, pc, ins),
        Opcode.Setp => EmitSetp(builder, ins),
        Opcode.Shfl => EmitShuffle(builder, ins),
        Opcode.Mma => EmitWarpMatrix(builder, pc, nameof(BlockExecutor.CompiledMma)),
        Opcode.Ldmatrix => EmitWarpMatrix(builder, pc, nameof(BlockExecutor.CompiledLdmatrix)),
        Opcode.CpAsync => EmitWarpMatrix(builder, pc, nameof(BlockExecutor.CompiledCpAsync)),
        Opcode.WmmaMma => EmitWarpMatrix(builder, pc, nameof(BlockExecutor.CompiledWmmaMma)),
        Opcode.WmmaLoadA or Opcode.WmmaLoadB or Opcode.WmmaLoadC => EmitWarpMatrix(builder, pc, nameof(BlockExecutor.CompiledWmmaLoad)),
        Opcode.WmmaStoreD => EmitWarpMatrix(builder, pc, nameof(BlockExecutor.CompiledWmmaStore)),
        Opcode.Mov when ins.Operands.Length == 2 && ins.Operands[0].Kind == OperandKind.Vector => EmitUnpack(builder, ins),
        Opcode.Mov when ins.Operands.Length == 2 && ins.Operands[1].Kind == OperandKind.Vector => EmitPack(builder, ins),
        Opcode.Cvt => EmitIntegerConvert(builder, ins) || EmitFloatConvert(builder, ins) || EmitPairConvert(builder, ins),
        _ => EmitArithmetic(builder, ins),
    };

    static bool EmitArithmetic(KernelCompiler.Builder builder, Instruction ins)
    {
        var ops = ins.Operands;
        if (ops.Length == 0) return false;
        int? d = KernelCompiler.Builder.DestinationOffset(ops[0]);
        if (d is null) return false;
        ulong destinationMask = builder.RegisterMask(ops[0]);
        switch (Arity(ins))
        {
            case 1:
            {
                var (op, valueMask) = SelectUnary(ins);
                if (op is null || ops.Length < 2) return false;
                int? a = builder.ValueOffset(ops[1]);
                if (a is null) return false;
                EmitCall(builder, LaneLoop(nameof(LaneLoops.Unary), op), d.Value, [a.Value], destinationMask & valueMask);
                return true;
            }
            case 2:
            {
                var op = SelectBinary(ins);
                if (op is null || ops.Length < 3) return false;
                int? a = builder.ValueOffset(ops[1]), b = builder.ValueOffset(ops[2]);
                if (a is null || b is null) return false;
                string loop = Vectorizable(ins, op, typeof(IVectorBinaryLane), destinationMask) ? nameof(LaneLoops.BinaryVector) : nameof(LaneLoops.Binary);
                EmitCall(builder, LaneLoop(loop, op), d.Value, [a.Value, b.Value], destinationMask);
                return true;
            }
            case 3:
            {
                var op = SelectTernary(ins);
                if (op is null || ops.Length < 4) return false;
                int? a = builder.ValueOffset(ops[1]), b = builder.ValueOffset(ops[2]), c = builder.ValueOffset(ops[3]);
                if (a is null || b is null || c is null) return false;
                string loop = Vectorizable(ins, op, typeof(IVectorTernaryLane), destinationMask) ? nameof(LaneLoops.TernaryVector) : nameof(LaneLoops.Ternary);
                EmitCall(builder, LaneLoop(loop, op), d.Value, [a.Value, b.Value, c.Value], destinationMask);
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The SIMD form applies when the operation has one — and, for f32, when the destination is a 32-bit register:
    /// the vector form computes the unused high half of each slot too and relies on the mask to clear it.
    /// </summary>
    static bool Vectorizable(Instruction ins, Type op, Type vectorInterface, ulong destinationMask) =>
        vectorInterface.IsAssignableFrom(op) && (ins.Type != ScalarType.F32 || destinationMask == 0xffff_ffff);

    internal static int Arity(Instruction ins) => ins.Opcode switch
    {
        Opcode.Mov or Opcode.Not or Opcode.Neg or Opcode.Abs or Opcode.Cvta or Opcode.CvtaTo or Opcode.Popc or Opcode.Clz
            or Opcode.Ex2 or Opcode.Rsqrt or Opcode.Rcp or Opcode.Tanh => 1,
        Opcode.Add or Opcode.Sub or Opcode.Mul or Opcode.Min or Opcode.Max or Opcode.And or Opcode.Or or Opcode.Xor or Opcode.Shl or Opcode.Shr
            or Opcode.Div or Opcode.Rem or Opcode.Copysign => 2,
        Opcode.Mad or Opcode.Fma or Opcode.Selp or Opcode.Dp4a or Opcode.Prmt => 3,
        _ => 0,
    };

    /// <summary>f32 arithmetic the lane structs cover: round to nearest even, no .sat (.ftz selects the flush policy).</summary>
    static bool PlainF32(Instruction ins) => ins.Type == ScalarType.F32 && !ins.Saturate && ins.Rounding == RoundingMode.NearestEven && !ins.Approximate;

    /// <summary>The rounding-mode type of f32 arithmetic with a directed rounding (.rz/.rm/.rp, no .sat), else null.</summary>
    static Type? DirectedF32(Instruction ins) =>
        ins.Type != ScalarType.F32 || ins.Saturate || ins.Approximate ? null : RoundingType(ins.Rounding) is { } t && t != typeof(NearestEvenMode) ? t : null;

    static Type? RoundingType(RoundingMode mode) => mode switch
    {
        RoundingMode.NearestEven => typeof(NearestEvenMode),
        RoundingMode.TowardZero => typeof(TowardZero),
        RoundingMode.TowardNegative => typeof(TowardNegative),
        RoundingMode.TowardPositive => typeof(TowardPositive),
        _ => null,
    };

    static Type Flush(Instruction ins) => ins.Ftz ? typeof(FlushSubnormals) : typeof(KeepSubnormals);

    /// <summary>The generic lane struct closed over the instruction's flush policy.</summary>
    static Type F32(Type open, Instruction ins) => open.MakeGenericType(ins.Ftz ? typeof(FlushSubnormals) : typeof(KeepSubnormals));

    internal static bool Integer(ScalarType type) => !type.IsFloat() && type is not (ScalarType.Pred or ScalarType.None or ScalarType.F16x2 or ScalarType.BF16x2 or ScalarType.E4M3x2 or ScalarType.E5M2x2);

    internal static (Type? Op, ulong ValueMask) SelectUnary(Instruction ins)
    {
        var type = ins.Type;
        int bits = type.Bits();
        switch (ins.Opcode)
        {
            case Opcode.Mov when ins.Operands[0].Kind == OperandKind.Register && ins.Operands[1].Kind != OperandKind.Vector:
                return (typeof(Copy), type == ScalarType.Pred ? 1UL : IntegerOps.Mask(Math.Max(bits, 1)));
            case Opcode.Not when type == ScalarType.Pred:
                return (typeof(NotPredicate), 1UL);
            case Opcode.Not when bits is 16 or 32 or 64:
                return (typeof(Not64), IntegerOps.Mask(bits));
            case Opcode.Neg when type == ScalarType.F32:
                return (F32(typeof(NegF32<>), ins), ulong.MaxValue);
            case Opcode.Abs when type == ScalarType.F32:
                return (F32(typeof(AbsF32<>), ins), ulong.MaxValue);
            case Opcode.Ex2 when type == ScalarType.F32 && !ins.Saturate:
                return (F32(typeof(Exp2F32<>), ins), ulong.MaxValue);
            case Opcode.Rsqrt when type == ScalarType.F32 && !ins.Saturate:
                return (F32(typeof(RsqrtF32<>), ins), ulong.MaxValue);
            case Opcode.Rcp when type == ScalarType.F32 && !ins.Saturate && ins.Approximate:
                return (F32(typeof(RcpApproxF32<>), ins), ulong.MaxValue);
            case Opcode.Tanh when type == ScalarType.F32 && !ins.Saturate && !ins.Ftz:
                return (typeof(TanhF32), ulong.MaxValue);
            case Opcode.Lg2 when type == ScalarType.F32 && !ins.Saturate:
                return (F32(typeof(Lg2F32<>), ins), ulong.MaxValue);
            case Opcode.Sin when type == ScalarType.F32 && !ins.Saturate:
                return (F32(typeof(SinF32<>), ins), ulong.MaxValue);
            case Opcode.Cos when type == ScalarType.F32 && !ins.Saturate:
                return (F32(typeof(CosF32<>), ins), ulong.MaxValue);
            case Opcode.Neg when Integer(type) && WidthType(bits) is { } negWidth:
                return (typeof(NegInteger<>).MakeGenericType(negWidth), ulong.MaxValue);
            case Opcode.Abs when Integer(type) && WidthType(bits) is { } absWidth:
                return (typeof(AbsInteger<>).MakeGenericType(absWidth), ulong.MaxValue);
            case Opcode.Mov when ins.Operands[0].Kind == OperandKind.Vector || ins.Operands[1].Kind == OperandKind.Vector:
                return (null, 0);
            case Opcode.Cvta when ins.Space == StateSpace.Shared:
                return (typeof(CvtaShared), ulong.MaxValue);
            case Opcode.Cvta when ins.Space is StateSpace.Global or StateSpace.Generic:
                return (typeof(Copy), ulong.MaxValue);
            case Opcode.CvtaTo when ins.Space == StateSpace.Shared:
                return (typeof(CvtaToShared), ulong.MaxValue);
            case Opcode.CvtaTo when ins.Space is StateSpace.Global or StateSpace.Generic:
                return (typeof(Copy), ulong.MaxValue);
            case Opcode.Popc when bits == 32:
                return (typeof(PopCount32), ulong.MaxValue);
            case Opcode.Popc when bits == 64:
                return (typeof(PopCount64), ulong.MaxValue);
            case Opcode.Clz when bits == 32:
                return (typeof(Clz32), ulong.MaxValue);
        }
        return (null, 0);
    }

    internal static Type? SelectBinary(Instruction ins)
    {
        var type = ins.Type;
        int bits = type.Bits();
        bool signed = type.IsSigned();
        if (type == ScalarType.F32)
        {
            if (ins.Opcode == Opcode.Div && ins.Approximate && !ins.Saturate) return F32(typeof(DivApproxF32<>), ins);
            if (ins.Opcode == Opcode.Copysign) return typeof(CopySignF32);
            if (DirectedF32(ins) is { } rounding)
            {
                var open = ins.Opcode switch { Opcode.Add => typeof(AddF32Rounded<,>), Opcode.Sub => typeof(SubF32Rounded<,>), Opcode.Mul => typeof(MulF32Rounded<,>), _ => null };
                return open?.MakeGenericType(Flush(ins), rounding);
            }
            if (!PlainF32(ins)) return null;
            return ins.Opcode switch
            {
                Opcode.Add => F32(typeof(AddF32<>), ins),
                Opcode.Sub => F32(typeof(SubF32<>), ins),
                Opcode.Mul => F32(typeof(MulF32<>), ins),
                Opcode.Min => F32(typeof(MinF32<>), ins),
                Opcode.Max => F32(typeof(MaxF32<>), ins),
                _ => null,
            };
        }
        if (type == ScalarType.F16x2)
        {
            if (ins.Ftz || ins.Saturate || ins.Rounding != RoundingMode.NearestEven) return null;
            return ins.Opcode switch
            {
                Opcode.Add => typeof(AddF16x2),
                Opcode.Sub => typeof(SubF16x2),
                Opcode.Mul => typeof(MulF16x2),
                _ => null,
            };
        }
        if (ins.Opcode is Opcode.And or Opcode.Or or Opcode.Xor)
            return ins.Opcode switch { Opcode.And => typeof(And64), Opcode.Or => typeof(Or64), _ => typeof(Xor64) };
        if (Integer(type) && bits == 16)
        {
            return ins.Opcode switch
            {
                Opcode.Add when !ins.Saturate => typeof(Add16),
                Opcode.Sub when !ins.Saturate => typeof(Sub16),
                Opcode.Mul when ins.Wide => signed ? typeof(MulWideS16) : typeof(MulWideU16),
                Opcode.Mul when !ins.Hi => typeof(MulLo16),
                Opcode.Shl => typeof(Shl16),
                Opcode.Shr => signed ? typeof(ShrS16) : typeof(ShrU16),
                _ => null,
            };
        }
        if (!Integer(type) || bits is not (32 or 64)) return null;
        bool wide = bits == 64;
        return ins.Opcode switch
        {
            Opcode.Add when !ins.Saturate => wide ? typeof(Add64) : typeof(Add32),
            Opcode.Sub when !ins.Saturate => wide ? typeof(Sub64) : typeof(Sub32),
            Opcode.Mul when ins.Wide => wide ? null : signed ? typeof(MulWideS32) : typeof(MulWideU32),
            Opcode.Mul when ins.Hi => wide ? null : signed ? typeof(MulHiS32) : typeof(MulHiU32),
            Opcode.Mul => wide ? typeof(MulLo64) : typeof(MulLo32),
            Opcode.Min => wide ? (signed ? typeof(MinS64) : typeof(MinU64)) : (signed ? typeof(MinS32) : typeof(MinU32)),
            Opcode.Max => wide ? (signed ? typeof(MaxS64) : typeof(MaxU64)) : (signed ? typeof(MaxS32) : typeof(MaxU32)),
            Opcode.Shl => wide ? typeof(Shl64) : typeof(Shl32),
            Opcode.Shr => signed ? (wide ? typeof(ShrS64) : typeof(ShrS32)) : (wide ? typeof(ShrU64) : typeof(ShrU32)),
            Opcode.Div => wide ? (signed ? typeof(DivS64) : typeof(DivU64)) : signed ? typeof(DivS32) : typeof(DivU32),
            Opcode.Rem => wide ? (signed ? typeof(RemS64) : typeof(RemU64)) : signed ? typeof(RemS32) : typeof(RemU32),
            _ => null,
        };
    }

    internal static Type? SelectTernary(Instruction ins)
    {
        var type = ins.Type;
        int bits = type.Bits();
        switch (ins.Opcode)
        {
            case Opcode.Selp:
                return ins.Operands[3].Kind == OperandKind.Register && !ins.Operands[3].Negated ? typeof(Selp) : null;
            case Opcode.Dp4a:
                return (type.IsSigned(), ins.SourceType.IsSigned()) switch
                {
                    (false, false) => typeof(Dp4aUU),
                    (true, true) => typeof(Dp4aSS),
                    (true, false) => typeof(Dp4aSU),
                    _ => typeof(Dp4aUS),
                };
            case Opcode.Prmt:
                return ins.PermuteMode == IntegerOps.PermuteMode.Default ? typeof(PermuteDefault) : null;
            case Opcode.Mad or Opcode.Fma when type == ScalarType.F32:
                if (DirectedF32(ins) is { } rounding) return typeof(FmaF32Rounded<,>).MakeGenericType(Flush(ins), rounding);
                return PlainF32(ins) ? F32(typeof(FmaF32<>), ins) : null;
            case Opcode.Fma or Opcode.Mad when type == ScalarType.F16x2:
                return !ins.Ftz && !ins.Saturate && ins.Rounding == RoundingMode.NearestEven ? typeof(FmaF16x2) : null;
            case Opcode.Mad when Integer(type) && !ins.Hi && !ins.Saturate:
                if (bits == 32) return ins.Wide ? (type.IsSigned() ? typeof(MadWideS32) : typeof(MadWideU32)) : typeof(MadLo32);
                if (bits == 64 && !ins.Wide) return typeof(MadLo64);
                return null;
        }
        return null;
    }

    static bool EmitSetp(KernelCompiler.Builder builder, Instruction ins)
    {
        var ops = ins.Operands;
        int? d = KernelCompiler.Builder.DestinationOffset(ops[0]);
        int? a = builder.ValueOffset(ops[1]), b = builder.ValueOffset(ops[2]);
        int c = -1;
        if (ins.Combine != 0)
        {
            if (ops.Length < 4 || ops[3].Kind != OperandKind.Register || ops[3].Negated) return false;
            c = ops[3].Register * Warp.Size;
        }
        var compare = SelectCompare(ins);
        if (d is null || a is null || b is null || compare is null) return false;
        var il = builder.IL;
        builder.EmitRegisters();
        builder.EmitInt(d.Value);
        builder.EmitInt(ins.PredicateDestination >= 0 ? ins.PredicateDestination * Warp.Size : -1);
        builder.EmitInt(a.Value);
        builder.EmitInt(b.Value);
        builder.EmitInt(c);
        builder.EmitInt(ins.Combine);
        builder.EmitEnabled();
        il.Emit(OpCodes.Call, LaneLoop(nameof(LaneLoops.Setp), compare));
        return true;
    }

    internal static Type? SelectCompare(Instruction ins) => SelectSpecificCompare(ins) ?? SelectGenericCompare(ins);

    /// <summary>Any setp the interpreter evaluates with FloatRounding.Compare* on f32 or an integer type (f16/f64 excepted).</summary>
    static Type? SelectGenericCompare(Instruction ins)
    {
        var compare = ins.Compare switch
        {
            FloatRounding.Compare.Eq => typeof(CompareEq), FloatRounding.Compare.Ne => typeof(CompareNe),
            FloatRounding.Compare.Lt => typeof(CompareLt), FloatRounding.Compare.Le => typeof(CompareLe),
            FloatRounding.Compare.Gt => typeof(CompareGt), FloatRounding.Compare.Ge => typeof(CompareGe),
            FloatRounding.Compare.Lo => typeof(CompareLo), FloatRounding.Compare.Ls => typeof(CompareLs),
            FloatRounding.Compare.Hi => typeof(CompareHi), FloatRounding.Compare.Hs => typeof(CompareHs),
            FloatRounding.Compare.Equ => typeof(CompareEqu), FloatRounding.Compare.Neu => typeof(CompareNeu),
            FloatRounding.Compare.Ltu => typeof(CompareLtu), FloatRounding.Compare.Leu => typeof(CompareLeu),
            FloatRounding.Compare.Gtu => typeof(CompareGtu), FloatRounding.Compare.Geu => typeof(CompareGeu),
            FloatRounding.Compare.Num => typeof(CompareNum), FloatRounding.Compare.Nan => typeof(CompareNan),
            _ => null,
        };
        if (compare is null) return null;
        if (ins.Type == ScalarType.F32) return typeof(CompareF32Generic<,>).MakeGenericType(Flush(ins), compare);
        if (!Integer(ins.Type) || WidthType(ins.Type.Bits()) is not { } width) return null;
        return (ins.Type.IsSigned() ? typeof(CompareSignedGeneric<,>) : typeof(CompareUnsignedGeneric<,>)).MakeGenericType(width, compare);
    }

    static Type? WidthType(int bits) => bits switch { 8 => typeof(Width8), 16 => typeof(Width16), 32 => typeof(Width32), 64 => typeof(Width64), _ => null };

    static Type? SelectSpecificCompare(Instruction ins)
    {
        var type = ins.Type;
        int bits = type.Bits();
        var op = ins.Compare;
        if (type == ScalarType.F32)
        {
            var open = op switch
            {
                FloatRounding.Compare.Eq => typeof(EqF32<>),
                FloatRounding.Compare.Ne => typeof(NeF32<>),
                FloatRounding.Compare.Lt => typeof(LtF32<>),
                FloatRounding.Compare.Le => typeof(LeF32<>),
                FloatRounding.Compare.Gt => typeof(GtF32<>),
                FloatRounding.Compare.Ge => typeof(GeF32<>),
                FloatRounding.Compare.Neu => typeof(NeuF32<>),
                FloatRounding.Compare.Nan => typeof(NanF32<>),
                _ => null,
            };
            return open is null ? null : F32(open, ins);
        }
        if (!Integer(type) || bits is not (32 or 64)) return null;
        bool wide = bits == 64;
        if (type.IsSigned())
        {
            return op switch
            {
                FloatRounding.Compare.Eq => wide ? typeof(EqU64) : typeof(EqU32),
                FloatRounding.Compare.Ne => wide ? typeof(NeU64) : typeof(NeU32),
                FloatRounding.Compare.Lt => wide ? typeof(LtS64) : typeof(LtS32),
                FloatRounding.Compare.Le => wide ? typeof(LeS64) : typeof(LeS32),
                FloatRounding.Compare.Gt => wide ? typeof(GtS64) : typeof(GtS32),
                FloatRounding.Compare.Ge => wide ? typeof(GeS64) : typeof(GeS32),
                _ => null,
            };
        }
        return op switch
        {
            FloatRounding.Compare.Eq => wide ? typeof(EqU64) : typeof(EqU32),
            FloatRounding.Compare.Ne => wide ? typeof(NeU64) : typeof(NeU32),
            FloatRounding.Compare.Lt or FloatRounding.Compare.Lo => wide ? typeof(LtU64) : typeof(LtU32),
            FloatRounding.Compare.Le or FloatRounding.Compare.Ls => wide ? typeof(LeU64) : typeof(LeU32),
            FloatRounding.Compare.Gt or FloatRounding.Compare.Hi => wide ? typeof(GtU64) : typeof(GtU32),
            FloatRounding.Compare.Ge or FloatRounding.Compare.Hs => wide ? typeof(GeU64) : typeof(GeU32),
            _ => null,
        };
    }

    /// <summary>Integer-to-integer cvt without saturation: truncate or extend as the source and destination types say.</summary>
    static bool EmitIntegerConvert(KernelCompiler.Builder builder, Instruction ins)
    {
        var (destination, source) = (ins.Type, ins.SourceType);
        if (!Integer(destination) || !Integer(source) || ins.Saturate || ins.Operands.Length != 2) return false;
        int? d = KernelCompiler.Builder.DestinationOffset(ins.Operands[0]);
        int? a = builder.ValueOffset(ins.Operands[1]);
        if (d is null || a is null) return false;
        builder.EmitRegisters();
        builder.EmitInt(d.Value);
        builder.EmitInt(a.Value);
        builder.EmitInt(source.Bits());
        builder.EmitInt(source.IsSigned() ? 1 : 0);
        builder.EmitInt(destination.Bits());
        builder.EmitInt(destination.IsSigned() ? 1 : 0);
        builder.EmitULong(builder.RegisterMask(ins.Operands[0]));
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(LaneLoops), nameof(LaneLoops.ConvertInteger)));
        return true;
    }

    /// <summary>A warp-wide instruction (matrix, cp.async): executor.Compiled…(warp, registers, pc, enabled), which falls back to the interpreter itself.</summary>
    static bool EmitWarpMatrix(KernelCompiler.Builder builder, int pc, string method)
    {
        // As for an interpreted instruction: no enabled lane, nothing happens.
        var skip = builder.IL.DefineLabel();
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Brfalse, skip);
        builder.IL.Emit(OpCodes.Ldarg_0);
        builder.IL.Emit(OpCodes.Ldarg_1);
        builder.EmitRegisters();
        builder.EmitInt(pc);
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), method));
        builder.IL.MarkLabel(skip);
        return true;
    }

    static bool EmitShuffle(KernelCompiler.Builder builder, Instruction ins)
    {
        var ops = ins.Operands;
        if (ops.Length < 4) return false;
        int? d = KernelCompiler.Builder.DestinationOffset(ops[0]);
        int? a = builder.ValueOffset(ops[1]), b = builder.ValueOffset(ops[2]), c = builder.ValueOffset(ops[3]);
        if (d is null || a is null || b is null || c is null) return false;
        int mode = ins.SubOp switch { "up" => 0, "down" => 1, "bfly" => 2, _ => 3 };
        if (builder.TryConstant(ops[2], out ulong offset) && builder.TryConstant(ops[3], out ulong control))
        {
            // Lane offset and clamp/segment control known: the source lane of every lane is fixed at compile time.
            builder.EmitRegisters();
            builder.EmitInt(d.Value);
            builder.EmitInt(ins.PredicateDestination >= 0 ? ins.PredicateDestination * Warp.Size : -1);
            builder.EmitInt(a.Value);
            builder.EmitULong(LaneLoops.ShuffleSources(mode, (int)(offset & 0x1f), (uint)control));
            builder.EmitULong(builder.RegisterMask(ops[0]));
            builder.EmitEnabled();
            builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(LaneLoops), nameof(LaneLoops.ShuffleFixed)));
            return true;
        }
        builder.EmitRegisters();
        builder.EmitInt(d.Value);
        builder.EmitInt(ins.PredicateDestination >= 0 ? ins.PredicateDestination * Warp.Size : -1);
        builder.EmitInt(a.Value);
        builder.EmitInt(b.Value);
        builder.EmitInt(c.Value);
        builder.EmitInt(mode);
        builder.EmitULong(builder.RegisterMask(ops[0]));
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(LaneLoops), nameof(LaneLoops.Shuffle)));
        return true;
    }

    static bool EmitUnpack(KernelCompiler.Builder builder, Instruction ins)
    {
        var elements = ins.Operands[0].Elements;
        int? a = builder.ValueOffset(ins.Operands[1]);
        if (elements is null || elements.Length is not (2 or 4) || a is null) return false;
        int width = ins.Type.Bits() / elements.Length;
        Span<int> destinations = [-1, -1, -1, -1];
        int registerBits = -1;
        for (int i = 0; i < elements.Length; i++)
        {
            if (elements[i].Kind == OperandKind.Discard) continue;
            if (KernelCompiler.Builder.DestinationOffset(elements[i]) is not int d) return false;
            int bits = builder.Kernel.RegisterBits[elements[i].Register];
            if (registerBits >= 0 && bits != registerBits) return false;
            registerBits = bits;
            destinations[i] = d;
        }
        builder.EmitRegisters();
        builder.EmitInt(a.Value);
        builder.EmitInt(elements.Length);
        builder.EmitInt(width);
        foreach (int d in destinations) builder.EmitInt(d);
        builder.EmitULong(registerBits < 0 ? 0 : IntegerOps.Mask(registerBits));
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(LaneLoops), nameof(LaneLoops.Unpack)));
        return true;
    }

    static bool EmitPack(KernelCompiler.Builder builder, Instruction ins)
    {
        var elements = ins.Operands[1].Elements;
        int? d = KernelCompiler.Builder.DestinationOffset(ins.Operands[0]);
        if (elements is null || elements.Length is not (2 or 4) || d is null) return false;
        int width = ins.Type.Bits() / elements.Length;
        Span<int> sources = [0, 0, 0, 0];
        for (int i = 0; i < elements.Length; i++)
        {
            if (builder.ValueOffset(elements[i]) is not int s) return false;
            sources[i] = s;
        }
        builder.EmitRegisters();
        builder.EmitInt(d.Value);
        builder.EmitInt(elements.Length);
        builder.EmitInt(width);
        foreach (int s in sources) builder.EmitInt(s);
        builder.EmitULong(builder.RegisterMask(ins.Operands[0]));
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(LaneLoops), nameof(LaneLoops.Pack)));
        return true;
    }

    /// <summary>The float conversions ggml's kernels use most, each with the interpreter's exact rounding.</summary>
    internal static Type? SelectFloatConvert(Instruction ins)
    {
        if (ins.Saturate || ins.Operands.Length != 2) return null;
        if (ins.SourceType == ScalarType.F32 && RoundingType(ins.Rounding) is { } rounding && ins.HasRounding)
        {
            if (ins.RoundToIntegral && ins.Type == ScalarType.F32) return typeof(RoundIntegralF32<,>).MakeGenericType(Flush(ins), rounding);
            if (ins.Type == ScalarType.S32) return typeof(F32ToS32<,>).MakeGenericType(Flush(ins), rounding);
            if (ins.Type == ScalarType.U32) return typeof(F32ToU32<,>).MakeGenericType(Flush(ins), rounding);
        }
        if (ins.RoundToIntegral) return null;
        bool nearest = ins.Rounding == RoundingMode.NearestEven;
        return (ins.Type, ins.SourceType) switch
        {
            (ScalarType.F32, ScalarType.F16) => F32(typeof(F16ToF32<>), ins),
            (ScalarType.F32, ScalarType.BF16) => F32(typeof(Bf16ToF32<>), ins),
            (ScalarType.F32, ScalarType.S32) when nearest => typeof(S32ToF32),
            (ScalarType.F32, ScalarType.S16) when nearest => typeof(S16ToF32),
            (ScalarType.F16, ScalarType.S32) when nearest => typeof(S32ToF16),
            (ScalarType.F32, ScalarType.U16) when nearest => typeof(U16ToF32),
            (ScalarType.F32, ScalarType.U32) when nearest => typeof(U32ToF32),
            (ScalarType.F16, ScalarType.F32) when nearest => F32(typeof(F32ToF16<>), ins),
            (ScalarType.BF16, ScalarType.F32) when nearest => F32(typeof(F32ToBf16<>), ins),
            _ => null,
        };
    }

    static bool EmitFloatConvert(KernelCompiler.Builder builder, Instruction ins)
    {
        var op = SelectFloatConvert(ins);
        if (op is null) return false;
        int? d = KernelCompiler.Builder.DestinationOffset(ins.Operands[0]);
        int? a = builder.ValueOffset(ins.Operands[1]);
        if (d is null || a is null) return false;
        EmitCall(builder, LaneLoop(nameof(LaneLoops.Unary), op), d.Value, [a.Value], builder.RegisterMask(ins.Operands[0]));
        return true;
    }

    /// <summary>cvt with two sources packing one result (f16x2 from two f32), or null.</summary>
    internal static Type? SelectPairConvert(Instruction ins) =>
        ins.Operands.Length == 3 && ins.Type == ScalarType.F16x2 && ins.SourceType == ScalarType.F32 && !ins.Saturate
            && ins.Rounding == RoundingMode.NearestEven ? F32(typeof(F32PairToF16x2<>), ins) : null;

    static bool EmitPairConvert(KernelCompiler.Builder builder, Instruction ins)
    {
        if (SelectPairConvert(ins) is not { } op) return false;
        int? d = KernelCompiler.Builder.DestinationOffset(ins.Operands[0]);
        int? a = builder.ValueOffset(ins.Operands[1]), b = builder.ValueOffset(ins.Operands[2]);
        if (d is null || a is null || b is null) return false;
        EmitCall(builder, LaneLoop(nameof(LaneLoops.Binary), op), d.Value, [a.Value, b.Value], builder.RegisterMask(ins.Operands[0]));
        return true;
    }

    static bool EmitLoad(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var ops = ins.Operands;
        if (!MemoryShape(ins, ops[1], out int address, out long offset, out int elementBytes)) return false;
        if (ins.VectorWidth == 1 && KernelCompiler.Builder.DestinationOffset(ops[0]) is int scalar)
        {
            ulong mask = IntegerOps.Mask(builder.Kernel.RegisterBits[ops[0].Register]);
            bool signExtend = ins.Type.IsSigned();
            if (ins.Space == StateSpace.Param && ops[1].Base == AddressBase.ParamSymbol)
            {
                builder.IL.Emit(OpCodes.Ldarg_0);
                builder.IL.Emit(OpCodes.Ldarg_1);
                builder.EmitRegisters();
                builder.EmitInt(pc);
                builder.EmitLong(offset);
                builder.EmitInt(elementBytes);
                builder.EmitInt(scalar);
                builder.EmitInt(signExtend ? 1 : 0);
                builder.EmitULong(mask);
                builder.EmitEnabled();
                builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.LoadParameterBroadcast)));
                return true;
            }
            if (ins.Space is StateSpace.Global or StateSpace.Shared && address >= 0)
            {
                EmitMemoryAccess(builder, pc, address, offset);
                builder.EmitInt(scalar);
                builder.EmitInt(signExtend ? 1 : 0);
                builder.EmitULong(mask);
                builder.EmitEnabled();
                builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.LoadScalarLanes)).MakeGenericMethod(ElementType(elementBytes)));
                return true;
            }
        }
        Span<int> destinations = [-1, -1, -1, -1];
        int registerBits;
        if (ins.VectorWidth == 1)
        {
            if (KernelCompiler.Builder.DestinationOffset(ops[0]) is not int d) return false;
            destinations[0] = d;
            registerBits = builder.Kernel.RegisterBits[ops[0].Register];
        }
        else
        {
            var elements = ops[0].Elements;
            if (elements is null || elements.Length != ins.VectorWidth) return false;
            registerBits = -1;
            for (int i = 0; i < elements.Length; i++)
            {
                if (KernelCompiler.Builder.DestinationOffset(elements[i]) is not int d) return false;
                int bits = builder.Kernel.RegisterBits[elements[i].Register];
                if (registerBits >= 0 && bits != registerBits) return false;
                registerBits = bits;
                destinations[i] = d;
            }
        }
        EmitMemoryAccess(builder, pc, address, offset);
        builder.EmitInt(elementBytes);
        builder.EmitInt(ins.VectorWidth);
        foreach (int d in destinations) builder.EmitInt(d < 0 ? 0 : d);
        builder.EmitInt(ins.Type.IsSigned() ? 1 : 0);
        builder.EmitULong(IntegerOps.Mask(registerBits));
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.LoadLanes)));
        return true;
    }

    static bool EmitStore(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var ops = ins.Operands;
        if (!MemoryShape(ins, ops[0], out int address, out long offset, out int elementBytes)) return false;
        if (ins.VectorWidth == 1 && ins.Space is StateSpace.Global or StateSpace.Shared && address >= 0 && builder.ValueOffset(ops[1]) is int value)
        {
            EmitMemoryAccess(builder, pc, address, offset);
            builder.EmitInt(value);
            builder.EmitEnabled();
            builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.StoreScalarLanes)).MakeGenericMethod(ElementType(elementBytes)));
            return true;
        }
        Span<int> sources = [0, 0, 0, 0];
        if (ins.VectorWidth == 1)
        {
            if (builder.ValueOffset(ops[1]) is not int s) return false;
            sources[0] = s;
        }
        else
        {
            var elements = ops[1].Elements;
            if (elements is null || elements.Length != ins.VectorWidth) return false;
            for (int i = 0; i < elements.Length; i++)
            {
                if (builder.ValueOffset(elements[i]) is not int s) return false;
                sources[i] = s;
            }
        }
        EmitMemoryAccess(builder, pc, address, offset);
        builder.EmitInt(elementBytes);
        builder.EmitInt(ins.VectorWidth);
        foreach (int s in sources) builder.EmitInt(s);
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.StoreLanes)));
        return true;
    }

    /// <summary>ld/st forms the memory lanes handle: a register or window-symbol base, 1–8 byte elements, 1/2/4-wide vectors.</summary>
    static bool MemoryShape(Instruction ins, in Operand addressOperand, out int address, out long offset, out int elementBytes)
    {
        address = -1;
        offset = addressOperand.Offset;
        elementBytes = ins.Type.Bits() / 8;
        if (elementBytes is not (1 or 2 or 4 or 8) || ins.VectorWidth is not (1 or 2 or 4)) return false;
        if (ins.Space is not (StateSpace.Global or StateSpace.Shared or StateSpace.Generic or StateSpace.Local or StateSpace.Param or StateSpace.Const)) return false;
        if (addressOperand.Kind != OperandKind.Address) return false;
        switch (addressOperand.Base)
        {
            case AddressBase.Register:
                address = addressOperand.Register * Warp.Size;
                return true;
            case AddressBase.None or AddressBase.SharedSymbol or AddressBase.LocalSymbol or AddressBase.ParamSymbol or AddressBase.CallParamSymbol:
                return true;
            default:
                return false;
        }
    }

    /// <summary>The arguments every memory lane loop starts with: executor, warp, registers, instruction index, address register, offset.</summary>
    static void EmitMemoryAccess(KernelCompiler.Builder builder, int pc, int address, long offset)
    {
        builder.IL.Emit(OpCodes.Ldarg_0);
        builder.IL.Emit(OpCodes.Ldarg_1);
        builder.EmitRegisters();
        builder.EmitInt(pc);
        builder.EmitInt(address);
        builder.EmitLong(offset);
    }

    static Type ElementType(int bytes) => bytes switch { 1 => typeof(byte), 2 => typeof(ushort), 4 => typeof(uint), _ => typeof(ulong) };

    static MethodInfo LaneLoop(string name, Type op) => KernelCompiler.Method(typeof(LaneLoops), name).MakeGenericMethod(op);

    static void EmitCall(KernelCompiler.Builder builder, MethodInfo loop, int destination, int[] sources, ulong destinationMask)
    {
        builder.EmitRegisters();
        builder.EmitInt(destination);
        foreach (int source in sources) builder.EmitInt(source);
        builder.EmitULong(destinationMask);
        builder.EmitEnabled();
        builder.IL.Emit(OpCodes.Call, loop);
    }
}
