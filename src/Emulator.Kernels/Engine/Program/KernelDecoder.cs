using Emulator.Kernels.Engine.Scheduling;
using Emulator.Kernels.Engine.Semantics;
using Emulator.Kernels.Ir;

namespace Emulator.Kernels.Engine.Program;

/// <summary>
/// Lowers one IR kernel to the engine's <see cref="ExecutableKernel"/>: resolves symbols to window offsets,
/// immediates to the bits their operand position expects, and modifier sets to the fields the interpreter
/// switches on. Forms the engine does not execute become <see cref="Opcode.Unsupported"/>, which fault with
/// IllegalInstruction only if they are actually reached.
/// </summary>
public static class KernelDecoder
{
    public static ExecutableKernel Decode(IrModule module, IrFunction function)
    {
        var globals = new List<string>();
        var registerBits = function.Registers.Select(r => r.Type == IrType.Pred ? 1 : Math.Max(r.Type.SizeInBytes() * 8, 8)).ToArray();
        int dynamicAlignment = Math.Max(function.DynamicSharedAlignment, 16);
        long dynamicOffset = (function.StaticSharedSize + dynamicAlignment - 1) / dynamicAlignment * dynamicAlignment;
        var decoder = new FunctionDecoder(module, function, globals, dynamicOffset);
        var code = new Instruction[function.Instructions.Length + 1];
        for (int i = 0; i < function.Instructions.Length; i++)
            code[i] = decoder.Decode(function.Instructions[i]);
        // Falling off the end of a kernel body returns, as the closing brace does in PTX.
        code[^1] = new Instruction { Opcode = Opcode.Ret, Line = function.Instructions.Length > 0 ? function.Instructions[^1].SourceLine : function.SourceLine, Text = "ret (end of kernel)" };

        int maxThreads = 1024;
        var limit = function.ReqNtid ?? function.MaxNtid;
        if (limit is { Length: > 0 }) maxThreads = limit.Aggregate(1, (product, x) => product * x);

        return new ExecutableKernel
        {
            Name = function.Name,
            Code = code,
            RegisterBits = registerBits,
            ParamBytes = checked((int)function.ParameterBufferSize),
            StaticSharedBytes = checked((int)function.StaticSharedSize),
            DynamicSharedOffset = checked((int)dynamicOffset),
            LocalBytes = checked((int)function.LocalSize),
            CallParamBytes = checked((int)function.CallArgumentSize),
            GlobalSymbols = globals.ToArray(),
            MaxThreadsPerBlock = maxThreads,
            BlockOrdering = BlockOrderingAnalysis.Classify(function),
        };
    }

