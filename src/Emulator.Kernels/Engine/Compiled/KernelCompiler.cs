using System.Numerics;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Emulator.Kernels.Engine.Interpreter;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Compiled;

/// <summary>
/// Compiles an <see cref="ExecutableKernel"/> (the decoded IR the reference interpreter runs) into one .NET method per
/// kernel that executes a whole warp: every instruction becomes a call to a lane loop specialised for its form
/// (<see cref="LaneLoops"/>, memory through <c>BlockExecutor.LoadLanes/StoreLanes</c>), or — for forms without a
/// specialisation — a call to the interpreter's own semantics for exactly that instruction. Control flow is
/// compiled: a converged warp branches directly; a divergent one follows the interpreter's rule (run the lowest
/// program counter among the live lanes, merge lanes where they meet), so results, instruction counts, faults and
/// printf order are identical to the reference tier by construction.
/// </summary>
public static class KernelCompiler
{
    static readonly ConditionalWeakTable<ExecutableKernel, CompiledKernel> cache = new();

    /// <summary>The compiled form of <paramref name="kernel"/>, built on first use and cached for the kernel's lifetime.</summary>
    public static CompiledKernel Compile(ExecutableKernel kernel) => cache.GetValue(kernel, k => new Builder(k).Build());

    /// <summary>Fused segments on (default) or off (<c>CUEMU_FUSION=0</c>: every instruction as its own lane loop, for comparison).</summary>
    internal static bool FusionEnabled { get; set; } = Environment.GetEnvironmentVariable("CUEMU_FUSION") != "0";

    /// <summary>
    /// Which segments also get a vector form (<see cref="VectorSegmentEmitter"/>): <c>CUEMU_VECTOR=0</c> none,
    /// <c>all</c> every one that has it, otherwise those that gain from it. Applies to kernels compiled afterwards.
    /// </summary>
    public static VectorSegmentPolicy VectorSegments { get; set; } = Environment.GetEnvironmentVariable("CUEMU_VECTOR") switch
    {
        "0" => VectorSegmentPolicy.Off,
        "all" => VectorSegmentPolicy.All,
        _ => VectorSegmentPolicy.Profitable,
    };

    internal sealed class Builder
    {
        readonly ExecutableKernel kernel;
        readonly Instruction[] code;
        readonly Dictionary<ulong, int> constantSlots = [];
        readonly List<(int, ulong)> constants = [];
        readonly Dictionary<SpecialRegister, int> specialSlots = [];
        readonly List<(int, SpecialRegister)> specials = [];
        readonly SortedDictionary<string, int> interpreted = new(StringComparer.Ordinal);
        readonly SortedDictionary<string, int> unfused = new(StringComparer.Ordinal);
        readonly SortedDictionary<string, int> scalarOnly = new(StringComparer.Ordinal);
        int nextSlot;
        int specialized;
        int segmentWindows;
        int storeBufferWords;
        int fused;
        int vectorized;
        Dictionary<int, Segment> segments = [];
        RegisterLiveness? liveness;
        WarpUniformity? uniformity;

        ILGenerator il = null!;
        LocalBuilder registers = null!, active = null!, enabled = null!, activeCount = null!, executed = null!;
        Label[] labels = [];
        Label dispatch, finish;

        public Builder(ExecutableKernel kernel)
        {
            this.kernel = kernel;
            code = kernel.Code;
            nextSlot = kernel.RegisterBits.Length;
        }

