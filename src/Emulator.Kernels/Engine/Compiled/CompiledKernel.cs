using Emulator.Kernels.Engine.Interpreter;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Compiled;

/// <summary>Runs one warp from its current program counter until it parks at a barrier or every lane has exited.</summary>
delegate void WarpBody(BlockExecutor executor, Warp warp);

/// <summary>
/// A kernel compiled to a .NET method (one <see cref="System.Reflection.Emit.DynamicMethod"/> per kernel, JIT-compiled
/// by RyuJIT). Built once per <see cref="ExecutableKernel"/> by <see cref="KernelCompiler"/>; immutable and shared by
/// every launch and worker thread.
/// </summary>
public sealed class CompiledKernel
{
    internal CompiledKernel(ExecutableKernel kernel, WarpBody body, int extraSlots, (int Slot, ulong Value)[] constants,
        (int Slot, SpecialRegister Special)[] specials, int specialized, SortedDictionary<string, int> interpreted,
        int segmentWindowCount, int storeBufferWords, int fusedInstructions, int vectorInstructions, SortedDictionary<string, int> scalarOnly, SortedDictionary<string, int> unfused, int[]? registersLiveAtEntry)
    {
        VectorInstructions = vectorInstructions;
        ScalarOnlyForms = scalarOnly;
        UnfusedForms = unfused;
        RegistersLiveAtEntry = registersLiveAtEntry;
        SegmentWindowCount = segmentWindowCount;
        SegmentStoreBufferWords = storeBufferWords;
        FusedInstructions = fusedInstructions;
        Kernel = kernel;
        Body = body;
        ExtraSlots = extraSlots;
        Constants = constants;
        Specials = specials;
        SpecializedInstructions = specialized;
        InterpretedForms = interpreted;
    }

    public ExecutableKernel Kernel { get; }
    internal WarpBody Body { get; }

    /// <summary>Register slots appended after the kernel's own: one per distinct immediate and per special register read.</summary>
    internal int ExtraSlots { get; }
    internal (int Slot, ulong Value)[] Constants { get; }
    internal (int Slot, SpecialRegister Special)[] Specials { get; }

    /// <summary>Registers a block must start with zeroed (see <see cref="RegisterLiveness"/>); null: all of them.</summary>
    internal int[]? RegistersLiveAtEntry { get; }

    /// <summary>Global windows cached per executor for fused segments' accesses (<see cref="Segment"/>).</summary>
    internal int SegmentWindowCount { get; }

    /// <summary>Words of the per-executor buffer in which a segment's stores wait for its last lane.</summary>
    internal int SegmentStoreBufferWords { get; }

    /// <summary>Instructions that also run inside fused segments (lane by lane, registers in locals).</summary>
    public int FusedInstructions { get; }

    /// <summary>Of those, instructions in segments that also have a four-lanes-at-a-time form (<see cref="VectorSegmentEmitter"/>).</summary>
    public int VectorInstructions { get; }

    /// <summary>Forms (with why) that keep a fused segment from having a vector form, counted over such segments' steps.</summary>
    public IReadOnlyDictionary<string, int> ScalarOnlyForms { get; }

    /// <summary>Instruction forms (as written) that run outside fused segments, control flow aside, with their counts.</summary>
    public IReadOnlyDictionary<string, int> UnfusedForms { get; }

    /// <summary>Instructions compiled to specialised lane loops or inline control flow.</summary>
    public int SpecializedInstructions { get; }

    /// <summary>Instruction forms (opcode and modifiers as written) executed by the interpreter's semantics, with their counts.</summary>
    public IReadOnlyDictionary<string, int> InterpretedForms { get; }

    public int InterpretedInstructions => InterpretedForms.Values.Sum();

    // Block executors kept between launches: building one allocates every warp's registers and local memory, which
    // for ggml's many small launches cost more than running them. Reused only for the same block shape and shared size.
    const int PooledExecutorsLimit = 16;
    readonly Stack<BlockExecutor> idleExecutors = new();

    internal BlockExecutor RentExecutor(LaunchContext launch)
    {
        lock (idleExecutors)
        {
            while (idleExecutors.TryPop(out var idle))
            {
                if (!idle.Fits(launch)) continue; // another shape: let it go, the new shape is the likely next one
                idle.Rebind(launch);
                return idle;
            }
        }
        return new BlockExecutor(Kernel, launch, this);
    }

    internal void ReturnExecutor(BlockExecutor executor)
    {
        lock (idleExecutors)
        {
            if (idleExecutors.Count < PooledExecutorsLimit) idleExecutors.Push(executor);
        }
    }
}
