using Emulator.Driver.Contexts;
using Emulator.Driver.Streams;
using Emulator.Driver.Timing;
using Emulator.Memory;

namespace Emulator.Driver;

/// <summary>
/// The memory entry points over <see cref="MemorySystem"/>: context checks, ownership (a context's allocations die
/// with it), translation of <see cref="MemoryStatus"/> into CUresult, and stream ordering plus virtual-clock cost for
/// copies and fills. Synchronous copies run on the legacy default stream (or the per-thread one in <c>_ptds</c>
/// variants), which under eager execution is the same as waiting for all prior work.
/// </summary>
public sealed partial class CudaDriver
{
    private MemorySystem? _memory;

    /// <summary>The memory of this driver's devices (null before cuInit).</summary>
    public MemorySystem? Memory => _memory;

    private CuResult CreateMemory()
    {
        var capacities = _devices.Select(d => (ulong)d.TotalMemoryBytes).ToArray();
        try
        {
            _memory = _options!.MemoryPlacement == MemoryPlacement.ProcessWide
                ? MemorySystem.CreateProcessWide(capacities, log: _options.Log)
                : MemorySystem.CreatePrivate(capacities, PrivateLayout(capacities));
            return CuResult.Success;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException or OutOfMemoryException)
        {
            _options?.Log?.Invoke($"cuemu: cannot reserve the emulated devices' address space: {e.Message}");
            return CuResult.OutOfMemory;
        }
    }

    /// <summary>Compact windows, but each still larger than its device so a persona's whole memory is allocatable.</summary>
    private static MemoryLayout PrivateLayout(IReadOnlyList<ulong> capacities)
    {
        var largest = capacities.Max();
        var compact = MemoryLayout.Compact;
        var window = Math.Max(compact.DeviceWindowSize, AlignUp(largest + largest / 4, MemoryLayout.GiB));
        return compact with { DeviceWindowSize = window };
    }

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;

    public void Dispose()
    {
        lock (_gate)
        {
            _memory?.Dispose();
            _memory = null;
            Volatile.Write(ref _initialized, false);
        }
        _contextStacks.Dispose();
    }

    public static CuResult ToResult(MemoryStatus status) => status switch
    {
        MemoryStatus.Success => CuResult.Success,
        MemoryStatus.InvalidValue => CuResult.InvalidValue,
        MemoryStatus.OutOfMemory or MemoryStatus.HostMappingFailed => CuResult.OutOfMemory,
        MemoryStatus.InvalidDevice => CuResult.InvalidDevice,
        MemoryStatus.HostMemoryAlreadyRegistered => CuResult.HostMemoryAlreadyRegistered,
        MemoryStatus.HostMemoryNotRegistered => CuResult.HostMemoryNotRegistered,
        MemoryStatus.IllegalAddress => CuResult.IllegalAddress,
        MemoryStatus.NotSupported => CuResult.NotSupported,
        _ => CuResult.Unknown,
    };

    /// <summary>The current context and the memory system, checked together.</summary>
    private CuResult CurrentMemory(out Context context, out MemorySystem memory)
    {
        memory = null!;
        var result = GetCurrentContext(out context);
        if (result != CuResult.Success) return result;
        memory = _memory!;
        return CuResult.Success;
    }

    private void FreeContextMemory(Context context)
    {
        if (_memory is null) return;
        foreach (var address in context.DeviceAllocations) _memory.Free(address);
        foreach (var address in context.HostAllocations) _memory.FreeHost(address);
        context.DeviceAllocations.Clear();
        context.HostAllocations.Clear();
    }

    // ---- device memory -------------------------------------------------------------------------------------------

    public CuResult MemAlloc(ulong bytes, out ulong address)
    {
        address = 0;
        var result = CurrentMemory(out var context, out var memory);
        if (result != CuResult.Success) return result;
        if (bytes == 0) return CuResult.InvalidValue;
        var status = memory.Allocate(context.Device.Ordinal, bytes, out address);
        return Track(context.DeviceAllocations, status, address);
    }

    public CuResult MemAllocPitch(ulong widthInBytes, ulong height, uint elementSizeBytes, out ulong address, out ulong pitch)
    {
        address = pitch = 0;
        var result = CurrentMemory(out var context, out var memory);
        if (result != CuResult.Success) return result;
        var status = memory.AllocatePitch(context.Device.Ordinal, widthInBytes, height, elementSizeBytes, out address, out pitch);
        return Track(context.DeviceAllocations, status, address);
    }

