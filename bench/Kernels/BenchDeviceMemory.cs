using System.Runtime.InteropServices;
using Emulator.Kernels.Engine;
using Emulator.Memory;

namespace Emulator.Bench.Kernels;

/// <summary>
/// Device memory for the engine benchmarks: a private <see cref="MemorySystem"/> (the driver's allocation table and
/// its lock-free lookup), seen by kernels exactly as the driver shows device 0's memory to a launch, so the bounds
/// check a benchmark pays is the one a client's kernel pays.
/// </summary>
public sealed unsafe class BenchDeviceMemory : IGlobalMemory, IDisposable
{
    const int Device = 0;
    readonly MemorySystem memory;

    public BenchDeviceMemory(ulong capacityBytes) => memory = MemorySystem.CreatePrivate([capacityBytes]);

    /// <summary>A zero-filled device allocation of <paramref name="count"/> elements.</summary>
    public Span<T> Allocate<T>(long count, out ulong address) where T : unmanaged
    {
        ulong bytes = (ulong)Math.Max(count * sizeof(T), 1);
        var status = memory.Allocate(Device, bytes, out address);
        if (status != MemoryStatus.Success) throw new InvalidOperationException($"device allocation of {bytes} bytes: {status}");
        var span = new Span<T>((void*)address, checked((int)count));
        span.Clear();
        return span;
    }

    public bool TryTranslate(ulong address, ulong size, bool isWrite, out nint host)
    {
        // Unified addressing, as in the driver: the device address is the host address once the table vouches for it.
        host = (nint)address;
        return memory.TryResolve(address, size, isWrite ? AccessKind.Write : AccessKind.Read, Device, out _);
    }

    public bool TryGetRegion(ulong address, bool isWrite, out ulong start, out ulong length)
    {
        // As the driver's view: the table region holding the address, with device 0's rights, so the compiled tier
        // checks later accesses against a cached range exactly as it does for a client's launch.
        if (memory.TryResolve(address, 1, isWrite ? AccessKind.Write : AccessKind.Read, Device, out var region))
        {
            (start, length) = (region.Base, region.Size);
            return true;
        }
        (start, length) = (0, 0);
        return false;
    }

    public void Dispose() => memory.Dispose();
}
