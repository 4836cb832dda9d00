using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using Emulator.Kernels.Engine.Interpreter;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Compiled;

/// <summary>
/// Which memory a fused instruction touches, as far as other lanes can see it. Lanes' local memory is private and the
/// kernel's parameters are read-only, so neither constrains the order of lanes; global (const included) and shared
/// can be seen by other lanes; a generic address may be either.
/// </summary>
enum LaneMemory : byte { None, Global, Shared, Generic, Local, Param }

/// <summary>
/// One instruction in the form a fused segment executes it: the scalar semantics for a single lane, written as IL by
/// <see cref="Emit"/> against registers held in locals. The forms and their operations are exactly those the lane
/// loops of <see cref="InstructionEmitters"/> use, so one lane's result is the same bits either way.
/// </summary>
sealed class LaneStep
{
    public required int Pc { get; init; }
    public required Instruction Instruction { get; init; }
    /// <summary>Registers the step reads, the guard predicate included.</summary>
    public required int[] Reads { get; init; }
    public required int[] Writes { get; init; }
    public LaneMemory Memory { get; init; }
    public bool IsStore { get; init; }
    /// <summary>A store's element count (1, 2 or 4) and size: what its entry in the segment's store buffer holds.</summary>
    public int StoreElements { get; init; }
    public int StoreElementBytes { get; init; }
    /// <summary>Emits the step for the current lane (the guard is handled by the caller).</summary>
    public required Action<SegmentEmitter> Emit { get; init; }
    /// <summary>The same step for four lanes at once (<see cref="VectorSegmentEmitter"/>), when it has a vector form.</summary>
    public Action<VectorSegmentEmitter>? EmitVector { get; init; }

    /// <summary>Sets <see cref="Emit"/> — and <see cref="EmitVector"/> when <paramref name="vector"/> — from one body.</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public LaneStep(int pc, Instruction instruction, int[] reads, int[] writes, Action<ILaneCode> code, bool vector)
    {
        Pc = pc;
        Instruction = instruction;
        Reads = reads;
        Writes = writes;
        Emit = e => code(e);
        EmitVector = vector ? e => code(e) : null;
    }

    public LaneStep() { }
}

/// <summary>
/// Where a step's IL goes: one lane's values in <c>ulong</c> locals (<see cref="SegmentEmitter"/>) or four lanes'
/// in <c>Vector256&lt;ulong&gt;</c> locals (<see cref="VectorSegmentEmitter"/>). Steps whose code differs only in
/// which operation is called are written once against this.
/// </summary>
interface ILaneCode
{
    ILGenerator IL { get; }
    /// <summary>Pushes a register's value / a register-array slot's (special registers live in slots).</summary>
    void LoadRegister(int register);
    void LoadSlot(int slotOffset);
    /// <summary>Where the compiled tier keeps an operand that is not a register (a special register's slot).</summary>
    KernelCompiler.Builder Builder { get; }
    void StoreRegister(int register);
    LocalBuilder Temporary();
    /// <summary>value &gt;&gt; bits (logical) / value &lt;&lt; bits, for the value on the stack.</summary>
    void ShiftRight(int bits);
    void ShiftLeft(int bits);
    /// <summary>The two values on the stack combined.</summary>
    void Bitwise(OpCode operation);
    /// <summary>Pushes a constant in every lane.</summary>
    void Constant(ulong value);
    /// <summary>Calls the operation struct's Apply for this emitter's value type (<paramref name="scalar"/> or <paramref name="vector"/>).</summary>
    void Apply(MethodInfo scalar, MethodInfo? vector);
}

