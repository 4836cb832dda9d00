/* The virtual-memory API on the emulated GPU: one physical allocation mapped at two virtual ranges shows the same
   bytes through both; after unmapping, the range is an error, not a crash. */
#include <stdio.h>
#include <string.h>
#include <cuemu/cuemu_api.h>

#define CALL(expression)                                                                  \
    do {                                                                                  \
        CUresult status_ = (expression);                                                  \
        if (status_ != CUDA_SUCCESS) {                                                    \
            fprintf(stderr, "%s failed: %s\n", #expression, error_name(status_));         \
            return 1;                                                                     \
        }                                                                                 \
    } while (0)

static const char* error_name(CUresult status)
{
    const char* name = "?";
    cuGetErrorName(status, &name);
    return name;
}

int main(void)
{
    CUdevice device;
    CUcontext context;
    CALL(cuInit(0));
    CALL(cuDeviceGet(&device, 0));
    CALL(cuDevicePrimaryCtxRetain(&context, device));
    CALL(cuCtxSetCurrent(context));

    CUmemAllocationProp prop;
    memset(&prop, 0, sizeof prop);
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    prop.location.id = device;
    size_t granularity = 0, size;
    CALL(cuMemGetAllocationGranularity(&granularity, &prop, CU_MEM_ALLOC_GRANULARITY_RECOMMENDED));
    size = 4 * granularity;

    size_t free_before, free_after, total;
    CUmemGenericAllocationHandle handle;
    CUdeviceptr first, second;
    CALL(cuMemGetInfo(&free_before, &total));
    CALL(cuMemCreate(&handle, size, &prop, 0));
    CALL(cuMemGetInfo(&free_after, &total));
    CALL(cuMemAddressReserve(&first, size, 0, 0, 0));
    CALL(cuMemAddressReserve(&second, size, 0, 0, 0));
    CALL(cuMemMap(first, size, 0, handle, 0));
    CALL(cuMemMap(second, size, 0, handle, 0));
    CUmemAccessDesc access = { prop.location, CU_MEM_ACCESS_FLAGS_PROT_READWRITE };
    CALL(cuMemSetAccess(first, size, &access, 1));
    CALL(cuMemSetAccess(second, size, &access, 1));
    printf("granularity %zu bytes; one %zu-byte allocation (free memory %zu -> %zu MiB) mapped at 0x%llx and 0x%llx\n",
           granularity, size, free_before >> 20, free_after >> 20, first, second);

    const char message[] = "written through the first mapping";
    char readback[sizeof message] = { 0 };
    CALL(cuMemcpyHtoD(first + granularity, message, sizeof message));
    CALL(cuMemcpyDtoH(readback, second + granularity, sizeof readback));
    printf("read through the second mapping: \"%s\"\n", readback);

    CALL(cuMemUnmap(first, size));
    CUresult after_unmap = cuMemcpyDtoH(readback, first, 16);
    printf("copy from the unmapped range: %s\n", error_name(after_unmap));
    CALL(cuMemUnmap(second, size));
    CALL(cuMemRelease(handle));
    CALL(cuMemAddressFree(first, size));
    CALL(cuMemAddressFree(second, size));
    CALL(cuDevicePrimaryCtxRelease(device));
    return strcmp(message, readback) == 0 && after_unmap != CUDA_SUCCESS ? 0 : 1;
}
