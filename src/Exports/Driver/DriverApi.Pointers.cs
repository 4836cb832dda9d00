using Emulator.Driver;
using Emulator.Memory;

namespace Emulator.Exports;

/// <summary><c>cuPointerGetAttribute(s)</c> over the allocation table.</summary>
public static unsafe partial class DriverApi
{
    private const int PointerContext = 1;
    private const int PointerMemoryType = 2;
    private const int PointerDevicePointer = 3;
    private const int PointerHostPointer = 4;
    private const int PointerIsManaged = 8;
    private const int PointerDeviceOrdinal = 9;
    private const int PointerRangeStart = 11;
    private const int PointerRangeSize = 12;
    private const int PointerMapped = 13;
    private const int PointerAllowedHandleTypes = 14;
    private const int PointerIsGpuDirectRdmaCapable = 15;
    private const int PointerAccessFlags = 16;
    private const int PointerMempoolHandle = 17;
    private const int PointerMappingSize = 18;
    private const int PointerMappingBase = 19;

    private const uint MemoryTypeHost = 1;
    private const uint MemoryTypeDevice = 2;

    public static CuResult cuPointerGetAttribute(void* data, int attribute, ulong ptr)
    {
        if (data == null) return CuResult.InvalidValue;
        var result = Driver.GetPointerRegion(ptr, out var region);
        if (result != CuResult.Success) return result;
        return WritePointerAttribute(data, attribute, ptr, region);
    }

    /// <summary>
    /// Unlike the singular form, an address the driver does not know is not an error: every requested attribute
    /// gets its zero value and the call succeeds, as NVIDIA documents.
    /// </summary>
    public static CuResult cuPointerGetAttributes(uint numAttributes, int* attributes, void** data, ulong ptr)
    {
        if (numAttributes == 0 || attributes == null || data == null) return CuResult.InvalidValue;
        var lookup = Driver.GetPointerRegion(ptr, out var region);
        if (lookup == CuResult.NotInitialized) return lookup;
        for (var i = 0; i < numAttributes; i++)
        {
            if (data[i] == null) return CuResult.InvalidValue;
            var size = PointerAttributeSize(attributes[i]);
            if (size == 0) return CuResult.InvalidValue;
            if (lookup != CuResult.Success)
            {
                new Span<byte>(data[i], size).Clear();
                continue;
            }
            var result = WritePointerAttribute(data[i], attributes[i], ptr, region);
            if (result != CuResult.Success) return result;
        }
        return CuResult.Success;
    }

    /// <summary>Bytes each supported attribute writes (0: not supported here).</summary>
    private static int PointerAttributeSize(int attribute) => attribute switch
    {
        PointerContext or PointerDevicePointer or PointerHostPointer or PointerRangeStart or PointerRangeSize or
            PointerAllowedHandleTypes or PointerMempoolHandle or PointerMappingSize or PointerMappingBase => 8,
        PointerMemoryType or PointerIsManaged or PointerDeviceOrdinal or PointerMapped or PointerIsGpuDirectRdmaCapable or
            PointerAccessFlags => 4,
        _ => 0,
    };

    private static CuResult WritePointerAttribute(void* data, int attribute, ulong ptr, RegionInfo region)
    {
        var ordinal = region.DeviceOrdinal >= 0 ? region.DeviceOrdinal
            : Driver.GetContextDevice(out var current) == CuResult.Success ? current : 0;
        switch (attribute)
        {
            case PointerContext:
                *(nint*)data = Driver.OwningContext(region.AllocationBase);
                return CuResult.Success;
            case PointerMemoryType:
                *(uint*)data = region.IsHostMemory ? MemoryTypeHost : MemoryTypeDevice;
                return CuResult.Success;
            case PointerDevicePointer:
                *(ulong*)data = ptr;
                return CuResult.Success;
            case PointerHostPointer:
                // Device memory has no host mapping a program may use; host and managed memory are the same address.
                if (!region.IsHostMemory && region.Kind != MemoryKind.Managed) return CuResult.InvalidValue;
                *(ulong*)data = ptr;
                return CuResult.Success;
            case PointerIsManaged:
                *(uint*)data = region.Kind == MemoryKind.Managed ? 1u : 0u;
                return CuResult.Success;
            case PointerDeviceOrdinal:
                *(int*)data = ordinal;
                return CuResult.Success;
            case PointerRangeStart:
            case PointerMappingBase:
                *(ulong*)data = region.AllocationBase;
                return CuResult.Success;
            case PointerRangeSize:
            case PointerMappingSize:
                *(ulong*)data = region.AllocationSize;
                return CuResult.Success;
            case PointerMapped:
                *(uint*)data = 1;
                return CuResult.Success;
            case PointerAllowedHandleTypes:
                // cuMemAlloc-family memory cannot be exported; VMM handles' export types are not tracked.
                if (region.IsVirtualMapped) return CuResult.NotSupported;
                *(ulong*)data = 0;
                return CuResult.Success;
            case PointerIsGpuDirectRdmaCapable:
                *(uint*)data = 0;
                return CuResult.Success;
            case PointerAccessFlags:
                *(int*)data = (int)region.AccessFor(ordinal);
                return CuResult.Success;
            case PointerMempoolHandle:
                *(nint*)data = 0;
                return CuResult.Success;
            default:
                // P2P tokens, SYNC_MEMOPS, buffer/block ids, decompression: not modelled.
                return attribute is > 0 and <= 21 ? CuResult.NotSupported : CuResult.InvalidValue;
        }
    }
}