static class LaneCode
{
    /// <summary>Pushes an operand's value (register, immediate, special register or window-symbol address).</summary>
    public static void LoadValue(this ILaneCode code, in Operand operand)
    {
        switch (operand.Kind)
        {
            case OperandKind.Register:
                code.LoadRegister(operand.Register);
                return;
            case OperandKind.Immediate:
                code.Constant(operand.Immediate);
                return;
            case OperandKind.Address:
                code.Constant(unchecked((ulong)operand.Offset));
                return;
            case OperandKind.Special:
                // The compiled tier keeps special registers in slots filled per warp (or per block for %ctaid).
                code.LoadSlot(code.Builder.ValueOffset(operand)!.Value);
                return;
            default:
                throw new InvalidOperationException($"operand kind {operand.Kind} is not a lane value");
        }
    }

    /// <summary>Stores the value on the stack, cut to <paramref name="mask"/>, in a register.</summary>
    public static void StoreMasked(this ILaneCode code, int register, ulong mask)
    {
        if (mask != ulong.MaxValue)
        {
            code.Constant(mask);
            code.Bitwise(OpCodes.And);
        }
        code.StoreRegister(register);
    }
}

/// <summary>Chooses the lane form of an instruction, or none (the instruction then runs on its own).</summary>
static class LaneSteps
{
    public static LaneStep? Describe(KernelCompiler.Builder builder, int pc)
    {
        var ins = builder.Kernel.Code[pc];
        var step = ins.Opcode switch
        {
            // No effect in an in-order engine (as in the warp body): nothing to do in a lane either.
            Opcode.Nop or Opcode.Membar or Opcode.BarWarpSync or Opcode.PrefetchOrHint or Opcode.CpAsyncWaitAll or Opcode.CpAsyncCommit
                or Opcode.CpAsyncWaitGroup => new LaneStep { Pc = pc, Instruction = ins, Reads = RegistersOf(ins), Writes = [], Emit = _ => { }, EmitVector = _ => { } },
            Opcode.Ld => Load(builder, pc, ins),
            Opcode.St => Store(builder, pc, ins),
            Opcode.Setp => Setp(builder, pc, ins),
            Opcode.Mov when ins.Operands.Length == 2 && ins.Operands[0].Kind == OperandKind.Vector => Unpack(builder, pc, ins),
            Opcode.Mov when ins.Operands.Length == 2 && ins.Operands[1].Kind == OperandKind.Vector => Pack(builder, pc, ins),
            Opcode.Cvt => IntegerConvert(builder, pc, ins) ?? FloatConvert(builder, pc, ins) ?? PairConvert(builder, pc, ins),
            _ => Arithmetic(builder, pc, ins),
        };
        return step;
    }

    /// <summary>Operands a lane can read as a value: what <see cref="KernelCompiler.Builder.ValueOffset"/> accepts.</summary>
    static bool IsValue(in Operand operand) => operand.Kind switch
    {
        OperandKind.Register => !operand.Negated,
        OperandKind.Immediate or OperandKind.Special => true,
        OperandKind.Address => operand.Base is AddressBase.SharedSymbol or AddressBase.LocalSymbol or AddressBase.ParamSymbol or AddressBase.CallParamSymbol,
        _ => false,
    };

    static int? Destination(in Operand operand) => operand.Kind == OperandKind.Register && !operand.Negated ? operand.Register : null;

    static int[] RegistersOf(Instruction ins, params Operand[] operands)
    {
        var registers = new List<int>();
        if (ins.GuardRegister >= 0) registers.Add(ins.GuardRegister);
        foreach (var operand in operands)
        {
            if (operand.Kind == OperandKind.Register) registers.Add(operand.Register);
            else if (operand.Kind == OperandKind.Address && operand.Base == AddressBase.Register) registers.Add(operand.Register);
        }
        return [.. registers];
    }

