using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// Launch-wide, read-only state shared by the blocks of one launch. Nothing here changes while blocks run, so
/// executors on different threads may share one context; per-block progress (instruction counts, printf text)
/// lives in each <see cref="BlockExecutor"/>.
/// </summary>
sealed class LaunchContext
{
    public required LaunchExtent Grid { get; init; }
    public required LaunchExtent Block { get; init; }
    public required int SharedBytes { get; init; }
    public required int DynamicSharedBytes { get; init; }
    public required int DynamicSharedOffset { get; init; }
    public required byte[] Params { get; init; }
    public required IGlobalMemory Global { get; init; }
    public required ulong[] GlobalSymbolAddresses { get; init; }
    public required long InstructionBudget { get; init; }

    public ulong GlobalSymbolAddress(in Operand operand)
    {
        // A global-symbol operand carries the symbol's index in ExecutableKernel.GlobalSymbols in Register
        // and the byte offset inside the symbol in Offset.
        return GlobalSymbolAddresses[operand.Register] + (ulong)operand.Offset;
    }
}
