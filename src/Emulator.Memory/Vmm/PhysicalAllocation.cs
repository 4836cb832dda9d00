namespace Emulator.Memory.Vmm;

/// <summary>
/// A cuMemCreate allocation: a memfd object of <see cref="Size"/> bytes owned by one device. It lives while
/// the program holds a handle reference (create and each cuMemRetainAllocationHandle add one, cuMemRelease
/// drops one) or any mapping of it remains — NVIDIA's rule that release does not unmap.
/// </summary>
internal sealed class PhysicalAllocation(ulong handle, int deviceOrdinal, ulong size, int fileDescriptor)
{
    public ulong Handle { get; } = handle;
    public int DeviceOrdinal { get; } = deviceOrdinal;
    public ulong Size { get; } = size;
    public int FileDescriptor { get; } = fileDescriptor;
    public int HandleReferences { get; set; } = 1;
    public int Mappings { get; set; }
    public bool IsDead => HandleReferences == 0 && Mappings == 0;
}

/// <summary>A cuMemAddressReserve range.</summary>
internal sealed record VirtualReservation(ulong Base, ulong Size)
{
    public ulong End => Base + Size;
}

/// <summary>One cuMemMap call: <see cref="Size"/> bytes of a physical allocation from <see cref="Offset"/> at <see cref="Base"/>.</summary>
internal sealed record VirtualMapping(ulong Base, ulong Size, PhysicalAllocation Physical, ulong Offset, VirtualReservation Reservation)
{
    public ulong End => Base + Size;
}
