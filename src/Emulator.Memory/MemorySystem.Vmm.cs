using System.Runtime.InteropServices;
using Emulator.Memory.Native;
using Emulator.Memory.Vmm;

namespace Emulator.Memory;

/// <summary>One entry of cuMemSetAccess's descriptor array: a device and the rights it gets.</summary>
public readonly record struct AccessDescriptor(int DeviceOrdinal, AccessFlags Flags);

/// <summary>
/// The virtual-memory API (cuMemCreate / cuMemAddressReserve / cuMemMap / cuMemSetAccess / ...). Physical
/// allocations are memfd objects; mapping one puts it over a reserved range with MAP_SHARED|MAP_FIXED, so two
/// ranges mapped to one handle see the same bytes. A fresh mapping has no access until cuMemSetAccess, which
/// both records per-device rights in the table and mprotects the pages with the union of them.
/// </summary>
public sealed partial class MemorySystem
{
    /// <summary>cuMemGetAllocationGranularity, minimum and recommended alike: 2 MiB, as on NVIDIA GPUs.</summary>
    public const ulong VirtualGranularity = 2UL << 20;

    private readonly RangeAllocator _virtualWindow;
    // Sorted containers: anything that iterates them (disposal, diagnostics) does so in a fixed order.
    private readonly SortedDictionary<ulong, PhysicalAllocation> _physical = [];
    private readonly SortedDictionary<ulong, VirtualReservation> _reservations = [];
    private readonly SortedDictionary<ulong, VirtualMapping> _mappings = [];
    private ulong _nextHandle = 1;

    private static bool IsGranular(ulong value) => value % VirtualGranularity == 0;