    static LaneStep? Arithmetic(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var ops = ins.Operands;
        if (ops.Length == 0 || Destination(ops[0]) is not int d) return null;
        ulong destinationMask = builder.RegisterMask(ops[0]);
        int arity = InstructionEmitters.Arity(ins);
        Type? op;
        ulong resultMask = destinationMask;
        switch (arity)
        {
            case 1:
                (op, ulong valueMask) = InstructionEmitters.SelectUnary(ins);
                resultMask &= valueMask;
                break;
            case 2: op = InstructionEmitters.SelectBinary(ins); break;
            case 3: op = InstructionEmitters.SelectTernary(ins); break;
            default: return null;
        }
        if (op is null || ops.Length < arity + 1) return null;
        var sources = ops[1..(arity + 1)];
        foreach (var source in sources)
            if (!IsValue(source)) return null;
        var apply = ApplyMethod(op, arity);
        var vector = VectorApplyMethod(op, arity, ins, destinationMask);
        return new LaneStep(pc, ins, RegistersOf(ins, sources), [d], e =>
        {
            foreach (var source in sources) e.LoadValue(source);
            e.Apply(apply, vector);
            e.StoreMasked(d, resultMask);
        }, vector is not null);
    }

    /// <summary>
    /// The Vector256 Apply of a lane operation struct when it has one; f32 forms only into a 32-bit register (the
    /// vector form computes each slot's unused high half too and relies on the mask to clear it).
    /// </summary>
    static MethodInfo? VectorApplyMethod(Type op, int arity, Instruction ins, ulong destinationMask)
    {
        var vectorInterface = arity switch { 1 => typeof(IVectorUnaryLane), 2 => typeof(IVectorBinaryLane), _ => typeof(IVectorTernaryLane) };
        if (!vectorInterface.IsAssignableFrom(op) || (ins.Type == ScalarType.F32 && destinationMask != 0xffff_ffff)) return null;
        return op.GetMethod("Apply", BindingFlags.Public | BindingFlags.Static, [.. Enumerable.Repeat(typeof(Vector256<ulong>), arity)]);
    }

    /// <summary>The scalar Apply(ulong…) of a lane operation struct (vector forms have a Vector256 overload too).</summary>
    static MethodInfo ApplyMethod(Type op, int arity) =>
        op.GetMethod("Apply", BindingFlags.Public | BindingFlags.Static, [.. Enumerable.Repeat(typeof(ulong), arity)])
        ?? throw new MissingMethodException(op.Name, "Apply");

    static LaneStep? Setp(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var ops = ins.Operands;
        if (ops.Length < 3 || Destination(ops[0]) is not int d || !IsValue(ops[1]) || !IsValue(ops[2])) return null;
        int combine = ins.Combine;
        if (combine != 0 && (ops.Length < 4 || ops[3].Kind != OperandKind.Register || ops[3].Negated)) return null;
        var compare = InstructionEmitters.SelectCompare(ins);
        if (compare is null) return null;
        var apply = ApplyMethod(compare, 2);
        int complement = ins.PredicateDestination;
        var (a, b) = (ops[1], ops[2]);
        var reads = combine != 0 ? RegistersOf(ins, a, b, ops[3]) : RegistersOf(ins, a, b);
        var vector = compare.GetMethod("Apply", BindingFlags.Public | BindingFlags.Static, [typeof(Vector256<ulong>), typeof(Vector256<ulong>)]);
        return new LaneStep(pc, ins, reads, complement >= 0 ? [d, complement] : [d], e =>
        {
            // result = compare(a, b); with a combination, result and its complement are each combined with c (a
            // predicate: 0 or 1, so .and/.or/.xor are the bitwise operations).
            e.LoadValue(a);
            e.LoadValue(b);
            e.Apply(apply, vector);
            var result = e.Temporary();
            e.IL.Emit(OpCodes.Stloc, result);
            void Combined()
            {
                if (combine == 0) return;
                e.LoadValue(ops[3]);
                e.Bitwise(combine switch { 'a' => OpCodes.And, 'o' => OpCodes.Or, _ => OpCodes.Xor });
            }
            if (complement >= 0)
            {
                e.IL.Emit(OpCodes.Ldloc, result);
                e.Constant(1);
                e.Bitwise(OpCodes.Xor);
                Combined();
                e.StoreRegister(complement);
            }
            e.IL.Emit(OpCodes.Ldloc, result);
            Combined();
            e.StoreRegister(d);
        }, vector is not null);
    }