    sealed class FunctionDecoder(IrModule module, IrFunction function, List<string> globals, long dynamicSharedOffset)
    {
        public Instruction Decode(in IrInstruction ir)
        {
            var m = ir.Modifiers;
            var instruction = new Instruction
            {
                GuardRegister = ir.Guard,
                GuardNegated = ir.GuardNegated,
                PredicateDestination = ir.PairedDestination,
                Line = ir.SourceLine,
                Text = Describe(ir),
                Type = Map(m.Type),
                Ftz = m.Has(IrFlags.Ftz),
                Saturate = m.Has(IrFlags.Sat) || m.Has(IrFlags.SatFinite),
                Approximate = m.Has(IrFlags.Approx),
                Hi = m.Has(IrFlags.Hi),
                Lo = m.Has(IrFlags.Lo),
                Wide = m.Has(IrFlags.Wide),
                Transpose = m.Has(IrFlags.Transpose),
                Clamp = m.Has(IrFlags.Clamp) || m.Has(IrFlags.ShiftAmount),
                IsUniform = m.Has(IrFlags.Uni),
                Space = Map(m.Space),
                VectorWidth = Math.Max((int)m.VectorWidth, 1),
                Shape = (m.ShapeM, m.ShapeN, m.ShapeK),
            };
            (instruction.Rounding, instruction.HasRounding, instruction.RoundToIntegral) = m.Rounding switch
            {
                IrRounding.Rn => (RoundingMode.NearestEven, true, false),
                IrRounding.Rz => (RoundingMode.TowardZero, true, false),
                IrRounding.Rm => (RoundingMode.TowardNegative, true, false),
                IrRounding.Rp => (RoundingMode.TowardPositive, true, false),
                IrRounding.Rni => (RoundingMode.NearestEven, true, true),
                IrRounding.Rzi => (RoundingMode.TowardZero, true, true),
                IrRounding.Rmi => (RoundingMode.TowardNegative, true, true),
                IrRounding.Rpi => (RoundingMode.TowardPositive, true, true),
                IrRounding.Rna => (RoundingMode.NearestAway, true, false),
                _ => (RoundingMode.NearestEven, false, false),
            };
            instruction.Opcode = MapOpcode(ir, instruction);
            if (instruction.Opcode == Opcode.Unsupported) return instruction;

            var operands = new Operand[ir.OperandCount];
            for (int i = 0; i < operands.Length; i++)
            {
                var operand = function.Operands[ir.FirstOperand + i];
                var decoded = DecodeOperand(operand, ImmediateType(ir, i));
                if (decoded is null)
                {
                    instruction.Opcode = Opcode.Unsupported;
                    instruction.Text += " (operand not supported by the engine)";
                    return instruction;
                }
                operands[i] = decoded.Value;
            }
            if (ir.Opcode == IrOpcode.Bra && ir.BranchTarget >= 0)
                operands = [Operand.Label(ir.BranchTarget)];
            if (instruction.Opcode == Opcode.CallVprintf)
            {
                // call (returns), vprintf, (format, arguments): flatten to [return, format, arguments].
                var returns = operands[0].Elements ?? [];
                var arguments = operands[2].Elements ?? [];
                if (returns.Length > 1 || arguments.Length != 2)
                {
                    instruction.Opcode = Opcode.Unsupported;
                    return instruction;
                }
                operands = [returns.Length == 1 ? returns[0] : Operand.Discard, arguments[0], arguments[1]];
            }
            instruction.Operands = operands;
            return instruction;
        }

