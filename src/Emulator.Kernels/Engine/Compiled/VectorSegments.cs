using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Emulator.Kernels.Engine.Interpreter;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Compiled;

/// <summary>
/// The SIMD form of a fused segment: the same instructions over four lanes at a time, every register of four lanes in
/// one Vector256 (the register file's 64-bit slots, so loading and storing them is one instruction each). It is a
/// fast path in front of the lane-by-lane segment: used only when all 32 lanes are active, and only for segments
/// whose every step has a vector form and that store nothing. Anything unusual — an address outside a cached window,
/// a misaligned one, a parameter read past the end — gives up before any memory is written and without touching
/// the segment's live-in registers (the segment rules), so the lane-by-lane segment then runs all lanes from the
/// same state and decides (refreshing windows, or handing over to the one-by-one path and its fault).
/// Every vector operation is the scalar one's bit-identical counterpart (<see cref="LaneLoops"/>).
/// </summary>
sealed unsafe class VectorSegmentEmitter : ILaneCode
{
    /// <summary>Lanes per vector (Vector256 of 64-bit slots).</summary>
    public const int Width = 4;

    /// <summary>
    /// Steps per vector method: past a few dozen, RyuJIT runs out of locals for inlining (every vector operation is an
    /// inlined call) and the rest become real calls, slower than lane by lane — so longer segments are split.
    /// </summary>
    const int MaximumSteps = 48;

    readonly KernelCompiler.Builder builder;
    public KernelCompiler.Builder Builder => builder;
    readonly Segment segment;
    readonly DynamicMethod method;
    public ILGenerator IL { get; }
    readonly Dictionary<int, LocalBuilder> registerLocals = [];
    readonly Label giveUp;
    /// <summary>This method's part of the segment, and the registers the segment's later parts read.</summary>
    readonly LaneStep[] steps;
    readonly HashSet<int> readLater;
    Label refresh;
    bool canRestart;
    LocalBuilder group = null!, missAddress = null!, missWindow = null!, missSize = null!;
    LocalBuilder? windows, parameters, parameterLength, sharedBase, sharedLength;

    VectorSegmentEmitter(KernelCompiler.Builder builder, Segment segment, int first, int end)
    {
        this.builder = builder;
        this.segment = segment;
        steps = segment.Steps[first..end];
        readLater = [.. segment.Steps[end..].SelectMany(s => s.Reads)];
        method = new DynamicMethod($"ptx_{builder.Kernel.Name}_{segment.Start + first}_vector", typeof(bool),
            [typeof(BlockExecutor), typeof(Warp), typeof(ulong*), typeof(uint)], typeof(BlockExecutor), skipVisibility: true);
        IL = method.GetILGenerator();
        giveUp = IL.DefineLabel();
    }

    /// <summary>
    /// The vector form of <paramref name="segment"/> — methods to call in order, each for the next run of at most
    /// <see cref="MaximumSteps"/> steps, handing registers on through the register array — or null when one of its
    /// steps has none. If any part gives up, the lane-by-lane segment runs the whole segment: parts write back only
    /// registers the segment writes, never one it reads first (the segment rules), so nothing is lost.
    /// </summary>
    public static DynamicMethod[]? TryEmit(KernelCompiler.Builder builder, Segment segment)
    {
        var policy = KernelCompiler.VectorSegments;
        if (policy == VectorSegmentPolicy.Off || !Avx2.IsSupported) return null;
        if (segment.Steps.Any(step => ScalarOnlyReason(step) is not null)) return null;
        // Four lanes' loads are one gather, which on the x86 cores measured here costs about what four checked scalar
        // loads do: the vector form pays off through arithmetic, so load-heavy segments stay lane by lane (ggml's
        // mul_mat_vec_q loop, a load in every fourth step, ran 1.4× slower as vectors; a vector add's address
        // arithmetic, one load in five steps, ran faster).
        int loads = segment.Steps.Count(s => s.Memory is LaneMemory.Global or LaneMemory.Shared);
        if (policy == VectorSegmentPolicy.Profitable && loads * 5 > segment.Steps.Length) return null;
        var parts = new List<DynamicMethod>();
        for (int first = 0; first < segment.Steps.Length; first += MaximumSteps)
        {
            var emitter = new VectorSegmentEmitter(builder, segment, first, Math.Min(segment.Steps.Length, first + MaximumSteps));
            emitter.EmitBody();
            parts.Add(emitter.method);
        }
        return [.. parts];
    }