    static LaneStep? IntegerConvert(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var (destination, source) = (ins.Type, ins.SourceType);
        if (!InstructionEmitters.Integer(destination) || !InstructionEmitters.Integer(source) || ins.Saturate || ins.Operands.Length != 2) return null;
        if (Destination(ins.Operands[0]) is not int d || !IsValue(ins.Operands[1])) return null;
        var a = ins.Operands[1];
        ulong destinationMask = builder.RegisterMask(ins.Operands[0]);
        return new LaneStep
        {
            Pc = pc, Instruction = ins, Reads = RegistersOf(ins, a), Writes = [d],
            Emit = e =>
            {
                e.LoadValue(a);
                e.IL.Emit(OpCodes.Ldc_I4, source.Bits());
                e.IL.Emit(OpCodes.Ldc_I4, source.IsSigned() ? 1 : 0);
                e.IL.Emit(OpCodes.Ldc_I4, destination.Bits());
                e.IL.Emit(OpCodes.Ldc_I4, destination.IsSigned() ? 1 : 0);
                e.IL.Emit(OpCodes.Call, KernelCompiler.Method(typeof(LaneLoops), nameof(LaneLoops.ConvertIntegerValue)));
                e.StoreMasked(d, destinationMask);
            },
            EmitVector = VectorIntegerConvert(a, source, destination, d, destinationMask),
        };
    }

    /// <summary>
    /// <see cref="LaneLoops.ConvertIntegerValue"/> for four lanes: truncations, zero extensions and sign extensions from
    /// 32 bits (what address arithmetic uses); null for sign extensions from 8 or 16 bits.
    /// </summary>
    static Action<VectorSegmentEmitter>? VectorIntegerConvert(Operand a, ScalarType source, ScalarType destination, int d, ulong destinationMask)
    {
        int sourceBits = source.Bits(), destinationBits = destination.Bits();
        if (source.IsSigned() && sourceBits is not (32 or 64)) return null;
        if (destination.IsSigned() && destinationBits is not (32 or 64)) return null;
        var signExtend = KernelCompiler.Method(typeof(VectorLanes), nameof(VectorLanes.SignExtend32));
        return e =>
        {
            e.LoadValue(a);
            if (source.IsSigned() && sourceBits == 32) e.IL.Emit(OpCodes.Call, signExtend);
            else if (!source.IsSigned() && sourceBits < 64)
            {
                e.Constant(IntegerOps.Mask(sourceBits));
                e.Bitwise(OpCodes.And);
            }
            if (destinationBits < 64)
            {
                e.Constant(IntegerOps.Mask(destinationBits));
                e.Bitwise(OpCodes.And);
            }
            if (destination.IsSigned() && destinationBits == 32) e.IL.Emit(OpCodes.Call, signExtend);
            e.StoreMasked(d, destinationMask);
        };
    }

    static LaneStep? FloatConvert(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var op = InstructionEmitters.SelectFloatConvert(ins);
        if (op is null || Destination(ins.Operands[0]) is not int d || !IsValue(ins.Operands[1])) return null;
        var a = ins.Operands[1];
        var apply = ApplyMethod(op, 1);
        ulong destinationMask = builder.RegisterMask(ins.Operands[0]);
        var vector = VectorApplyMethod(op, 1, ins, destinationMask);
        return new LaneStep(pc, ins, RegistersOf(ins, a), [d], e =>
        {
            e.LoadValue(a);
            e.Apply(apply, vector);
            e.StoreMasked(d, destinationMask);
        }, vector is not null);
    }