        Opcode MapOpcode(in IrInstruction ir, Instruction instruction)
        {
            var m = ir.Modifiers;
            switch (ir.Opcode)
            {
                case IrOpcode.Add: return Opcode.Add;
                case IrOpcode.Sub: return Opcode.Sub;
                case IrOpcode.Mul: return Opcode.Mul;
                case IrOpcode.Mad: return Opcode.Mad;
                case IrOpcode.Fma: return Opcode.Fma;
                case IrOpcode.Div: return Opcode.Div;
                case IrOpcode.Rem: return Opcode.Rem;
                case IrOpcode.Abs: return Opcode.Abs;
                case IrOpcode.Neg: return Opcode.Neg;
                case IrOpcode.Min: return Opcode.Min;
                case IrOpcode.Max: return Opcode.Max;
                case IrOpcode.Rcp: return Opcode.Rcp;
                case IrOpcode.Sqrt: return Opcode.Sqrt;
                case IrOpcode.Rsqrt: return Opcode.Rsqrt;
                case IrOpcode.Sin: return Opcode.Sin;
                case IrOpcode.Cos: return Opcode.Cos;
                case IrOpcode.Lg2: return Opcode.Lg2;
                case IrOpcode.Ex2: return Opcode.Ex2;
                case IrOpcode.Tanh: return Opcode.Tanh;
                case IrOpcode.Copysign: return Opcode.Copysign;
                case IrOpcode.Popc: return Opcode.Popc;
                case IrOpcode.Clz: return Opcode.Clz;
                case IrOpcode.Bfind: return Opcode.Bfind;
                case IrOpcode.Brev: return Opcode.Brev;
                case IrOpcode.Bfe: return Opcode.Bfe;
                case IrOpcode.Bfi: return Opcode.Bfi;
                case IrOpcode.Bmsk: return Opcode.Bmsk;
                case IrOpcode.Dp4a:
                case IrOpcode.Dp2a:
                    instruction.SourceType = Map(m.Type2);
                    return ir.Opcode == IrOpcode.Dp4a ? Opcode.Dp4a : Opcode.Dp2a;
                case IrOpcode.Prmt:
                    instruction.PermuteMode = m.Permute switch
                    {
                        IrPermuteMode.F4e => IntegerOps.PermuteMode.Forward4Extract,
                        IrPermuteMode.B4e => IntegerOps.PermuteMode.Backward4Extract,
                        IrPermuteMode.Rc8 => IntegerOps.PermuteMode.Replicate8,
                        IrPermuteMode.Ecl => IntegerOps.PermuteMode.EdgeClampLeft,
                        IrPermuteMode.Ecr => IntegerOps.PermuteMode.EdgeClampRight,
                        IrPermuteMode.Rc16 => IntegerOps.PermuteMode.Replicate16,
                        _ => IntegerOps.PermuteMode.Default,
                    };
                    return Opcode.Prmt;
                case IrOpcode.Lop3: return Opcode.Lop3;
                case IrOpcode.Shl: return Opcode.Shl;
                case IrOpcode.Shr: return Opcode.Shr;
                case IrOpcode.And: return Opcode.And;
                case IrOpcode.Or: return Opcode.Or;
                case IrOpcode.Xor: return Opcode.Xor;
                case IrOpcode.Not: return Opcode.Not;
                case IrOpcode.Cnot: return Opcode.Cnot;
                case IrOpcode.Setp:
                    instruction.Compare = (FloatRounding.Compare)(m.Compare - 1);
                    instruction.Combine = m.Reduction switch { IrReduction.And => 'a', IrReduction.Or => 'o', IrReduction.Xor => 'x', _ => '\0' };
                    return m.Compare == IrCompare.None ? Opcode.Unsupported : Opcode.Setp;
                case IrOpcode.Selp: return Opcode.Selp;
                case IrOpcode.Mov: return Opcode.Mov;
                case IrOpcode.Ld:
                case IrOpcode.Ldu:
                    return Opcode.Ld;
                case IrOpcode.St: return Opcode.St;
                case IrOpcode.Cvt:
                    instruction.SourceType = Map(m.Type2);
                    return Opcode.Cvt;
                case IrOpcode.Cvta:
                    return m.Has(IrFlags.ToSpace) ? Opcode.CvtaTo : Opcode.Cvta;
                case IrOpcode.Prefetch: return Opcode.PrefetchOrHint;
                case IrOpcode.CpAsync:
                    return m.Has(IrFlags.Bulk) ? Opcode.Unsupported : Opcode.CpAsync;
                case IrOpcode.CpAsyncCommitGroup: return Opcode.CpAsyncCommit;
                case IrOpcode.CpAsyncWaitGroup: return Opcode.CpAsyncWaitGroup;
                case IrOpcode.CpAsyncWaitAll: return Opcode.CpAsyncWaitAll;
                case IrOpcode.Mma:
                    instruction.SourceType = Map(m.Type2);
                    instruction.CType = Map(m.Type4);
                    instruction.ARowMajor = m.LayoutA != IrMatrixLayout.Col;
                    instruction.BRowMajor = m.LayoutB == IrMatrixLayout.Row;
                    // The ISA fixes .row.col for every shape the engine implements.
                    return instruction.ARowMajor && !instruction.BRowMajor ? Opcode.Mma : Opcode.Unsupported;
                case IrOpcode.Ldmatrix:
                    instruction.VectorWidth = Math.Max((int)m.MatrixCount, 1);
                    return m.ShapeM == 8 && m.ShapeN == 8 ? Opcode.Ldmatrix : Opcode.Unsupported;
                case IrOpcode.Movmatrix: return Opcode.Movmatrix;
                case IrOpcode.WmmaLoad:
                case IrOpcode.WmmaStore:
                    instruction.ARowMajor = (m.LayoutA != IrMatrixLayout.None ? m.LayoutA : m.LayoutB) != IrMatrixLayout.Col;
                    if (ir.Opcode == IrOpcode.WmmaStore) return Opcode.WmmaStoreD;
                    return m.Fragment switch { IrMatrixFragment.A => Opcode.WmmaLoadA, IrMatrixFragment.B => Opcode.WmmaLoadB, IrMatrixFragment.C => Opcode.WmmaLoadC, _ => Opcode.Unsupported };
                case IrOpcode.WmmaMma:
                    instruction.CType = Map(m.Type2);
                    return m.LayoutA == IrMatrixLayout.Row && m.LayoutB == IrMatrixLayout.Col ? Opcode.WmmaMma : Opcode.Unsupported;
                case IrOpcode.Bra: return Opcode.Bra;
                case IrOpcode.Call:
                {
                    for (int i = 0; i < ir.OperandCount; i++)
                    {
                        var operand = function.Operands[ir.FirstOperand + i];
                        if (operand.Kind == IrOperandKind.Function && module.Functions[operand.Function].Name == "vprintf")
                            return Opcode.CallVprintf;
                    }
                    return Opcode.Unsupported;
                }
                case IrOpcode.Ret: return Opcode.Ret;
                case IrOpcode.Exit: return Opcode.Exit;
                case IrOpcode.Trap: return Opcode.Trap;
                case IrOpcode.Bar:
                    switch (m.Barrier)
                    {
                        case IrBarrierMode.Sync:
                        case IrBarrierMode.None:
                            return Opcode.BarSync;
                        case IrBarrierMode.Red:
                            instruction.SubOp = m.Reduction switch { IrReduction.And => "and", IrReduction.Or => "or", _ => "popc" };
                            return Opcode.BarRed;
                        default:
                            return Opcode.Unsupported;
                    }
                case IrOpcode.BarWarpSync: return Opcode.BarWarpSync;
                case IrOpcode.Membar:
                case IrOpcode.Fence:
                    return Opcode.Membar;
                case IrOpcode.Atom:
                case IrOpcode.Red:
                    instruction.SubOp = m.Reduction.ToString().ToLowerInvariant();
                    return ir.Opcode == IrOpcode.Atom ? Opcode.Atom : Opcode.Red;
                case IrOpcode.Redux:
                    instruction.SubOp = m.Reduction.ToString().ToLowerInvariant();
                    return Opcode.Redux;
                case IrOpcode.Shfl:
                    instruction.SubOp = m.Shuffle.ToString().ToLowerInvariant();
                    return m.Shuffle == IrShuffleMode.None ? Opcode.Unsupported : Opcode.Shfl;
                case IrOpcode.Vote:
                    instruction.SubOp = m.Vote.ToString().ToLowerInvariant();
                    return m.Vote == IrVoteMode.None ? Opcode.Unsupported : Opcode.Vote;
                case IrOpcode.Activemask: return Opcode.Activemask;
                case IrOpcode.Nanosleep:
                case IrOpcode.GridDepControl:
                    // nanosleep only delays; griddepcontrol orders dependent grids, which in-order streams already do.
                    return Opcode.Nop;
                default:
                    return Opcode.Unsupported;
            }
        }