    /// <summary><c>CU_MEM_ATTACH_GLOBAL</c> (1) or <c>CU_MEM_ATTACH_HOST</c> (2).</summary>
    public CuResult MemAllocManaged(ulong bytes, uint flags, out ulong address)
    {
        address = 0;
        var result = CurrentMemory(out var context, out var memory);
        if (result != CuResult.Success) return result;
        if (bytes == 0) return CuResult.InvalidValue;
        var status = memory.AllocateManaged(context.Device.Ordinal, bytes, (ManagedAttachFlags)flags, out address);
        return Track(context.DeviceAllocations, status, address);
    }

    private CuResult Track(List<ulong> owner, MemoryStatus status, ulong address)
    {
        if (status == MemoryStatus.Success)
        {
            lock (_gate) owner.Add(address);
            PublishUsage();
        }
        return ToResult(status);
    }

    /// <summary>cuMemFree: the exact base of a live allocation; anything else (interior, freed, foreign) is INVALID_VALUE.</summary>
    public CuResult MemFree(ulong address)
    {
        var result = CurrentMemory(out _, out var memory);
        if (result != CuResult.Success) return result;
        var status = memory.Free(address);
        if (status == MemoryStatus.Success)
        {
            ForgetAllocation(address, host: false);
            PublishUsage();
        }
        return ToResult(status);
    }

    private void ForgetAllocation(ulong address, bool host)
    {
        lock (_gate)
        {
            foreach (var slot in _primaryContexts)
                if (slot.Context is { } primary && (host ? primary.HostAllocations : primary.DeviceAllocations).Remove(address)) return;
            foreach (var context in _createdContexts)
                if ((host ? context.HostAllocations : context.DeviceAllocations).Remove(address)) return;
        }
    }

    /// <summary>
    /// cuMemGetInfo: the device's capacity less what this process uses and, with a usage ledger, less what every
    /// other live process uses, so it agrees with NVML in any process.
    /// </summary>
    public CuResult MemGetInfo(out ulong free, out ulong total)
    {
        free = total = 0;
        var result = CurrentMemory(out var context, out var memory);
        if (result != CuResult.Success) return result;
        result = ToResult(memory.GetInfo(context.Device.Ordinal, out free, out total));
        if (result == CuResult.Success) free -= Math.Min(free, UsedByOtherProcesses(context.Device));
        return result;
    }

    /// <summary>cuMemGetAddressRange: an address outside every allocation is CUDA_ERROR_NOT_FOUND.</summary>
    public CuResult MemGetAddressRange(ulong address, out ulong baseAddress, out ulong size)
    {
        baseAddress = size = 0;
        var result = CurrentMemory(out _, out var memory);
        if (result != CuResult.Success) return result;
        return memory.GetAddressRange(address, out baseAddress, out size) == MemoryStatus.Success ? CuResult.Success : CuResult.NotFound;
    }

    // ---- host memory ----------------------------------------------------------------------------------------------

    public CuResult MemHostAlloc(ulong bytes, uint flags, out ulong address)
    {
        address = 0;
        var result = CurrentMemory(out var context, out var memory);
        if (result != CuResult.Success) return result;
        var status = memory.AllocateHost(bytes, (HostAllocFlags)flags, out address);
        return Track(context.HostAllocations, status, address);
    }

    public CuResult MemFreeHost(ulong address)
    {
        var result = CurrentMemory(out _, out var memory);
        if (result != CuResult.Success) return result;
        var status = memory.FreeHost(address);
        if (status == MemoryStatus.Success) ForgetAllocation(address, host: true);
        return ToResult(status);
    }

    public CuResult MemHostRegister(ulong address, ulong bytes, uint flags)
    {
        var result = CurrentMemory(out _, out var memory);
        return result != CuResult.Success ? result : ToResult(memory.RegisterHost(address, bytes, (HostRegisterFlags)flags));
    }

    public CuResult MemHostUnregister(ulong address)
    {
        var result = CurrentMemory(out _, out var memory);
        return result != CuResult.Success ? result : ToResult(memory.UnregisterHost(address));
    }

    public CuResult MemHostGetDevicePointer(ulong hostAddress, uint flags, out ulong deviceAddress)
    {
        deviceAddress = 0;
        var result = CurrentMemory(out _, out var memory);
        return result != CuResult.Success ? result : ToResult(memory.GetHostDevicePointer(hostAddress, flags, out deviceAddress));
    }

    public CuResult MemHostGetFlags(ulong hostAddress, out uint flags)
    {
        flags = 0;
        var result = CurrentMemory(out _, out var memory);
        if (result != CuResult.Success) return result;
        var status = memory.GetHostFlags(hostAddress, out var hostFlags);
        flags = (uint)hostFlags;
        return ToResult(status);
    }

    // ---- copies and fills ------------------------------------------------------------------------------------------

