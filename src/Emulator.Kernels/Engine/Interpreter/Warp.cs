using System.Numerics;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// One warp: 32 lanes executing in lockstep with an active mask. Divergence is tracked per lane
/// (each lane has its own program counter); the warp always executes the lowest program counter among its
/// live lanes, which reconverges structured control flow at the immediate post-dominator (forward branches
/// join at the merge point; loop bodies finish before the exit path continues).
/// </summary>
sealed class Warp
{
    public const int Size = 32;

    public readonly int Index;
    /// <summary>Lanes that belong to a launched thread and have not exited.</summary>
    public uint LiveMask;
    public readonly int[] LanePc = new int[Size];
    /// <summary>
    /// Registers, slot-major: slot s of lane l is at s*32 + l. The compiled tier appends its own slots after the
    /// kernel's (constants and special registers materialised per lane); <see cref="Reset"/> clears only the kernel's.
    /// </summary>
    public readonly ulong[] Registers;
    public unsafe ulong* RegisterPointer => (ulong*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(Registers));
    /// <summary>The kernel's own register slots × 32 (the part that starts zeroed in every block).</summary>
    readonly int kernelRegisterWords;
    public readonly (uint X, uint Y, uint Z)[] ThreadIds = new (uint, uint, uint)[Size];
    public readonly byte[] Local;
    public readonly byte[] CallParams;
    public readonly int LocalBytesPerLane;
    public readonly int CallParamBytesPerLane;

    public bool Divergent;
    public int Pc;
    public bool WaitingAtBarrier;
    /// <summary>The lanes that arrived at the barrier this warp waits on.</summary>
    public uint BarrierLanes;

    public Warp(int index, ExecutableKernel kernel, uint liveMask, int extraSlots = 0)
    {
        Index = index;
        LiveMask = liveMask;
        kernelRegisterWords = kernel.RegisterBits.Length * Size;
        // Pinned: compiled code addresses registers through a pointer taken once per warp run.
        Registers = GC.AllocateArray<ulong>(kernelRegisterWords + extraSlots * Size, pinned: true);
        LocalBytesPerLane = Align(kernel.LocalBytes, 16);
        CallParamBytesPerLane = Align(kernel.CallParamBytes, 16);
        Local = GC.AllocateArray<byte>(LocalBytesPerLane * Size, pinned: true);
        CallParams = GC.AllocateArray<byte>(CallParamBytesPerLane * Size, pinned: true);
    }

    public bool Done => LiveMask == 0;

    /// <param name="liveAtEntry">
    /// When known (the compiled tier's liveness analysis), the only registers a thread can read before writing them:
    /// clearing the others is unobservable. Null clears every register, as the reference tier does.
    /// </param>
    public void Reset(uint liveMask, int[]? liveAtEntry = null)
    {
        LiveMask = liveMask;
        Pc = 0;
        Divergent = false;
        WaitingAtBarrier = false;
        BarrierLanes = 0;
        if (liveAtEntry is null) Array.Clear(Registers, 0, kernelRegisterWords);
        else foreach (int register in liveAtEntry) Array.Clear(Registers, register * Size, Size);
        Array.Clear(Local);
        Array.Clear(CallParams);
    }

    /// <summary>Lanes that execute the instruction at <see cref="Pc"/>.</summary>
    public uint ActiveMask()
    {
        if (!Divergent) return LiveMask;
        uint mask = 0;
        for (uint m = LiveMask; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            if (LanePc[lane] == Pc) mask |= 1u << lane;
        }
        return mask;
    }

    /// <summary>Move the given lanes to <paramref name="target"/> and choose the next program counter.</summary>
    public void Branch(uint lanes, int target, int fallThrough, uint active)
    {
        if (!Divergent && (lanes == active || lanes == 0))
        {
            // Uniform branch (taken or not): the warp stays converged.
            Pc = lanes == 0 ? fallThrough : target;
            return;
        }
        if (!Divergent)
        {
            for (int lane = 0; lane < Size; lane++) LanePc[lane] = Pc;
            Divergent = true;
        }
        for (uint m = active; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            LanePc[lane] = (lanes & (1u << lane)) != 0 ? target : fallThrough;
        }
        Reschedule();
    }

    /// <summary>All active lanes move to the next instruction.</summary>
    public void Advance(uint active)
    {
        if (!Divergent)
        {
            Pc++;
            return;
        }
        for (uint m = active; m != 0; m &= m - 1) LanePc[BitOperations.TrailingZeroCount(m)]++;
        Reschedule();
    }

    public void ExitLanes(uint lanes, uint active)
    {
        LiveMask &= ~lanes;
        uint remaining = active & ~lanes;
        if (remaining != 0) Advance(remaining);
        else if (Divergent) Reschedule();
    }

    void Reschedule()
    {
        if (LiveMask == 0) return;
        int min = int.MaxValue;
        bool uniform = true;
        int first = -1;
        for (uint m = LiveMask; m != 0; m &= m - 1)
        {
            int pc = LanePc[BitOperations.TrailingZeroCount(m)];
            if (first < 0) first = pc;
            else if (pc != first) uniform = false;
            if (pc < min) min = pc;
        }
        Pc = min;
        Divergent = !uniform;
    }

    static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
