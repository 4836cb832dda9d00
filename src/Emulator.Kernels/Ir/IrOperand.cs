namespace Emulator.Kernels.Ir;

public enum IrOperandKind : byte
{
    None,
    /// <summary>A register of the function's register file; <see cref="IrOperand.Register"/> is its dense index.</summary>
    Register,
    /// <summary>An integer literal; <see cref="IrOperand.Value"/> holds it sign-extended to 64 bits.</summary>
    ImmediateInteger,
    /// <summary>A <c>0f</c> literal; the low 32 bits of <see cref="IrOperand.Value"/> are the IEEE single bits.</summary>
    ImmediateFloat32,
    /// <summary>A <c>0d</c> or decimal floating literal; <see cref="IrOperand.Value"/> holds the IEEE double bits.</summary>
    ImmediateFloat64,
    /// <summary><c>{a, b, ...}</c>: <see cref="IrOperand.VectorLength"/> elements starting at <see cref="IrOperand.VectorStart"/> in <see cref="IrFunction.VectorElements"/>.</summary>
    Vector,
    /// <summary>
    /// <c>[base + offset]</c>, <c>[symbol + offset]</c> or <c>[offset]</c>: the address is register <see cref="IrOperand.Register"/>
    /// (or 0 when -1) plus the address of <see cref="IrOperand.Symbol"/> in the instruction's state space (or 0 when -1) plus <see cref="IrOperand.Value"/>.
    /// </summary>
    Address,
    /// <summary>The address of a variable plus <see cref="IrOperand.Value"/>, used as a value (<c>mov.u64 %rd1, table</c>); in the variable's own state space, before <c>cvta</c>.</summary>
    SymbolAddress,
    SpecialRegister,
    /// <summary>A function named by <c>call</c>; <see cref="IrOperand.Function"/> indexes <see cref="IrModule.Functions"/>.</summary>
    Function,
    /// <summary>A branch label; <see cref="IrOperand.Value"/> is the target instruction index.</summary>
    Label,
    /// <summary>The sink <c>_</c>: a destination whose value is discarded.</summary>
    Sink,
}

/// <summary>One resolved operand. Names are gone: registers, symbols and labels are dense indices.</summary>
public readonly record struct IrOperand
{
    public IrOperandKind Kind { get; private init; }
    /// <summary>Register index (Register; the base of an Address, -1 for none).</summary>
    public int Register { get; private init; }
    /// <summary>Index into <see cref="IrFunction.Symbols"/> (Address, SymbolAddress); -1 for none.</summary>
    public int Symbol { get; private init; }
    /// <summary>Immediate bits, address offset, or label target.</summary>
    public long Value { get; private init; }
    public int VectorStart { get; private init; }
    public int VectorLength { get; private init; }
    public IrSpecialRegister Special { get; private init; }
    public int Function { get; private init; }
    /// <summary><c>!%p</c>: the logical negation of a predicate source.</summary>
    public bool Negated { get; private init; }

    public static IrOperand None => default;
    public static IrOperand Sink => new() { Kind = IrOperandKind.Sink, Register = -1, Symbol = -1 };
    public static IrOperand OfRegister(int register, bool negated = false) => new() { Kind = IrOperandKind.Register, Register = register, Symbol = -1, Negated = negated };
    public static IrOperand OfInteger(long value) => new() { Kind = IrOperandKind.ImmediateInteger, Value = value, Register = -1, Symbol = -1 };
    public static IrOperand OfFloat32Bits(uint bits) => new() { Kind = IrOperandKind.ImmediateFloat32, Value = bits, Register = -1, Symbol = -1 };
    public static IrOperand OfFloat64Bits(ulong bits) => new() { Kind = IrOperandKind.ImmediateFloat64, Value = (long)bits, Register = -1, Symbol = -1 };
    public static IrOperand OfVector(int start, int length) => new() { Kind = IrOperandKind.Vector, VectorStart = start, VectorLength = length, Register = -1, Symbol = -1 };
    public static IrOperand OfAddress(int baseRegister, int symbol, long offset) => new() { Kind = IrOperandKind.Address, Register = baseRegister, Symbol = symbol, Value = offset };
    public static IrOperand OfSymbolAddress(int symbol, long offset = 0) => new() { Kind = IrOperandKind.SymbolAddress, Symbol = symbol, Register = -1, Value = offset };
    public static IrOperand OfSpecial(IrSpecialRegister special) => new() { Kind = IrOperandKind.SpecialRegister, Special = special, Register = -1, Symbol = -1 };
    public static IrOperand OfFunction(int function) => new() { Kind = IrOperandKind.Function, Function = function, Register = -1, Symbol = -1 };
    public static IrOperand OfLabel(int targetInstruction) => new() { Kind = IrOperandKind.Label, Value = targetInstruction, Register = -1, Symbol = -1 };

    public bool IsImmediate => Kind is IrOperandKind.ImmediateInteger or IrOperandKind.ImmediateFloat32 or IrOperandKind.ImmediateFloat64;

    /// <summary>
    /// The immediate as the raw bits of a value of <paramref name="type"/>. Float literals are rounded to the
    /// operand's float width; an integer literal in a float position stands for its numeric value (<c>mov.f32 %f1, 1</c>).
    /// </summary>
    public ulong ImmediateBits(IrType type)
    {
        double number = Kind switch
        {
            IrOperandKind.ImmediateInteger => Value,
            IrOperandKind.ImmediateFloat32 => BitConverter.UInt32BitsToSingle((uint)Value),
            IrOperandKind.ImmediateFloat64 => BitConverter.Int64BitsToDouble(Value),
            _ => throw new InvalidOperationException($"operand of kind {Kind} is not an immediate"),
        };
        return type switch
        {
            IrType.F64 => Kind == IrOperandKind.ImmediateFloat64 ? (ulong)Value : BitConverter.DoubleToUInt64Bits(number),
            IrType.F32 or IrType.TF32 => Kind == IrOperandKind.ImmediateFloat32 ? (uint)Value : BitConverter.SingleToUInt32Bits((float)number),
            IrType.F16 => BitConverter.HalfToUInt16Bits((Half)number),
            IrType.BF16 => RoundToBFloat16Bits((float)number),
            _ => Kind == IrOperandKind.ImmediateInteger ? (ulong)Value : (ulong)(long)number,
        };
    }

    /// <summary>bf16 is the upper half of an f32, rounded to nearest even; NaN stays a (quiet) NaN.</summary>
    private static ulong RoundToBFloat16Bits(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (bits >> 16) | 0x40;
        return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
    }
}
