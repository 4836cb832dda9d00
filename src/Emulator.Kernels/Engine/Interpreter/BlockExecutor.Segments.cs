using System.Runtime.CompilerServices;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// What fused segments (<see cref="Compiled.Segment"/>) read once per call: the block's shared bytes, the warp's local
/// bytes, the kernel parameters, and one cached global window per fused global access — [start, start + count) are
/// the addresses at which that access fits inside one region of the allocation table, valid for this launch only.
/// </summary>
sealed unsafe partial class BlockExecutor
{
    ulong[]? segmentWindows;
    ulong[]? segmentStores;

    internal ulong* SegmentStoreBuffer()
    {
        segmentStores ??= GC.AllocateArray<ulong>(Math.Max(1, compiled?.SegmentStoreBufferWords ?? 0), pinned: true);
        return (ulong*)Unsafe.AsPointer(ref segmentStores[0]);
    }

    internal ulong* SegmentWindows()
    {
        segmentWindows ??= GC.AllocateArray<ulong>(Math.Max(2, (compiled?.SegmentWindowCount ?? 0) * 2), pinned: true);
        return (ulong*)Unsafe.AsPointer(ref segmentWindows[0]);
    }

    /// <summary>Forgets every cached window: regions belong to one launch (memory may be freed between launches).</summary>
    void ResetSegmentWindows()
    {
        if (segmentWindows is not null) Array.Clear(segmentWindows);
    }

    /// <summary>
    /// Caches the region holding <paramref name="address"/> for fused access <paramref name="window"/>; false when no
    /// region vouches for the whole access (the segment then gives up and the interpreter's path decides).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal bool RefreshSegmentWindow(ulong address, int size, bool write, int window)
    {
        if (!launch.Global.TryGetRegion(address, write, out ulong start, out ulong length)) return false;
        if (address - start >= length || (ulong)size > length - (address - start)) return false;
        ulong* windows = SegmentWindows();
        windows[window * 2] = start;
        windows[window * 2 + 1] = length - (ulong)size + 1;
        return true;
    }

    internal byte* SharedBase() => Base(shared);
    internal ulong SharedLength() => (ulong)shared.Length;
    internal static byte* LocalBase(Warp warp) => Base(warp.Local);
    internal static ulong LocalLength(Warp warp) => (ulong)warp.LocalBytesPerLane;
    internal byte* ParameterBase() => Base(launch.Params);
    internal ulong ParameterLength() => (ulong)launch.Params.Length;
}
