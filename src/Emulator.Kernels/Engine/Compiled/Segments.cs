using System.Numerics;
using System.Reflection;
using System.Reflection.Emit;
using Emulator.Kernels.Engine.Interpreter;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Compiled;

/// <summary>
/// A run of straight-line instructions executed lane by lane: for each active lane, the registers it uses are loaded
/// into IL locals, every instruction is applied to them, and the results are written back — no call, no loop and no
/// register-array traffic per instruction. Exactness against the interpreter (which runs instruction by instruction
/// over all lanes) rests on three rules enforced by <see cref="SegmentPlanner"/>:
/// <list type="bullet">
/// <item>Registers are per lane, so arithmetic can run in any lane order.</item>
/// <item>Memory is touched in the interpreter's order: within one space (a generic access counts for every space) no
/// load follows a store, and stores are only checked and recorded while the lanes run, then written after the last
/// lane — instruction by instruction, lanes in order, as the interpreter writes them. Parameters are read-only.</item>
/// <item>A segment that can give up (any memory access: an address outside the cached windows, a misaligned or
/// faulting one) never overwrites a register it reads first and has written no memory yet, so giving up loses
/// nothing: the warp body then runs the same instructions one by one, exactly as before.</item>
/// </list>
/// </summary>
sealed class Segment
{
    public required int Start { get; init; }
    public required LaneStep[] Steps { get; init; }
    public int End => Start + Steps.Length;

    /// <summary>
    /// Registers to load when a lane starts (read before written, or written only under a guard, so the old value
    /// must survive), and every register written (stored back when the lane ends).
    /// </summary>
    public (List<int> LoadFirst, List<int> Written) RegisterUse() => RegisterUse(Steps);

    /// <summary><see cref="RegisterUse()"/> for a run of steps.</summary>
    public static (List<int> LoadFirst, List<int> Written) RegisterUse(IEnumerable<LaneStep> steps)
    {
        var seen = new HashSet<int>();
        var loadFirst = new List<int>();
        var written = new List<int>();
        foreach (var step in steps)
        {
            foreach (int r in step.Reads)
                if (seen.Add(r)) loadFirst.Add(r);
            foreach (int r in step.Writes)
            {
                if (seen.Add(r) && step.Instruction.GuardRegister >= 0) loadFirst.Add(r);
                if (!written.Contains(r)) written.Add(r);
            }
        }
        return (loadFirst, written);
    }
}

static class SegmentPlanner
{
    /// <summary>Longer runs are split: one method per segment keeps each one small enough for RyuJIT's full optimisation.</summary>
    const int MaximumSteps = 160;

    public static Dictionary<int, Segment> Plan(KernelCompiler.Builder builder, bool[] leaders)
    {
        var segments = new Dictionary<int, Segment>();
        var code = builder.Kernel.Code;
        var current = new List<LaneStep>();
        var liveIn = new HashSet<int>();
        var written = new HashSet<int>();
        bool canGiveUp = false;

        void Close()
        {
            if (current.Count >= 2) segments[current[0].Pc] = new Segment { Start = current[0].Pc, Steps = [.. current] };
            current.Clear();
            liveIn.Clear();
            written.Clear();
            canGiveUp = false;
        }

        var steps = new LaneStep?[code.Length];
        for (int pc = 0; pc < code.Length; pc++) steps[pc] = LaneSteps.Describe(builder, pc);
        bool endsRun = false;
        for (int pc = 0; pc < code.Length; pc++)
        {
            if (leaders[pc] || current.Count == MaximumSteps) Close();
            var step = steps[pc];
            endsRun = pc + 1 >= code.Length || leaders[pc + 1] || steps[pc + 1] is null;
            if (step is null)
            {
                Close();
                continue;
            }
            if (!Fits(step) && current.Count > 0)
            {
                Close();
            }
            if (!Fits(step)) continue; // on its own it still could not give up safely: it runs unfused
            current.Add(step);
            foreach (int r in step.Reads)
                if (!written.Contains(r)) liveIn.Add(r);
            foreach (int r in step.Writes) written.Add(r);
            canGiveUp |= step.Memory != LaneMemory.None;
        }
        Close();
        return segments;

        bool Fits(LaneStep step)
        {
            foreach (var other in current)
            {
                if (!MayAlias(other.Memory, step.Memory) || !(other.IsStore || step.IsStore)) continue;
                // A load after a store to memory it may alias would read before the (deferred) store.
                if (!step.IsStore) return false;
                // A store that has to wait for the last lane: worth it only when more fused work follows it; a store
                // ending the run is cheaper as its own instruction (one pass over the lanes, no buffer).
                if (endsRun) return false;
            }
            bool giveUp = canGiveUp || step.Memory != LaneMemory.None;
            if (!giveUp) return true;
            // Live-ins after adding the step, against everything written.
            var reads = new HashSet<int>(liveIn);
            foreach (int r in step.Reads)
                if (!written.Contains(r)) reads.Add(r);
            foreach (int r in written)
                if (reads.Contains(r)) return false;
            foreach (int r in step.Writes)
                if (reads.Contains(r)) return false;
            return true;
        }
    }

