/* Linked with -lcuda against the shim: persona values, memory round trips, VMM aliasing and error codes. */
#include <string.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

int main(void)
{
    int count = -1;
    CHECK_EQ(CUDA_ERROR_NOT_INITIALIZED, cuDeviceGetCount(&count)); /* before cuInit, as NVIDIA's driver */
    CHECK_EQ(CUDA_SUCCESS, cuInit(0));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetCount(&count));
    CHECK_EQ(1, count);

    CUdevice dev = -1;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGet(&dev, 0));
    CHECK_EQ(CUDA_ERROR_INVALID_DEVICE, cuDeviceGet(&dev, 7));
    CHECK_EQ(CUDA_ERROR_INVALID_VALUE, cuDeviceGet(NULL, 0));

    /* The default persona is an H100 80GB HBM3: compute capability 9.0, 132 SMs, warps of 32. */
    int major = 0, minor = -1, sms = 0, warp = 0, vmm = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&warp, CU_DEVICE_ATTRIBUTE_WARP_SIZE, dev));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&vmm, CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, dev));
    CHECK_EQ(9, major);
    CHECK_EQ(0, minor);
    CHECK_EQ(132, sms);
    CHECK_EQ(32, warp);
    CHECK_EQ(1, vmm);
    char name[128] = { 0 };
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetName(name, sizeof name, dev));
    CHECK(strcmp(name, "NVIDIA H100 80GB HBM3") == 0, "name '%s'", name);

    CUcontext ctx = NULL;
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK_EQ(CUDA_SUCCESS, cuCtxSetCurrent(ctx));
    size_t total = 0, free_before = 0, free_after = 0, total_mem = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceTotalMem_v2(&total_mem, dev));
    CHECK_EQ(CUDA_SUCCESS, cuMemGetInfo_v2(&free_before, &total));
    CHECK_EQ(total_mem, total);

    /* Host -> device -> device -> host round trip, and a 32-bit memset. */
    enum { N = 4096 };
    static unsigned int in[N], out[N];
    for (int i = 0; i < N; i++) in[i] = (unsigned int)i * 2654435761u;
    CUdeviceptr a = 0, b = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&a, sizeof in));
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&b, sizeof in));
    CHECK_EQ(CUDA_SUCCESS, cuMemGetInfo_v2(&free_after, &total));
    CHECK(free_after <= free_before - 2 * sizeof in, "free %zu -> %zu", free_before, free_after);
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyHtoD_v2(a, in, sizeof in));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoD_v2(b, a, sizeof in));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoH_v2(out, b, sizeof out));
    CHECK(memcmp(in, out, sizeof in) == 0, "round trip differs");
    CHECK_EQ(CUDA_SUCCESS, cuMemsetD32_v2(b + 16, 0xdeadbeefu, 8));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoH_v2(out, b, sizeof out));
    CHECK_EQ(in[3], out[3]);
    CHECK_EQ(0xdeadbeefu, out[4]);
    CHECK_EQ(0xdeadbeefu, out[11]);
    CHECK_EQ(in[12], out[12]);
    CHECK_EQ(CUDA_SUCCESS, cuMemFree_v2(a));
    CHECK(cuMemFree_v2(a) != CUDA_SUCCESS, "double free succeeded");
    CHECK_EQ(CUDA_SUCCESS, cuMemFree_v2(b));

    /* VMM: two reserved ranges mapped to one physical allocation see the same bytes. */
    CUmemAllocationProp prop;
    memset(&prop, 0, sizeof prop);
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    prop.location.id = dev;
    size_t granularity = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemGetAllocationGranularity(&granularity, &prop, CU_MEM_ALLOC_GRANULARITY_RECOMMENDED));
    CHECK(granularity > 0 && (granularity & (granularity - 1)) == 0, "granularity %zu", granularity);
    CUmemGenericAllocationHandle handle = 0;
    CUdeviceptr va1 = 0, va2 = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemCreate(&handle, granularity, &prop, 0));
    CHECK_EQ(CUDA_SUCCESS, cuMemAddressReserve(&va1, granularity, 0, 0, 0));
    CHECK_EQ(CUDA_SUCCESS, cuMemAddressReserve(&va2, granularity, 0, 0, 0));
    CHECK_EQ(CUDA_SUCCESS, cuMemMap(va1, granularity, 0, handle, 0));
    CHECK_EQ(CUDA_SUCCESS, cuMemMap(va2, granularity, 0, handle, 0));
    CUmemAccessDesc access;
    memset(&access, 0, sizeof access);
    access.location = prop.location;
    access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
    CHECK_EQ(CUDA_SUCCESS, cuMemSetAccess(va1, granularity, &access, 1));
    CHECK_EQ(CUDA_SUCCESS, cuMemSetAccess(va2, granularity, &access, 1));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyHtoD_v2(va1, in, sizeof in));
    memset(out, 0, sizeof out);
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoH_v2(out, va2, sizeof out));
    CHECK(memcmp(in, out, sizeof in) == 0, "aliased VMM ranges differ");
    CHECK_EQ(CUDA_SUCCESS, cuMemUnmap(va1, granularity));
    CHECK(cuMemcpyDtoH_v2(out, va1, 16) != CUDA_SUCCESS, "copy from an unmapped range succeeded");
    CHECK_EQ(CUDA_SUCCESS, cuMemUnmap(va2, granularity));
    CHECK_EQ(CUDA_SUCCESS, cuMemRelease(handle));
    CHECK_EQ(CUDA_SUCCESS, cuMemAddressFree(va1, granularity));
    CHECK_EQ(CUDA_SUCCESS, cuMemAddressFree(va2, granularity));

    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRelease_v2(dev));
    printf("driver_linked: %d failures\n", check_failures);
    return check_failures;
}