    /// <summary>
    /// Every copy: resolves the stream (null = the default stream the variant names), checks and moves the bytes
    /// now, and advances the device clock by bytes over the modelled bandwidth of the path.
    /// </summary>
    public CuResult MemCopy(nint streamHandle, bool perThreadDefaultStream, ulong destination, OperandKind destinationKind,
        ulong source, OperandKind sourceKind, ulong bytes)
    {
        var result = ResolveMemoryStream(streamHandle, perThreadDefaultStream, out var stream, out var memory);
        if (result != CuResult.Success) return result;
        var path = IsDeviceSide(memory, destination, destinationKind) && IsDeviceSide(memory, source, sourceKind)
            ? OperationCost.Path.DeviceToDevice
            : OperationCost.Path.HostLink;
        var cost = OperationCost.Transfer(stream.Context.Device.Persona.CostModel, bytes, path);
        return Enqueue(stream, cost, () => ToResult(memory.Copy(destination, destinationKind, source, sourceKind, bytes)));
    }

    public CuResult MemCopy2D(nint streamHandle, bool perThreadDefaultStream, CopyOperand destination, CopyOperand source,
        ulong widthInBytes, ulong height)
    {
        var result = ResolveMemoryStream(streamHandle, perThreadDefaultStream, out var stream, out var memory);
        if (result != CuResult.Success) return result;
        var path = destination.Kind == OperandKind.Device && source.Kind == OperandKind.Device
            ? OperationCost.Path.DeviceToDevice
            : OperationCost.Path.HostLink;
        var cost = OperationCost.Transfer(stream.Context.Device.Persona.CostModel, SaturatingProduct(widthInBytes, height), path);
        return Enqueue(stream, cost, () => ToResult(memory.Copy2D(destination, source, widthInBytes, height)));
    }

    public CuResult MemCopy3D(nint streamHandle, bool perThreadDefaultStream, CopyOperand destination, CopyOperand source,
        ulong widthInBytes, ulong height, ulong depth)
    {
        var result = ResolveMemoryStream(streamHandle, perThreadDefaultStream, out var stream, out var memory);
        if (result != CuResult.Success) return result;
        var path = destination.Kind == OperandKind.Device && source.Kind == OperandKind.Device
            ? OperationCost.Path.DeviceToDevice
            : OperationCost.Path.HostLink;
        var bytes = SaturatingProduct(SaturatingProduct(widthInBytes, height), depth);
        var cost = OperationCost.Transfer(stream.Context.Device.Persona.CostModel, bytes, path);
        return Enqueue(stream, cost, () => ToResult(memory.Copy3D(destination, source, widthInBytes, height, depth)));
    }

    /// <summary>cuMemsetD8/16/32 and their 2D forms; <paramref name="pitch"/> is ignored when <paramref name="height"/> is 1.</summary>
    public CuResult MemSet(nint streamHandle, bool perThreadDefaultStream, ulong destination, ulong pitch, uint value,
        int elementSize, ulong width, ulong height)
    {
        var result = ResolveMemoryStream(streamHandle, perThreadDefaultStream, out var stream, out var memory);
        if (result != CuResult.Success) return result;
        var bytes = SaturatingProduct(SaturatingProduct(width, (ulong)elementSize), height);
        var cost = OperationCost.Fill(stream.Context.Device.Persona.CostModel, bytes);
        return Enqueue(stream, cost, () => ToResult(height == 1
            ? memory.Memset(destination, value, elementSize, width)
            : memory.Memset2D(destination, pitch, value, elementSize, width, height)));
    }

    private CuResult ResolveMemoryStream(nint streamHandle, bool perThreadDefaultStream, out Stream stream, out MemorySystem memory)
    {
        memory = _memory!;
        return ResolveStream(streamHandle, perThreadDefaultStream, out stream);
    }

    private static bool IsDeviceSide(MemorySystem memory, ulong address, OperandKind kind) => kind switch
    {
        OperandKind.Device => true,
        OperandKind.Unified => memory.GetPointerInfo(address, out var region) == MemoryStatus.Success && !region.IsHostMemory,
        _ => false,
    };

    private static ulong SaturatingProduct(ulong a, ulong b) => b != 0 && a > ulong.MaxValue / b ? ulong.MaxValue : a * b;

    // ---- pointer attributes ---------------------------------------------------------------------------------------

    /// <summary>What the allocation table knows about an address, or INVALID_VALUE for an address it does not know.</summary>
    public CuResult GetPointerRegion(ulong address, out RegionInfo region)
    {
        region = null!;
        if (!IsInitialized) return CuResult.NotInitialized;
        return _memory!.GetPointerInfo(address, out region) == MemoryStatus.Success ? CuResult.Success : CuResult.InvalidValue;
    }

