using System.Runtime.InteropServices;
using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>One allocation of a <see cref="TestDeviceMemory"/>: its position in allocation order, a name for messages, and its extent.</summary>
public sealed record DeviceAllocation(int Index, string Name, ulong Address, int Size)
{
    public override string ToString() => $"allocation #{Index} '{Name}' at 0x{Address:x} ({Size} bytes)";
}

/// <summary>The bytes of one allocation at one moment.</summary>
public sealed record AllocationSnapshot(DeviceAllocation Allocation, byte[] Bytes);

/// <summary>
/// A small device memory for engine tests: each allocation is native memory whose host address is its
/// device address (as in the driver's unified addressing); accesses outside an allocation are refused.
/// Snapshots and restores let one launch run twice from the same initial bytes at the same addresses.
/// </summary>
public sealed unsafe class TestDeviceMemory : IGlobalMemory, IDisposable
{
    readonly List<DeviceAllocation> allocations = [];

    public IReadOnlyList<DeviceAllocation> Allocations => allocations;

    public ulong Allocate(int bytes, string? name = null)
    {
        var pointer = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 256);
        NativeMemory.Clear(pointer, (nuint)Math.Max(bytes, 1));
        allocations.Add(new DeviceAllocation(allocations.Count, name ?? $"#{allocations.Count}", (ulong)pointer, bytes));
        return (ulong)pointer;
    }

    public ulong Upload<T>(ReadOnlySpan<T> values, string? name = null) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        ulong address = Allocate(bytes.Length, name);
        bytes.CopyTo(new Span<byte>((void*)address, bytes.Length));
        return address;
    }

    public ulong Upload<T>(T[] values) where T : unmanaged => Upload<T>(values.AsSpan());

    public T[] Download<T>(ulong address, int count) where T : unmanaged
        => new ReadOnlySpan<T>((void*)Checked(address, count * sizeof(T)), count).ToArray();

    /// <summary>Overwrites bytes inside one allocation (reusing buffers between launches).</summary>
    public void Write<T>(ulong address, ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        bytes.CopyTo(new Span<byte>((void*)Checked(address, bytes.Length), bytes.Length));
    }

    public void Clear(ulong address, int bytes) => new Span<byte>((void*)Checked(address, bytes), bytes).Clear();

    /// <summary>A copy of every allocation's bytes, in allocation order.</summary>
    public AllocationSnapshot[] Snapshot()
        => allocations.Select(a => new AllocationSnapshot(a, new ReadOnlySpan<byte>((void*)a.Address, a.Size).ToArray())).ToArray();

    /// <summary>Puts back the bytes of a snapshot taken from this memory (allocations made since keep their contents).</summary>
    public void Restore(IReadOnlyList<AllocationSnapshot> snapshot)
    {
        foreach (var (allocation, bytes) in snapshot)
        {
            if (allocations[allocation.Index] != allocation)
                throw new InvalidOperationException($"{allocation} is not an allocation of this memory");
            bytes.CopyTo(new Span<byte>((void*)allocation.Address, allocation.Size));
        }
    }

    public bool TryTranslate(ulong address, ulong size, bool isWrite, out nint host)
    {
        foreach (var allocation in allocations)
        {
            ulong start = allocation.Address, length = (ulong)allocation.Size;
            if (address >= start && address - start <= length && size <= length - (address - start))
            {
                host = (nint)address;
                return true;
            }
        }
        host = 0;
        return false;
    }

    /// <summary>The allocation holding <paramref name="address"/>, as the driver reports regions (the compiled tier's bounds-check path).</summary>
    public bool TryGetRegion(ulong address, bool isWrite, out ulong start, out ulong length)
    {
        foreach (var allocation in allocations)
        {
            if (address >= allocation.Address && address - allocation.Address < (ulong)allocation.Size)
            {
                (start, length) = (allocation.Address, (ulong)allocation.Size);
                return true;
            }
        }
        (start, length) = (0, 0);
        return false;
    }

    ulong Checked(ulong address, int bytes)
        => TryTranslate(address, (ulong)bytes, isWrite: false, out _) ? address
            : throw new ArgumentOutOfRangeException(nameof(address), $"[0x{address:x}, +{bytes}) is not inside one test allocation");

    public void Dispose()
    {
        foreach (var allocation in allocations) NativeMemory.AlignedFree((void*)allocation.Address);
        allocations.Clear();
    }
}