    /// <summary>Why a step keeps its segment from having a vector form, or null when it does not.</summary>
    public static string? ScalarOnlyReason(LaneStep step) =>
        step.IsStore ? "store" : step.Instruction.GuardRegister >= 0 ? "guarded" : step.EmitVector is null ? "no vector form" : null;

    void EmitBody()
    {
        var il = IL;
        var loop = il.DefineLabel();
        group = il.DeclareLocal(typeof(ulong*));
        var (loadFirst, written) = Segment.RegisterUse(steps);
        // A part after the first may overwrite a register it reads first (one an earlier part wrote: the segment rules
        // only protect the segment's own inputs). After some groups have written back, starting such a part over would
        // read their new values, so a window miss there gives up instead of restarting.
        canRestart = !loadFirst.Intersect(written).Any();
        foreach (int r in loadFirst.Concat(written).Distinct()) registerLocals[r] = il.DeclareLocal(typeof(Vector256<ulong>));

        // The executor's state a kind of access needs, read once per call into locals.
        LocalBuilder ExecutorValue(Type type, string method)
        {
            var local = il.DeclareLocal(type);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), method));
            il.Emit(OpCodes.Stloc, local);
            return local;
        }
        bool Uses(LaneMemory memory) => steps.Any(s => s.Memory == memory);
        if (Uses(LaneMemory.Global)) windows = ExecutorValue(typeof(ulong*), nameof(BlockExecutor.SegmentWindows));
        if (Uses(LaneMemory.Param))
        {
            parameters = ExecutorValue(typeof(byte*), nameof(BlockExecutor.ParameterBase));
            parameterLength = ExecutorValue(typeof(ulong), nameof(BlockExecutor.ParameterLength));
        }
        if (Uses(LaneMemory.Shared))
        {
            sharedBase = ExecutorValue(typeof(byte*), nameof(BlockExecutor.SharedBase));
            sharedLength = ExecutorValue(typeof(ulong), nameof(BlockExecutor.SharedLength));
        }
        missAddress = il.DeclareLocal(typeof(ulong));
        missWindow = il.DeclareLocal(typeof(int));
        missSize = il.DeclareLocal(typeof(int));
        var restarts = il.DeclareLocal(typeof(int));
        refresh = il.DefineLabel();
        var start = il.DefineLabel();
        il.MarkLabel(start);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Stloc, group);
        // Warp-uniform inputs and the steps computing uniform values from them: once, before the groups (as the
        // lane-by-lane segment does once before its lanes).
        foreach (int r in loadFirst.Where(builder.IsUniform))
        {
            EmitSlot(r * Warp.Size);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Load)));
            il.Emit(OpCodes.Stloc, registerLocals[r]);
        }
        foreach (var step in steps.Where(IsHoisted)) step.EmitVector!(this);

        il.MarkLabel(loop);
        foreach (int r in loadFirst.Where(r => !builder.IsUniform(r)))
        {
            EmitSlot(r * Warp.Size);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Load)));
            il.Emit(OpCodes.Stloc, registerLocals[r]);
        }
        foreach (var step in steps.Where(s => !IsHoisted(s))) step.EmitVector!(this);
        foreach (int r in written.Where(r => builder.IsLiveAt(segment.End, r) || readLater.Contains(r)))
        {
            EmitSlot(r * Warp.Size);
            il.Emit(OpCodes.Ldloc, registerLocals[r]);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Store)));
        }
        // group += Width lanes; loop while group < registers + 32 lanes
        il.Emit(OpCodes.Ldloc, group);
        il.Emit(OpCodes.Ldc_I4, Width * sizeof(ulong));
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, group);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldc_I4, Warp.Size * sizeof(ulong));
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Blt_Un, loop);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);
        // A global window missed: re-cache it from the first lane's address and start over (bounded).
        il.MarkLabel(refresh);
        SegmentEmitter.EmitRefreshAndRestart(il, restarts, giveUp, start, () =>
        {
            il.Emit(OpCodes.Ldloc, missAddress);
            il.Emit(OpCodes.Ldloc, missSize);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ldloc, missWindow);
        });
        il.MarkLabel(giveUp);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);
    }

    /// <summary>The lane-by-lane segment's rule (<see cref="SegmentEmitter"/>): uniform results from uniform inputs.</summary>
    bool IsHoisted(LaneStep step) => SegmentEmitter.IsHoisted(builder, step);

    void EmitSlot(int slotOffset)
    {
        IL.Emit(OpCodes.Ldloc, group);
        IL.Emit(OpCodes.Ldc_I4, slotOffset * sizeof(ulong));
        IL.Emit(OpCodes.Add);
    }

    static MethodInfo Helper(string name) => KernelCompiler.Method(typeof(VectorLanes), name);

    // ---- services for the steps ----

    public void LoadRegister(int register) => IL.Emit(OpCodes.Ldloc, registerLocals[register]);

    public void LoadSlot(int slotOffset)
    {
        EmitSlot(slotOffset);
        IL.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Load)));
    }

    public void StoreRegister(int register) => IL.Emit(OpCodes.Stloc, registerLocals[register]);

    public LocalBuilder Temporary() => IL.DeclareLocal(typeof(Vector256<ulong>));

    public void ShiftRight(int bits)
    {
        IL.Emit(OpCodes.Ldc_I4, bits);
        IL.Emit(OpCodes.Call, Helper(nameof(VectorLanes.ShiftRight)));
    }

    public void ShiftLeft(int bits)
    {
        IL.Emit(OpCodes.Ldc_I4, bits);
        IL.Emit(OpCodes.Call, Helper(nameof(VectorLanes.ShiftLeft)));
    }

    public void Bitwise(OpCode operation)
    {
        string helper = operation == OpCodes.And ? nameof(VectorLanes.AndVectors) : operation == OpCodes.Or ? nameof(VectorLanes.Or)
            : operation == OpCodes.Xor ? nameof(VectorLanes.Xor) : throw new ArgumentException($"{operation} is not a bitwise operation");
        IL.Emit(OpCodes.Call, Helper(helper));
    }

    public void Constant(ulong value)
    {
        IL.Emit(OpCodes.Ldc_I8, unchecked((long)value));
        IL.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Broadcast)));
    }

    public void Apply(MethodInfo scalar, MethodInfo? vector) =>
        IL.Emit(OpCodes.Call, vector ?? throw new InvalidOperationException($"{scalar.DeclaringType?.Name} has no vector form"));

    /// <summary>
    /// ld of one element per lane from global memory (<paramref name="window"/>: the segment's cached window for this
    /// access), shared memory or the kernel parameters. Any lane misaligned or outside gives up; a global window miss
    /// leaves the loop for the out-of-line refresh, which re-caches the window and restarts the segment (so the loop
    /// itself calls nothing and its vectors stay in registers).
    /// </summary>
    public void Load(LaneMemory memory, Operand address, int elementBytes, bool signExtend, int window)
    {
        var il = IL;
        if (memory == LaneMemory.Param)
        {
            // A parameter symbol's offset is the same in every lane: read once, broadcast.
            il.Emit(OpCodes.Ldloc, parameterLength!);
            il.Emit(OpCodes.Ldc_I8, address.Offset);
            il.Emit(OpCodes.Ldc_I4, elementBytes);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.ParameterFits)));
            il.Emit(OpCodes.Brfalse, giveUp);
            il.Emit(OpCodes.Ldloc, parameters!);
            il.Emit(OpCodes.Ldc_I8, address.Offset);
            il.Emit(OpCodes.Ldc_I4, elementBytes);
            il.Emit(OpCodes.Ldc_I4, signExtend ? 1 : 0);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.ReadParameter)));
            return;
        }
        void PushAddress()
        {
            if (address.Base == AddressBase.Register) il.Emit(OpCodes.Ldloc, registerLocals[address.Register]);
            else
            {
                il.Emit(OpCodes.Ldc_I8, 0L);
                il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Broadcast)));
            }
            il.Emit(OpCodes.Ldc_I8, address.Offset);
        }
        void Gather()
        {
            il.Emit(OpCodes.Ldc_I4, elementBytes);
            il.Emit(OpCodes.Ldc_I4, signExtend ? 1 : 0);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Gather)));
        }
        if (memory == LaneMemory.Shared)
        {
            il.Emit(OpCodes.Ldloc, sharedLength!);
            PushAddress();
            il.Emit(OpCodes.Ldc_I4, elementBytes);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.SharedFits)));
            il.Emit(OpCodes.Brfalse, giveUp);
            il.Emit(OpCodes.Ldloc, sharedBase!);
            PushAddress();
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.SharedPointers)));
            il.Emit(OpCodes.Ldc_I8, 0L);
            Gather();
            return;
        }
        // status = CheckGlobal(windows + 2·window, a, offset, bytes): 0 inside, 1 misaligned (give up), 2 window miss.
        var inside = il.DefineLabel();
        var miss = il.DefineLabel();
        il.Emit(OpCodes.Ldloc, windows!);
        il.Emit(OpCodes.Ldc_I4, window * 2 * sizeof(ulong));
        il.Emit(OpCodes.Add);
        PushAddress();
        il.Emit(OpCodes.Ldc_I4, elementBytes);
        il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.CheckGlobal)));
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Brfalse, inside);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Beq, giveUp);
        PushAddress();
        il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.FirstAddress)));
        il.Emit(OpCodes.Stloc, missAddress);
        il.Emit(OpCodes.Ldc_I4, window);
        il.Emit(OpCodes.Stloc, missWindow);
        il.Emit(OpCodes.Ldc_I4, elementBytes);
        il.Emit(OpCodes.Stloc, missSize);
        il.Emit(OpCodes.Br, canRestart ? refresh : giveUp);
        il.MarkLabel(inside);
        il.Emit(OpCodes.Pop);
        PushAddress();
        Gather();
    }
}