    static LaneStep? PairConvert(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var op = InstructionEmitters.SelectPairConvert(ins);
        if (op is null || Destination(ins.Operands[0]) is not int d || !IsValue(ins.Operands[1]) || !IsValue(ins.Operands[2])) return null;
        var (a, b) = (ins.Operands[1], ins.Operands[2]);
        var apply = ApplyMethod(op, 2);
        ulong destinationMask = builder.RegisterMask(ins.Operands[0]);
        return new LaneStep
        {
            Pc = pc, Instruction = ins, Reads = RegistersOf(ins, a, b), Writes = [d],
            Emit = e =>
            {
                e.LoadValue(a);
                e.LoadValue(b);
                e.IL.Emit(OpCodes.Call, apply);
                e.StoreMasked(d, destinationMask);
            },
        };
    }

    static LaneStep? Unpack(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var elements = ins.Operands[0].Elements;
        var a = ins.Operands[1];
        if (elements is null || elements.Length is not (2 or 4) || !IsValue(a)) return null;
        int width = ins.Type.Bits() / elements.Length;
        int registerBits = -1;
        var writes = new List<int>();
        foreach (var element in elements)
        {
            if (element.Kind == OperandKind.Discard) continue;
            if (Destination(element) is not int d) return null;
            int bits = builder.Kernel.RegisterBits[d];
            if (registerBits >= 0 && bits != registerBits) return null;
            registerBits = bits;
            writes.Add(d);
        }
        ulong elementMask = IntegerOps.Mask(width) & (registerBits < 0 ? 0 : IntegerOps.Mask(registerBits));
        return new LaneStep(pc, ins, RegistersOf(ins, a), [.. writes], e =>
        {
            // The source is read once: it may be one of the destinations.
            e.LoadValue(a);
            var value = e.Temporary();
            e.IL.Emit(OpCodes.Stloc, value);
            for (int i = 0; i < elements.Length; i++)
            {
                if (elements[i].Kind == OperandKind.Discard) continue;
                e.IL.Emit(OpCodes.Ldloc, value);
                e.ShiftRight(i * width);
                e.StoreMasked(elements[i].Register, elementMask);
            }
        }, vector: true);
    }

    static LaneStep? Pack(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var elements = ins.Operands[1].Elements;
        if (elements is null || elements.Length is not (2 or 4) || Destination(ins.Operands[0]) is not int d) return null;
        foreach (var element in elements)
            if (!IsValue(element)) return null;
        int width = ins.Type.Bits() / elements.Length;
        ulong elementMask = IntegerOps.Mask(width);
        ulong destinationMask = builder.RegisterMask(ins.Operands[0]);
        return new LaneStep(pc, ins, RegistersOf(ins, elements), [d], e =>
        {
            for (int i = 0; i < elements.Length; i++)
            {
                e.LoadValue(elements[i]);
                e.Constant(elementMask);
                e.Bitwise(OpCodes.And);
                if (i > 0)
                {
                    e.ShiftLeft(i * width);
                    e.Bitwise(OpCodes.Or);
                }
            }
            e.StoreMasked(d, destinationMask);
        }, vector: true);
    }

    /// <summary>The memory class of an ld/st, or null when a fused lane cannot perform it.</summary>
    static LaneMemory? MemoryOf(Instruction ins, in Operand address, bool write)
    {
        if (address.Kind != OperandKind.Address) return null;
        if (address.Base is not (AddressBase.Register or AddressBase.None or AddressBase.SharedSymbol or AddressBase.LocalSymbol or AddressBase.ParamSymbol)) return null;
        return ins.Space switch
        {
            StateSpace.Global or StateSpace.Const => LaneMemory.Global,
            StateSpace.Shared => LaneMemory.Shared,
            StateSpace.Local => LaneMemory.Local,
            StateSpace.Generic => LaneMemory.Generic,
            // Kernel parameters: reads at a fixed offset only (a write faults: left to the interpreter).
            StateSpace.Param when !write && address.Base == AddressBase.ParamSymbol => LaneMemory.Param,
            _ => null,
        };
    }