        /// <summary>The type an immediate in operand position <paramref name="index"/> is read as.</summary>
        static IrType ImmediateType(in IrInstruction ir, int index)
        {
            var m = ir.Modifiers;
            return ir.Opcode switch
            {
                IrOpcode.Cvt => index == 0 ? m.Type : m.Type2,
                IrOpcode.Shl or IrOpcode.Shr when index == 2 => IrType.U32,
                IrOpcode.Bfe or IrOpcode.Bfi when index >= (ir.Opcode == IrOpcode.Bfe ? 2 : 3) => IrType.U32,
                IrOpcode.Selp when index == 3 => IrType.Pred,
                IrOpcode.Setp when index == 3 => IrType.Pred,
                IrOpcode.Mma or IrOpcode.Ldmatrix or IrOpcode.Movmatrix or IrOpcode.WmmaLoad or IrOpcode.WmmaStore or IrOpcode.WmmaMma
                    or IrOpcode.Shfl or IrOpcode.Vote or IrOpcode.Bar or IrOpcode.BarWarpSync or IrOpcode.CpAsync or IrOpcode.Prmt
                    or IrOpcode.Lop3 or IrOpcode.Dp4a or IrOpcode.Dp2a or IrOpcode.Redux or IrOpcode.Nanosleep => IrType.B32,
                _ => m.Type,
            };
        }

