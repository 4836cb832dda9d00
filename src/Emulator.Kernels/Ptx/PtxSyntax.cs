using Emulator.Kernels.Ir;

namespace Emulator.Kernels.Ptx;

/// <summary>State space of a declaration; registers are <see cref="Reg"/>.</summary>
public enum PtxSpace : byte { Reg, Global, Shared, Local, Param, Const }

/// <summary>One literal of a variable initialiser (<c>= {1, 2}</c>, <c>= 0fBF400000</c>).</summary>
public readonly record struct PtxConstant(IrOperandKind Kind, long Value);

/// <summary>A declared variable, parameter or register (or register range <c>%r&lt;14&gt;</c>).</summary>
public sealed class PtxVariable
{
    public required PtxSpace Space { get; init; }
    public required string Name { get; init; }
    public required IrType Type { get; init; }
    /// <summary>Declared <c>.align</c>; 0 when absent (natural alignment).</summary>
    public int Alignment { get; init; }
    /// <summary>1, or 2/4/8 for <c>.v2/.v4/.v8</c> variables.</summary>
    public int VectorWidth { get; init; } = 1;
    /// <summary>Array dimensions; empty for scalars; a dimension of -1 is <c>[]</c> (unsized, e.g. <c>.extern .shared</c>).</summary>
    public IReadOnlyList<long> Dimensions { get; init; } = [];
    /// <summary>For <c>%r&lt;N&gt;</c>: N registers <c>%r0..%r(N-1)</c>; 0 for a plain name.</summary>
    public int RangeCount { get; init; }
    public bool IsExtern { get; init; }
    public bool IsVisible { get; init; }
    public IReadOnlyList<PtxConstant>? Initializer { get; init; }
    public int Line { get; init; }
    public int Column { get; init; }

    public bool IsUnsized => Dimensions.Count > 0 && Dimensions[^1] < 0;

    /// <summary>Bytes of storage (0 for unsized arrays).</summary>
    public long SizeInBytes
    {
        get
        {
            long size = (long)Type.SizeInBytes() * VectorWidth;
            foreach (var dimension in Dimensions)
                size *= Math.Max(dimension, 0);
            return size;
        }
    }

    public int EffectiveAlignment => Alignment > 0 ? Alignment : Math.Max(1, Type.SizeInBytes() * VectorWidth);
}

public enum PtxOperandKind : byte
{
    /// <summary>A register, variable, special register, label or function name: resolved during lowering.</summary>
    Name,
    Integer,
    Float32,
    Float64,
    /// <summary><c>{a, b}</c>.</summary>
    Vector,
    /// <summary><c>(a, b)</c>: argument and return lists of <c>call</c>.</summary>
    List,
    /// <summary><c>[name + offset]</c> or <c>[offset]</c>.</summary>
    Address,
    /// <summary><c>_</c>.</summary>
    Sink,
    /// <summary><c>symbol+offset</c> used as a value.</summary>
    NamePlusOffset,
}

public readonly record struct PtxOperand(PtxOperandKind Kind, string? Name, long Value, PtxOperand[]? Elements)
{
    /// <summary>Second name of a <c>d|p</c> destination.</summary>
    public string? PairName { get; init; }
    /// <summary><c>!%p</c>.</summary>
    public bool Negated { get; init; }
}

public abstract class PtxStatement
{
    public int Line { get; init; }
    public int Column { get; init; }
}

public sealed class PtxInstruction : PtxStatement
{
    public required IrOpcode Opcode { get; init; }
    public required IrModifiers Modifiers { get; init; }
    public string? Guard { get; init; }
    public bool GuardNegated { get; init; }
    public required PtxOperand[] Operands { get; init; }
}

public sealed class PtxLabel : PtxStatement
{
    public required string Name { get; init; }
}

public sealed class PtxDeclaration : PtxStatement
{
    public required PtxVariable Variable { get; init; }
}

/// <summary><c>{</c> inside a body: declarations after it shadow outer ones until the matching <see cref="PtxScopeEnd"/>.</summary>
public sealed class PtxScopeStart : PtxStatement;

public sealed class PtxScopeEnd : PtxStatement;

public sealed class PtxFunction
{
    public required string Name { get; init; }
    public required bool IsEntry { get; init; }
    public bool IsExtern { get; init; }
    public bool IsVisible { get; init; }
    public required IReadOnlyList<PtxVariable> Parameters { get; init; }
    public required IReadOnlyList<PtxVariable> ReturnParameters { get; init; }
    public int[]? MaxNtid { get; init; }
    public int[]? ReqNtid { get; init; }
    public int? MinNctaPerSm { get; init; }
    public int? MaxNReg { get; init; }
    /// <summary>Statements of the body, with scope markers; null for a declaration without body.</summary>
    public IReadOnlyList<PtxStatement>? Body { get; init; }
    public int Line { get; init; }
    public int Column { get; init; }
}

public sealed class PtxModule
{
    public required string Version { get; init; }
    public required IReadOnlyList<string> Targets { get; init; }
    public required int AddressSize { get; init; }
    /// <summary>Module-scope variables in declaration order.</summary>
    public required IReadOnlyList<PtxVariable> Variables { get; init; }
    public required IReadOnlyList<PtxFunction> Functions { get; init; }
}
