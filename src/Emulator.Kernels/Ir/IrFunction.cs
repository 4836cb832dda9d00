namespace Emulator.Kernels.Ir;

/// <summary>One declared register after scope resolution: shadowed names in nested <c>{ }</c> blocks get their own index.</summary>
public readonly record struct IrRegister(string Name, IrType Type);

public enum IrSymbolKind : byte
{
    /// <summary>A <c>.entry</c> parameter, read from the launch's parameter buffer at <see cref="IrSymbol.Offset"/>.</summary>
    KernelParameter,
    /// <summary>A <c>.func</c> input parameter, at <see cref="IrSymbol.Offset"/> in the callee's parameter area.</summary>
    FunctionParameter,
    /// <summary>A <c>.func</c> return parameter, at <see cref="IrSymbol.Offset"/> in the callee's return area.</summary>
    FunctionReturn,
    /// <summary>A <c>.param</c> declared inside a body to pass arguments to / receive results from a <c>call</c>; at <see cref="IrSymbol.Offset"/> in the function's call-argument area.</summary>
    CallArgument,
    /// <summary>Static <c>.shared</c> variable at <see cref="IrSymbol.Offset"/> in the block's shared window.</summary>
    Shared,
    /// <summary><c>.extern .shared</c> array: the start of dynamic shared memory. In a kernel <see cref="IrSymbol.Offset"/> is that start (<see cref="IrFunction.StaticSharedSize"/> rounded up to <see cref="IrFunction.DynamicSharedAlignment"/>); in a device function it is -1, meaning the launching kernel's start.</summary>
    DynamicShared,
    /// <summary><c>.local</c> variable at <see cref="IrSymbol.Offset"/> in the thread's local window.</summary>
    Local,
    /// <summary>Module-level <c>.global</c> variable: <see cref="IrSymbol.ModuleGlobal"/> indexes <see cref="IrModule.Globals"/>.</summary>
    Global,
    /// <summary>Module-level <c>.const</c> variable: <see cref="IrSymbol.ModuleGlobal"/> indexes <see cref="IrModule.Globals"/>.</summary>
    Const,
}

/// <summary>A variable visible in a function, with its resolved placement.</summary>
public sealed record IrSymbol(string Name, IrSymbolKind Kind, IrStateSpace Space, long Size, int Alignment, long Offset, int ModuleGlobal)
{
    /// <summary>Element type as declared (<c>.b8</c> for byte arrays, <c>.u64</c> for a scalar param).</summary>
    public IrType ElementType { get; init; }
}

/// <summary>A kernel or device-function parameter, in declaration order.</summary>
public sealed record IrParameter(string Name, IrType ElementType, long Size, int Alignment, long Offset);

/// <summary>A <c>.entry</c> (kernel), a <c>.func</c> with a body, or an external declaration such as <c>vprintf</c>.</summary>
public sealed class IrFunction
{
    public required string Name { get; init; }
    public required bool IsEntry { get; init; }
    /// <summary>Declared without a body (<c>.extern .func vprintf</c>): the engine supplies it or reports it unsupported.</summary>
    public required bool IsExternal { get; init; }
    public required IReadOnlyList<IrParameter> Parameters { get; init; }
    public required IReadOnlyList<IrParameter> ReturnParameters { get; init; }
    /// <summary>Bytes of the parameter buffer (kernels: what <c>cuLaunchKernel</c> packs; functions: the callee area).</summary>
    public required long ParameterBufferSize { get; init; }
    public required long ReturnBufferSize { get; init; }

    public required IrInstruction[] Instructions { get; init; }
    public required IrOperand[] Operands { get; init; }
    public required IrOperand[] VectorElements { get; init; }
    public required IrRegister[] Registers { get; init; }
    public required IrSymbol[] Symbols { get; init; }

    /// <summary>Bytes of static shared memory (all <see cref="IrSymbolKind.Shared"/> symbols, laid out in declaration order).</summary>
    public required long StaticSharedSize { get; init; }
    /// <summary>Alignment of the start of dynamic shared memory (which begins at StaticSharedSize rounded up to it): the largest <c>.align</c> of the module's <c>.extern .shared</c> arrays, at least 16.</summary>
    public required int DynamicSharedAlignment { get; init; }
    /// <summary>Bytes of <c>.local</c> memory per thread (the local depot).</summary>
    public required long LocalSize { get; init; }
    /// <summary>Bytes of the area holding <see cref="IrSymbolKind.CallArgument"/> params.</summary>
    public required long CallArgumentSize { get; init; }

    /// <summary><c>.maxntid x, y, z</c> (missing dimensions are 1), or null.</summary>
    public int[]? MaxNtid { get; init; }
    public int[]? ReqNtid { get; init; }
    public int? MinNctaPerSm { get; init; }
    public int? MaxNReg { get; init; }
    /// <summary>1-based PTX line of the declaration.</summary>
    public int SourceLine { get; init; }

    public override string ToString() => Name;
}

/// <summary>A module-scope <c>.global</c> or <c>.const</c> variable with its initial bytes (zero-filled when not initialised).</summary>
public sealed record IrGlobal(string Name, IrStateSpace Space, IrType ElementType, long Size, int Alignment, byte[] InitialBytes)
{
    /// <summary><c>.extern</c> declarations have no storage of their own in this module.</summary>
    public bool IsExternal { get; init; }
}
