using System.Numerics;
using System.Runtime.CompilerServices;
using Emulator.Kernels.Engine.Compiled;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// Runs one thread block to completion. All state of the block (shared memory, warps, barrier, instruction
/// count, printf output) lives here, so blocks are independent: the scheduler gives each worker thread its
/// own executor. An executor is reused for consecutive blocks: <see cref="Run"/> resets every piece of state.
/// Warps take turns in index order: a warp runs until it waits at a barrier, exits, or takes a backward branch (one
/// loop iteration), then the next one runs. Taking turns per loop iteration keeps warps about as close together as
/// hardware does, so code that relies on that in practice (ggml's flash attention re-fills shared memory for its next
/// tile while other warps may still read the previous tile's results, with no barrier between) sees what it sees on a
/// GPU; the order is still fixed, so results stay deterministic.
/// </summary>
sealed unsafe partial class BlockExecutor
{
    readonly ExecutableKernel kernel;
    LaunchContext launch;
    readonly Warp[] warps;
    readonly byte[] shared;
    (uint X, uint Y, uint Z) blockId;
    readonly uint[] initialLiveMasks;
    readonly Instruction[] code;

    public long ThreadInstructions;
    /// <summary>
    /// Thread-instructions this block may execute before the launch's budget is exhausted (LaunchTimeout).
    /// Budgeted launches run their blocks in order, so the scheduler knows what earlier blocks used.
    /// </summary>
    long instructionAllowance = long.MaxValue;
    /// <summary>The current block's device printf output in execution order; the scheduler delivers it in block order.</summary>
    public List<string> PrintedText { get; } = [];
    Warp? faultWarp;
    int faultLane;
    Instruction? faultInstruction;

    // Barrier reduction state (bar.red): accumulated over the arriving threads.
    int barrierArrivals;
    /// <summary>Whether a warp gives the next one its turn at a taken backward branch (only when there is a next one).</summary>
    internal readonly bool YieldsAtBackwardBranches;
    int barrierPopCount;
    bool barrierAnd = true, barrierOr;

    public BlockExecutor(ExecutableKernel kernel, LaunchContext launch, CompiledKernel? compiled = null)
    {
        this.kernel = kernel;
        this.launch = launch;
        this.compiled = compiled;
        code = kernel.Code;
        shared = GC.AllocateArray<byte>(launch.SharedBytes, pinned: true);
        var block = launch.Block;
        int threads = (int)block.Count;
        int warpCount = (threads + Warp.Size - 1) / Warp.Size;
        warps = new Warp[warpCount];
        YieldsAtBackwardBranches = warpCount > 1;
        initialLiveMasks = new uint[warpCount];
        for (int w = 0; w < warpCount; w++)
        {
            int lanes = Math.Min(Warp.Size, threads - w * Warp.Size);
            initialLiveMasks[w] = lanes == 32 ? uint.MaxValue : (1u << lanes) - 1;
            var warp = new Warp(w, kernel, initialLiveMasks[w], compiled?.ExtraSlots ?? 0);
            for (int lane = 0; lane < lanes; lane++)
            {
                uint linear = (uint)(w * Warp.Size + lane);
                warp.ThreadIds[lane] = (linear % block.X, linear / block.X % block.Y, linear / (block.X * block.Y));
            }
            warps[w] = warp;
        }
    }

    public (uint X, uint Y, uint Z) FaultThread => faultWarp is null ? default : faultWarp.ThreadIds[faultLane];
    public int FaultLine => faultInstruction?.Line ?? 0;
    public string FaultText => faultInstruction?.Text ?? "";

