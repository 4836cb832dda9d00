namespace Emulator.Memory;

/// <summary>What kind of memory a region of the unified address space is.</summary>
public enum MemoryKind
{
    /// <summary>cuMemAlloc / cuMemAllocPitch: device memory.</summary>
    Device,
    /// <summary>cuMemAllocManaged: device memory that the host may also touch.</summary>
    Managed,
    /// <summary>cuMemAllocHost / cuMemHostAlloc: page-locked host memory; device pointer = host pointer.</summary>
    HostAllocated,
    /// <summary>cuMemHostRegister: the program's own host memory, registered; device pointer = host pointer.</summary>
    HostRegistered,
    /// <summary>A cuMemMap'd piece of a VMM reservation backed by a cuMemCreate physical allocation.</summary>
    VirtualMapped,
}

/// <summary>Access rights; the values match CUmemAccess_flags (NONE 0, READ 1, READWRITE 3).</summary>
[Flags]
public enum AccessFlags
{
    None = 0,
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}

/// <summary>What an access intends to do; checked against the region's <see cref="AccessFlags"/>.</summary>
public enum AccessKind
{
    Read = 1,
    Write = 2,
    ReadWrite = 3,
}

/// <summary>Flags of cuMemHostAlloc (CU_MEMHOSTALLOC_*).</summary>
[Flags]
public enum HostAllocFlags : uint
{
    None = 0,
    Portable = 0x1,
    DeviceMap = 0x2,
    WriteCombined = 0x4,
}

/// <summary>Flags of cuMemHostRegister (CU_MEMHOSTREGISTER_*).</summary>
[Flags]
public enum HostRegisterFlags : uint
{
    None = 0,
    Portable = 0x1,
    DeviceMap = 0x2,
    IoMemory = 0x4,
    ReadOnly = 0x8,
}

/// <summary>Flags of cuMemAllocManaged (CU_MEM_ATTACH_*).</summary>
public enum ManagedAttachFlags : uint
{
    Global = 0x1,
    Host = 0x2,
}

/// <summary>
/// One entry of the allocation table, immutable: a whole allocation, or one piece of a VMM mapping with a
/// uniform access setting. A snapshot of it is what lookups and pointer-attribute queries return.
/// </summary>
public sealed class RegionInfo
{
    internal RegionInfo(ulong baseAddress, ulong size, MemoryKind kind, int deviceOrdinal, AccessFlags hostAccess,
        AccessFlags[]? deviceAccess = null, uint flags = 0, ulong allocationBase = 0, ulong allocationSize = 0,
        ulong physicalHandle = 0, ulong physicalOffset = 0, ulong reservationBase = 0)
    {
        Base = baseAddress;
        Size = size;
        Kind = kind;
        DeviceOrdinal = deviceOrdinal;
        Access = hostAccess;
        DeviceAccess = deviceAccess;
        Flags = flags;
        AllocationBase = allocationBase == 0 ? baseAddress : allocationBase;
        AllocationSize = allocationSize == 0 ? size : allocationSize;
        PhysicalHandle = physicalHandle;
        PhysicalOffset = physicalOffset;
        ReservationBase = reservationBase;
    }

    /// <summary>First byte of this table entry.</summary>
    public ulong Base { get; }
    /// <summary>Bytes in this table entry (the size the program asked for, not rounded).</summary>
    public ulong Size { get; }
    public ulong End => Base + Size;
    public MemoryKind Kind { get; }
    /// <summary>Device that owns the memory; -1 for host memory, which every device may reach.</summary>
    public int DeviceOrdinal { get; }
    /// <summary>Union of the rights any device holds; what the host-side (copy/memset) checks use.</summary>
    public AccessFlags Access { get; }
    /// <summary>VMM only: rights per device ordinal (cuMemSetAccess); null means "every device: <see cref="Access"/>".</summary>
    internal AccessFlags[]? DeviceAccess { get; }
    /// <summary>Host allocations: <see cref="HostAllocFlags"/>; registrations: <see cref="HostRegisterFlags"/>; managed: <see cref="ManagedAttachFlags"/>.</summary>
    public uint Flags { get; }
    /// <summary>The allocation or VMM mapping this entry belongs to (cuMemGetAddressRange's answer).</summary>
    public ulong AllocationBase { get; }
    public ulong AllocationSize { get; }
    /// <summary>VMM only: the cuMemCreate handle backing this entry, and the offset of <see cref="Base"/> in it.</summary>
    public ulong PhysicalHandle { get; }
    public ulong PhysicalOffset { get; }
    /// <summary>VMM only: base of the cuMemAddressReserve range this mapping lies in.</summary>
    public ulong ReservationBase { get; }

    public bool IsVirtualMapped => Kind == MemoryKind.VirtualMapped;
    public bool IsHostMemory => Kind is MemoryKind.HostAllocated or MemoryKind.HostRegistered;

    /// <summary>Rights of <paramref name="deviceOrdinal"/> (negative: the host's view, i.e. the union).</summary>
    public AccessFlags AccessFor(int deviceOrdinal) =>
        DeviceAccess is { } perDevice && deviceOrdinal >= 0
            ? (deviceOrdinal < perDevice.Length ? perDevice[deviceOrdinal] : AccessFlags.None)
            : Access;

    internal bool Allows(AccessKind kind, int deviceOrdinal) =>
        ((AccessFlags)kind & ~AccessFor(deviceOrdinal)) == 0;
}
