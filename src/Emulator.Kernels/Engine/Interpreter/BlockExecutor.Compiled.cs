using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Emulator.Kernels.Engine.Compiled;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// What compiled warp bodies call back into: control-flow bookkeeping that must match the interpreter's warp
/// scheduling exactly, instructions the compiler leaves to the interpreter, and memory lanes with a cached
/// translation of the last global region (the slow path is the interpreter's <c>Resolve</c>, so faults carry
/// the same status, lane and message).
/// </summary>
sealed unsafe partial class BlockExecutor
{
    readonly CompiledKernel? compiled;

    // The most recent global regions that translated, as [start, start + length): device addresses are host
    // addresses (unified addressing), so a hit needs no translation at all.
    ulong readRegionStart, readRegionLength, writeRegionStart, writeRegionLength;

    bool compiledSlotsReady;

    /// <summary>
    /// Takes this executor (built for another launch of the same compiled kernel with the same block shape and
    /// shared size) into <paramref name="next"/>: everything launch-dependent is dropped, the rest is reset per block anyway.
    /// </summary>
    internal void Rebind(LaunchContext next)
    {
        launch = next;
        readRegionStart = readRegionLength = writeRegionStart = writeRegionLength = 0;
        ResetSegmentWindows();
        compiledSlotsReady = false;
    }

    internal bool Fits(LaunchContext next) => next.Block == launch.Block && next.SharedBytes == launch.SharedBytes;

    /// <summary>
    /// Fills the compiled tier's extra slots: constants and block-independent special registers once per executor
    /// (<see cref="Warp.Reset"/> leaves them alone), the block-dependent ones (%ctaid) for every block.
    /// </summary>
    void PrepareCompiledWarps()
    {
        if (compiled is null) return;
        foreach (var warp in warps)
        {
            ulong* registers = warp.RegisterPointer;
            if (!compiledSlotsReady)
            {
                foreach (var (slot, value) in compiled.Constants)
                    new Span<ulong>(registers + slot * Warp.Size, Warp.Size).Fill(value);
            }
            foreach (var (slot, special) in compiled.Specials)
            {
                bool perBlock = special is SpecialRegister.CtaidX or SpecialRegister.CtaidY or SpecialRegister.CtaidZ;
                if (compiledSlotsReady && !perBlock) continue;
                if (perBlock)
                {
                    // The block index is the same in every lane.
                    new Span<ulong>(registers + slot * Warp.Size, Warp.Size).Fill(ReadSpecial(warp, special, 0));
                    continue;
                }
                for (int lane = 0; lane < Warp.Size; lane++) registers[slot * Warp.Size + lane] = ReadSpecial(warp, special, lane);
            }
        }
        compiledSlotsReady = true;
    }

    // ---- control flow (called with the warp's state as the interpreter would have it at instruction pc) ----

    /// <summary>Puts the active lanes at <paramref name="pc"/>: compiled code does not track per-lane PCs in straight-line code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SyncProgramCounters(Warp warp, int pc, uint active)
    {
        warp.Pc = pc;
        if (!warp.Divergent) return;
        for (uint m = active; m != 0; m &= m - 1) warp.LanePc[BitOperations.TrailingZeroCount(m)] = pc;
    }

    /// <summary>A divergent warp reaching a join point: the lanes waiting there run from here together.</summary>
    internal static uint MergeAt(Warp warp, int pc, uint active)
    {
        uint merged = active;
        for (uint m = warp.LiveMask & ~active; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            if (warp.LanePc[lane] == pc) merged |= 1u << lane;
        }
        warp.Pc = pc;
        if (merged == warp.LiveMask) warp.Divergent = false;
        return merged;
    }

    internal static void CompiledBranch(Warp warp, int pc, uint taken, int target, uint active)
    {
        SyncProgramCounters(warp, pc, active);
        warp.Branch(taken, target, pc + 1, active);
    }

    internal static void CompiledExit(Warp warp, int pc, uint exiting, uint active)
    {
        SyncProgramCounters(warp, pc, active);
        warp.ExitLanes(exiting, active);
    }