    /// <summary>
    /// Runs one block from a clean state; throws <see cref="KernelFault"/> on a fault (caught by the engine).
    /// <paramref name="allowance"/>: thread-instructions left in the launch's budget (<see cref="long.MaxValue"/>: none).
    /// </summary>
    public void Run((uint X, uint Y, uint Z) block, long allowance = long.MaxValue)
    {
        blockId = block;
        ThreadInstructions = 0;
        instructionAllowance = allowance;
        PrintedText.Clear();
        // Registers, shared and local memory start zeroed in every block: hardware leaves them undefined,
        // and zero keeps results independent of which block ran before.
        Array.Clear(shared);
        for (int w = 0; w < warps.Length; w++) warps[w].Reset(initialLiveMasks[w], compiled?.RegistersLiveAtEntry);
        PrepareCompiledWarps();
        barrierArrivals = 0;
        barrierPopCount = 0;
        barrierAnd = true;
        barrierOr = false;
        while (true)
        {
            bool progressed = false;
            foreach (var warp in warps)
            {
                if (warp.Done || warp.WaitingAtBarrier) continue;
                RunWarp(warp);
                progressed = true;
            }
            bool allDone = true, allParked = true;
            foreach (var warp in warps)
            {
                allDone &= warp.Done;
                allParked &= warp.Done || warp.WaitingAtBarrier;
            }
            if (allDone) return;
            if (!progressed || allParked)
                ReleaseBarrier();
        }
    }

    void ReleaseBarrier()
    {
        bool andResult = barrierAnd, orResult = barrierOr;
        int popCount = barrierPopCount;
        foreach (var warp in warps)
        {
            if (!warp.WaitingAtBarrier) continue;
            warp.WaitingAtBarrier = false;
            var instruction = code[warp.Pc];
            if (instruction.Opcode == Opcode.BarRed)
            {
                ulong result = instruction.SubOp switch
                {
                    "and" => andResult ? 1UL : 0,
                    "or" => orResult ? 1UL : 0,
                    _ => (ulong)(uint)popCount,
                };
                for (uint m = warp.BarrierLanes; m != 0; m &= m - 1)
                    WriteRegister(warp, instruction.Operands[0], BitOperations.TrailingZeroCount(m), result);
            }
            warp.Advance(warp.BarrierLanes);
        }
        barrierArrivals = 0;
        barrierPopCount = 0;
        barrierAnd = true;
        barrierOr = false;
    }

    void RunWarp(Warp warp)
    {
        if (compiled is not null)
        {
            compiled.Body(this, warp);
            return;
        }
        long allowance = instructionAllowance;
        while (!warp.Done)
        {
            int pc = warp.Pc;
            if ((uint)pc >= (uint)code.Length)
                throw Fault(warp, 0, null, LaunchStatus.IllegalInstruction, "execution ran past the end of the kernel");
            var instruction = code[pc];
            uint active = warp.ActiveMask();
            uint enabled = active;
            if (instruction.GuardRegister >= 0)
            {
                enabled = 0;
                int baseIndex = instruction.GuardRegister * Warp.Size;
                for (uint m = active; m != 0; m &= m - 1)
                {
                    int lane = BitOperations.TrailingZeroCount(m);
                    bool value = warp.Registers[baseIndex + lane] != 0;
                    if (value != instruction.GuardNegated) enabled |= 1u << lane;
                }
            }
            ThreadInstructions += BitOperations.PopCount(active);
            if (ThreadInstructions > allowance)
                throw Fault(warp, BitOperations.TrailingZeroCount(active), instruction, LaunchStatus.LaunchTimeout, "instruction budget exhausted");

            switch (instruction.Opcode)
            {
                case Opcode.Bra:
                {
                    int target = (int)instruction.Operands[0].Immediate;
                    warp.Branch(enabled, target, pc + 1, active);
                    if (enabled != 0 && target <= pc && YieldsAtBackwardBranches) return;
                    continue;
                }
                case Opcode.Exit:
                case Opcode.Ret:
                    warp.ExitLanes(enabled, active);
                    continue;
                case Opcode.BarSync:
                case Opcode.BarRed:
                    if (enabled == 0) break;
                    if (enabled != active)
                        throw Fault(warp, BitOperations.TrailingZeroCount(active & ~enabled), instruction, LaunchStatus.IllegalInstruction, "predicated barrier with a partially enabled warp");
                    ArriveAtBarrier(warp, instruction, enabled);
                    return;
                default:
                    if (enabled != 0) Execute(warp, instruction, enabled);
                    break;
            }
            warp.Advance(active);
        }
    }