        Operand? DecodeOperand(in IrOperand operand, IrType immediateType)
        {
            switch (operand.Kind)
            {
                case IrOperandKind.None: return new Operand();
                case IrOperandKind.Register: return Operand.Reg(operand.Register, operand.Negated);
                case IrOperandKind.Sink: return Operand.Discard;
                case IrOperandKind.ImmediateInteger:
                case IrOperandKind.ImmediateFloat32:
                case IrOperandKind.ImmediateFloat64:
                    return Operand.Imm(ImmediateBits(operand, immediateType));
                case IrOperandKind.Label: return Operand.Label((int)operand.Value);
                case IrOperandKind.SpecialRegister:
                {
                    var special = MapSpecial(operand.Special);
                    return special is null ? null : Operand.Sreg(special.Value);
                }
                case IrOperandKind.Vector:
                {
                    var elements = new Operand[operand.VectorLength];
                    for (int i = 0; i < elements.Length; i++)
                    {
                        var element = DecodeOperand(function.VectorElements[operand.VectorStart + i], immediateType);
                        if (element is null) return null;
                        elements[i] = element.Value;
                    }
                    return Operand.Vector(elements);
                }
                case IrOperandKind.Address:
                case IrOperandKind.SymbolAddress:
                {
                    long offset = operand.Value;
                    if (operand.Symbol < 0)
                    {
                        return operand.Register >= 0
                            ? new Operand { Kind = OperandKind.Address, Base = AddressBase.Register, Register = operand.Register, Offset = offset }
                            : new Operand { Kind = OperandKind.Address, Base = AddressBase.None, Offset = offset };
                    }
                    if (operand.Register >= 0) return null; // [register + symbol] does not occur in PTX
                    var symbol = function.Symbols[operand.Symbol];
                    return symbol.Kind switch
                    {
                        IrSymbolKind.KernelParameter => new Operand { Kind = OperandKind.Address, Base = AddressBase.ParamSymbol, Offset = symbol.Offset + offset },
                        IrSymbolKind.CallArgument => new Operand { Kind = OperandKind.Address, Base = AddressBase.CallParamSymbol, Offset = symbol.Offset + offset },
                        IrSymbolKind.Shared => new Operand { Kind = OperandKind.Address, Base = AddressBase.SharedSymbol, Offset = symbol.Offset + offset },
                        IrSymbolKind.DynamicShared => new Operand { Kind = OperandKind.Address, Base = AddressBase.SharedSymbol, Offset = dynamicSharedOffset + offset },
                        IrSymbolKind.Local => new Operand { Kind = OperandKind.Address, Base = AddressBase.LocalSymbol, Offset = symbol.Offset + offset },
                        IrSymbolKind.Global or IrSymbolKind.Const => new Operand { Kind = OperandKind.Address, Base = AddressBase.GlobalSymbol, Register = GlobalIndex(module.Globals[symbol.ModuleGlobal].Name), Offset = offset },
                        _ => null,
                    };
                }
                case IrOperandKind.Function:
                    return new Operand();
                default:
                    return null;
            }
        }

        int GlobalIndex(string name)
        {
            int index = globals.IndexOf(name);
            if (index >= 0) return index;
            globals.Add(name);
            return globals.Count - 1;
        }

        /// <summary>
        /// Immediate bits for a position of type <paramref name="type"/>: float literals keep their bits in
        /// same-width positions (<c>mov.b32 %r, 0f3F800000</c>) and are converted where the width differs;
        /// integer literals in float positions stand for their numeric value.
        /// </summary>
        static ulong ImmediateBits(in IrOperand operand, IrType type)
        {
            switch (operand.Kind)
            {
                case IrOperandKind.ImmediateInteger:
                    return type is IrType.F32 or IrType.F64 or IrType.F16 ? operand.ImmediateBits(type) : (ulong)operand.Value;
                case IrOperandKind.ImmediateFloat32:
                    return type is IrType.F64 or IrType.F16 ? operand.ImmediateBits(type) : (uint)operand.Value;
                default:
                    return type is IrType.F32 or IrType.F16 or IrType.TF32 ? operand.ImmediateBits(type) : (ulong)operand.Value;
            }
        }

