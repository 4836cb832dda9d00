using System.Runtime.InteropServices;
using Emulator.Driver;
using Emulator.Memory;

namespace Emulator.Exports;

/// <summary>The virtual-memory API: physical allocations (cuMemCreate), reservations, mappings and access rights.</summary>
public static unsafe partial class DriverApi
{
    private const int AllocationTypePinned = 1;
    private const int LocationTypeDevice = 1;
    private const int HandleTypeNone = 0;
    private const int HandleTypePosixFileDescriptor = 1;
    private const int GranularityMinimum = 0;
    private const int GranularityRecommended = 1;

    /// <summary><c>CUmemLocation</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MemLocation
    {
        public int type;
        public int id;
    }

    /// <summary><c>CUmemAllocationProp</c> (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MemAllocationProp
    {
        public int type;
        public int requestedHandleTypes;
        public MemLocation location;
        public void* win32HandleMetaData;
        public byte compressionType;
        public byte gpuDirectRDMACapable;
        public ushort usage;
        public uint reserved;
    }

    /// <summary><c>CUmemAccessDesc</c> (12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MemAccessDesc
    {
        public MemLocation location;
        public int flags;
    }

    /// <summary>
    /// Checks a <c>CUmemAllocationProp</c>: pinned device memory on a valid device. Handle types beyond POSIX file
    /// descriptors (Win32, fabric) and compression are features the personas report as absent.
    /// </summary>
    private static CuResult ReadAllocationProp(void* prop, out int deviceOrdinal)
    {
        deviceOrdinal = 0;
        if (prop == null) return CuResult.InvalidValue;
        var p = (MemAllocationProp*)prop;
        if (p->type != AllocationTypePinned || p->location.type != LocationTypeDevice) return CuResult.InvalidValue;
        if (p->requestedHandleTypes is not (HandleTypeNone or HandleTypePosixFileDescriptor)) return CuResult.NotSupported;
        if (p->compressionType != 0) return CuResult.NotSupported;
        var result = Driver.GetDevice(p->location.id, out _);
        if (result != CuResult.Success) return result;
        deviceOrdinal = p->location.id;
        return CuResult.Success;
    }

    public static CuResult cuMemGetAllocationGranularity(nuint* granularity, void* prop, int option)
    {
        if (granularity == null || option is not (GranularityMinimum or GranularityRecommended)) return CuResult.InvalidValue;
        var result = ReadAllocationProp(prop, out var ordinal);
        if (result != CuResult.Success) return result;
        result = Driver.MemGetAllocationGranularity(ordinal, out var value);
        if (result == CuResult.Success) *granularity = (nuint)value;
        return result;
    }

    public static CuResult cuMemCreate(ulong* handle, nuint size, void* prop, ulong flags)
    {
        if (handle == null || flags != 0) return CuResult.InvalidValue;
        var result = ReadAllocationProp(prop, out var ordinal);
        if (result != CuResult.Success) return result;
        result = Driver.MemCreate(ordinal, size, out var created);
        if (result == CuResult.Success) *handle = created;
        return result;
    }

    public static CuResult cuMemRelease(ulong handle) => Driver.MemRelease(handle);

    public static CuResult cuMemAddressReserve(ulong* ptr, nuint size, nuint alignment, ulong addr, ulong flags)
    {
        if (ptr == null) return CuResult.InvalidValue;
        var result = Driver.MemAddressReserve(size, alignment, addr, flags, out var address);
        if (result == CuResult.Success) *ptr = address;
        return result;
    }

    public static CuResult cuMemAddressFree(ulong ptr, nuint size) => Driver.MemAddressFree(ptr, size);

    public static CuResult cuMemMap(ulong ptr, nuint size, nuint offset, ulong handle, ulong flags) => Driver.MemMap(ptr, size, offset, handle, flags);

    public static CuResult cuMemUnmap(ulong ptr, nuint size) => Driver.MemUnmap(ptr, size);

    public static CuResult cuMemSetAccess(ulong ptr, nuint size, void* desc, nuint count)
    {
        if (desc == null || count == 0 || count > 64) return CuResult.InvalidValue;
        var entries = (MemAccessDesc*)desc;
        var descriptors = new AccessDescriptor[(int)count];
        for (var i = 0; i < descriptors.Length; i++)
        {
            if (entries[i].location.type != LocationTypeDevice) return CuResult.InvalidValue;
            if (entries[i].flags is not (0 or 1 or 3)) return CuResult.InvalidValue;
            descriptors[i] = new AccessDescriptor(entries[i].location.id, (AccessFlags)entries[i].flags);
        }
        return Driver.MemSetAccess(ptr, size, descriptors);
    }

    public static CuResult cuMemGetAccess(ulong* flags, void* location, ulong ptr)
    {
        if (flags == null || location == null) return CuResult.InvalidValue;
        var where = (MemLocation*)location;
        if (where->type != LocationTypeDevice) return CuResult.InvalidValue;
        var result = Driver.MemGetAccess(where->id, ptr, out var access);
        if (result == CuResult.Success) *flags = (ulong)access;
        return result;
    }

    public static CuResult cuMemRetainAllocationHandle(ulong* handle, void* addr)
    {
        if (handle == null) return CuResult.InvalidValue;
        var result = Driver.MemRetainAllocationHandle((ulong)addr, out var retained);
        if (result == CuResult.Success) *handle = retained;
        return result;
    }

    /// <summary>Reports pinned device memory on the owning device; handle types requested at creation are not kept.</summary>
    public static CuResult cuMemGetAllocationPropertiesFromHandle(void* prop, ulong handle)
    {
        if (prop == null) return CuResult.InvalidValue;
        var result = Driver.MemGetAllocationPropertiesFromHandle(handle, out var ordinal, out _);
        if (result != CuResult.Success) return result;
        *(MemAllocationProp*)prop = new MemAllocationProp
        {
            type = AllocationTypePinned,
            location = new MemLocation { type = LocationTypeDevice, id = ordinal },
        };
        return result;
    }
}
