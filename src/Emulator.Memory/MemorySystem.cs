namespace Emulator.Memory;

/// <summary>
/// The emulated GPUs' memory, all of it living in one reserved host address range so that a device address
/// is the host address of its bytes: device heaps (one window per device), page-locked and registered host
/// memory, managed memory and the virtual-memory API (see MemorySystem.Vmm.cs), plus the allocation table
/// every copy, memset and kernel access is checked against. Operations return <see cref="MemoryStatus"/>
/// and change nothing when they fail. Thread-safe: writers serialise on one lock, lookups take none.
/// </summary>
public sealed partial class MemorySystem : IDisposable
{
    /// <summary>Alignment (and accounting unit) of cuMemAlloc: the host page, so a freed allocation's
    /// pages can be returned to the OS and made inaccessible without touching a neighbour. Exceeds the 256
    /// bytes CUDA guarantees.</summary>
    public static ulong AllocationAlignment => AddressSpace.PageSize;

    /// <summary>Row alignment cuMemAllocPitch applies (what NVIDIA's driver returns on current GPUs).</summary>
    public const ulong PitchAlignment = 512;

    private readonly Lock _gate = new();
    private readonly DeviceHeap[] _devices;
    private readonly RangeAllocator _hostWindow;
    private readonly Action<string>? _log;
    private bool _disposed;

    private sealed class DeviceHeap(RangeAllocator window, ulong capacity)
    {
        public readonly RangeAllocator Window = window;
        public readonly ulong Capacity = capacity;
        /// <summary>Page-rounded bytes of cuMemAlloc/pitch/managed allocations.</summary>
        public ulong HeapBytes;
        /// <summary>Bytes of live cuMemCreate allocations.</summary>
        public ulong PhysicalBytes;
        public ulong UsedBytes => HeapBytes + PhysicalBytes;
    }

    /// <summary>
    /// Builds the memory of <paramref name="deviceCapacities"/>.Count devices with those capacities (bytes) in
    /// <paramref name="space"/>, which must be at least <see cref="MemoryLayout.TotalSize"/> bytes and is
    /// disposed with this object.
    /// </summary>
    public MemorySystem(AddressSpace space, IReadOnlyList<ulong> deviceCapacities, MemoryLayout? layout = null, Action<string>? log = null)
    {
        layout ??= new MemoryLayout();
        if (deviceCapacities.Count == 0) throw new ArgumentException("at least one device is required", nameof(deviceCapacities));
        if (space.Size < layout.TotalSize(deviceCapacities.Count)) throw new ArgumentException("address space smaller than the layout", nameof(space));
        for (int device = 0; device < deviceCapacities.Count; device++)
            if (deviceCapacities[device] > layout.DeviceWindowSize)
                throw new ArgumentException($"device {device}'s capacity exceeds its address window", nameof(deviceCapacities));
        AddressSpace = space;
        Layout = layout;
        _log = log;
        _devices = new DeviceHeap[deviceCapacities.Count];
        ulong cursor = space.Base;
        for (int device = 0; device < _devices.Length; device++, cursor += layout.DeviceWindowSize)
            _devices[device] = new DeviceHeap(new RangeAllocator(cursor, layout.DeviceWindowSize), deviceCapacities[device]);
        _hostWindow = new RangeAllocator(cursor, layout.HostWindowSize);
        cursor += layout.HostWindowSize;
        _virtualWindow = new RangeAllocator(cursor, layout.VirtualWindowSize);
    }

    /// <summary>The process-wide memory: its space at <see cref="AddressSpace.ProcessWideBase"/> (anywhere, logged, if taken).</summary>
    public static MemorySystem CreateProcessWide(IReadOnlyList<ulong> deviceCapacities, MemoryLayout? layout = null, Action<string>? log = null)
    {
        layout ??= new MemoryLayout();
        var space = AddressSpace.Reserve(layout.TotalSize(deviceCapacities.Count), AddressSpace.ProcessWideBase, log);
        return new MemorySystem(space, deviceCapacities, layout, log);
    }

    /// <summary>A private memory system anywhere in the address space (tests, tools).</summary>
    public static MemorySystem CreatePrivate(IReadOnlyList<ulong> deviceCapacities, MemoryLayout? layout = null)
    {
        layout ??= MemoryLayout.Compact;
        return new MemorySystem(AddressSpace.Reserve(layout.TotalSize(deviceCapacities.Count)), deviceCapacities, layout);
    }

