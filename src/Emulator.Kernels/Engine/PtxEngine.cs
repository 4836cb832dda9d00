using System.Runtime.CompilerServices;
using Emulator.Kernels.Engine.Interpreter;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Scheduling;
using Emulator.Kernels.Ir;

namespace Emulator.Kernels.Engine;

/// <summary>
/// The reference interpreter. Results are those of running blocks one after another in linear block order
/// (x fastest), a block's warps in turns (index order, each until a barrier, an exit or a taken backward branch),
/// lanes in order within a warp; every launch with the same
/// inputs therefore produces the same memory contents, printf output and instruction count. Blocks of kernels
/// that cannot observe one another run on several threads (<see cref="BlockScheduler"/>) with the same results.
/// </summary>
public static class PtxEngine
{
    /// <summary>
    /// Upper bound on a block's shared memory that the engine will allocate. The driver enforces the persona's
    /// (smaller) limits first; this only keeps a bad request from exhausting host memory.
    /// </summary>
    public const int MaxSharedBytesPerBlock = 4 << 20;

    // Decoding is deterministic and the result immutable, so one executable per IR function is shared by all launches.
    static readonly ConditionalWeakTable<IrFunction, ExecutableKernel> decoded = new();

    /// <summary>The executable form of <paramref name="kernel"/>, decoded on first use.</summary>
    public static ExecutableKernel Prepare(IrModule module, IrFunction kernel)
        => decoded.GetValue(kernel, function => KernelDecoder.Decode(module, function));

    /// <summary>Launch an IR kernel: decodes it once (cached per function), then runs it.</summary>
    public static LaunchResult Launch(IrModule module, IrFunction kernel, LaunchExtent grid, LaunchExtent block, int dynamicSharedBytes,
        ReadOnlySpan<byte> parameters, LaunchServices services)
        => Launch(Prepare(module, kernel), grid, block, dynamicSharedBytes, parameters, services);

    /// <summary>
    /// The compiled form when the launch runs on the compiled tier. An instruction budget (a launch-wide count
    /// checked per instruction) is a debugging aid the reference tier implements, so such launches run there.
    /// </summary>
    static Compiled.CompiledKernel? CompiledFor(ExecutableKernel kernel, LaunchServices services)
    {
        var tier = services.Tier ?? EngineSelection.DefaultTier;
        if (tier != EngineTier.Compiled || services.InstructionBudget > 0) return null;
        return Compiled.KernelCompiler.Compile(kernel);
    }

    public static LaunchResult Launch(ExecutableKernel kernel, LaunchExtent grid, LaunchExtent block, int dynamicSharedBytes,
        ReadOnlySpan<byte> parameters, LaunchServices services)
    {
        if ((UInt128)grid.X * grid.Y * grid.Z > long.MaxValue)
            return new LaunchResult(LaunchStatus.InvalidConfiguration, 0, kernel.Name, Message: $"grid {grid} has more blocks than the engine can number");
        if (grid.Count == 0 || block.Count == 0 || block.Count > (ulong)kernel.MaxThreadsPerBlock || dynamicSharedBytes < 0)
            return new LaunchResult(LaunchStatus.InvalidConfiguration, 0, kernel.Name, Message: $"grid {grid} block {block} dynamic shared {dynamicSharedBytes}");
        if ((long)kernel.DynamicSharedOffset + dynamicSharedBytes > MaxSharedBytesPerBlock)
            return new LaunchResult(LaunchStatus.InvalidConfiguration, 0, kernel.Name, Message: $"{kernel.DynamicSharedOffset + (long)dynamicSharedBytes} bytes of shared memory exceed the engine's {MaxSharedBytesPerBlock}");
        if (parameters.Length < kernel.ParamBytes)
            return new LaunchResult(LaunchStatus.InvalidConfiguration, 0, kernel.Name, Message: $"{parameters.Length} parameter bytes given, kernel needs {kernel.ParamBytes}");

        var symbolAddresses = new ulong[kernel.GlobalSymbols.Length];
        for (int i = 0; i < symbolAddresses.Length; i++)
        {
            ulong? address = services.ResolveGlobal(kernel.GlobalSymbols[i]);
            if (address is null)
                return new LaunchResult(LaunchStatus.LaunchFailed, 0, kernel.Name, Message: $"global symbol '{kernel.GlobalSymbols[i]}' is not defined in the module");
            symbolAddresses[i] = address.Value;
        }

        int dynamicOffset = kernel.DynamicSharedOffset;
        var paramCopy = GC.AllocateArray<byte>(Math.Max(parameters.Length, 1), pinned: true);
        parameters.CopyTo(paramCopy);
        var context = new LaunchContext
        {
            Grid = grid,
            Block = block,
            SharedBytes = dynamicOffset + dynamicSharedBytes,
            DynamicSharedBytes = dynamicSharedBytes,
            DynamicSharedOffset = dynamicOffset,
            Params = paramCopy,
            Global = services.GlobalMemory,
            GlobalSymbolAddresses = symbolAddresses,
            InstructionBudget = services.InstructionBudget,
        };

        int workers = services.Workers > 0 ? Math.Min(services.Workers, EngineSelection.MaxWorkers) : EngineSelection.DefaultWorkers;
        return BlockScheduler.Run(kernel, context, CompiledFor(kernel, services), services.PrintfSink, workers);
    }
}
