using System.Runtime.InteropServices;
using System.Text;
using Emulator.Driver;
using Emulator.Exports;

namespace Emulator.Tests.Property.Driver;

/// <summary>
/// The libcuda entry points called as C would call them, on the process-wide driver (default persona, one device).
/// Each test leaves the calling thread's context stack as it found it; the collection keeps them sequential.
/// </summary>
[Collection(nameof(DriverApiTests))]
public sealed unsafe class DriverApiTests
{
    private const int AttributeComputeCapabilityMajor = 75;
    private const int AttributeVirtualMemoryManagement = 102;

    private static nint CreateContext()
    {
        DriverApi.cuInit(0).ShouldBe(CuResult.Success);
        nint context;
        DriverApi.cuCtxCreate_v2(&context, 0, 0).ShouldBe(CuResult.Success);
        return context;
    }

    [Fact]
    public void Ollama_probe_sequence()
    {
        DriverApi.cuInit(1).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuInit(0).ShouldBe(CuResult.Success);
        int version, count, device, major, minor, integrated;
        DriverApi.cuDriverGetVersion(&version).ShouldBe(CuResult.Success);
        version.ShouldBe(13000);
        DriverApi.cuDeviceGetCount(&count).ShouldBe(CuResult.Success);
        count.ShouldBe(1);
        DriverApi.cuDeviceGet(&device, 0).ShouldBe(CuResult.Success);
        DriverApi.cuDeviceGetAttribute(&major, AttributeComputeCapabilityMajor, device).ShouldBe(CuResult.Success);
        DriverApi.cuDeviceGetAttribute(&minor, 76, device).ShouldBe(CuResult.Success);
        DriverApi.cuDeviceGetAttribute(&integrated, 18, device).ShouldBe(CuResult.Success);
        (major, minor, integrated).ShouldBe((9, 0, 0));

        var name = stackalloc byte[256];
        DriverApi.cuDeviceGetName(name, 256, device).ShouldBe(CuResult.Success);
        Marshal.PtrToStringUTF8((nint)name).ShouldBe("NVIDIA H100 80GB HBM3");
        DriverApi.cuDeviceGetName(name, 6, device).ShouldBe(CuResult.Success);
        Marshal.PtrToStringUTF8((nint)name).ShouldBe("NVIDI"); // truncated and terminated

        nuint total;
        DriverApi.cuDeviceTotalMem_v2(&total, device).ShouldBe(CuResult.Success);
        total.ShouldBe((nuint)(81559UL << 20));

        var bus = stackalloc byte[64];
        DriverApi.cuDeviceGetPCIBusId(bus, 64, device).ShouldBe(CuResult.Success);
        var busId = Marshal.PtrToStringUTF8((nint)bus)!;
        busId.ShouldBe("0000:18:00.0");
        int found;
        var text = Encoding.UTF8.GetBytes(busId + "\0");
        fixed (byte* id = text) DriverApi.cuDeviceGetByPCIBusId(&found, id).ShouldBe(CuResult.Success);
        found.ShouldBe(device);

        var uuid = stackalloc byte[16];
        DriverApi.cuDeviceGetUuid_v2(uuid, device).ShouldBe(CuResult.Success);
        Convert.ToHexString(new ReadOnlySpan<byte>(uuid, 16)).ToLowerInvariant()
            .ShouldBe(DriverApi.Driver.Devices[0].UuidString.Replace("GPU-", "").Replace("-", ""));
    }

