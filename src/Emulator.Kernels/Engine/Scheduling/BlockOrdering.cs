using Emulator.Kernels.Ir;

namespace Emulator.Kernels.Engine.Scheduling;

/// <summary>Whether a kernel's blocks may run concurrently without changing any result.</summary>
public enum BlockOrdering : byte
{
    /// <summary>
    /// Blocks can observe one another (global atomics, strong loads/stores, device-wide fences), so results may
    /// depend on the order blocks run in: they run one after another in linear block order. Also the value of a
    /// kernel nobody analysed, so an unknown kernel is never run out of order.
    /// </summary>
    InOrder,

    /// <summary>
    /// No instruction lets a block observe another block's progress, so every schedule gives the serial result
    /// (for programs without data races between blocks, which CUDA leaves undefined anyway).
    /// </summary>
    Independent,
}

/// <summary>
/// Decides <see cref="BlockOrdering"/> from a kernel's IR. Under the PTX memory model, only morally strong
/// operations (atomics, <c>.relaxed/.acquire/.release/.volatile</c> accesses) at a scope wider than the CTA and the
/// fences that order them let one block see what another has done; everything else a block reads from another
/// block is a data race. Block-local state spaces (shared, local, param) never reach another block.
/// </summary>
public static class BlockOrderingAnalysis
{
    public static BlockOrdering Classify(IrFunction function)
        => FirstCrossBlockInstruction(function) < 0 ? BlockOrdering.Independent : BlockOrdering.InOrder;

    /// <summary>Index of the first instruction through which blocks can observe one another, or -1 when there is none.</summary>
    public static int FirstCrossBlockInstruction(IrFunction function)
    {
        var instructions = function.Instructions;
        for (int i = 0; i < instructions.Length; i++)
            if (ObservesOtherBlocks(instructions[i]))
                return i;
        return -1;
    }

    static bool ObservesOtherBlocks(in IrInstruction instruction)
    {
        var modifiers = instruction.Modifiers;
        return instruction.Opcode switch
        {
            // The value an atomic returns, and for float adds the rounding of the sum, depend on which block came first.
            IrOpcode.Atom or IrOpcode.Red => !IsBlockLocal(modifiers.Space),
            IrOpcode.Ld or IrOpcode.Ldu or IrOpcode.St => IsStrong(modifiers.Order) && modifiers.Scope != IrScope.Cta && !IsBlockLocal(modifiers.Space),
            // membar.cta / fence.*.cta order accesses within the block only; anything wider (or unscoped) is kept in order.
            IrOpcode.Membar or IrOpcode.Fence => modifiers.Scope != IrScope.Cta,
            _ => false,
        };
    }

    static bool IsStrong(IrMemoryOrder order) => order is not (IrMemoryOrder.None or IrMemoryOrder.Weak);

    static bool IsBlockLocal(IrStateSpace space) => space is IrStateSpace.Shared or IrStateSpace.Local or IrStateSpace.Param;
}