    /// <summary>
    /// Whether two accesses may touch the same bytes (from any lanes, the same lane included): the same space, or a
    /// generic access and any space a generic address can reach. Parameters are never stored to by a segment.
    /// </summary>
    static bool MayAlias(LaneMemory a, LaneMemory b)
    {
        if (a is LaneMemory.None or LaneMemory.Param || b is LaneMemory.None or LaneMemory.Param) return false;
        return a == b || a == LaneMemory.Generic || b == LaneMemory.Generic;
    }
}

/// <summary>
/// Writes one segment as its own <see cref="DynamicMethod"/> <c>bool (executor, warp, registers, active)</c>: true when
/// every active lane ran it; false (nothing to undo) when a lane needs the slow path (see <see cref="Segment"/>).
/// </summary>
sealed unsafe class SegmentEmitter : ILaneCode
{
    readonly KernelCompiler.Builder builder;
    public KernelCompiler.Builder Builder => builder;
    readonly Segment segment;
    readonly DynamicMethod method;
    public ILGenerator IL { get; }

    readonly Dictionary<int, LocalBuilder> registerLocals = [];
    LocalBuilder lane = null!, laneRegisters = null!;
    readonly Label giveUp;
    Label body;
    LocalBuilder restarts = null!;
    // Out-of-line blocks for global-window misses, emitted after the lanes' code (see EmitGlobal).
    readonly List<Action> windowMisses = [];

    /// <summary>Restarts after window refreshes before giving up (lanes alternating between regions at one access).</summary>
    const int MaximumRestarts = 2;

    // Set up once per call, before the lane loop (emitted last, reached by a branch from the entry).
    LocalBuilder? windows, sharedBase, sharedLength, localBase, localBytes, parameters, parameterLength;
    readonly Dictionary<(LaneMemory, int), LocalBuilder> limits = [];

    // Deferred stores: per store step, the lanes that stored and, per lane, the pointer and element values.
    LocalBuilder? storeBuffer;
    readonly Dictionary<LaneStep, (int Offset, LocalBuilder Lanes)> storeEntries = [];
    LaneStep? currentStep;

    SegmentEmitter(KernelCompiler.Builder builder, Segment segment)
    {
        this.builder = builder;
        this.segment = segment;
        method = new DynamicMethod($"ptx_{builder.Kernel.Name}_{segment.Start}", typeof(bool),
            [typeof(BlockExecutor), typeof(Warp), typeof(ulong*), typeof(uint)], typeof(BlockExecutor), skipVisibility: true);
        IL = method.GetILGenerator();
        giveUp = IL.DefineLabel();
    }

    public static DynamicMethod Emit(KernelCompiler.Builder builder, Segment segment)
    {
        var emitter = new SegmentEmitter(builder, segment);
        emitter.EmitBody();
        return emitter.method;
    }