    /// <summary>cuMemCreate: a physical allocation of <paramref name="size"/> bytes (a multiple of the granularity) on a device.</summary>
    public MemoryStatus CreatePhysical(int deviceOrdinal, ulong size, out ulong handle)
    {
        handle = 0;
        if (!IsDevice(deviceOrdinal)) return MemoryStatus.InvalidDevice;
        if (size == 0 || !IsGranular(size) || size > long.MaxValue) return MemoryStatus.InvalidValue;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var heap = _devices[deviceOrdinal];
            if (!FitsCapacity(heap, size)) return MemoryStatus.OutOfMemory;
            int fd = Libc.MemfdCreate("cuemu-vmm", Libc.MfdCloexec);
            if (fd < 0) return MemoryStatus.HostMappingFailed;
            if (Libc.Ftruncate(fd, (long)size) != 0)
            {
                Libc.Close(fd);
                return MemoryStatus.HostMappingFailed;
            }
            handle = _nextHandle++;
            _physical.Add(handle, new PhysicalAllocation(handle, deviceOrdinal, size, fd));
            heap.PhysicalBytes += size;
            return MemoryStatus.Success;
        }
    }

    /// <summary>
    /// cuMemRelease: drops one reference to the handle. The physical memory is freed only once no reference
    /// and no mapping remains; until then existing mappings keep working. Unknown or fully released handle: InvalidValue.
    /// </summary>
    public MemoryStatus ReleasePhysical(ulong handle)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_physical.TryGetValue(handle, out var physical) || physical.HandleReferences == 0) return MemoryStatus.InvalidValue;
            physical.HandleReferences--;
            DestroyIfDead(physical);
            return MemoryStatus.Success;
        }
    }

    /// <summary>cuMemRetainAllocationHandle: the handle mapped at <paramref name="address"/> (any address inside a mapping), with one more reference.</summary>
    public MemoryStatus RetainPhysical(ulong address, out ulong handle)
    {
        handle = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var region = Table.Find(address);
            if (region is null || !region.IsVirtualMapped) return MemoryStatus.InvalidValue;
            var physical = _physical[region.PhysicalHandle];
            physical.HandleReferences++;
            handle = physical.Handle;
            return MemoryStatus.Success;
        }
    }

    /// <summary>cuMemGetAllocationPropertiesFromHandle: owning device and size of a live handle.</summary>
    public MemoryStatus GetPhysicalProperties(ulong handle, out int deviceOrdinal, out ulong size)
    {
        deviceOrdinal = -1;
        size = 0;
        lock (_gate)
        {
            if (!_physical.TryGetValue(handle, out var physical) || physical.HandleReferences == 0) return MemoryStatus.InvalidValue;
            deviceOrdinal = physical.DeviceOrdinal;
            size = physical.Size;
            return MemoryStatus.Success;
        }
    }

    /// <summary>
    /// cuMemAddressReserve: <paramref name="size"/> bytes (a multiple of the granularity) of device address
    /// space, aligned to <paramref name="alignment"/> (0 = granularity; else a power of two). A non-zero
    /// <paramref name="hint"/> is honoured when that exact range is free and suitably aligned, as NVIDIA does.
    /// </summary>
    public MemoryStatus ReserveAddress(ulong size, ulong alignment, ulong hint, ulong flags, out ulong address)
    {
        address = 0;
        if (size == 0 || !IsGranular(size) || flags != 0) return MemoryStatus.InvalidValue;
        if (alignment != 0 && (alignment & (alignment - 1)) != 0) return MemoryStatus.InvalidValue;
        ulong effectiveAlignment = Math.Max(alignment, VirtualGranularity);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            bool placed = hint != 0 && hint % effectiveAlignment == 0 && _virtualWindow.TryAllocateAt(hint, size);
            if (placed) address = hint;
            else if (!_virtualWindow.TryAllocate(size, effectiveAlignment, out address)) return MemoryStatus.OutOfMemory;
            _reservations.Add(address, new VirtualReservation(address, size));
            return MemoryStatus.Success;
        }
    }

    /// <summary>
    /// cuMemAddressFree: the exact range of one reservation. A reservation still holding mappings is refused
    /// (InvalidValue) so no mapping is silently lost; unmap first.
    /// </summary>
    public MemoryStatus FreeAddress(ulong address, ulong size)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_reservations.TryGetValue(address, out var reservation) || reservation.Size != size) return MemoryStatus.InvalidValue;
            foreach (var mapping in _mappings.Values)
                if (mapping.Reservation == reservation) return MemoryStatus.InvalidValue;
            _reservations.Remove(address);
            _virtualWindow.Release(address, size);
            return MemoryStatus.Success;
        }
    }

    /// <summary>
    /// cuMemMap: maps [offset, offset+size) of <paramref name="handle"/> at <paramref name="address"/>. All three
    /// granular; the range inside one reservation and not mapped yet; the handle live. The new range has no
    /// access until <see cref="SetAccess"/>.
    /// </summary>
    public MemoryStatus Map(ulong address, ulong size, ulong offset, ulong handle, ulong flags)
    {
        if (flags != 0 || size == 0 || !IsGranular(address) || !IsGranular(size) || !IsGranular(offset)) return MemoryStatus.InvalidValue;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_physical.TryGetValue(handle, out var physical) || physical.HandleReferences == 0) return MemoryStatus.InvalidValue;
            if (offset > physical.Size || size > physical.Size - offset) return MemoryStatus.InvalidValue;
            var reservation = ReservationContaining(address, size);
            if (reservation is null || Table.Overlapping(address, size).Count > 0) return MemoryStatus.InvalidValue;
            if (!AddressSpace.MapShared(address, size, physical.FileDescriptor, offset))
            {
                _log?.Invoke($"cuemu: mmap of VMM handle {handle} at 0x{address:x} failed (errno {Marshal.GetLastPInvokeError()})");
                AddressSpace.ReplaceWithReservation(address, size);
                return MemoryStatus.HostMappingFailed;
            }
            var mapping = new VirtualMapping(address, size, physical, offset, reservation);
            _mappings.Add(address, mapping);
            physical.Mappings++;
            Table.Add(Segment(mapping, address, size, new AccessFlags[_devices.Length]));
            return MemoryStatus.Success;
        }
    }

    /// <summary>
    /// cuMemUnmap: the range must be exactly one or more whole, adjacent mappings (CUDA cannot unmap part of
    /// a mapping). The range becomes reserved-but-unmapped again; physical memory whose last reference and
    /// mapping are gone is freed.
    /// </summary>
    public MemoryStatus Unmap(ulong address, ulong size)
    {
        if (size == 0 || size > ulong.MaxValue - address) return MemoryStatus.InvalidValue;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var covered = MappingsExactlyCovering(address, size);
            if (covered is null) return MemoryStatus.InvalidValue;
            var segments = Table.Overlapping(address, size);
            Table.Update(segments, []);
            foreach (var mapping in covered)
            {
                _mappings.Remove(mapping.Base);
                if (!AddressSpace.ReplaceWithReservation(mapping.Base, mapping.Size))
                    _log?.Invoke($"cuemu: could not unmap VMM range 0x{mapping.Base:x}");
                mapping.Physical.Mappings--;
                DestroyIfDead(mapping.Physical);
            }
            return MemoryStatus.Success;
        }
    }

    /// <summary>
    /// cuMemSetAccess: gives each listed device the listed rights over [address, address+size), which must be
    /// granular and entirely mapped (it may span several mappings). Rights are NONE, READ or READWRITE.
    /// </summary>
    public MemoryStatus SetAccess(ulong address, ulong size, ReadOnlySpan<AccessDescriptor> descriptors)
    {
        if (size == 0 || descriptors.IsEmpty || !IsGranular(address) || !IsGranular(size) || size > ulong.MaxValue - address)
            return MemoryStatus.InvalidValue;
        foreach (var descriptor in descriptors)
        {
            if (!IsDevice(descriptor.DeviceOrdinal)) return MemoryStatus.InvalidDevice;
            if (descriptor.Flags is not (AccessFlags.None or AccessFlags.Read or AccessFlags.ReadWrite)) return MemoryStatus.InvalidValue;
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ulong end = address + size;
            var segments = Table.Overlapping(address, size);
            ulong cursor = address;
            foreach (var segment in segments)
            {
                if (!segment.IsVirtualMapped || segment.Base > cursor) return MemoryStatus.InvalidValue;
                cursor = segment.End;
            }
            if (cursor < end) return MemoryStatus.InvalidValue;

            var replacements = new List<RegionInfo>(segments.Count + 2);
            foreach (var segment in segments)
            {
                var mapping = _mappings[segment.AllocationBase];
                var oldRights = segment.DeviceAccess!;
                if (segment.Base < address)
                    replacements.Add(Segment(mapping, segment.Base, address - segment.Base, oldRights));
                ulong insideStart = Math.Max(segment.Base, address);
                ulong insideEnd = Math.Min(segment.End, end);
                var newRights = (AccessFlags[])oldRights.Clone();
                foreach (var descriptor in descriptors) newRights[descriptor.DeviceOrdinal] = descriptor.Flags;
                replacements.Add(Segment(mapping, insideStart, insideEnd - insideStart, newRights));
                if (segment.End > end)
                    replacements.Add(Segment(mapping, end, segment.End - end, oldRights));
            }
            foreach (var replacement in replacements)
                if (replacement.Base >= address && replacement.End <= end && !AddressSpace.Protect(replacement.Base, replacement.Size, replacement.Access))
                {
                    // Put back the protection the old segments had, then report the failure unchanged.
                    foreach (var segment in segments) AddressSpace.Protect(segment.Base, segment.Size, segment.Access);
                    return MemoryStatus.HostMappingFailed;
                }
            Table.Update(segments, replacements);
            return MemoryStatus.Success;
        }
    }

    /// <summary>cuMemGetAccess: the rights <paramref name="deviceOrdinal"/> has at a mapped address.</summary>
    public MemoryStatus GetAccess(int deviceOrdinal, ulong address, out AccessFlags flags)
    {
        flags = AccessFlags.None;
        if (!IsDevice(deviceOrdinal)) return MemoryStatus.InvalidDevice;
        var region = Table.Find(address);
        if (region is null || !region.IsVirtualMapped) return MemoryStatus.InvalidValue;
        flags = region.AccessFor(deviceOrdinal);
        return MemoryStatus.Success;
    }

    /// <summary>Live physical allocations (handles with a reference or a mapping), for tests and diagnostics.</summary>
    public int PhysicalAllocationCount
    {
        get { lock (_gate) return _physical.Count; }
    }

    private RegionInfo Segment(VirtualMapping mapping, ulong start, ulong size, AccessFlags[] rights)
    {
        var union = AccessFlags.None;
        foreach (var right in rights) union |= right;
        return new RegionInfo(start, size, MemoryKind.VirtualMapped, mapping.Physical.DeviceOrdinal, union, rights,
            allocationBase: mapping.Base, allocationSize: mapping.Size, physicalHandle: mapping.Physical.Handle,
            physicalOffset: mapping.Offset + (start - mapping.Base), reservationBase: mapping.Reservation.Base);
    }

    private VirtualReservation? ReservationContaining(ulong address, ulong size)
    {
        VirtualReservation? candidate = null;
        foreach (var reservation in _reservations.Values)
        {
            if (reservation.Base > address) break;
            candidate = reservation;
        }
        return candidate is not null && address - candidate.Base <= candidate.Size && size <= candidate.End - address ? candidate : null;
    }

    /// <summary>The mappings that tile [address, address+size) exactly, or null if the range is not such a tiling.</summary>
    private List<VirtualMapping>? MappingsExactlyCovering(ulong address, ulong size)
    {
        ulong end = address + size;
        var result = new List<VirtualMapping>();
        ulong cursor = address;
        while (cursor < end)
        {
            if (!_mappings.TryGetValue(cursor, out var mapping) || mapping.End > end) return null;
            result.Add(mapping);
            cursor = mapping.End;
        }
        return result;
    }

    private void DestroyIfDead(PhysicalAllocation physical)
    {
        if (!physical.IsDead) return;
        _physical.Remove(physical.Handle);
        Libc.Close(physical.FileDescriptor);
        _devices[physical.DeviceOrdinal].PhysicalBytes -= physical.Size;
    }
}
