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
sealed unsafe class VectorSegmentEmitter
{
    /// <summary>Lanes per vector (Vector256 of 64-bit slots).</summary>
    public const int Width = 4;

    /// <summary>On unless <c>CUEMU_VECTOR=0</c>; needs AVX2 (the forms use its 32×32→64 multiplies and variable shifts).</summary>
    internal static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("CUEMU_VECTOR") != "0";

    readonly KernelCompiler.Builder builder;
    readonly Segment segment;
    readonly DynamicMethod method;
    public ILGenerator IL { get; }
    readonly Dictionary<int, LocalBuilder> registerLocals = [];
    readonly Label giveUp;
    LocalBuilder group = null!;
    LocalBuilder? windows, parameters, parameterLength, sharedBase, sharedLength;

    VectorSegmentEmitter(KernelCompiler.Builder builder, Segment segment)
    {
        this.builder = builder;
        this.segment = segment;
        method = new DynamicMethod($"ptx_{builder.Kernel.Name}_{segment.Start}_vector", typeof(bool),
            [typeof(BlockExecutor), typeof(Warp), typeof(ulong*), typeof(uint)], typeof(BlockExecutor), skipVisibility: true);
        IL = method.GetILGenerator();
        giveUp = IL.DefineLabel();
    }

    /// <summary>The vector form of <paramref name="segment"/>, or null when one of its steps has none.</summary>
    public static DynamicMethod? TryEmit(KernelCompiler.Builder builder, Segment segment)
    {
        if (!Enabled || !Avx2.IsSupported) return null;
        foreach (var step in segment.Steps)
            if (step.EmitVector is null || step.IsStore || step.Instruction.GuardRegister >= 0) return null;
        var emitter = new VectorSegmentEmitter(builder, segment);
        emitter.EmitBody();
        return emitter.method;
    }