    public AddressSpace AddressSpace { get; }
    public MemoryLayout Layout { get; }
    public AllocationTable Table { get; } = new();
    public int DeviceCount => _devices.Length;

    // ---------------------------------------------------------------- lookups

    /// <summary>
    /// The bounds/permission check of every copy, memset and kernel access: true when
    /// [address, address+length) is inside accessible memory with the rights <paramref name="kind"/> needs.
    /// Lock-free; the hit path is one comparison against the last region found.
    /// </summary>
    public bool TryResolve(ulong address, ulong length, AccessKind kind, out RegionInfo region) =>
        Table.TryResolve(address, length, kind, -1, out region);

    /// <summary>As <see cref="TryResolve(ulong, ulong, AccessKind, out RegionInfo)"/> for an access made by a kernel on
    /// <paramref name="deviceOrdinal"/> (VMM rights are per device).</summary>
    public bool TryResolve(ulong address, ulong length, AccessKind kind, int deviceOrdinal, out RegionInfo region) =>
        Table.TryResolve(address, length, kind, deviceOrdinal, out region);

    /// <summary>Pointer attributes: the region containing <paramref name="address"/> (any kind), or InvalidValue.</summary>
    public MemoryStatus GetPointerInfo(ulong address, out RegionInfo region)
    {
        region = Table.Find(address)!;
        return region is null ? MemoryStatus.InvalidValue : MemoryStatus.Success;
    }

    /// <summary>cuMemGetAddressRange: base and size of the allocation (or VMM mapping) containing <paramref name="address"/>.</summary>
    public MemoryStatus GetAddressRange(ulong address, out ulong baseAddress, out ulong size)
    {
        baseAddress = size = 0;
        var region = Table.Find(address);
        if (region is null) return MemoryStatus.InvalidValue;
        baseAddress = region.AllocationBase;
        size = region.AllocationSize;
        return MemoryStatus.Success;
    }

    /// <summary>True when <paramref name="address"/> lies in this system's reserved range (device, host-window or VMM).</summary>
    public bool IsInReservedSpace(ulong address) => AddressSpace.Contains(address, 1);

    // ---------------------------------------------------------------- accounting

    /// <summary>cuMemGetInfo: capacity minus bytes in use (heap + physical VMM), and capacity.</summary>
    public MemoryStatus GetInfo(int deviceOrdinal, out ulong free, out ulong total)
    {
        free = total = 0;
        if (!IsDevice(deviceOrdinal)) return MemoryStatus.InvalidDevice;
        lock (_gate)
        {
            var heap = _devices[deviceOrdinal];
            total = heap.Capacity;
            free = heap.Capacity - heap.UsedBytes;
        }
        return MemoryStatus.Success;
    }

    /// <summary>Bytes of device memory in use on <paramref name="deviceOrdinal"/> (NVML's "used"); 0 for an unknown device.</summary>
    public ulong UsedBytes(int deviceOrdinal)
    {
        if (!IsDevice(deviceOrdinal)) return 0;
        lock (_gate) return _devices[deviceOrdinal].UsedBytes;
    }

    public ulong Capacity(int deviceOrdinal) => IsDevice(deviceOrdinal) ? _devices[deviceOrdinal].Capacity : 0;

    private bool IsDevice(int ordinal) => (uint)ordinal < (uint)_devices.Length;

    private static ulong RoundToPages(ulong size) => AddressSpace.AlignUp(size, AddressSpace.PageSize);

    /// <summary>True when <paramref name="bytes"/> more fit in the device's remaining capacity.</summary>
    private static bool FitsCapacity(DeviceHeap heap, ulong bytes) => bytes <= heap.Capacity - heap.UsedBytes;

    // ---------------------------------------------------------------- device heap

    /// <summary>cuMemAlloc: <paramref name="size"/> bytes of device memory (zero-filled), page-aligned.</summary>
    public MemoryStatus Allocate(int deviceOrdinal, ulong size, out ulong address) =>
        AllocateOnDevice(deviceOrdinal, size, MemoryKind.Device, 0, out address);

    /// <summary>cuMemAllocManaged: device memory the host may also touch; <paramref name="flags"/> is GLOBAL or HOST.</summary>
    public MemoryStatus AllocateManaged(int deviceOrdinal, ulong size, ManagedAttachFlags flags, out ulong address)
    {
        address = 0;
        if (flags is not (ManagedAttachFlags.Global or ManagedAttachFlags.Host)) return MemoryStatus.InvalidValue;
        return AllocateOnDevice(deviceOrdinal, size, MemoryKind.Managed, (uint)flags, out address);
    }