    static LaneStep? Load(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var ops = ins.Operands;
        int elementBytes = ins.Type.Bits() / 8;
        if (elementBytes is not (1 or 2 or 4 or 8) || ins.VectorWidth is not (1 or 2 or 4)) return null;
        if (MemoryOf(ins, ops[1], false) is not LaneMemory memory) return null;
        int[] destinations;
        if (ins.VectorWidth == 1)
        {
            if (Destination(ops[0]) is not int d) return null;
            destinations = [d];
        }
        else
        {
            var elements = ops[0].Elements;
            if (elements is null || elements.Length != ins.VectorWidth) return null;
            destinations = new int[elements.Length];
            for (int i = 0; i < elements.Length; i++)
            {
                if (Destination(elements[i]) is not int d) return null;
                destinations[i] = d;
            }
            // A vector load into registers of different widths is left to the general path.
            if (destinations.Any(r => builder.Kernel.RegisterBits[r] != builder.Kernel.RegisterBits[destinations[0]])) return null;
        }
        var address = ops[1];
        ulong destinationMask = IntegerOps.Mask(builder.Kernel.RegisterBits[destinations[0]]);
        bool signExtend = ins.Type.IsSigned();
        int window = memory is LaneMemory.Global or LaneMemory.Generic ? builder.AllocateSegmentWindow() : -1;
        return new LaneStep
        {
            Pc = pc, Instruction = ins, Reads = RegistersOf(ins, address), Writes = destinations, Memory = memory,
            Emit = e =>
            {
                var pointer = e.Address(memory, address, elementBytes * ins.VectorWidth, write: false, window);
                for (int i = 0; i < destinations.Length; i++)
                {
                    e.IL.Emit(OpCodes.Ldloc, pointer);
                    if (i > 0)
                    {
                        e.IL.Emit(OpCodes.Ldc_I4, i * elementBytes);
                        e.IL.Emit(OpCodes.Add);
                    }
                    e.LoadElement(elementBytes, signExtend);
                    e.StoreMasked(destinations[i], destinationMask);
                }
            },
            EmitVector = ins.VectorWidth != 1 || memory is not (LaneMemory.Global or LaneMemory.Param or LaneMemory.Shared)
                || (memory == LaneMemory.Param && address.Base != AddressBase.ParamSymbol)
                || (memory == LaneMemory.Global && address.Base is not (AddressBase.Register or AddressBase.None))
                || (memory == LaneMemory.Shared && address.Base is not (AddressBase.Register or AddressBase.None or AddressBase.SharedSymbol)) ? null : e =>
            {
                e.Load(memory, address, elementBytes, signExtend, window);
                e.StoreMasked(destinations[0], destinationMask);
            },
        };
    }

    static LaneStep? Store(KernelCompiler.Builder builder, int pc, Instruction ins)
    {
        var ops = ins.Operands;
        int elementBytes = ins.Type.Bits() / 8;
        if (elementBytes is not (1 or 2 or 4 or 8) || ins.VectorWidth is not (1 or 2 or 4) || ops.Length < 2) return null;
        if (MemoryOf(ins, ops[0], true) is not LaneMemory memory) return null;
        Operand[] values;
        if (ins.VectorWidth == 1) values = [ops[1]];
        else
        {
            var elements = ops[1].Elements;
            if (elements is null || elements.Length != ins.VectorWidth) return null;
            values = elements;
        }
        foreach (var value in values)
            if (!IsValue(value)) return null;
        var address = ops[0];
        int window = memory is LaneMemory.Global or LaneMemory.Generic ? builder.AllocateSegmentWindow() : -1;
        return new LaneStep
        {
            Pc = pc, Instruction = ins, Reads = RegistersOf(ins, [address, .. values]), Writes = [], Memory = memory, IsStore = true,
            StoreElements = values.Length, StoreElementBytes = elementBytes,
            Emit = e =>
            {
                // Checked now, written after every lane has run (see Segment): the interpreter's instruction order.
                var pointer = e.Address(memory, address, elementBytes * ins.VectorWidth, write: true, window);
                e.BufferStore(pointer, values);
            },
        };
    }
}