    /// <summary>
    /// The context that owns an allocation (for <c>CU_POINTER_ATTRIBUTE_CONTEXT</c>): the creating context for
    /// cuMemAlloc/host allocations; none (0) for registered host memory and VMM mappings, which belong to no context.
    /// </summary>
    public nint OwningContext(ulong allocationBase)
    {
        lock (_gate)
        {
            foreach (var slot in _primaryContexts)
                if (slot.Context is { } primary && (primary.DeviceAllocations.Contains(allocationBase) || primary.HostAllocations.Contains(allocationBase)))
                    return primary.Handle;
            foreach (var context in _createdContexts)
                if (context.DeviceAllocations.Contains(allocationBase) || context.HostAllocations.Contains(allocationBase))
                    return context.Handle;
            return 0;
        }
    }

    // ---- virtual memory management --------------------------------------------------------------------------------

    private CuResult InitializedMemory(out MemorySystem memory)
    {
        memory = _memory!;
        return IsInitialized ? CuResult.Success : CuResult.NotInitialized;
    }

    public CuResult MemGetAllocationGranularity(int deviceOrdinal, out ulong granularity)
    {
        granularity = 0;
        var result = GetDevice(deviceOrdinal, out _);
        if (result == CuResult.Success) granularity = MemorySystem.VirtualGranularity;
        return result;
    }

    public CuResult MemCreate(int deviceOrdinal, ulong bytes, out ulong handle)
    {
        handle = 0;
        var result = GetDevice(deviceOrdinal, out _);
        if (result != CuResult.Success) return result;
        var status = _memory!.CreatePhysical(deviceOrdinal, bytes, out handle);
        if (status == MemoryStatus.Success) PublishUsage();
        return ToResult(status);
    }

    public CuResult MemRelease(ulong handle)
    {
        var result = InitializedMemory(out var memory);
        if (result != CuResult.Success) return result;
        var status = memory.ReleasePhysical(handle);
        if (status == MemoryStatus.Success) PublishUsage();
        return ToResult(status);
    }

    public CuResult MemAddressReserve(ulong bytes, ulong alignment, ulong hint, ulong flags, out ulong address)
    {
        address = 0;
        var result = InitializedMemory(out var memory);
        return result != CuResult.Success ? result : ToResult(memory.ReserveAddress(bytes, alignment, hint, flags, out address));
    }

    public CuResult MemAddressFree(ulong address, ulong bytes)
    {
        var result = InitializedMemory(out var memory);
        return result != CuResult.Success ? result : ToResult(memory.FreeAddress(address, bytes));
    }

    public CuResult MemMap(ulong address, ulong bytes, ulong offset, ulong handle, ulong flags)
    {
        var result = InitializedMemory(out var memory);
        return result != CuResult.Success ? result : ToResult(memory.Map(address, bytes, offset, handle, flags));
    }

    public CuResult MemUnmap(ulong address, ulong bytes)
    {
        var result = InitializedMemory(out var memory);
        return result != CuResult.Success ? result : ToResult(memory.Unmap(address, bytes));
    }

    public CuResult MemSetAccess(ulong address, ulong bytes, ReadOnlySpan<AccessDescriptor> descriptors)
    {
        var result = InitializedMemory(out var memory);
        if (result != CuResult.Success) return result;
        foreach (var descriptor in descriptors)
            if (descriptor.DeviceOrdinal < 0 || descriptor.DeviceOrdinal >= _devices.Length) return CuResult.InvalidDevice;
        return ToResult(memory.SetAccess(address, bytes, descriptors));
    }

    public CuResult MemGetAccess(int deviceOrdinal, ulong address, out AccessFlags flags)
    {
        flags = AccessFlags.None;
        var result = GetDevice(deviceOrdinal, out _);
        return result != CuResult.Success ? result : ToResult(_memory!.GetAccess(deviceOrdinal, address, out flags));
    }

    public CuResult MemRetainAllocationHandle(ulong address, out ulong handle)
    {
        handle = 0;
        var result = InitializedMemory(out var memory);
        return result != CuResult.Success ? result : ToResult(memory.RetainPhysical(address, out handle));
    }

    public CuResult MemGetAllocationPropertiesFromHandle(ulong handle, out int deviceOrdinal, out ulong bytes)
    {
        deviceOrdinal = 0;
        bytes = 0;
        var result = InitializedMemory(out var memory);
        return result != CuResult.Success ? result : ToResult(memory.GetPhysicalProperties(handle, out deviceOrdinal, out bytes));
    }
}