    [Fact]
    public void Null_out_pointers_and_bad_devices_get_documented_errors()
    {
        DriverApi.cuInit(0).ShouldBe(CuResult.Success);
        int value;
        DriverApi.cuDriverGetVersion(null).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDeviceGetCount(null).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDeviceGet(null, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDeviceGet(&value, 1).ShouldBe(CuResult.InvalidDevice);
        DriverApi.cuDeviceGet(&value, -1).ShouldBe(CuResult.InvalidDevice);
        DriverApi.cuDeviceGetAttribute(null, 1, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDeviceGetAttribute(&value, 1, 5).ShouldBe(CuResult.InvalidDevice);
        DriverApi.cuDeviceGetAttribute(&value, 999, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDeviceGetName(null, 10, 0).ShouldBe(CuResult.InvalidValue);
        var buffer = stackalloc byte[8];
        DriverApi.cuDeviceGetName(buffer, 0, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDeviceTotalMem_v2(null, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDeviceGetUuid(null, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDeviceGetByPCIBusId(&value, null).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuCtxCreate_v2(null, 0, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuCtxGetCurrent(null).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuStreamCreate(null, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuEventCreate(null, 0).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuMemAlloc_v2(null, 16).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuDevicePrimaryCtxGetState(0, null, null).ShouldBe(CuResult.InvalidValue);
    }

    [Fact]
    public void Without_a_current_context_context_calls_are_invalid_context()
    {
        DriverApi.cuInit(0).ShouldBe(CuResult.Success);
        nint current;
        DriverApi.cuCtxGetCurrent(&current).ShouldBe(CuResult.Success);
        current.ShouldBe(0);
        ulong dptr;
        nuint free, total;
        int device;
        nint stream;
        DriverApi.cuMemAlloc_v2(&dptr, 16).ShouldBe(CuResult.InvalidContext);
        DriverApi.cuMemGetInfo_v2(&free, &total).ShouldBe(CuResult.InvalidContext);
        DriverApi.cuCtxGetDevice(&device).ShouldBe(CuResult.InvalidContext);
        DriverApi.cuCtxSynchronize().ShouldBe(CuResult.InvalidContext);
        DriverApi.cuStreamCreate(&stream, 0).ShouldBe(CuResult.InvalidContext);
        DriverApi.cuStreamSynchronize(0).ShouldBe(CuResult.InvalidContext);
        DriverApi.cuCtxPopCurrent_v2(null).ShouldBe(CuResult.InvalidContext);
        DriverApi.cuCtxPushCurrent_v2(0).ShouldBe(CuResult.InvalidContext);
    }

    [Fact]
    public void Context_create_variants_and_queries()
    {
        DriverApi.cuInit(0).ShouldBe(CuResult.Success);
        nint context;
        DriverApi.cuCtxCreate_v3(&context, null, 0, 0x4, 0).ShouldBe(CuResult.Success);
        uint flags, apiVersion;
        DriverApi.cuCtxGetFlags(&flags).ShouldBe(CuResult.Success);
        flags.ShouldBe(0x4u);
        DriverApi.cuCtxGetApiVersion(context, &apiVersion).ShouldBe(CuResult.Success);
        apiVersion.ShouldBe(3020u);
        ulong id;
        DriverApi.cuCtxGetId(0, &id).ShouldBe(CuResult.Success);
        id.ShouldBeGreaterThan(0UL);
        int least, greatest;
        DriverApi.cuCtxGetStreamPriorityRange(&least, &greatest).ShouldBe(CuResult.Success);
        (least, greatest).ShouldBe((0, -5));
        DriverApi.cuCtxGetStreamPriorityRange(null, null).ShouldBe(CuResult.Success);
        nuint stack;
        DriverApi.cuCtxSetLimit(0, 4096).ShouldBe(CuResult.Success);
        DriverApi.cuCtxGetLimit(&stack, 0).ShouldBe(CuResult.Success);
        stack.ShouldBe((nuint)4096);
        DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.Success);
        DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.InvalidContext);

        var affinity = stackalloc long[2];
        DriverApi.cuCtxCreate_v3(&context, affinity, 1, 0, 0).ShouldBe(CuResult.UnsupportedExecAffinity);
        // CUctxCreateParams { execAffinityParams*, numExecAffinityParams, cigParams* } with nothing requested.
        var parameters = stackalloc long[3];
        DriverApi.cuCtxCreate_v4(&context, parameters, 0, 0).ShouldBe(CuResult.Success);
        DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.Success);
        DriverApi.cuCtxCreate_v4(&context, null, 0x3, 0).ShouldBe(CuResult.InvalidValue);
    }

    [Fact]
    public void Primary_context_through_the_entry_points()
    {
        DriverApi.cuInit(0).ShouldBe(CuResult.Success);
        nint first, second;
        uint flags;
        int active;
        DriverApi.cuDevicePrimaryCtxSetFlags_v2(0, 0x1).ShouldBe(CuResult.Success);
        DriverApi.cuDevicePrimaryCtxRetain(&first, 0).ShouldBe(CuResult.Success);
        DriverApi.cuDevicePrimaryCtxRetain(&second, 0).ShouldBe(CuResult.Success);
        second.ShouldBe(first);
        DriverApi.cuDevicePrimaryCtxGetState(0, &flags, &active).ShouldBe(CuResult.Success);
        (flags, active).ShouldBe((0x1u, 1));
        DriverApi.cuDevicePrimaryCtxRelease_v2(0).ShouldBe(CuResult.Success);
        DriverApi.cuDevicePrimaryCtxRelease_v2(0).ShouldBe(CuResult.Success);
        DriverApi.cuDevicePrimaryCtxGetState(0, &flags, &active).ShouldBe(CuResult.Success);
        active.ShouldBe(0);
        DriverApi.cuDevicePrimaryCtxRelease_v2(0).ShouldBe(CuResult.InvalidContext);
        DriverApi.cuDevicePrimaryCtxSetFlags_v2(0, 0).ShouldBe(CuResult.Success);
        DriverApi.cuDevicePrimaryCtxReset_v2(3).ShouldBe(CuResult.InvalidDevice);
    }

    [Fact]
    public void Memcpy_and_memset_round_trip_through_device_memory()
    {
        var context = CreateContext();
        try
        {
            const int count = 4096;
            ulong dptr, copy;
            DriverApi.cuMemAlloc_v2(&dptr, count * sizeof(int)).ShouldBe(CuResult.Success);
            DriverApi.cuMemAlloc_v2(&copy, count * sizeof(int)).ShouldBe(CuResult.Success);
            var source = Enumerable.Range(0, count).Select(i => i * 7 - 3).ToArray();
            var back = new int[count];
            fixed (int* s = source) DriverApi.cuMemcpyHtoD_v2(dptr, s, count * sizeof(int)).ShouldBe(CuResult.Success);
            DriverApi.cuMemcpyDtoD_v2(copy, dptr, count * sizeof(int)).ShouldBe(CuResult.Success);
            fixed (int* b = back) DriverApi.cuMemcpyDtoH_v2(b, copy, count * sizeof(int)).ShouldBe(CuResult.Success);
            back.ShouldBe(source);

            DriverApi.cuMemsetD32_v2(copy + 8, 0xDEADBEEF, 10).ShouldBe(CuResult.Success);
            DriverApi.cuMemsetD8Async(copy, 0x11, 4, 0).ShouldBe(CuResult.Success);
            fixed (int* b = back) DriverApi.cuMemcpy((ulong)b, copy, count * sizeof(int)).ShouldBe(CuResult.Success);
            back[0].ShouldBe(0x11111111);
            back[1].ShouldBe(source[1]);
            back.Skip(2).Take(10).ShouldAllBe(v => v == unchecked((int)0xDEADBEEF));
            back[12].ShouldBe(source[12]);

            ulong rangeBase;
            nuint rangeSize;
            DriverApi.cuMemGetAddressRange_v2(&rangeBase, &rangeSize, dptr + 100).ShouldBe(CuResult.Success);
            (rangeBase, rangeSize).ShouldBe((dptr, (nuint)(count * sizeof(int))));
            DriverApi.cuMemGetAddressRange_v2(&rangeBase, &rangeSize, 0x10).ShouldBe(CuResult.NotFound);

            fixed (int* b = back)
            {
                DriverApi.cuMemcpyDtoH_v2(b, dptr, count * sizeof(int) + 1).ShouldBe(CuResult.InvalidValue); // past the end
                DriverApi.cuMemcpyDtoH_v2(null, dptr, 4).ShouldBe(CuResult.InvalidValue);
            }
            DriverApi.cuMemsetD32_v2(dptr + 2, 0, 1).ShouldBe(CuResult.InvalidValue); // misaligned
            DriverApi.cuMemsetD32Async(dptr, 0, 1, unchecked((nint)0xBAD0)).ShouldBe(CuResult.InvalidHandle);

            DriverApi.cuMemFree_v2(dptr + 4).ShouldBe(CuResult.InvalidValue);
            DriverApi.cuMemFree_v2(dptr).ShouldBe(CuResult.Success);
            DriverApi.cuMemFree_v2(dptr).ShouldBe(CuResult.InvalidValue);
            DriverApi.cuMemFree_v2(copy).ShouldBe(CuResult.Success);
        }
        finally
        {
            DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.Success);
        }
    }

    /// <summary>
    /// Through the entry points only what other users of the process-wide driver cannot disturb: the total, the
    /// fixed address window, and refusals. Exact accounting is checked on a private driver below.
    /// </summary>
    [Fact]
    public void Memory_info_and_addresses_of_the_process_wide_driver()
    {
        var context = CreateContext();
        try
        {
            nuint free, total;
            DriverApi.cuMemGetInfo_v2(&free, &total).ShouldBe(CuResult.Success);
            total.ShouldBe((nuint)(81559UL << 20));
            free.ShouldBeLessThanOrEqualTo(total);
            DriverApi.cuMemGetInfo_v2(null, &total).ShouldBe(CuResult.InvalidValue);
            ulong dptr;
            DriverApi.cuMemAlloc_v2(&dptr, total + 1).ShouldBe(CuResult.OutOfMemory);
            DriverApi.cuMemAlloc_v2(&dptr, 0).ShouldBe(CuResult.InvalidValue);
            DriverApi.cuMemAlloc_v2(&dptr, 4096).ShouldBe(CuResult.Success);
            // Device memory lives in the reservation at the fixed base, so addresses repeat run to run.
            DriverApi.Driver.Memory!.AddressSpace.Base.ShouldBe(0x2000_0000_0000UL);
            dptr.ShouldBeGreaterThanOrEqualTo(0x2000_0000_0000UL);
            DriverApi.cuMemFree_v2(dptr).ShouldBe(CuResult.Success);
        }
        finally
        {
            DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.Success);
        }
    }

    [Fact]
    public void Memory_is_accounted_against_the_persona_and_freed_with_its_context()
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out var context).ShouldBe(CuResult.Success);
        driver.MemGetInfo(out var free, out var total).ShouldBe(CuResult.Success);
        (free, total).ShouldBe((81559UL << 20, 81559UL << 20));
        driver.MemAlloc(1UL << 30, out _).ShouldBe(CuResult.Success);
        driver.MemAllocPitch(100, 10, 4, out _, out var pitch).ShouldBe(CuResult.Success);
        pitch.ShouldBe(512UL);
        driver.MemGetInfo(out free, out _).ShouldBe(CuResult.Success);
        (total - free).ShouldBe((1UL << 30) + 8192); // page-rounded pitch allocation (512 × 10 bytes)
        driver.MemAlloc(free + 1, out _).ShouldBe(CuResult.OutOfMemory);
        driver.DestroyContext(context).ShouldBe(CuResult.Success);

        driver.CreateContext(0, 0, out context).ShouldBe(CuResult.Success);
        driver.MemGetInfo(out free, out _).ShouldBe(CuResult.Success);
        free.ShouldBe(total); // the destroyed context's memory came back
        driver.DestroyContext(context).ShouldBe(CuResult.Success);
    }

    [Fact]
    public void Host_memory_and_pointer_attributes()
    {
        var context = CreateContext();
        try
        {
            void* pinned;
            DriverApi.cuMemHostAlloc(&pinned, 8192, 0x2).ShouldBe(CuResult.Success);
            ulong devicePointer;
            uint flags;
            DriverApi.cuMemHostGetDevicePointer_v2(&devicePointer, pinned, 0).ShouldBe(CuResult.Success);
            devicePointer.ShouldBe((ulong)pinned);
            DriverApi.cuMemHostGetFlags(&flags, pinned).ShouldBe(CuResult.Success);
            flags.ShouldBe(0x2u);

            ulong dptr;
            DriverApi.cuMemAlloc_v2(&dptr, 1000).ShouldBe(CuResult.Success);
            uint memoryType;
            nint owner;
            int ordinal;
            DriverApi.cuPointerGetAttribute(&memoryType, 2, dptr).ShouldBe(CuResult.Success);
            memoryType.ShouldBe(2u); // CU_MEMORYTYPE_DEVICE
            DriverApi.cuPointerGetAttribute(&memoryType, 2, (ulong)pinned).ShouldBe(CuResult.Success);
            memoryType.ShouldBe(1u); // CU_MEMORYTYPE_HOST
            DriverApi.cuPointerGetAttribute(&owner, 1, dptr + 10).ShouldBe(CuResult.Success);
            owner.ShouldBe(context);
            DriverApi.cuPointerGetAttribute(&ordinal, 9, dptr).ShouldBe(CuResult.Success);
            ordinal.ShouldBe(0);
            ulong hostPointer;
            DriverApi.cuPointerGetAttribute(&hostPointer, 4, dptr).ShouldBe(CuResult.InvalidValue);
            var local = 0;
            DriverApi.cuPointerGetAttribute(&memoryType, 2, (ulong)&local).ShouldBe(CuResult.InvalidValue);

            var attributes = stackalloc int[] { 2, 11, 12 };
            ulong start = 1, size = 1;
            uint type = 9;
            var data = stackalloc void*[] { &type, &start, &size };
            DriverApi.cuPointerGetAttributes(3, attributes, data, dptr + 5).ShouldBe(CuResult.Success);
            (type, start, size).ShouldBe((2u, dptr, 1000UL));
            DriverApi.cuPointerGetAttributes(3, attributes, data, (ulong)&local).ShouldBe(CuResult.Success);
            (type, start, size).ShouldBe((0u, 0UL, 0UL)); // unknown pointers read as zeros

            var registered = NativeMemory.AlignedAlloc(4096, 4096);
            try
            {
                DriverApi.cuMemHostRegister_v2(registered, 4096, 0).ShouldBe(CuResult.Success);
                DriverApi.cuMemHostRegister_v2(registered, 4096, 0).ShouldBe(CuResult.HostMemoryAlreadyRegistered);
                DriverApi.cuMemHostUnregister(registered).ShouldBe(CuResult.Success);
                DriverApi.cuMemHostUnregister(registered).ShouldBe(CuResult.HostMemoryNotRegistered);
            }
            finally
            {
                NativeMemory.AlignedFree(registered);
            }
            DriverApi.cuMemFreeHost(pinned).ShouldBe(CuResult.Success);
            DriverApi.cuMemFreeHost(pinned).ShouldBe(CuResult.InvalidValue);
        }
        finally
        {
            DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.Success);
        }
    }