    void EmitBody()
    {
        var il = IL;
        var loop = il.DefineLabel();
        group = il.DeclareLocal(typeof(ulong*));
        var seen = new HashSet<int>();
        var loadFirst = new List<int>();
        var written = new List<int>();
        foreach (var step in segment.Steps)
        {
            foreach (int r in step.Reads)
                if (seen.Add(r)) loadFirst.Add(r);
            foreach (int r in step.Writes)
            {
                seen.Add(r);
                if (!written.Contains(r)) written.Add(r);
            }
        }
        foreach (int r in loadFirst.Concat(written).Distinct()) registerLocals[r] = il.DeclareLocal(typeof(Vector256<ulong>));

        if (segment.Steps.Any(s => s.Memory == LaneMemory.Global))
        {
            windows = il.DeclareLocal(typeof(ulong*));
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.SegmentWindows)));
            il.Emit(OpCodes.Stloc, windows);
        }
        if (segment.Steps.Any(s => s.Memory == LaneMemory.Param))
        {
            parameters = il.DeclareLocal(typeof(byte*));
            parameterLength = il.DeclareLocal(typeof(ulong));
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.ParameterBase)));
            il.Emit(OpCodes.Stloc, parameters);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.ParameterLength)));
            il.Emit(OpCodes.Stloc, parameterLength);
        }
        if (segment.Steps.Any(s => s.Memory == LaneMemory.Shared))
        {
            sharedBase = il.DeclareLocal(typeof(byte*));
            sharedLength = il.DeclareLocal(typeof(ulong));
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.SharedBase)));
            il.Emit(OpCodes.Stloc, sharedBase);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Call, KernelCompiler.Method(typeof(BlockExecutor), nameof(BlockExecutor.SharedLength)));
            il.Emit(OpCodes.Stloc, sharedLength);
        }
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
        foreach (var step in segment.Steps.Where(IsHoisted)) step.EmitVector!(this);

        il.MarkLabel(loop);
        foreach (int r in loadFirst.Where(r => !builder.IsUniform(r)))
        {
            EmitSlot(r * Warp.Size);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Load)));
            il.Emit(OpCodes.Stloc, registerLocals[r]);
        }
        foreach (var step in segment.Steps.Where(s => !IsHoisted(s))) step.EmitVector!(this);
        foreach (int r in written.Where(r => builder.IsLiveAt(segment.End, r)))
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
        il.MarkLabel(giveUp);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);
    }

    /// <summary>The lane-by-lane segment's rule (<see cref="SegmentEmitter"/>): uniform results from uniform inputs.</summary>
    bool IsHoisted(LaneStep step) =>
        step.Writes.Length > 0 && step.Instruction.GuardRegister < 0 && !step.IsStore && step.Memory is LaneMemory.None or LaneMemory.Param
        && step.Writes.All(builder.IsUniform) && step.Reads.All(builder.IsUniform);

    void EmitSlot(int slotOffset)
    {
        IL.Emit(OpCodes.Ldloc, group);
        IL.Emit(OpCodes.Ldc_I4, slotOffset * sizeof(ulong));
        IL.Emit(OpCodes.Add);
    }

    static MethodInfo Helper(string name) => KernelCompiler.Method(typeof(VectorLanes), name);

    // ---- services for the steps ----

    /// <summary>Pushes an operand's value for the current four lanes.</summary>
    public void LoadValue(in Operand operand)
    {
        switch (operand.Kind)
        {
            case OperandKind.Register:
                IL.Emit(OpCodes.Ldloc, registerLocals[operand.Register]);
                return;
            case OperandKind.Immediate:
                IL.Emit(OpCodes.Ldc_I8, unchecked((long)operand.Immediate));
                IL.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Broadcast)));
                return;
            case OperandKind.Address:
                IL.Emit(OpCodes.Ldc_I8, operand.Offset);
                IL.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Broadcast)));
                return;
            case OperandKind.Special:
                EmitSlot(builder.ValueOffset(operand)!.Value);
                IL.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Load)));
                return;
            default:
                throw new InvalidOperationException($"operand kind {operand.Kind} is not a lane value");
        }
    }

    public void StoreRegister(int register) => IL.Emit(OpCodes.Stloc, registerLocals[register]);

    public void StoreMasked(int register, ulong mask)
    {
        if (mask != ulong.MaxValue)
        {
            IL.Emit(OpCodes.Ldc_I8, unchecked((long)mask));
            IL.Emit(OpCodes.Call, Helper(nameof(VectorLanes.And)));
        }
        StoreRegister(register);
    }

    public LocalBuilder Temporary() => IL.DeclareLocal(typeof(Vector256<ulong>));

    /// <summary>
    /// ld of one element per lane from global memory (<paramref name="window"/>: the segment's cached window for this
    /// access) or from the kernel parameters; gives up unless every lane's access is aligned and inside.
    /// </summary>
    public void Load(LaneMemory memory, in Operand address, int elementBytes, bool signExtend, int window)
    {
        var il = IL;
        var value = Temporary();
        if (memory == LaneMemory.Param)
        {
            // A parameter symbol's offset is the same in every lane: read once, broadcast.
            il.Emit(OpCodes.Ldloc, parameters!);
            il.Emit(OpCodes.Ldloc, parameterLength!);
            il.Emit(OpCodes.Ldc_I8, address.Offset);
            il.Emit(OpCodes.Ldc_I4, elementBytes);
            il.Emit(OpCodes.Ldc_I4, signExtend ? 1 : 0);
            il.Emit(OpCodes.Ldloca, value);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.LoadParameter)));
            il.Emit(OpCodes.Brfalse, giveUp);
            il.Emit(OpCodes.Ldloc, value);
            return;
        }
        if (memory == LaneMemory.Shared)
        {
            il.Emit(OpCodes.Ldloc, sharedBase!);
            il.Emit(OpCodes.Ldloc, sharedLength!);
        }
        else
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, window);
            il.Emit(OpCodes.Ldloc, windows!);
        }
        if (address.Base == AddressBase.Register) il.Emit(OpCodes.Ldloc, registerLocals[address.Register]);
        else
        {
            il.Emit(OpCodes.Ldc_I8, 0L);
            il.Emit(OpCodes.Call, Helper(nameof(VectorLanes.Broadcast)));
        }
        il.Emit(OpCodes.Ldc_I8, address.Offset);
        il.Emit(OpCodes.Ldloca, value);
        string loader = memory == LaneMemory.Shared ? (elementBytes, signExtend) switch
        {
            (1, false) => nameof(VectorLanes.LoadSharedU8),
            (1, true) => nameof(VectorLanes.LoadSharedS8),
            (2, false) => nameof(VectorLanes.LoadSharedU16),
            (2, true) => nameof(VectorLanes.LoadSharedS16),
            (4, false) => nameof(VectorLanes.LoadSharedU32),
            (4, true) => nameof(VectorLanes.LoadSharedS32),
            _ => nameof(VectorLanes.LoadShared64),
        } : (elementBytes, signExtend) switch
        {
            (1, false) => nameof(VectorLanes.LoadGlobalU8),
            (1, true) => nameof(VectorLanes.LoadGlobalS8),
            (2, false) => nameof(VectorLanes.LoadGlobalU16),
            (2, true) => nameof(VectorLanes.LoadGlobalS16),
            (4, false) => nameof(VectorLanes.LoadGlobalU32),
            (4, true) => nameof(VectorLanes.LoadGlobalS32),
            _ => nameof(VectorLanes.LoadGlobal64),
        };
        il.Emit(OpCodes.Call, Helper(loader));
        il.Emit(OpCodes.Brfalse, giveUp);
        il.Emit(OpCodes.Ldloc, value);
    }
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
    public static Vector256<ulong> And(Vector256<ulong> value, ulong mask) => value & Vector256.Create(mask);

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
    /// Addresses a + offset of four lanes, all aligned to <paramref name="bytes"/> and inside cached window
    /// <paramref name="index"/> (start, how many start addresses fit): their first byte's host pointers, or false.
    /// A miss re-caches the window from the first lane's address once (as the lane-by-lane segment does), so the first
    /// warps of a launch need not leave the vector path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Check(BlockExecutor executor, int index, ulong* windows, Vector256<ulong> a, long offset, int bytes, out Vector256<ulong> addresses)
    {
        addresses = a + Vector256.Create((ulong)offset);
        if (bytes > 1 && (addresses & Vector256.Create((ulong)(bytes - 1))) != Vector256<ulong>.Zero) return false;
        ulong* window = windows + 2 * index;
        if (Vector256.LessThanAll(addresses - Vector256.Create(window[0]), Vector256.Create(window[1]))) return true;
        return executor.RefreshSegmentWindow(addresses.GetElement(0), bytes, false, index)
            && Vector256.LessThanAll(addresses - Vector256.Create(window[0]), Vector256.Create(window[1]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadGlobalU32(BlockExecutor executor, int index, ulong* windows, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!Check(executor, index, windows, a, offset, 4, out var p)) return false;
        value = Vector256.Create((ulong)*(uint*)p.GetElement(0), *(uint*)p.GetElement(1), *(uint*)p.GetElement(2), *(uint*)p.GetElement(3));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadGlobalS32(BlockExecutor executor, int index, ulong* windows, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!Check(executor, index, windows, a, offset, 4, out var p)) return false;
        value = Vector256.Create((long)*(int*)p.GetElement(0), *(int*)p.GetElement(1), *(int*)p.GetElement(2), *(int*)p.GetElement(3)).AsUInt64();
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadGlobalU16(BlockExecutor executor, int index, ulong* windows, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!Check(executor, index, windows, a, offset, 2, out var p)) return false;
        value = Vector256.Create((ulong)*(ushort*)p.GetElement(0), *(ushort*)p.GetElement(1), *(ushort*)p.GetElement(2), *(ushort*)p.GetElement(3));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadGlobalS16(BlockExecutor executor, int index, ulong* windows, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!Check(executor, index, windows, a, offset, 2, out var p)) return false;
        value = Vector256.Create((long)*(short*)p.GetElement(0), *(short*)p.GetElement(1), *(short*)p.GetElement(2), *(short*)p.GetElement(3)).AsUInt64();
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadGlobalU8(BlockExecutor executor, int index, ulong* windows, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!Check(executor, index, windows, a, offset, 1, out var p)) return false;
        value = Vector256.Create((ulong)*(byte*)p.GetElement(0), *(byte*)p.GetElement(1), *(byte*)p.GetElement(2), *(byte*)p.GetElement(3));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadGlobalS8(BlockExecutor executor, int index, ulong* windows, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!Check(executor, index, windows, a, offset, 1, out var p)) return false;
        value = Vector256.Create((long)*(sbyte*)p.GetElement(0), *(sbyte*)p.GetElement(1), *(sbyte*)p.GetElement(2), *(sbyte*)p.GetElement(3)).AsUInt64();
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadGlobal64(BlockExecutor executor, int index, ulong* windows, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!Check(executor, index, windows, a, offset, 8, out var p)) return false;
        value = Vector256.Create(*(ulong*)p.GetElement(0), *(ulong*)p.GetElement(1), *(ulong*)p.GetElement(2), *(ulong*)p.GetElement(3));
        return true;
    }

    /// <summary>
    /// Shared-memory offsets a + offset of four lanes, aligned and with all <paramref name="bytes"/> inside the block's
    /// shared bytes: their host pointers, or false.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool CheckShared(byte* shared, ulong length, Vector256<ulong> a, long offset, int bytes, out Vector256<ulong> pointers)
    {
        var addresses = a + Vector256.Create((ulong)offset);
        pointers = addresses + Vector256.Create((ulong)shared);
        if (bytes > 1 && (addresses & Vector256.Create((ulong)(bytes - 1))) != Vector256<ulong>.Zero) return false;
        return length >= (ulong)bytes && Vector256.LessThanAll(addresses, Vector256.Create(length - (ulong)bytes + 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadSharedU32(byte* shared, ulong length, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!CheckShared(shared, length, a, offset, 4, out var p)) return false;
        value = Vector256.Create((ulong)*(uint*)p.GetElement(0), *(uint*)p.GetElement(1), *(uint*)p.GetElement(2), *(uint*)p.GetElement(3));
        return true;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadSharedS32(byte* shared, ulong length, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!CheckShared(shared, length, a, offset, 4, out var p)) return false;
        value = Vector256.Create((long)*(int*)p.GetElement(0), *(int*)p.GetElement(1), *(int*)p.GetElement(2), *(int*)p.GetElement(3)).AsUInt64();
        return true;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadSharedU16(byte* shared, ulong length, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!CheckShared(shared, length, a, offset, 2, out var p)) return false;
        value = Vector256.Create((ulong)*(ushort*)p.GetElement(0), *(ushort*)p.GetElement(1), *(ushort*)p.GetElement(2), *(ushort*)p.GetElement(3));
        return true;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadSharedS16(byte* shared, ulong length, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!CheckShared(shared, length, a, offset, 2, out var p)) return false;
        value = Vector256.Create((long)*(short*)p.GetElement(0), *(short*)p.GetElement(1), *(short*)p.GetElement(2), *(short*)p.GetElement(3)).AsUInt64();
        return true;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadSharedU8(byte* shared, ulong length, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!CheckShared(shared, length, a, offset, 1, out var p)) return false;
        value = Vector256.Create((ulong)*(byte*)p.GetElement(0), *(byte*)p.GetElement(1), *(byte*)p.GetElement(2), *(byte*)p.GetElement(3));
        return true;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadSharedS8(byte* shared, ulong length, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!CheckShared(shared, length, a, offset, 1, out var p)) return false;
        value = Vector256.Create((long)*(sbyte*)p.GetElement(0), *(sbyte*)p.GetElement(1), *(sbyte*)p.GetElement(2), *(sbyte*)p.GetElement(3)).AsUInt64();
        return true;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadShared64(byte* shared, ulong length, Vector256<ulong> a, long offset, out Vector256<ulong> value)
    {
        value = default;
        if (!CheckShared(shared, length, a, offset, 8, out var p)) return false;
        value = Vector256.Create(*(ulong*)p.GetElement(0), *(ulong*)p.GetElement(1), *(ulong*)p.GetElement(2), *(ulong*)p.GetElement(3));
        return true;
    }

    /// <summary>A kernel parameter of <paramref name="bytes"/> at <paramref name="offset"/>, in every lane; false when outside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LoadParameter(byte* parameters, ulong length, long offset, int bytes, int signExtend, out Vector256<ulong> value)
    {
        value = default;
        if ((ulong)offset >= length || (ulong)bytes > length - (ulong)offset || (offset & (bytes - 1)) != 0) return false;
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
        value = Vector256.Create(bits);
        return true;
    }
}