    /// <summary>
    /// cuMemAllocPitch: <paramref name="height"/> rows of <paramref name="widthInBytes"/>, each row starting
    /// <paramref name="pitch"/> bytes after the previous (width rounded up to <see cref="PitchAlignment"/>).
    /// <paramref name="elementSizeBytes"/> must be 4, 8 or 16 as CUDA requires.
    /// </summary>
    public MemoryStatus AllocatePitch(int deviceOrdinal, ulong widthInBytes, ulong height, uint elementSizeBytes,
        out ulong address, out ulong pitch)
    {
        address = pitch = 0;
        if (elementSizeBytes is not (4 or 8 or 16) || widthInBytes == 0 || height == 0) return MemoryStatus.InvalidValue;
        if (widthInBytes > ulong.MaxValue - PitchAlignment) return MemoryStatus.InvalidValue;
        ulong rowPitch = AddressSpace.AlignUp(widthInBytes, PitchAlignment);
        if (height > ulong.MaxValue / rowPitch) return MemoryStatus.OutOfMemory;
        var status = Allocate(deviceOrdinal, rowPitch * height, out address);
        if (status == MemoryStatus.Success) pitch = rowPitch;
        return status;
    }

    private MemoryStatus AllocateOnDevice(int deviceOrdinal, ulong size, MemoryKind kind, uint flags, out ulong address)
    {
        address = 0;
        if (!IsDevice(deviceOrdinal)) return MemoryStatus.InvalidDevice;
        if (size == 0) return MemoryStatus.InvalidValue;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var heap = _devices[deviceOrdinal];
            if (size > heap.Capacity) return MemoryStatus.OutOfMemory;
            ulong rounded = RoundToPages(size);
            if (!FitsCapacity(heap, rounded)) return MemoryStatus.OutOfMemory;
            if (!heap.Window.TryAllocate(rounded, AllocationAlignment, out ulong placed)) return MemoryStatus.OutOfMemory;
            if (!AddressSpace.Protect(placed, rounded, AccessFlags.ReadWrite))
            {
                heap.Window.Release(placed, rounded);
                return MemoryStatus.HostMappingFailed;
            }
            heap.HeapBytes += rounded;
            Table.Add(new RegionInfo(placed, size, kind, deviceOrdinal, AccessFlags.ReadWrite, flags: flags));
            address = placed;
            return MemoryStatus.Success;
        }
    }

    /// <summary>
    /// cuMemFree: frees a cuMemAlloc/pitch/managed allocation given its exact base address. Its pages go back
    /// to the OS and become inaccessible. Interior, foreign, host, VMM or already-freed pointers: InvalidValue.
    /// </summary>
    public MemoryStatus Free(ulong address)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var region = Table.Find(address);
            if (region is null || region.Base != address || region.Kind is not (MemoryKind.Device or MemoryKind.Managed))
                return MemoryStatus.InvalidValue;
            var heap = _devices[region.DeviceOrdinal];
            ulong rounded = RoundToPages(region.Size);
            Table.Remove(region);
            if (!AddressSpace.Decommit(address, rounded))
                _log?.Invoke($"cuemu: could not return pages of 0x{address:x} to the OS");
            heap.Window.Release(address, rounded);
            heap.HeapBytes -= rounded;
            return MemoryStatus.Success;
        }
    }

    // ---------------------------------------------------------------- host memory

    /// <summary>
    /// cuMemHostAlloc / cuMemAllocHost: page-locked host memory from the host window (so its addresses are
    /// deterministic too); device pointer = host pointer. Not counted against any device's capacity.
    /// </summary>
    public MemoryStatus AllocateHost(ulong size, HostAllocFlags flags, out ulong address)
    {
        address = 0;
        if (size == 0 || (flags & ~(HostAllocFlags.Portable | HostAllocFlags.DeviceMap | HostAllocFlags.WriteCombined)) != 0)
            return MemoryStatus.InvalidValue;
        if (size > Layout.HostWindowSize) return MemoryStatus.OutOfMemory;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ulong rounded = RoundToPages(size);
            if (!_hostWindow.TryAllocate(rounded, AddressSpace.PageSize, out ulong placed)) return MemoryStatus.OutOfMemory;
            if (!AddressSpace.Protect(placed, rounded, AccessFlags.ReadWrite))
            {
                _hostWindow.Release(placed, rounded);
                return MemoryStatus.HostMappingFailed;
            }
            Table.Add(new RegionInfo(placed, size, MemoryKind.HostAllocated, -1, AccessFlags.ReadWrite, flags: (uint)flags));
            address = placed;
            return MemoryStatus.Success;
        }
    }

    /// <summary>cuMemFreeHost: frees a <see cref="AllocateHost"/> allocation by its base address.</summary>
    public MemoryStatus FreeHost(ulong address)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var region = Table.Find(address);
            if (region is null || region.Base != address || region.Kind != MemoryKind.HostAllocated)
                return MemoryStatus.InvalidValue;
            ulong rounded = RoundToPages(region.Size);
            Table.Remove(region);
            AddressSpace.Decommit(address, rounded);
            _hostWindow.Release(address, rounded);
            return MemoryStatus.Success;
        }
    }

    /// <summary>
    /// cuMemHostRegister: makes the program's own host memory [address, address+size) known to every device
    /// (device pointer = host pointer). Overlapping any registered or page-locked range:
    /// HostMemoryAlreadyRegistered. Memory inside the device/VMM windows, or not mapped in the process: InvalidValue.
    /// </summary>
    public MemoryStatus RegisterHost(ulong address, ulong size, HostRegisterFlags flags)
    {
        const HostRegisterFlags known = HostRegisterFlags.Portable | HostRegisterFlags.DeviceMap | HostRegisterFlags.IoMemory | HostRegisterFlags.ReadOnly;
        if (address == 0 || size == 0 || (flags & ~known) != 0 || size > ulong.MaxValue - address) return MemoryStatus.InvalidValue;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var overlapping = Table.Overlapping(address, size);
            if (overlapping.Count > 0)
                return overlapping.TrueForAll(r => r.IsHostMemory) ? MemoryStatus.HostMemoryAlreadyRegistered : MemoryStatus.InvalidValue;
            if (AddressSpace.Contains(address, 1) || AddressSpace.Contains(address + size - 1, 1)
                || (address < AddressSpace.Base && address + size > AddressSpace.End))
                return MemoryStatus.InvalidValue;
            if (!HostRangeIsMapped(address, size)) return MemoryStatus.InvalidValue;
            var access = (flags & HostRegisterFlags.ReadOnly) != 0 ? AccessFlags.Read : AccessFlags.ReadWrite;
            Table.Add(new RegionInfo(address, size, MemoryKind.HostRegistered, -1, access, flags: (uint)flags));
            return MemoryStatus.Success;
        }
    }

    /// <summary>cuMemHostUnregister: <paramref name="address"/> must be the base of a registration.</summary>
    public MemoryStatus UnregisterHost(ulong address)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var region = Table.Find(address);
            if (region is null || region.Base != address || region.Kind != MemoryKind.HostRegistered)
                return MemoryStatus.HostMemoryNotRegistered;
            Table.Remove(region);
            return MemoryStatus.Success;
        }
    }

    /// <summary>cuMemHostGetDevicePointer: the device address of page-locked/registered host memory — the same address.</summary>
    public MemoryStatus GetHostDevicePointer(ulong hostAddress, uint flags, out ulong deviceAddress)
    {
        deviceAddress = 0;
        if (flags != 0) return MemoryStatus.InvalidValue;
        var region = Table.Find(hostAddress);
        if (region is null || !region.IsHostMemory) return MemoryStatus.InvalidValue;
        deviceAddress = hostAddress;
        return MemoryStatus.Success;
    }

    /// <summary>cuMemHostGetFlags: the flags a page-locked allocation was made with.</summary>
    public MemoryStatus GetHostFlags(ulong hostAddress, out HostAllocFlags flags)
    {
        flags = 0;
        var region = Table.Find(hostAddress);
        if (region is null || region.Kind != MemoryKind.HostAllocated) return MemoryStatus.InvalidValue;
        flags = (HostAllocFlags)region.Flags;
        return MemoryStatus.Success;
    }

    /// <summary>msync(MS_ASYNC) fails with ENOMEM exactly when part of the range is not mapped — a check that touches nothing.</summary>
    private static bool HostRangeIsMapped(ulong address, ulong size)
    {
        ulong page = AddressSpace.PageSize;
        ulong start = address / page * page;
        ulong end = size > ulong.MaxValue - address - page ? ulong.MaxValue / page * page : AddressSpace.AlignUp(address + size, page);
        return Native.Libc.Msync((nint)start, (nuint)(end - start), Native.Libc.MsAsync) == 0;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var physical in _physical.Values) Native.Libc.Close(physical.FileDescriptor);
            _physical.Clear();
        }
        AddressSpace.Dispose();
    }
}