        static SpecialRegister? MapSpecial(IrSpecialRegister special) => special switch
        {
            IrSpecialRegister.TidX => SpecialRegister.TidX,
            IrSpecialRegister.TidY => SpecialRegister.TidY,
            IrSpecialRegister.TidZ => SpecialRegister.TidZ,
            IrSpecialRegister.NtidX => SpecialRegister.NtidX,
            IrSpecialRegister.NtidY => SpecialRegister.NtidY,
            IrSpecialRegister.NtidZ => SpecialRegister.NtidZ,
            IrSpecialRegister.CtaidX => SpecialRegister.CtaidX,
            IrSpecialRegister.CtaidY => SpecialRegister.CtaidY,
            IrSpecialRegister.CtaidZ => SpecialRegister.CtaidZ,
            IrSpecialRegister.NctaidX => SpecialRegister.NctaidX,
            IrSpecialRegister.NctaidY => SpecialRegister.NctaidY,
            IrSpecialRegister.NctaidZ => SpecialRegister.NctaidZ,
            IrSpecialRegister.LaneId => SpecialRegister.LaneId,
            IrSpecialRegister.WarpId => SpecialRegister.WarpId,
            IrSpecialRegister.NWarpId => SpecialRegister.NWarpId,
            IrSpecialRegister.LanemaskEq => SpecialRegister.LanemaskEq,
            IrSpecialRegister.LanemaskLe => SpecialRegister.LanemaskLe,
            IrSpecialRegister.LanemaskLt => SpecialRegister.LanemaskLt,
            IrSpecialRegister.LanemaskGe => SpecialRegister.LanemaskGe,
            IrSpecialRegister.LanemaskGt => SpecialRegister.LanemaskGt,
            IrSpecialRegister.DynamicSmemSize => SpecialRegister.DynamicSmemSize,
            IrSpecialRegister.SmId => SpecialRegister.SmId,
            IrSpecialRegister.GridId => SpecialRegister.GridId,
            >= IrSpecialRegister.EnvReg0 and <= IrSpecialRegister.EnvReg31 => SpecialRegister.EnvReg,
            // Clocks and timers would make results depend on the wall clock: not provided.
            _ => null,
        };

        static string Describe(in IrInstruction ir)
        {
            var m = ir.Modifiers;
            var parts = new List<string> { ir.Opcode.ToString().ToLowerInvariant() };
            foreach (var type in new[] { m.Type, m.Type2, m.Type3, m.Type4 })
                if (type != IrType.None) parts.Add(type.PtxName());
            return string.Join('.', parts);
        }
    }

    static ScalarType Map(IrType type) => type switch
    {
        IrType.Pred => ScalarType.Pred,
        IrType.B8 => ScalarType.B8, IrType.B16 => ScalarType.B16, IrType.B32 => ScalarType.B32, IrType.B64 => ScalarType.B64,
        IrType.U8 => ScalarType.U8, IrType.U16 => ScalarType.U16, IrType.U32 => ScalarType.U32, IrType.U64 => ScalarType.U64,
        IrType.S8 => ScalarType.S8, IrType.S16 => ScalarType.S16, IrType.S32 => ScalarType.S32, IrType.S64 => ScalarType.S64,
        IrType.F16 => ScalarType.F16, IrType.F16x2 => ScalarType.F16x2, IrType.BF16 => ScalarType.BF16, IrType.BF16x2 => ScalarType.BF16x2,
        IrType.TF32 => ScalarType.TF32, IrType.F32 => ScalarType.F32, IrType.F64 => ScalarType.F64,
        IrType.E4M3x2 => ScalarType.E4M3x2, IrType.E5M2x2 => ScalarType.E5M2x2,
        _ => ScalarType.None,
    };

    static StateSpace Map(IrStateSpace space) => space switch
    {
        IrStateSpace.Global => StateSpace.Global,
        IrStateSpace.Shared or IrStateSpace.SharedCluster => StateSpace.Shared,
        IrStateSpace.Local => StateSpace.Local,
        IrStateSpace.Param => StateSpace.Param,
        IrStateSpace.Const => StateSpace.Const,
        _ => StateSpace.Generic,
    };
}