    void ArriveAtBarrier(Warp warp, Instruction instruction, uint lanes)
    {
        warp.WaitingAtBarrier = true;
        warp.BarrierLanes = lanes;
        barrierArrivals += BitOperations.PopCount(lanes);
        if (instruction.Opcode != Opcode.BarRed) return;
        var predicate = instruction.Operands[^1];
        for (uint m = lanes; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            bool value = Read(warp, predicate, lane) != 0;
            barrierAnd &= value;
            barrierOr |= value;
            if (value) barrierPopCount++;
        }
    }

    KernelFault Fault(Warp warp, int lane, Instruction? instruction, LaunchStatus status, string message)
    {
        faultWarp = warp;
        faultLane = lane;
        faultInstruction = instruction;
        return new KernelFault(status, message);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    ulong Read(Warp warp, in Operand operand, int lane)
    {
        switch (operand.Kind)
        {
            case OperandKind.Register:
            {
                ulong value = warp.Registers[operand.Register * Warp.Size + lane];
                return operand.Negated ? value ^ 1 : value;
            }
            case OperandKind.Immediate:
                return operand.Immediate;
            case OperandKind.Special:
                return ReadSpecial(warp, operand.Special, lane);
            case OperandKind.Address:
                return SymbolAddress(warp, operand, lane);
            default:
                throw Fault(warp, lane, null, LaunchStatus.IllegalInstruction, $"operand kind {operand.Kind} cannot be read as a value");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void WriteRegister(Warp warp, in Operand operand, int lane, ulong value)
    {
        if (operand.Kind == OperandKind.Discard) return;
        int bits = kernel.RegisterBits[operand.Register];
        warp.Registers[operand.Register * Warp.Size + lane] = bits >= 64 ? value : value & ((1UL << bits) - 1);
    }

    ulong ReadSpecial(Warp warp, SpecialRegister special, int lane)
    {
        var tid = warp.ThreadIds[lane];
        var block = launch.Block;
        var grid = launch.Grid;
        uint laneBit = 1u << lane;
        return special switch
        {
            SpecialRegister.TidX => tid.X,
            SpecialRegister.TidY => tid.Y,
            SpecialRegister.TidZ => tid.Z,
            SpecialRegister.NtidX => block.X,
            SpecialRegister.NtidY => block.Y,
            SpecialRegister.NtidZ => block.Z,
            SpecialRegister.CtaidX => blockId.X,
            SpecialRegister.CtaidY => blockId.Y,
            SpecialRegister.CtaidZ => blockId.Z,
            SpecialRegister.NctaidX => grid.X,
            SpecialRegister.NctaidY => grid.Y,
            SpecialRegister.NctaidZ => grid.Z,
            SpecialRegister.LaneId => (uint)lane,
            SpecialRegister.WarpId => (uint)warp.Index,
            SpecialRegister.NWarpId => (uint)warps.Length,
            SpecialRegister.LanemaskEq => laneBit,
            SpecialRegister.LanemaskLe => laneBit | (laneBit - 1),
            SpecialRegister.LanemaskLt => laneBit - 1,
            SpecialRegister.LanemaskGe => ~(laneBit - 1),
            SpecialRegister.LanemaskGt => ~(laneBit | (laneBit - 1)),
            SpecialRegister.DynamicSmemSize => (uint)launch.DynamicSharedBytes,
            // %envreg, %smid, %gridid: no environment is provided by this driver; documented as 0.
            _ => 0,
        };
    }

    /// <summary>The value of a symbol address operand (mov %r, sym / cvta sym): an offset in its own space.</summary>
    ulong SymbolAddress(Warp warp, in Operand operand, int lane) => operand.Base switch
    {
        AddressBase.SharedSymbol or AddressBase.LocalSymbol or AddressBase.ParamSymbol or AddressBase.CallParamSymbol => (ulong)operand.Offset,
        AddressBase.GlobalSymbol => launch.GlobalSymbolAddress(operand),
        AddressBase.Register => warp.Registers[operand.Register * Warp.Size + lane] + (ulong)operand.Offset,
        _ => (ulong)operand.Offset,
    };
}