    internal void CompiledBarrier(Warp warp, int pc, uint enabled, uint active)
    {
        var instruction = code[pc];
        if (enabled != active)
            throw Fault(warp, BitOperations.TrailingZeroCount(active & ~enabled), instruction, LaunchStatus.IllegalInstruction, "predicated barrier with a partially enabled warp");
        SyncProgramCounters(warp, pc, active);
        ArriveAtBarrier(warp, instruction, enabled);
    }

    internal void CompiledRanPastEnd(Warp warp) =>
        throw Fault(warp, 0, null, LaunchStatus.IllegalInstruction, "execution ran past the end of the kernel");

    /// <summary>An instruction the compiler does not specialise: the interpreter executes it for the enabled lanes.</summary>
    internal void ExecuteInterpreted(Warp warp, int pc, uint enabled)
    {
        warp.Pc = pc;
        if (InterpretedProfile.Enabled) InterpretedProfile.Count(code[pc]);
        Execute(warp, code[pc], enabled);
    }

    // ---- memory ----

    /// <summary>
    /// ld{.v2,.v4} for the lanes in <paramref name="mask"/>: address = register (or 0 when <paramref name="address"/> &lt; 0)
    /// + <paramref name="offset"/>; element i goes to register offset d_i, sign-extended when <paramref name="signExtend"/>,
    /// masked to <paramref name="destinationMask"/> (the destination registers' width).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void LoadLanes(Warp warp, ulong* r, int pc, int address, long offset, int elementBytes, int count,
        int d0, int d1, int d2, int d3, bool signExtend, ulong destinationMask, uint mask)
    {
        var instruction = code[pc];
        int total = elementBytes * count;
        int elementBits = elementBytes * 8;
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            ulong effective = (address >= 0 ? r[address + lane] : 0) + (ulong)offset;
            byte* p = Translate(warp, lane, instruction, effective, total, false);
            ulong value = LoadBits(p, elementBytes);
            if (signExtend) value = (ulong)Signed(value, elementBits);
            if (count == 1)
            {
                r[d0 + lane] = value & destinationMask;
                continue;
            }
            ulong v1 = LoadBits(p + elementBytes, elementBytes);
            ulong v2 = count > 2 ? LoadBits(p + 2 * elementBytes, elementBytes) : 0;
            ulong v3 = count > 2 ? LoadBits(p + 3 * elementBytes, elementBytes) : 0;
            if (signExtend)
            {
                v1 = (ulong)Signed(v1, elementBits);
                v2 = (ulong)Signed(v2, elementBits);
                v3 = (ulong)Signed(v3, elementBits);
            }
            r[d0 + lane] = value & destinationMask;
            r[d1 + lane] = v1 & destinationMask;
            if (count > 2)
            {
                r[d2 + lane] = v2 & destinationMask;
                r[d3 + lane] = v3 & destinationMask;
            }
        }
    }

    /// <summary>st{.v2,.v4}: element i comes from register offset s_i (truncated to the element size).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void StoreLanes(Warp warp, ulong* r, int pc, int address, long offset, int elementBytes, int count,
        int s0, int s1, int s2, int s3, uint mask)
    {
        var instruction = code[pc];
        int total = elementBytes * count;
        for (uint m = mask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            ulong effective = (address >= 0 ? r[address + lane] : 0) + (ulong)offset;
            byte* p = Translate(warp, lane, instruction, effective, total, true);
            StoreBits(p, elementBytes, r[s0 + lane]);
            if (count == 1) continue;
            StoreBits(p + elementBytes, elementBytes, r[s1 + lane]);
            if (count == 2) continue;
            StoreBits(p + 2 * elementBytes, elementBytes, r[s2 + lane]);
            StoreBits(p + 3 * elementBytes, elementBytes, r[s3 + lane]);
        }
    }

    /// <summary>
    /// ld.global / ld.shared of one scalar element per lane, the hot case: the address check is a range test against
    /// the cached region (or the block's shared bytes); anything else goes through <see cref="Translate"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void LoadScalarLanes<TElement>(Warp warp, ulong* r, int pc, int address, long offset, int d, bool signExtend, ulong destinationMask, uint mask)
        where TElement : unmanaged
    {
        bool isShared = code[pc].Space == StateSpace.Shared;
        var window = DirectWindowFor(isShared, false, sizeof(TElement));
        ulong* pa = r + address, pd = r + d;
        int first = 0;
        if (mask == uint.MaxValue && !signExtend)
        {
            for (; first < Warp.Size; first++)
            {
                ulong effective = pa[first] + (ulong)offset;
                if (!window.Covers(effective)) break;
                pd[first] = LoadElement<TElement>(window.Origin + effective) & destinationMask;
            }
            if (first == Warp.Size) return;
        }
        // General path (partial warps, sign extension, or an address outside the cached region): the remaining lanes
        // one by one (a destination may be its own address register, so no lane runs twice), with the interpreter's
        // translation, and its fault, for anything the fast test does not vouch for.
        var instruction = code[pc];
        for (uint m = first == 0 ? mask : mask & ~((1u << first) - 1); m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            ulong effective = pa[lane] + (ulong)offset;
            byte* p;
            if (window.Covers(effective))
                p = window.Origin + effective;
            else
            {
                p = Translate(warp, lane, instruction, effective, sizeof(TElement), false);
                if (!isShared) window = DirectWindowFor(false, false, sizeof(TElement));
            }
            ulong value = LoadElement<TElement>(p);
            if (signExtend) value = (ulong)Signed(value, sizeof(TElement) * 8);
            pd[lane] = value & destinationMask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void StoreScalarLanes<TElement>(Warp warp, ulong* r, int pc, int address, long offset, int s, uint mask)
        where TElement : unmanaged
    {
        bool isShared = code[pc].Space == StateSpace.Shared;
        var window = DirectWindowFor(isShared, true, sizeof(TElement));
        ulong* pa = r + address, ps = r + s;
        int first = 0;
        if (mask == uint.MaxValue)
        {
            if (typeof(TElement) == typeof(uint) && Avx2.IsSupported && TryStoreConsecutive32(window, pa, ps, offset)) return;
            for (; first < Warp.Size; first++)
            {
                ulong effective = pa[first] + (ulong)offset;
                if (!window.Covers(effective)) break;
                StoreElement<TElement>(window.Origin + effective, ps[first]);
            }
            if (first == Warp.Size) return;
        }
        // Lanes before `first` have stored (in lane order, as the interpreter does); the rest go lane by lane.
        var instruction = code[pc];
        for (uint m = first == 0 ? mask : mask & ~((1u << first) - 1); m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            ulong effective = pa[lane] + (ulong)offset;
            byte* p;
            if (window.Covers(effective))
                p = window.Origin + effective;
            else
            {
                p = Translate(warp, lane, instruction, effective, sizeof(TElement), true);
                if (!isShared) window = DirectWindowFor(false, true, sizeof(TElement));
            }
            StoreElement<TElement>(p, ps[lane]);
        }
    }

    /// <summary>
    /// Where a compiled scalar load/store of <paramref name="size"/> bytes may dereference without asking: the block's
    /// shared bytes (offsets from their start), or the last global region the memory reported (device addresses are
    /// host addresses, so the origin is 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    DirectWindow DirectWindowFor(bool isShared, bool write, int size) => isShared
        ? new DirectWindow(Base(shared), 0, (ulong)shared.Length, size)
        : new DirectWindow(null, write ? writeRegionStart : readRegionStart, write ? writeRegionLength : readRegionLength, size);

    /// <summary>
    /// A full warp's st of 32-bit words one after another (lane i at first + 4i) inside the window — then the first
    /// and last being inside means all are: the slots' low halves as eight 16-byte writes. False (nothing written)
    /// for any other pattern.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool TryStoreConsecutive32(in DirectWindow window, ulong* pa, ulong* ps, long offset)
    {
        ulong first = pa[0] + (ulong)offset;
        if (!window.Covers(first) || !window.Covers(first + 4 * (Warp.Size - 1))) return false;
        var step = Vector256.Create(0UL, 4, 8, 12) - Vector256.Create((ulong)offset);
        for (int g = 0; g < Warp.Size; g += 4)
            if (Vector256.Load(pa + g) != Vector256.Create(first + 4UL * (ulong)g) + step) return false;
        uint* destination = (uint*)(window.Origin + first);
        var lowHalves = Vector256.Create(0u, 2, 4, 6, 0, 2, 4, 6);
        for (int g = 0; g < Warp.Size; g += 4)
            Avx2.PermuteVar8x32(Vector256.Load(ps + g).AsUInt32(), lowHalves).GetLower().Store(destination + g);
        return true;
    }

    readonly struct DirectWindow(byte* origin, ulong start, ulong length, int size)
    {
        public readonly byte* Origin = origin;
        readonly ulong start = start;
        // length - size wraps above long.MaxValue when the window is smaller than one element: then nothing is covered.
        readonly ulong limit = length - (ulong)size;
        readonly ulong alignment = (ulong)size - 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Covers(ulong effective) => (effective & alignment) == 0 && effective - start <= limit && limit <= long.MaxValue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong LoadElement<TElement>(byte* p) where TElement : unmanaged
    {
        if (typeof(TElement) == typeof(byte)) return *p;
        if (typeof(TElement) == typeof(ushort)) return *(ushort*)p;
        if (typeof(TElement) == typeof(uint)) return *(uint*)p;
        return *(ulong*)p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StoreElement<TElement>(byte* p, ulong value) where TElement : unmanaged
    {
        if (typeof(TElement) == typeof(byte)) *p = (byte)value;
        else if (typeof(TElement) == typeof(ushort)) *(ushort*)p = (ushort)value;
        else if (typeof(TElement) == typeof(uint)) *(uint*)p = (uint)value;
        else *(ulong*)p = value;
    }

    /// <summary>
    /// ld.param of a kernel parameter at a fixed offset: the same value for every lane, so it is read once and
    /// broadcast (an out-of-range offset faults through Resolve exactly as the interpreter's first lane would).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void LoadParameterBroadcast(Warp warp, ulong* r, int pc, long offset, int elementBytes, int d, bool signExtend, ulong destinationMask, uint mask)
    {
        if (mask == 0) return;
        var instruction = code[pc];
        byte* p = Resolve(warp, BitOperations.TrailingZeroCount(mask), instruction, StateSpace.Param, AddressBase.ParamSymbol, (ulong)offset, elementBytes, false);
        ulong value = LoadBits(p, elementBytes);
        if (signExtend) value = (ulong)Signed(value, elementBytes * 8);
        value &= destinationMask;
        ulong* pd = r + d;
        if (mask == uint.MaxValue)
        {
            new Span<ulong>(pd, Warp.Size).Fill(value);
            return;
        }
        for (uint m = mask; m != 0; m &= m - 1) pd[BitOperations.TrailingZeroCount(m)] = value;
    }

    /// <summary>Host pointer for a compiled ld/st: global and shared fast paths, everything else (and every fault) via Resolve.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    byte* Translate(Warp warp, int lane, Instruction instruction, ulong address, int size, bool write)
    {
        var space = instruction.Space;
        if (space == StateSpace.Generic)
        {
            if (AddressWindows.IsShared(address)) { space = StateSpace.Shared; address -= AddressWindows.SharedBase; }
            else if (!AddressWindows.IsLocal(address)) space = StateSpace.Global;
            else return Resolve(warp, lane, instruction, StateSpace.Generic, AddressBase.Register, address, size, write);
        }
        if ((address & (ulong)(size - 1)) == 0)
        {
            if (space == StateSpace.Shared)
            {
                if (address + (ulong)size <= (ulong)shared.Length) return Base(shared) + address;
            }
            else if (space is StateSpace.Global)
            {
                ulong start = write ? writeRegionStart : readRegionStart;
                ulong length = write ? writeRegionLength : readRegionLength;
                if (address - start < length && (ulong)size <= length - (address - start)) return (byte*)address;
                return TranslateGlobalSlow(warp, lane, instruction, address, size, write);
            }
        }
        return Resolve(warp, lane, instruction, space, instruction.Operands[instruction.Opcode == Opcode.St ? 0 : 1].Base, address, size, write);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    byte* TranslateGlobalSlow(Warp warp, int lane, Instruction instruction, ulong address, int size, bool write)
    {
        byte* p = Resolve(warp, lane, instruction, StateSpace.Global, AddressBase.Register, address, size, write);
        if (launch.Global.TryGetRegion(address, write, out ulong start, out ulong length))
        {
            if (write) (writeRegionStart, writeRegionLength) = (start, length);
            else (readRegionStart, readRegionLength) = (start, length);
        }
        return p;
    }
}
