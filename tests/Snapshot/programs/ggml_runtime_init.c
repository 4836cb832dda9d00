/* ggml's CUDA backend start-up through libcudart.so.13, in its order (ggml-cuda.cu: ggml_cuda_init, then the
   first use of a backend context): device count and properties, the VMM attribute and granularity, the
   cooperative-launch attribute, the PCI bus id, free memory, a non-blocking stream, a buffer filled through the
   per-thread default stream, a timing-free event, and the error checks ggml makes after each step. */
#include <string.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

int main(void)
{
    int count = 0;
    CHECK_EQ(cudaSuccess, cudaGetDeviceCount(&count));
    CHECK_EQ(1, count);

    /* cudaDeviceProp is opaque to this header: a buffer larger than CUDA 13's layout stands in for it. */
    static unsigned char prop[4096];
    CHECK_EQ(cudaSuccess, cudaGetDeviceProperties((void *)prop, 0));

    CUdevice device = -1;
    int vmm = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGet(&device, 0));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&vmm, CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, device));
    CUmemAllocationProp allocation;
    memset(&allocation, 0, sizeof allocation);
    allocation.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    allocation.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    allocation.location.id = device;
    size_t granularity = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemGetAllocationGranularity(&granularity, &allocation, CU_MEM_ALLOC_GRANULARITY_RECOMMENDED));

    int cooperative = -1;
    CHECK_EQ(cudaSuccess, cudaDeviceGetAttribute(&cooperative, cudaDevAttrCooperativeLaunch, 0));
    char bus_id[32] = { 0 };
    CHECK_EQ(cudaSuccess, cudaDeviceGetPCIBusId(bus_id, sizeof bus_id, 0));

    CHECK_EQ(cudaSuccess, cudaSetDevice(0));
    size_t free_bytes = 0, total_bytes = 0;
    CHECK_EQ(cudaSuccess, cudaMemGetInfo(&free_bytes, &total_bytes));

    cudaStream_t stream = NULL;
    CHECK_EQ(cudaSuccess, cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    void *buffer = NULL;
    CHECK_EQ(cudaSuccess, cudaMalloc(&buffer, 1 << 20));
    static unsigned char host[1 << 20];
    memset(host, 0x5a, sizeof host);
    CHECK_EQ(cudaSuccess, cudaMemcpyAsync(buffer, host, sizeof host, cudaMemcpyHostToDevice, cudaStreamPerThread));
    CHECK_EQ(cudaSuccess, cudaStreamSynchronize(cudaStreamPerThread));
    CHECK_EQ(cudaSuccess, cudaMemsetAsync(buffer, 0, 4096, stream));
    cudaEvent_t event = NULL;
    CHECK_EQ(cudaSuccess, cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
    CHECK_EQ(cudaSuccess, cudaEventRecord(event, stream));
    CHECK_EQ(cudaSuccess, cudaEventSynchronize(event));
    CHECK_EQ(cudaSuccess, cudaGetLastError());
    CHECK_EQ(cudaSuccess, cudaEventDestroy(event));
    CHECK_EQ(cudaSuccess, cudaFree(buffer));
    CHECK_EQ(cudaSuccess, cudaStreamDestroy(stream));
    return check_failures;
}
