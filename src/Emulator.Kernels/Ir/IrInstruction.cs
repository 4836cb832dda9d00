namespace Emulator.Kernels.Ir;

/// <summary>
/// One instruction of a function's flat instruction array. Operands are in PTX order (destinations first) and live in
/// <see cref="IrFunction.Operands"/> from <see cref="FirstOperand"/>; the second destination of <c>d|p</c> forms
/// (<c>shfl.sync ... %r|%p</c>, <c>setp ... %p|%q</c>) is <see cref="PairedDestination"/>.
/// </summary>
public readonly record struct IrInstruction
{
    public IrOpcode Opcode { get; init; }
    public IrModifiers Modifiers { get; init; }
    /// <summary>Guard predicate register (<c>@%p</c>), or -1 when the instruction always executes.</summary>
    public int Guard { get; init; }
    /// <summary>True for <c>@!%p</c>.</summary>
    public bool GuardNegated { get; init; }
    public int FirstOperand { get; init; }
    public int OperandCount { get; init; }
    /// <summary>Register after <c>|</c> in the destination, or -1.</summary>
    public int PairedDestination { get; init; }
    /// <summary>For <c>bra</c>: the target instruction index; otherwise -1.</summary>
    public int BranchTarget { get; init; }
    /// <summary>
    /// For a branch that may diverge (guarded, not <c>.uni</c>): the instruction index where the paths of the warp
    /// reconverge — the first instruction of the branch block's immediate post-dominator, or
    /// <see cref="IrFunction.Instructions"/>.Length when the paths only meet at function exit. -1 otherwise.
    /// </summary>
    public int Reconvergence { get; init; }
    /// <summary>1-based line of the instruction in the PTX text, for fault reports.</summary>
    public int SourceLine { get; init; }
}