    void EmitBody()
    {
        var il = IL;
        var setup = il.DefineLabel();
        var loop = il.DefineLabel();
        var done = il.DefineLabel();
        var remaining = il.DeclareLocal(typeof(uint));
        lane = il.DeclareLocal(typeof(int));
        laneRegisters = il.DeclareLocal(typeof(byte*));
        var (loadFirst, written) = segment.RegisterUse();
        foreach (int r in loadFirst.Concat(written).Distinct()) registerLocals[r] = il.DeclareLocal(typeof(ulong));

        int storeWords = 0;
        foreach (var step in segment.Steps.Where(s => s.IsStore))
        {
            storeEntries[step] = (storeWords, il.DeclareLocal(typeof(uint)));
            storeWords += Warp.Size * (1 + step.StoreElements);
        }
        builder.NoteStoreBufferWords(storeWords);

        il.Emit(OpCodes.Br, setup);
        body = il.DefineLabel();
        restarts = il.DeclareLocal(typeof(int));
        il.MarkLabel(body);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Brfalse, done);
        // (Re)start: no store recorded yet.
        foreach (var (_, lanes) in storeEntries.Values)
        {
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Stloc, lanes);
        }
        EmitUniformPart(loadFirst);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Stloc, remaining);
        il.MarkLabel(loop);
        // lane = tzcnt(remaining); remaining &= remaining - 1; laneRegisters = registers + lane
        il.Emit(OpCodes.Ldloc, remaining);
        il.Emit(OpCodes.Brfalse, done);
        il.Emit(OpCodes.Ldloc, remaining);
        il.Emit(OpCodes.Call, typeof(BitOperations).GetMethod(nameof(BitOperations.TrailingZeroCount), [typeof(uint)])!);
        il.Emit(OpCodes.Stloc, lane);
        il.Emit(OpCodes.Ldloc, remaining);
        il.Emit(OpCodes.Ldloc, remaining);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Sub);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Stloc, remaining);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldloc, lane);
        il.Emit(OpCodes.Conv_I);
        il.Emit(OpCodes.Ldc_I4_8);
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, laneRegisters);

        foreach (int r in loadFirst.Where(r => !builder.IsUniform(r)))
        {
            EmitSlotAddress(r * Warp.Size);
            il.Emit(OpCodes.Ldind_I8);
            il.Emit(OpCodes.Stloc, registerLocals[r]);
        }
        foreach (var step in segment.Steps)
        {
            if (IsHoisted(step)) continue;
            currentStep = step;
            var skip = il.DefineLabel();
            var ins = step.Instruction;
            if (ins.GuardRegister >= 0)
            {
                il.Emit(OpCodes.Ldloc, registerLocals[ins.GuardRegister]);
                il.Emit(ins.GuardNegated ? OpCodes.Brtrue : OpCodes.Brfalse, skip);
            }
            step.Emit(this);
            il.MarkLabel(skip);
        }
        // Only values some later instruction may read go back to the register array (the rest are dead).
        foreach (int r in written.Where(r => builder.IsLiveAt(segment.End, r)))
        {
            EmitSlotAddress(r * Warp.Size);
            il.Emit(OpCodes.Ldloc, registerLocals[r]);
            il.Emit(OpCodes.Stind_I8);
        }
        il.Emit(OpCodes.Br, loop);

        il.MarkLabel(done);
        EmitDeferredStores();
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);
        foreach (var emitRefresh in windowMisses) emitRefresh();
        il.MarkLabel(giveUp);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);

        il.MarkLabel(setup);
        EmitSetup();
        il.Emit(OpCodes.Br, body);
    }

    /// <summary>
    /// A step whose results are warp-uniform (<see cref="WarpUniformity"/>): it runs once per call, before the lanes,
    /// from uniform inputs only, so every lane would have computed the same bits.
    /// </summary>
    bool IsHoisted(LaneStep step) => IsHoisted(builder, step);

    internal static bool IsHoisted(KernelCompiler.Builder builder, LaneStep step) =>
        step.Writes.Length > 0 && step.Instruction.GuardRegister < 0 && !step.IsStore && step.Memory is LaneMemory.None or LaneMemory.Param
        && step.Writes.All(builder.IsUniform) && step.Reads.All(builder.IsUniform);

    /// <summary>
    /// Once per call, for the first active lane: the uniform registers the segment reads before writing (every lane
    /// holds the same value), then the hoisted steps.
    /// </summary>
    void EmitUniformPart(List<int> loadFirst)
    {
        var il = IL;
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Call, typeof(BitOperations).GetMethod(nameof(BitOperations.TrailingZeroCount), [typeof(uint)])!);
        il.Emit(OpCodes.Conv_I);
        il.Emit(OpCodes.Ldc_I4_8);
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, laneRegisters);
        foreach (int r in loadFirst.Where(builder.IsUniform))
        {
            EmitSlotAddress(r * Warp.Size);
            il.Emit(OpCodes.Ldind_I8);
            il.Emit(OpCodes.Stloc, registerLocals[r]);
        }
        foreach (var step in segment.Steps.Where(IsHoisted))
        {
            currentStep = step;
            step.Emit(this);
        }
    }

    void EmitSlotAddress(int slotOffset)
    {
        IL.Emit(OpCodes.Ldloc, laneRegisters);
        IL.Emit(OpCodes.Ldc_I4, slotOffset * sizeof(ulong));
        IL.Emit(OpCodes.Add);
    }

    // ---- services for the steps ----

    public LocalBuilder Temporary() => IL.DeclareLocal(typeof(ulong));

    public void ShiftRight(int bits)
    {
        IL.Emit(OpCodes.Ldc_I4, bits);
        IL.Emit(OpCodes.Shr_Un);
    }

    public void ShiftLeft(int bits)
    {
        IL.Emit(OpCodes.Ldc_I4, bits);
        IL.Emit(OpCodes.Shl);
    }

    public void Bitwise(OpCode operation) => IL.Emit(operation);

    public void Constant(ulong value) => IL.Emit(OpCodes.Ldc_I8, unchecked((long)value));

    public void Apply(MethodInfo scalar, MethodInfo? vector) => IL.Emit(OpCodes.Call, scalar);

    public void LoadRegister(int register) => IL.Emit(OpCodes.Ldloc, registerLocals[register]);

    public void LoadSlot(int slotOffset)
    {
        EmitSlotAddress(slotOffset);
        IL.Emit(OpCodes.Ldind_I8);
    }

    public void StoreRegister(int register) => IL.Emit(OpCodes.Stloc, registerLocals[register]);


    /// <summary>Loads an element at the pointer on the stack as a register value (sign-extended when asked).</summary>
    public void LoadElement(int bytes, bool signExtend)
    {
        IL.Emit((bytes, signExtend) switch
        {
            (1, true) => OpCodes.Ldind_I1,
            (1, false) => OpCodes.Ldind_U1,
            (2, true) => OpCodes.Ldind_I2,
            (2, false) => OpCodes.Ldind_U2,
            (4, true) => OpCodes.Ldind_I4,
            (4, false) => OpCodes.Ldind_U4,
            _ => OpCodes.Ldind_I8,
        });
        if (bytes < 8) IL.Emit(signExtend ? OpCodes.Conv_I8 : OpCodes.Conv_U8);
    }

    /// <summary>Records this lane's store of <paramref name="values"/> at <paramref name="pointer"/> (already checked).</summary>
    public void BufferStore(LocalBuilder pointer, Operand[] values)
    {
        var il = IL;
        var (offset, lanes) = storeEntries[currentStep!];
        storeBuffer ??= il.DeclareLocal(typeof(ulong*));
        var entry = il.DeclareLocal(typeof(ulong*));
        EmitStoreEntry(entry, offset, 1 + values.Length, () => il.Emit(OpCodes.Ldloc, lane));
        il.Emit(OpCodes.Ldloc, entry);
        il.Emit(OpCodes.Ldloc, pointer);
        il.Emit(OpCodes.Conv_U8);
        il.Emit(OpCodes.Stind_I8);
        for (int i = 0; i < values.Length; i++)
        {
            il.Emit(OpCodes.Ldloc, entry);
            il.Emit(OpCodes.Ldc_I4, (1 + i) * sizeof(ulong));
            il.Emit(OpCodes.Add);
            this.LoadValue(values[i]);
            il.Emit(OpCodes.Stind_I8);
        }
        // lanes |= 1 << lane
        il.Emit(OpCodes.Ldloc, lanes);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ldloc, lane);
        il.Emit(OpCodes.Shl);
        il.Emit(OpCodes.Or);
        il.Emit(OpCodes.Stloc, lanes);
    }

    /// <summary>entry = storeBuffer + (offset + lane × stride) words, the lane pushed by <paramref name="pushLane"/>.</summary>
    void EmitStoreEntry(LocalBuilder entry, int offset, int stride, Action pushLane)
    {
        var il = IL;
        il.Emit(OpCodes.Ldloc, storeBuffer!);
        pushLane();
        il.Emit(OpCodes.Ldc_I4, stride * sizeof(ulong));
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Ldc_I4, offset * sizeof(ulong));
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Conv_I);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, entry);
    }

    /// <summary>After the last lane: every recorded store, instruction by instruction, lanes in ascending order.</summary>
    void EmitDeferredStores()
    {
        var il = IL;
        foreach (var step in segment.Steps.Where(s => s.IsStore))
        {
            var (offset, lanes) = storeEntries[step];
            int stride = 1 + step.StoreElements;
            var next = il.DefineLabel();
            var loop = il.DefineLabel();
            var entry = il.DeclareLocal(typeof(ulong*));
            var pointer = il.DeclareLocal(typeof(byte*));
            il.MarkLabel(loop);
            il.Emit(OpCodes.Ldloc, lanes);
            il.Emit(OpCodes.Brfalse, next);
            // entry of the lowest recorded lane; lanes &= lanes - 1
            EmitStoreEntry(entry, offset, stride, () =>
            {
                il.Emit(OpCodes.Ldloc, lanes);
                il.Emit(OpCodes.Call, typeof(BitOperations).GetMethod(nameof(BitOperations.TrailingZeroCount), [typeof(uint)])!);
            });
            il.Emit(OpCodes.Ldloc, lanes);
            il.Emit(OpCodes.Ldloc, lanes);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Stloc, lanes);
            il.Emit(OpCodes.Ldloc, entry);
            il.Emit(OpCodes.Ldind_I8);
            il.Emit(OpCodes.Conv_U);
            il.Emit(OpCodes.Stloc, pointer);
            for (int i = 0; i < step.StoreElements; i++)
            {
                il.Emit(OpCodes.Ldloc, pointer);
                if (i > 0)
                {
                    il.Emit(OpCodes.Ldc_I4, i * step.StoreElementBytes);
                    il.Emit(OpCodes.Add);
                }
                il.Emit(OpCodes.Ldloc, entry);
                il.Emit(OpCodes.Ldc_I4, (1 + i) * sizeof(ulong));
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Ldind_I8);
                StoreElement(step.StoreElementBytes);
            }
            il.Emit(OpCodes.Br, loop);
            il.MarkLabel(next);
        }
    }

    /// <summary>Stores the low <paramref name="bytes"/> of the value on the stack at the pointer below it.</summary>
    public void StoreElement(int bytes)
    {
        switch (bytes)
        {
            case 1: IL.Emit(OpCodes.Conv_U1); IL.Emit(OpCodes.Stind_I1); break;
            case 2: IL.Emit(OpCodes.Conv_U2); IL.Emit(OpCodes.Stind_I2); break;
            case 4: IL.Emit(OpCodes.Conv_U4); IL.Emit(OpCodes.Stind_I4); break;
            default: IL.Emit(OpCodes.Stind_I8); break;
        }
    }

    /// <summary>
    /// The host pointer for this lane's access of <paramref name="size"/> bytes, in a new local; gives up (returns
    /// false from the segment) for anything the direct windows do not vouch for — misalignment, another state space
    /// than expected, an address outside every window — so the interpreter's path decides, and faults, exactly.
    /// </summary>
    public LocalBuilder Address(LaneMemory memory, in Operand address, int size, bool write, int window)
    {
        var il = IL;
        var effective = il.DeclareLocal(typeof(ulong));
        var pointer = il.DeclareLocal(typeof(byte*));
        if (address.Base == AddressBase.Register) il.Emit(OpCodes.Ldloc, registerLocals[address.Register]);
        else il.Emit(OpCodes.Ldc_I8, 0L);
        if (address.Offset != 0)
        {
            il.Emit(OpCodes.Ldc_I8, address.Offset);
            il.Emit(OpCodes.Add);
        }
        il.Emit(OpCodes.Stloc, effective);
        if (size > 1)
        {
            il.Emit(OpCodes.Ldloc, effective);
            il.Emit(OpCodes.Ldc_I8, (long)(size - 1));
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Brtrue, giveUp);
        }
        var resolved = il.DefineLabel();
        switch (memory)
        {
            case LaneMemory.Global:
                EmitGlobal(effective, pointer, size, write, window, resolved);
                break;
            case LaneMemory.Shared:
                EmitShared(effective, pointer, size, resolved);
                break;
            case LaneMemory.Local:
                EmitLocal(effective, pointer, size, resolved);
                break;
            case LaneMemory.Param:
                EmitParameter(effective, pointer, size, resolved);
                break;
            case LaneMemory.Generic:
            {
                // Generic: the shared and local windows by address, global otherwise (the interpreter's Resolve order).
                var notShared = il.DefineLabel();
                var notLocal = il.DefineLabel();
                EmitWindowTest(effective, AddressWindows.SharedBase, notShared);
                EmitShared(effective, pointer, size, resolved);
                il.MarkLabel(notShared);
                EmitWindowTest(effective, AddressWindows.LocalBase, notLocal);
                EmitLocal(effective, pointer, size, resolved);
                il.MarkLabel(notLocal);
                EmitGlobal(effective, pointer, size, write, window, resolved);
                break;
            }
        }
        il.MarkLabel(resolved);
        return pointer;
    }

    /// <summary>If effective is inside the generic window at <paramref name="windowBase"/>, rebase it to the window; otherwise go to <paramref name="outside"/>.</summary>
    void EmitWindowTest(LocalBuilder effective, ulong windowBase, Label outside)
    {
        var il = IL;
        il.Emit(OpCodes.Ldloc, effective);
        il.Emit(OpCodes.Ldc_I8, unchecked((long)windowBase));
        il.Emit(OpCodes.Sub);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldc_I8, unchecked((long)AddressWindows.WindowSize));
        var inside = il.DefineLabel();
        il.Emit(OpCodes.Blt_Un, inside);
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Br, outside);
        il.MarkLabel(inside);
        il.Emit(OpCodes.Stloc, effective);
    }

    void EmitGlobal(LocalBuilder effective, LocalBuilder pointer, int size, bool write, int window, Label resolved)
    {
        var il = IL;
        windows ??= il.DeclareLocal(typeof(ulong*));
        var hit = il.DefineLabel();
        // effective - start < count: inside the window with room for the whole access. The window is read from the
        // executor's array each time (an L1 hit) rather than kept in locals that would crowd out the registers.
        il.Emit(OpCodes.Ldloc, effective);
        EmitWindowWord(window * 2);
        il.Emit(OpCodes.Sub);
        EmitWindowWord(window * 2 + 1);
        il.Emit(OpCodes.Blt_Un, hit);
        // Miss, out of line: cache the region holding the address (no side effects, no fault) and start the segment
        // over — nothing is written yet and no register the segment reads first has changed — or give up.
        var miss = il.DefineLabel();
        il.Emit(OpCodes.Br, miss);
        windowMisses.Add(() =>
        {
            il.MarkLabel(miss);
            EmitRefreshAndRestart(il, restarts, giveUp, body, () =>
            {
                il.Emit(OpCodes.Ldloc, effective);
                il.Emit(OpCodes.Ldc_I4, size);
                il.Emit(OpCodes.Ldc_I4, write ? 1 : 0);
                il.Emit(OpCodes.Ldc_I4, window);
            });
        });
        il.MarkLabel(hit);
        // Unified addressing: the device address is the host address.
        il.Emit(OpCodes.Ldloc, effective);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Stloc, pointer);
        il.Emit(OpCodes.Br, resolved);
    }

    /// <summary>
    /// A global-window miss: unless <paramref name="restarts"/> has reached <see cref="MaximumRestarts"/>, re-cache the
    /// window (<paramref name="pushArguments"/>: address, size, write, window) and go to <paramref name="restart"/>;
    /// otherwise, or when no region holds the access, go to <paramref name="giveUp"/>.
    /// </summary>
    internal static void EmitRefreshAndRestart(ILGenerator il, LocalBuilder restarts, Label giveUp, Label restart, Action pushArguments)
    {
        il.Emit(OpCodes.Ldloc, restarts);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, restarts);
        il.Emit(OpCodes.Ldc_I4, MaximumRestarts);
        il.Emit(OpCodes.Bgt, giveUp);
        il.Emit(OpCodes.Ldarg_0);
        pushArguments();
        il.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.RefreshSegmentWindow)));
        il.Emit(OpCodes.Brfalse, giveUp);
        il.Emit(OpCodes.Br, restart);
    }

    void EmitWindowWord(int index)
    {
        IL.Emit(OpCodes.Ldloc, windows!);
        IL.Emit(OpCodes.Ldc_I4, index * sizeof(ulong));
        IL.Emit(OpCodes.Add);
        IL.Emit(OpCodes.Ldind_I8);
    }

    void EmitShared(LocalBuilder effective, LocalBuilder pointer, int size, Label resolved)
    {
        sharedBase ??= IL.DeclareLocal(typeof(byte*));
        sharedLength ??= IL.DeclareLocal(typeof(ulong));
        EmitWindowPointer(effective, pointer, Limit(LaneMemory.Shared, size), resolved, () => IL.Emit(OpCodes.Ldloc, sharedBase));
    }

    void EmitLocal(LocalBuilder effective, LocalBuilder pointer, int size, Label resolved)
    {
        localBase ??= IL.DeclareLocal(typeof(byte*));
        localBytes ??= IL.DeclareLocal(typeof(ulong));
        // Lane-private: localBase + lane * bytesPerLane + offset.
        EmitWindowPointer(effective, pointer, Limit(LaneMemory.Local, size), resolved, () =>
        {
            IL.Emit(OpCodes.Ldloc, localBase);
            IL.Emit(OpCodes.Ldloc, lane);
            IL.Emit(OpCodes.Conv_I8);
            IL.Emit(OpCodes.Ldloc, localBytes);
            IL.Emit(OpCodes.Mul);
            IL.Emit(OpCodes.Conv_U);
            IL.Emit(OpCodes.Add);
        });
    }

    void EmitParameter(LocalBuilder effective, LocalBuilder pointer, int size, Label resolved)
    {
        parameters ??= IL.DeclareLocal(typeof(byte*));
        parameterLength ??= IL.DeclareLocal(typeof(ulong));
        EmitWindowPointer(effective, pointer, Limit(LaneMemory.Param, size), resolved, () => IL.Emit(OpCodes.Ldloc, parameters));
    }

    /// <summary>effective ≥ limit → give up; otherwise pointer = (base pushed by <paramref name="pushBase"/>) + effective.</summary>
    void EmitWindowPointer(LocalBuilder effective, LocalBuilder pointer, LocalBuilder limit, Label resolved, Action pushBase)
    {
        var il = IL;
        il.Emit(OpCodes.Ldloc, effective);
        il.Emit(OpCodes.Ldloc, limit);
        il.Emit(OpCodes.Bge_Un, giveUp);
        pushBase();
        il.Emit(OpCodes.Ldloc, effective);
        il.Emit(OpCodes.Conv_U);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, pointer);
        il.Emit(OpCodes.Br, resolved);
    }

    /// <summary>The number of valid offsets for a <paramref name="size"/>-byte access in a window (0 when it is smaller): offset &lt; limit.</summary>
    LocalBuilder Limit(LaneMemory memory, int size)
    {
        if (!limits.TryGetValue((memory, size), out var limit))
        {
            limit = IL.DeclareLocal(typeof(ulong));
            limits[(memory, size)] = limit;
        }
        return limit;
    }

    /// <summary>Once per call: the executor's memory windows into locals.</summary>
    void EmitSetup()
    {
        var il = IL;
        // local = executor.Method() (or BlockExecutor.Method(warp) for the warp's local memory), for what the lanes use.
        void Load(LocalBuilder? local, OpCode argument, string method)
        {
            if (local is null) return;
            il.Emit(argument);
            il.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), method));
            il.Emit(OpCodes.Stloc, local);
        }
        Load(storeBuffer, OpCodes.Ldarg_0, nameof(BlockExecutor.SegmentStoreBuffer));
        Load(windows, OpCodes.Ldarg_0, nameof(BlockExecutor.SegmentWindows));
        Load(sharedBase, OpCodes.Ldarg_0, nameof(BlockExecutor.SharedBase));
        Load(sharedLength, OpCodes.Ldarg_0, nameof(BlockExecutor.SharedLength));
        Load(localBase, OpCodes.Ldarg_1, nameof(BlockExecutor.LocalBase));
        Load(localBytes, OpCodes.Ldarg_1, nameof(BlockExecutor.LocalLength));
        Load(parameters, OpCodes.Ldarg_0, nameof(BlockExecutor.ParameterBase));
        Load(parameterLength, OpCodes.Ldarg_0, nameof(BlockExecutor.ParameterLength));
        foreach (var ((memory, size), limit) in limits)
        {
            var length = memory switch { LaneMemory.Shared => sharedLength!, LaneMemory.Local => localBytes!, _ => parameterLength! };
            // limit = length >= size ? length - size + 1 : 0
            var small = il.DefineLabel();
            var next = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, length);
            il.Emit(OpCodes.Ldc_I8, (long)size);
            il.Emit(OpCodes.Blt_Un, small);
            il.Emit(OpCodes.Ldloc, length);
            il.Emit(OpCodes.Ldc_I8, (long)(size - 1));
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Stloc, limit);
            il.Emit(OpCodes.Br, next);
            il.MarkLabel(small);
            il.Emit(OpCodes.Ldc_I8, 0L);
            il.Emit(OpCodes.Stloc, limit);
            il.MarkLabel(next);
        }
    }
}
