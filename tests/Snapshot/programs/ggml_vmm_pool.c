/* ggml's CUDA init and its VMM memory pool (ggml-cuda.cu: ggml_cuda_init, ggml_cuda_pool_vmm), in its order:
   the VMM attribute and allocation granularity per device; then a 32 GiB reservation, and per growth of the pool
   cuMemCreate -> cuMemMap -> cuMemRelease (the mapping keeps the memory) -> cuMemSetAccess; at teardown
   cuMemUnmap of the mapped part and cuMemAddressFree of the reservation. The primary context is made current
   first, as libcudart does before ggml's first driver call. */
#include <string.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

#define POOL_RESERVATION (32ull << 30)

int main(void)
{
    CHECK_EQ(CUDA_SUCCESS, cuInit(0));
    CUdevice device = -1;
    int vmm = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGet(&device, 0));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&vmm, CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, device));
    CHECK_EQ(1, vmm);

    CUmemAllocationProp prop;
    memset(&prop, 0, sizeof prop);
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    prop.location.id = device;
    size_t granularity = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemGetAllocationGranularity(&granularity, &prop, CU_MEM_ALLOC_GRANULARITY_RECOMMENDED));

    CUcontext context = NULL;
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&context, device));
    CHECK_EQ(CUDA_SUCCESS, cuCtxSetCurrent(context));

    CUdeviceptr pool = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemAddressReserve(&pool, POOL_RESERVATION, 0, 0, 0));
    size_t mapped = 0;
    /* Two growths of the pool: 3 MiB rounded up to the granularity, then 1 granule more. */
    size_t growths[2] = { ((3u << 20) + granularity - 1) / granularity * granularity, granularity };
    for (int i = 0; i < 2; i++) {
        CUmemGenericAllocationHandle handle = 0;
        CHECK_EQ(CUDA_SUCCESS, cuMemCreate(&handle, growths[i], &prop, 0));
        CHECK_EQ(CUDA_SUCCESS, cuMemMap(pool + mapped, growths[i], 0, handle, 0));
        CHECK_EQ(CUDA_SUCCESS, cuMemRelease(handle));
        CUmemAccessDesc access;
        memset(&access, 0, sizeof access);
        access.location = prop.location;
        access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
        CHECK_EQ(CUDA_SUCCESS, cuMemSetAccess(pool + mapped, growths[i], &access, 1));
        mapped += growths[i];
    }
    /* The pool is usable memory: a fill and a read back across both growths. */
    unsigned char bytes[16];
    CHECK_EQ(CUDA_SUCCESS, cuMemsetD8_v2(pool + growths[0] - 8, 0x5a, 16));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoH_v2(bytes, pool + growths[0] - 8, sizeof bytes));
    for (int i = 0; i < 16; i++) CHECK_EQ(0x5a, bytes[i]);

    CHECK_EQ(CUDA_SUCCESS, cuMemUnmap(pool, mapped));
    CHECK_EQ(CUDA_SUCCESS, cuMemAddressFree(pool, POOL_RESERVATION));
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRelease_v2(device));
    return check_failures;
}