/// <summary>Which fused segments get a four-lanes-at-a-time form (results are the same bits either way).</summary>
public enum VectorSegmentPolicy
{
    /// <summary>None (<c>CUEMU_VECTOR=0</c>).</summary>
    Off,
    /// <summary>Those with few enough loads to gain from it (the default).</summary>
    Profitable,
    /// <summary>Every segment that has one (<c>CUEMU_VECTOR=all</c>): what the tests run, so every vector form is exercised.</summary>
    All,
}

/// <summary>The vector helpers compiled segment code calls (inlined by RyuJIT).</summary>
static unsafe class VectorLanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Load(ulong* slot) => Vector256.Load(slot);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ulong* slot, Vector256<ulong> value) => value.Store(slot);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Broadcast(ulong value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> ShiftLeft(Vector256<ulong> value, int count) => value << count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> ShiftRight(Vector256<ulong> value, int count) => value >>> count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Xor(Vector256<ulong> a, Vector256<ulong> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Or(Vector256<ulong> a, Vector256<ulong> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> AndVectors(Vector256<ulong> a, Vector256<ulong> b) => a & b;

    /// <summary>
    /// dp4a on each slot's low 32 bits: the four byte products (signed or unsigned bytes as asked) added to c, with
    /// 32-bit wrap-around — on 32-bit elements, whose high-half results the mask clears.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Dot4(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c, bool aSigned, bool bSigned)
    {
        var x = a.AsInt32();
        var y = b.AsInt32();
        var sum = c.AsInt32();
        sum += Avx2.MultiplyLow(Byte(x, 0, aSigned), Byte(y, 0, bSigned));
        sum += Avx2.MultiplyLow(Byte(x, 1, aSigned), Byte(y, 1, bSigned));
        sum += Avx2.MultiplyLow(Byte(x, 2, aSigned), Byte(y, 2, bSigned));
        sum += Avx2.MultiplyLow(Byte(x, 3, aSigned), Byte(y, 3, bSigned));
        return sum.AsUInt64() & Vector256.Create(0xffff_ffffUL);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Byte(Vector256<int> x, int index, bool signed) =>
        signed ? (x << (24 - 8 * index)) >> 24 : (x >>> (8 * index)) & Vector256.Create(0xff);

    /// <summary>
    /// prmt (default mode) on each slot: the eight bytes {b, a} as one 64-bit source, and a byte shuffle whose indices
    /// are the selector's nibbles (bit 3 of a nibble: the chosen byte's sign, replicated).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Permute(Vector256<ulong> a, Vector256<ulong> b, Vector256<ulong> c)
    {
        var source = (a & Vector256.Create(0xffff_ffffUL)) | (b << 32);
        // Nibble i of the selector into byte i of the slot.
        var x = c & Vector256.Create(0xffffUL);
        var nibbles = (x & Vector256.Create(0xfUL)) | ((x & Vector256.Create(0xf0UL)) << 4)
            | ((x & Vector256.Create(0xf00UL)) << 8) | ((x & Vector256.Create(0xf000UL)) << 12);
        // Byte indices within each 16-byte half of the register: the second slot of a half starts at byte 8; the
        // result's upper four bytes are zero (index with the top bit set).
        var index = (nibbles & Vector256.Create(0x0707_0707UL)) + Vector256.Create(0UL, 0x0808_0808UL, 0UL, 0x0808_0808UL)
            | Vector256.Create(0x8080_8080_0000_0000UL);
        var picked = Avx2.Shuffle(source.AsByte(), index.AsByte());
        var replicate = Vector256.Equals(nibbles.AsByte() & Vector256.Create((byte)0x08), Vector256.Create((byte)0x08));
        var sign = Vector256.LessThan(picked.AsSByte(), Vector256<sbyte>.Zero).AsByte();
        return Vector256.ConditionalSelect(replicate, sign, picked).AsUInt64();
    }

    /// <summary>
    /// min/max.f32 as <see cref="FloatRounding.Min(float, float)"/> / Max: a NaN operand yields the other one (two
    /// NaNs: a NaN), and −0 is below +0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MinMax(Vector256<float> x, Vector256<float> y, bool maximum)
    {
        var yIsNaN = ~Vector256.Equals(y, y);
        var xNegative = Vector256.LessThan(x.AsInt32(), Vector256<int>.Zero).AsSingle();
        var pickX = maximum
            ? Vector256.GreaterThan(x, y) | (Vector256.Equals(x, y) & ~xNegative)
            : Vector256.LessThan(x, y) | (Vector256.Equals(x, y) & xNegative);
        return Vector256.ConditionalSelect(pickX | yIsNaN, x, y);
    }

    /// <summary>Each slot's low 16 bits (an f16) widened to f32 through <see cref="HalfTable"/>; high halves read entry 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HalvesToSingles(Vector256<ulong> a) =>
        Avx2.GatherVector256(HalfTable.Pointer, (a & Vector256.Create(0xffffUL)).AsInt32(), 4);

    /// <summary>A comparison's all-ones / all-zeros per slot (low half decides) → the predicate value 1 / 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Bit(Vector256<ulong> mask) => mask & Vector256<ulong>.One;

    /// <summary>Each slot's low 32 bits sign-extended to 64 (the scalar <c>(long)(int)(uint)a</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> SignExtend32(Vector256<ulong> a) =>
        Avx2.ConvertToVector256Int64(Avx2.PermuteVar8x32(a.AsInt32(), Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6)).GetLower()).AsUInt64();

    /// <summary>
    /// Four lanes' loads at host pointers a + offset (already checked; global device addresses are host addresses,
    /// shared ones were turned into pointers by SharedPointers). The element size and signedness are constants at every
    /// call site, so it inlines to one path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Gather(Vector256<ulong> a, long offset, int bytes, bool signed) =>
        Elements(a + Vector256.Create((ulong)offset), bytes, signed);

    /// <summary>
    /// The elements at four pointers, by the cheapest read their pattern allows: all four at one address (lanes sharing
    /// a value — one read, broadcast); eight bytes apart (lanes walking interleaved blocks, as ggml's quantized
    /// dot products do — one 32-byte read whose slots already hold the elements in their low bytes, taken only inside
    /// the first pointer's 4 KiB page, which is mapped since that lane's element is valid); four consecutive 32-bit
    /// words (one 16-byte read); otherwise a hardware gather.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<ulong> Elements(Vector256<ulong> p, int bytes, bool signed)
    {
        ulong first = p.GetElement(0);
        var delta = p - Vector256.Create(first);
        Vector256<ulong> raw;
        if (delta == Vector256<ulong>.Zero)
            raw = Vector256.Create(bytes switch { 1 => *(byte*)first, 2 => *(ushort*)first, 4 => *(uint*)first, _ => *(ulong*)first });
        else if (delta == Vector256.Create(0UL, 8, 16, 24) && (first & 4095) <= 4096 - 32)
            raw = Vector256.Load((ulong*)first);
        else if (bytes == 8)
            raw = Avx2.GatherVector256((ulong*)null, p.AsInt64(), 1);
        else if (bytes == 4)
            raw = Avx2.ConvertToVector256Int64(Words(p)).AsUInt64();
        else
        {
            // 8- or 16-bit elements: the aligned 32-bit word holding each (never past the element's own aligned word),
            // shifted down.
            var words = Avx2.ConvertToVector256Int64(Words(p & Vector256.Create(~3UL))).AsUInt64();
            raw = Avx2.ShiftRightLogicalVariable(words, (p & Vector256.Create(3UL)) << 3);
        }
        if (bytes == 8) return raw;
        int bits = bytes * 8;
        var value = raw & Vector256.Create((1UL << bits) - 1);
        if (!signed) return value;
        if (bits == 32) return SignExtend32(value);
        return SignExtend32(((value.AsInt32() << (32 - bits)) >> (32 - bits)).AsUInt64());
    }

    /// <summary>The 32-bit words at four pointers; four consecutive ones (lanes reading one after another, as
    /// element-wise kernels do) are one plain load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<uint> Words(Vector256<ulong> p)
    {
        ulong first = p.GetElement(0);
        return p == Vector256.Create(first) + Vector256.Create(0UL, 4, 8, 12)
            ? Vector128.Load((uint*)first)
            : Avx2.GatherVector128((uint*)null, p.AsInt64(), 1);
    }

    /// <summary>
    /// Whether the four lanes' addresses a + offset are aligned to <paramref name="bytes"/> (else 1) and inside the
    /// cached window (start, how many start addresses fit) (else 2): 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckGlobal(ulong* window, Vector256<ulong> a, long offset, int bytes)
    {
        var addresses = a + Vector256.Create((ulong)offset);
        if (Misaligned(addresses, bytes)) return 1;
        return Vector256.LessThanAll(addresses - Vector256.Create(window[0]), Vector256.Create(window[1])) ? 0 : 2;
    }

    /// <summary>Whether any of the four addresses is not a multiple of the element size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Misaligned(Vector256<ulong> addresses, int bytes) =>
        bytes > 1 && (addresses & Vector256.Create((ulong)(bytes - 1))) != Vector256<ulong>.Zero;

    /// <summary>The first lane's address: where a window miss re-caches from.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FirstAddress(Vector256<ulong> a, long offset) => a.GetElement(0) + (ulong)offset;

    /// <summary>Whether the four lanes' shared offsets a + offset are aligned and all bytes inside the block's shared memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SharedFits(ulong length, Vector256<ulong> a, long offset, int bytes)
    {
        var addresses = a + Vector256.Create((ulong)offset);
        if (Misaligned(addresses, bytes)) return false;
        return length >= (ulong)bytes && Vector256.LessThanAll(addresses, Vector256.Create(length - (ulong)bytes + 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> SharedPointers(byte* shared, Vector256<ulong> a, long offset) => a + Vector256.Create((ulong)shared + (ulong)offset);

    /// <summary>Whether a kernel parameter of <paramref name="bytes"/> at <paramref name="offset"/> is aligned and inside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ParameterFits(ulong length, long offset, int bytes) =>
        (ulong)offset < length && (ulong)bytes <= length - (ulong)offset && (offset & (bytes - 1)) == 0;

    /// <summary>A kernel parameter (checked by <see cref="ParameterFits"/>) in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> ReadParameter(byte* parameters, long offset, int bytes, int signExtend)
    {
        byte* p = parameters + offset;
        ulong bits = (bytes, signExtend) switch
        {
            (1, 0) => *p,
            (1, _) => (ulong)(sbyte)*p,
            (2, 0) => *(ushort*)p,
            (2, _) => (ulong)*(short*)p,
            (4, 0) => *(uint*)p,
            (4, _) => (ulong)*(int*)p,
            _ => *(ulong*)p,
        };
        return Vector256.Create(bits);
    }
}