        public CompiledKernel Build()
        {
            var method = new DynamicMethod("ptx_" + kernel.Name, typeof(void), [typeof(BlockExecutor), typeof(Warp)], typeof(BlockExecutor), skipVisibility: true);
            il = method.GetILGenerator();
            registers = il.DeclareLocal(typeof(ulong*));
            active = il.DeclareLocal(typeof(uint));
            enabled = il.DeclareLocal(typeof(uint));
            activeCount = il.DeclareLocal(typeof(int));
            executed = il.DeclareLocal(typeof(long));
            labels = new Label[code.Length + 1];
            for (int i = 0; i < labels.Length; i++) labels[i] = il.DefineLabel();
            dispatch = il.DefineLabel();
            finish = il.DefineLabel();
            var leaders = FindJoinPoints();
            if (FusionEnabled)
            {
                liveness = RegisterLiveness.Analyze(kernel);
                uniformity = WarpUniformity.Analyze(kernel, liveness);
                segments = SegmentPlanner.Plan(this, leaders);
                CountUnfused();
            }

            // registers = warp.RegisterPointer; active = warp.ActiveMask(); activeCount = popcount(active)
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, Getter(typeof(Warp), nameof(Warp.RegisterPointer)));
            il.Emit(OpCodes.Stloc, registers);
            il.BeginExceptionBlock();
            il.MarkLabel(dispatch);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, Method(typeof(Warp), nameof(Warp.ActiveMask)));
            il.Emit(OpCodes.Stloc, active);
            StoreActiveCount();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, Field(typeof(Warp), nameof(Warp.Pc)));
            il.Emit(OpCodes.Switch, labels);
            il.Emit(OpCodes.Br, labels[code.Length]);

            var insideSegments = new List<int>();
            for (int pc = 0; pc < code.Length; pc++)
            {
                il.MarkLabel(labels[pc]);
                if (leaders[pc]) EmitJoin(pc);
                if (segments.TryGetValue(pc, out var segment))
                {
                    EmitSegment(segment);
                    for (int inside = pc + 1; inside < segment.End; inside++) insideSegments.Add(inside);
                    pc = segment.End - 1;
                    continue;
                }
                EmitCount(toExecutor: false);
                EmitGuard(code[pc]);
                EmitInstruction(pc);
            }
            // Past the end of the code: the interpreter's fault. Instructions inside a segment are never a warp's
            // resume point (they are not join points), so their dispatch entries lead here too.
            il.MarkLabel(labels[code.Length]);
            foreach (int inside in insideSegments) il.MarkLabel(labels[inside]);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, Method(typeof(BlockExecutor), nameof(BlockExecutor.CompiledRanPastEnd)));
            il.Emit(OpCodes.Leave, finish);

            // A fault unwinds through here: the instructions executed so far still count (the interpreter counts
            // the faulting instruction too).
            il.BeginCatchBlock(typeof(Exception));
            il.Emit(OpCodes.Pop);
            AddExecutedToExecutor();
            il.Emit(OpCodes.Rethrow);
            il.EndExceptionBlock();
            il.MarkLabel(finish);
            AddExecutedToExecutor();
            il.Emit(OpCodes.Ret);

            var body = (WarpBody)method.CreateDelegate(typeof(WarpBody));
            return new CompiledKernel(kernel, body, nextSlot - kernel.RegisterBits.Length, [.. constants], [.. specials], specialized, interpreted,
                segmentWindows, storeBufferWords, fused, vectorized, scalarOnly, unfused, liveness is null ? null : [.. liveness.LiveAtEntry(kernel.RegisterBits.Length)]);
        }

        /// <summary>
        /// if (segment(executor, warp, registers, active)) executed += steps × activeCount; else oneByOne(...); goto end.
        /// The one-by-one form of the segment's instructions (taken when a lane needs the slow path) is a method of its
        /// own, compiled only if ever called: the warp body stays small enough for RyuJIT's full optimisation.
        /// </summary>
        void EmitSegment(Segment segment)
        {
            var body = SegmentEmitter.Emit(this, segment);
            var vector = VectorSegmentEmitter.TryEmit(this, segment);
            if (vector is null)
                foreach (var step in segment.Steps)
                {
                    string? reason = VectorSegmentEmitter.ScalarOnlyReason(step);
                    if (reason is null) continue;
                    string form = $"{InterpretedProfile.FormOf(step.Instruction)} ({reason})";
                    scalarOnly[form] = scalarOnly.GetValueOrDefault(form) + 1;
                }
            var oneByOne = EmitOneByOne(segment);
            fused += segment.Steps.Length;
            var failed = il.DefineLabel();
            var counted = il.DefineLabel();
            if (vector is not null)
            {
                // Every lane active: four lanes at a time, part after part; anything unusual gives up to the
                // lane-by-lane segment.
                vectorized += segment.Steps.Length;
                var lanes = il.DefineLabel();
                il.Emit(OpCodes.Ldloc, active);
                il.Emit(OpCodes.Ldc_I4_M1);
                il.Emit(OpCodes.Bne_Un, lanes);
                foreach (var part in vector)
                {
                    EmitSegmentCall(part);
                    il.Emit(OpCodes.Brfalse, lanes);
                }
                il.Emit(OpCodes.Br, counted);
                il.MarkLabel(lanes);
            }
            EmitSegmentCall(body);
            il.Emit(OpCodes.Brfalse, failed);
            il.MarkLabel(counted);
            il.Emit(OpCodes.Ldloc, executed);
            il.Emit(OpCodes.Ldloc, activeCount);
            il.Emit(OpCodes.Conv_I8);
            EmitLong(segment.Steps.Length);
            il.Emit(OpCodes.Mul);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stloc, executed);
            il.Emit(OpCodes.Br, labels[segment.End]);
            il.MarkLabel(failed);
            EmitSegmentCall(oneByOne);
            il.Emit(OpCodes.Br, labels[segment.End]);
        }

        /// <summary>Calls one of a segment's methods (executor, warp, registers, active).</summary>
        void EmitSegmentCall(MethodInfo method)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, registers);
            il.Emit(OpCodes.Ldloc, active);
            il.Emit(OpCodes.Call, method);
        }

        /// <summary>
        /// The segment's instructions compiled one by one, as the warp body would (same emitters), in a method
        /// (executor, warp, registers, active) that counts its thread-instructions straight into the executor — before
        /// each instruction, so a fault inside counts the faulting one, as the interpreter does.
        /// </summary>
        DynamicMethod EmitOneByOne(Segment segment)
        {
            var method = new DynamicMethod($"ptx_{kernel.Name}_{segment.Start}_one_by_one", typeof(void),
                [typeof(BlockExecutor), typeof(Warp), typeof(ulong*), typeof(uint)], typeof(BlockExecutor), skipVisibility: true);
            var saved = (il, registers, active, enabled, activeCount);
            il = method.GetILGenerator();
            registers = il.DeclareLocal(typeof(ulong*));
            active = il.DeclareLocal(typeof(uint));
            enabled = il.DeclareLocal(typeof(uint));
            activeCount = il.DeclareLocal(typeof(int));
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Stloc, registers);
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(OpCodes.Stloc, active);
            StoreActiveCount();
            for (int pc = segment.Start; pc < segment.End; pc++)
            {
                EmitCount(toExecutor: true);
                EmitGuard(code[pc]);
                EmitInstruction(pc);
            }
            il.Emit(OpCodes.Ret);
            (il, registers, active, enabled, activeCount) = saved;
            return method;
        }

        /// <summary>Whether a register may be read once control reaches <paramref name="pc"/> (always true without the analysis).</summary>
        internal bool IsLiveAt(int pc, int register) => liveness?.IsLiveAt(pc, register) ?? true;

        /// <summary>Instruction forms outside every segment (control flow aside): what keeps straight-line code apart.</summary>
        void CountUnfused()
        {
            var covered = new bool[code.Length];
            foreach (var segment in segments.Values)
                for (int pc = segment.Start; pc < segment.End; pc++) covered[pc] = true;
            for (int pc = 0; pc < code.Length; pc++)
            {
                if (covered[pc] || code[pc].Opcode is Opcode.Bra or Opcode.Exit or Opcode.Ret or Opcode.BarSync) continue;
                string form = InterpretedProfile.FormOf(code[pc]);
                unfused[form] = unfused.GetValueOrDefault(form) + 1;
            }
        }

        /// <summary>The largest store buffer (in ulongs) any segment needs: one per executor holds it.</summary>
        internal void NoteStoreBufferWords(int words) => storeBufferWords = Math.Max(storeBufferWords, words);

        /// <summary>Whether a register holds the same value in every lane whenever it is read (false without the analysis).</summary>
        internal bool IsUniform(int register) => uniformity?.IsUniform(register) ?? false;

        /// <summary>The value an operand has in every lane wherever it is read, when the compiler can tell (immediates, constant registers).</summary>
        internal bool TryConstant(in Operand operand, out ulong value)
        {
            value = operand.Immediate;
            if (operand.Kind == OperandKind.Immediate) return true;
            value = 0;
            return operand.Kind == OperandKind.Register && !operand.Negated && uniformity is not null && uniformity.TryGetConstant(operand.Register, out value);
        }

        /// <summary>A new cached global window for one fused access.</summary>
        internal int AllocateSegmentWindow() => segmentWindows++;

        /// <summary>
        /// Instructions where lanes of a divergent warp can be waiting: branch targets and the instruction after
        /// anything that moves lanes apart (branch, exit, barrier). Straight-line code between them needs no
        /// bookkeeping, because the warp always runs the lowest program counter among its lanes.
        /// </summary>
        bool[] FindJoinPoints()
        {
            var leaders = new bool[code.Length + 1];
            leaders[0] = true;
            for (int pc = 0; pc < code.Length; pc++)
            {
                var ins = code[pc];
                switch (ins.Opcode)
                {
                    case Opcode.Bra:
                        int target = (int)ins.Operands[0].Immediate;
                        if ((uint)target <= (uint)code.Length) leaders[target] = true;
                        leaders[pc + 1] = true;
                        break;
                    case Opcode.Exit:
                    case Opcode.Ret:
                    case Opcode.BarSync:
                    case Opcode.BarRed:
                        leaders[pc + 1] = true;
                        break;
                }
            }
            return leaders;
        }

        void EmitJoin(int pc)
        {
            // if (warp.Divergent) { active = MergeAt(warp, pc, active); activeCount = popcount(active); }
            var converged = il.DefineLabel();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, Field(typeof(Warp), nameof(Warp.Divergent)));
            il.Emit(OpCodes.Brfalse, converged);
            il.Emit(OpCodes.Ldarg_1);
            EmitInt(pc);
            il.Emit(OpCodes.Ldloc, active);
            il.Emit(OpCodes.Call, Method(typeof(BlockExecutor), nameof(BlockExecutor.MergeAt)));
            il.Emit(OpCodes.Stloc, active);
            StoreActiveCount();
            il.MarkLabel(converged);
        }

        void EmitGuard(Instruction ins)
        {
            if (ins.GuardRegister < 0)
            {
                il.Emit(OpCodes.Ldloc, active);
                il.Emit(OpCodes.Stloc, enabled);
                return;
            }
            il.Emit(OpCodes.Ldloc, registers);
            EmitInt(ins.GuardRegister * Warp.Size);
            EmitInt(ins.GuardNegated ? 1 : 0);
            il.Emit(OpCodes.Ldloc, active);
            il.Emit(OpCodes.Call, Method(typeof(LaneLoops), nameof(LaneLoops.Guard)));
            il.Emit(OpCodes.Stloc, enabled);
        }

        void EmitInstruction(int pc)
        {
            var ins = code[pc];
            switch (ins.Opcode)
            {
                case Opcode.Bra:
                    EmitBranch(pc, (int)ins.Operands[0].Immediate);
                    specialized++;
                    return;
                case Opcode.Exit:
                case Opcode.Ret:
                    EmitExit(pc);
                    specialized++;
                    return;
                case Opcode.BarSync:
                case Opcode.BarRed:
                    EmitBarrier(pc);
                    specialized++;
                    return;
                case Opcode.Nop:
                case Opcode.Membar:
                case Opcode.BarWarpSync:
                case Opcode.PrefetchOrHint:
                case Opcode.CpAsyncWaitAll:
                case Opcode.CpAsyncCommit:
                case Opcode.CpAsyncWaitGroup:
                    // No effect in an in-order engine (the interpreter's Execute returns at once for these).
                    specialized++;
                    return;
            }
            if (InstructionEmitters.TryEmit(this, pc, ins))
            {
                specialized++;
                return;
            }
            string form = InterpretedProfile.FormOf(ins);
            interpreted[form] = interpreted.GetValueOrDefault(form) + 1;
            // if (enabled != 0) executor.ExecuteInterpreted(warp, pc, enabled)
            var skip = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, enabled);
            il.Emit(OpCodes.Brfalse, skip);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            EmitInt(pc);
            il.Emit(OpCodes.Ldloc, enabled);
            il.Emit(OpCodes.Call, Method(typeof(BlockExecutor), nameof(BlockExecutor.ExecuteInterpreted)));
            il.MarkLabel(skip);
        }

        void EmitBranch(int pc, int target)
        {
            if ((uint)target > (uint)code.Length) target = code.Length;
            var slow = il.DefineLabel();
            // Converged warp: a uniform decision jumps straight to the target or falls through.
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, Field(typeof(Warp), nameof(Warp.Divergent)));
            il.Emit(OpCodes.Brtrue, slow);
            bool backward = target <= pc;
            if (!backward)
            {
                il.Emit(OpCodes.Ldloc, enabled);
                il.Emit(OpCodes.Ldloc, active);
                il.Emit(OpCodes.Beq, labels[target]);
            }
            else
            {
                // Taken by every lane: loop again, or give the next warp its turn (the interpreter's rule).
                var notAll = il.DefineLabel();
                il.Emit(OpCodes.Ldloc, enabled);
                il.Emit(OpCodes.Ldloc, active);
                il.Emit(OpCodes.Bne_Un, notAll);
                EmitYieldsAtBackwardBranches();
                il.Emit(OpCodes.Brfalse, labels[target]);
                il.Emit(OpCodes.Ldarg_1);
                EmitInt(target);
                il.Emit(OpCodes.Stfld, Field(typeof(Warp), nameof(Warp.Pc)));
                il.Emit(OpCodes.Leave, finish);
                il.MarkLabel(notAll);
            }
            il.Emit(OpCodes.Ldloc, enabled);
            il.Emit(OpCodes.Brfalse, labels[pc + 1]);
            il.MarkLabel(slow);
            il.Emit(OpCodes.Ldarg_1);
            EmitInt(pc);
            il.Emit(OpCodes.Ldloc, enabled);
            EmitInt(target);
            il.Emit(OpCodes.Ldloc, active);
            il.Emit(OpCodes.Call, Method(typeof(BlockExecutor), nameof(BlockExecutor.CompiledBranch)));
            if (backward)
            {
                // Divergent or partly taken: the warp's state is up to date; if any lane went back, yield.
                il.Emit(OpCodes.Ldloc, enabled);
                il.Emit(OpCodes.Brfalse, dispatch);
                EmitYieldsAtBackwardBranches();
                il.Emit(OpCodes.Brfalse, dispatch);
                il.Emit(OpCodes.Leave, finish);
                return;
            }
            il.Emit(OpCodes.Br, dispatch);
        }

        void EmitYieldsAtBackwardBranches()
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, Field(typeof(BlockExecutor), nameof(BlockExecutor.YieldsAtBackwardBranches)));
        }

        void EmitExit(int pc)
        {
            il.Emit(OpCodes.Ldarg_1);
            EmitInt(pc);
            il.Emit(OpCodes.Ldloc, enabled);
            il.Emit(OpCodes.Ldloc, active);
            il.Emit(OpCodes.Call, Method(typeof(BlockExecutor), nameof(BlockExecutor.CompiledExit)));
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, Getter(typeof(Warp), nameof(Warp.Done)));
            il.Emit(OpCodes.Brfalse, dispatch);
            il.Emit(OpCodes.Leave, finish);
        }

        void EmitBarrier(int pc)
        {
            // A barrier no lane reaches (all guarded off) is a plain instruction; otherwise the warp parks and
            // the block executor resumes it after the release, at the next program counter.
            il.Emit(OpCodes.Ldloc, enabled);
            il.Emit(OpCodes.Brfalse, labels[pc + 1]);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            EmitInt(pc);
            il.Emit(OpCodes.Ldloc, enabled);
            il.Emit(OpCodes.Ldloc, active);
            il.Emit(OpCodes.Call, Method(typeof(BlockExecutor), nameof(BlockExecutor.CompiledBarrier)));
            il.Emit(OpCodes.Leave, finish);
        }

        void StoreActiveCount()
        {
            il.Emit(OpCodes.Ldloc, active);
            il.Emit(OpCodes.Call, typeof(BitOperations).GetMethod(nameof(BitOperations.PopCount), [typeof(uint)])!);
            il.Emit(OpCodes.Stloc, activeCount);
        }

        /// <summary>
        /// Counts one instruction for the active lanes (the interpreter's ThreadInstructions rule, before the
        /// instruction runs): into the body's <c>executed</c> local, or straight into the executor.
        /// </summary>
        void EmitCount(bool toExecutor)
        {
            if (!toExecutor)
            {
                il.Emit(OpCodes.Ldloc, executed);
                il.Emit(OpCodes.Ldloc, activeCount);
                il.Emit(OpCodes.Conv_I8);
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stloc, executed);
                return;
            }
            AddToExecutorCount(() =>
            {
                il.Emit(OpCodes.Ldloc, activeCount);
                il.Emit(OpCodes.Conv_I8);
            });
        }

        void AddExecutedToExecutor() => AddToExecutorCount(() => il.Emit(OpCodes.Ldloc, executed));

        /// <summary>executor.ThreadInstructions += (the long <paramref name="pushAmount"/> pushes).</summary>
        void AddToExecutorCount(Action pushAmount)
        {
            var field = Field(typeof(BlockExecutor), nameof(BlockExecutor.ThreadInstructions));
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, field);
            pushAmount();
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stfld, field);
        }

        // ---- services for the instruction emitters ----

        internal ExecutableKernel Kernel => kernel;
        internal ILGenerator IL => il;

        /// <summary>Register offset (slot × 32) holding the operand's value in every lane, or null when the operand needs the interpreter.</summary>
        internal int? ValueOffset(in Operand operand, ulong valueMask = ulong.MaxValue)
        {
            switch (operand.Kind)
            {
                case OperandKind.Register:
                    return operand.Negated ? null : operand.Register * Warp.Size;
                case OperandKind.Immediate:
                    return ConstantOffset(operand.Immediate & valueMask);
                case OperandKind.Special:
                    if (!specialSlots.TryGetValue(operand.Special, out int slot))
                    {
                        slot = nextSlot++;
                        specialSlots[operand.Special] = slot;
                        specials.Add((slot, operand.Special));
                    }
                    return slot * Warp.Size;
                case OperandKind.Address when operand.Base is AddressBase.SharedSymbol or AddressBase.LocalSymbol or AddressBase.ParamSymbol or AddressBase.CallParamSymbol:
                    return ConstantOffset((ulong)operand.Offset);
                default:
                    return null;
            }
        }

        int ConstantOffset(ulong value)
        {
            if (!constantSlots.TryGetValue(value, out int slot))
            {
                slot = nextSlot++;
                constantSlots[value] = slot;
                constants.Add((slot, value));
            }
            return slot * Warp.Size;
        }

        /// <summary>Destination register offset, or null for anything but a plain register.</summary>
        internal static int? DestinationOffset(in Operand operand) => operand.Kind == OperandKind.Register && !operand.Negated ? operand.Register * Warp.Size : null;

        internal ulong RegisterMask(in Operand destination) => IntegerOps.Mask(kernel.RegisterBits[destination.Register]);

        internal void EmitRegisters() => il.Emit(OpCodes.Ldloc, registers);
        internal void EmitEnabled() => il.Emit(OpCodes.Ldloc, enabled);

        internal void EmitInt(int value) => il.Emit(OpCodes.Ldc_I4, value);
        internal void EmitLong(long value) => il.Emit(OpCodes.Ldc_I8, value);
        internal void EmitULong(ulong value) => il.Emit(OpCodes.Ldc_I8, unchecked((long)value));
    }

    internal static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
        ?? throw new MissingMethodException(type.Name, name);

    static MethodInfo Getter(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!.GetMethod!;

    static FieldInfo Field(Type type, string name) =>
        type.GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance) ?? throw new MissingFieldException(type.Name, name);
}