    /// <summary>ggml's VMM pool: granularity, reserve 32 GiB, create, map, set access, use, unmap, release, free.</summary>
    [Fact]
    public void Vmm_pool_sequence_aliases_and_guards()
    {
        var context = CreateContext();
        try
        {
            int vmm;
            DriverApi.cuDeviceGetAttribute(&vmm, AttributeVirtualMemoryManagement, 0).ShouldBe(CuResult.Success);
            vmm.ShouldBe(1);
            var prop = stackalloc byte[32];
            new Span<byte>(prop, 32).Clear();
            *(int*)prop = 1;        // CU_MEM_ALLOCATION_TYPE_PINNED
            *(int*)(prop + 8) = 1;  // CU_MEM_LOCATION_TYPE_DEVICE
            *(int*)(prop + 12) = 0; // device 0
            nuint granularity;
            DriverApi.cuMemGetAllocationGranularity(&granularity, prop, 1).ShouldBe(CuResult.Success);
            granularity.ShouldBe((nuint)(2UL << 20));

            ulong reserved;
            DriverApi.cuMemAddressReserve(&reserved, (nuint)(32UL << 30), 0, 0, 0).ShouldBe(CuResult.Success);
            ulong handle;
            DriverApi.cuMemCreate(&handle, granularity, prop, 0).ShouldBe(CuResult.Success);
            DriverApi.cuMemMap(reserved, granularity, 0, handle, 0).ShouldBe(CuResult.Success);
            DriverApi.cuMemMap(reserved + granularity, granularity, 0, handle, 0).ShouldBe(CuResult.Success); // second view
            var value = 0x12345678u;
            DriverApi.cuMemcpyHtoD_v2(reserved, &value, 4).ShouldBe(CuResult.InvalidValue); // no access set yet

            var access = stackalloc int[3] { 1, 0, 3 }; // { location DEVICE 0, READWRITE }
            DriverApi.cuMemSetAccess(reserved, granularity * 2, access, 1).ShouldBe(CuResult.Success);
            ulong rights;
            var location = stackalloc int[2] { 1, 0 };
            DriverApi.cuMemGetAccess(&rights, location, reserved).ShouldBe(CuResult.Success);
            rights.ShouldBe(3UL);
            DriverApi.cuMemcpyHtoD_v2(reserved, &value, 4).ShouldBe(CuResult.Success);
            uint alias;
            DriverApi.cuMemcpyDtoH_v2(&alias, reserved + granularity, 4).ShouldBe(CuResult.Success);
            alias.ShouldBe(value); // both views see the same physical bytes

            ulong retained;
            DriverApi.cuMemRetainAllocationHandle(&retained, (void*)(reserved + 64)).ShouldBe(CuResult.Success);
            retained.ShouldBe(handle);
            DriverApi.cuMemRelease(retained).ShouldBe(CuResult.Success);
            var properties = stackalloc byte[32];
            DriverApi.cuMemGetAllocationPropertiesFromHandle(properties, handle).ShouldBe(CuResult.Success);
            (*(int*)properties, *(int*)(properties + 12)).ShouldBe((1, 0));

            DriverApi.cuMemcpyHtoD_v2(reserved + 2 * granularity, &value, 4).ShouldBe(CuResult.InvalidValue); // reserved, unmapped
            DriverApi.cuMemUnmap(reserved, granularity * 2).ShouldBe(CuResult.Success);
            DriverApi.cuMemRelease(handle).ShouldBe(CuResult.Success);
            DriverApi.cuMemRelease(handle).ShouldBe(CuResult.InvalidValue);
            DriverApi.cuMemAddressFree(reserved, (nuint)(32UL << 30)).ShouldBe(CuResult.Success);

            *(int*)(prop + 4) = 2; // a Win32 handle type is not available on this platform
            DriverApi.cuMemCreate(&handle, granularity, prop, 0).ShouldBe(CuResult.NotSupported);
            *(int*)(prop + 4) = 0;
            *(int*)(prop + 12) = 4;
            DriverApi.cuMemCreate(&handle, granularity, prop, 0).ShouldBe(CuResult.InvalidDevice);
            DriverApi.cuMemGetAllocationGranularity(&granularity, null, 0).ShouldBe(CuResult.InvalidValue);
        }
        finally
        {
            DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.Success);
        }
    }

    [UnmanagedCallersOnly]
    private static void CountHostCall(void* userData) => Interlocked.Increment(ref *(int*)userData);

    [UnmanagedCallersOnly]
    private static void CountCallback(nint stream, CuResult status, void* userData)
    {
        if (status == CuResult.Success) Interlocked.Add(ref *(int*)userData, 10);
    }

    [Fact]
    public void Streams_events_and_host_functions_through_the_entry_points()
    {
        var context = CreateContext();
        try
        {
            nint stream, start, end, ctx;
            DriverApi.cuStreamCreateWithPriority(&stream, 1, -2).ShouldBe(CuResult.Success);
            DriverApi.cuStreamGetCtx_ptsz(0, &ctx).ShouldBe(CuResult.Success);
            ctx.ShouldBe(context);
            DriverApi.cuEventCreate(&start, 0).ShouldBe(CuResult.Success);
            DriverApi.cuEventCreate(&end, 0).ShouldBe(CuResult.Success);
            var calls = 0;
            DriverApi.cuEventRecord(start, stream).ShouldBe(CuResult.Success);
            DriverApi.cuLaunchHostFunc(stream, (nint)(delegate* unmanaged<void*, void>)&CountHostCall, &calls).ShouldBe(CuResult.Success);
            DriverApi.cuStreamAddCallback_ptsz(0, (nint)(delegate* unmanaged<nint, CuResult, void*, void>)&CountCallback, &calls, 0).ShouldBe(CuResult.Success);
            DriverApi.cuStreamAddCallback(stream, (nint)(delegate* unmanaged<nint, CuResult, void*, void>)&CountCallback, &calls, 1).ShouldBe(CuResult.InvalidValue);
            DriverApi.cuLaunchHostFunc(stream, 0, &calls).ShouldBe(CuResult.InvalidValue);
            calls.ShouldBe(11);
            DriverApi.cuEventRecordWithFlags_ptsz(end, stream, 0).ShouldBe(CuResult.Success);
            DriverApi.cuStreamWaitEvent(0, end, 0).ShouldBe(CuResult.Success);
            DriverApi.cuStreamSynchronize(stream).ShouldBe(CuResult.Success);
            DriverApi.cuStreamQuery_ptsz(0).ShouldBe(CuResult.Success);
            DriverApi.cuEventSynchronize(end).ShouldBe(CuResult.Success);
            float ms;
            DriverApi.cuEventElapsedTime(&ms, start, end).ShouldBe(CuResult.Success);
            ms.ShouldBeGreaterThan(0f); // two host operations of modelled cost
            DriverApi.cuEventElapsedTime(null, start, end).ShouldBe(CuResult.InvalidValue);
            DriverApi.cuEventDestroy_v2(end).ShouldBe(CuResult.Success);
            DriverApi.cuEventElapsedTime_v2(&ms, start, end).ShouldBe(CuResult.InvalidHandle);
            DriverApi.cuStreamDestroy_v2(stream).ShouldBe(CuResult.Success);
            DriverApi.cuStreamQuery(stream).ShouldBe(CuResult.InvalidHandle);
        }
        finally
        {
            DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.Success);
        }
    }

    /// <summary>CUDA_MEMCPY2D / CUDA_MEMCPY3D laid out as C lays them out, checked against a hand-indexed oracle.</summary>
    [Fact]
    public void Copies_2d_and_3d_move_the_described_boxes()
    {
        var context = CreateContext();
        try
        {
            const int width = 5, height = 3, depth = 2, hostPitch = 8, hostRows = 4;
            ulong device;
            nuint pitch;
            DriverApi.cuMemAllocPitch_v2(&device, &pitch, 16, hostRows * depth, 4).ShouldBe(CuResult.Success);
            pitch.ShouldBe((nuint)512);
            var host = new byte[hostPitch * hostRows * depth];
            for (var i = 0; i < host.Length; i++) host[i] = (byte)(i + 1);
            var back = new byte[host.Length];

            fixed (byte* h = host)
            fixed (byte* b = back)
            {
                var copy2D = stackalloc nuint[16];
                new Span<nuint>(copy2D, 16).Clear();
                copy2D[1] = 1; copy2D[2] = 1; copy2D[3] = (nuint)h; copy2D[6] = hostPitch;      // src: host, row 1
                copy2D[9] = 2; copy2D[11] = (nuint)device; copy2D[13] = pitch;                  // dst: device
                copy2D[14] = width; copy2D[15] = height;
                DriverApi.cuMemcpy2D_v2(copy2D).ShouldBe(CuResult.Success);
                for (var row = 0; row < height; row++)
                for (var x = 0; x < width; x++)
                    ((byte*)device)[row * (int)pitch + x].ShouldBe(host[(row + 1) * hostPitch + x]);

                var copy3D = stackalloc nuint[25];
                new Span<nuint>(copy3D, 25).Clear();
                copy3D[4] = 2; copy3D[6] = (nuint)device; copy3D[9] = pitch; copy3D[10] = hostRows;        // src: device
                copy3D[11] = 1; copy3D[15] = 1; copy3D[16] = (nuint)b; copy3D[20] = hostPitch; copy3D[21] = hostRows; // dst: host, x 1
                copy3D[22] = width; copy3D[23] = height; copy3D[24] = depth;
                DriverApi.cuMemcpy3D_v2(copy3D).ShouldBe(CuResult.Success);
                for (var z = 0; z < depth; z++)
                for (var row = 0; row < height; row++)
                for (var x = 0; x < width; x++)
                    back[(z * hostRows + row) * hostPitch + x + 1].ShouldBe(((byte*)device)[(z * hostRows + row) * (int)pitch + x]);
                back[0].ShouldBe((byte)0);

                copy3D[3] = 1; // a mipmap level of linear memory
                DriverApi.cuMemcpy3D_v2(copy3D).ShouldBe(CuResult.InvalidValue);
                copy2D[2] = 3; // CU_MEMORYTYPE_ARRAY
                DriverApi.cuMemcpy2D_v2(copy2D).ShouldBe(CuResult.NotSupported);
                DriverApi.cuMemcpy2D_v2(null).ShouldBe(CuResult.InvalidValue);
            }
            DriverApi.cuMemFree_v2(device).ShouldBe(CuResult.Success);
        }
        finally
        {
            DriverApi.cuCtxDestroy_v2(context).ShouldBe(CuResult.Success);
        }
    }
}
