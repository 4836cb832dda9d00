/* Measures (not a test) what sharing device-memory use costs per call, beside a call that does no ledger work:
 * cuMemAlloc+cuMemFree (each publishes this process's total), cuMemGetInfo and nvmlDeviceGetMemoryInfo (each reads
 * every live process's record), cuDriverGetVersion (baseline: the shim and managed call alone).
 * Build and run: see docs/PERFORMANCE.md, "NVML and the device-memory ledger". */
#include <stdio.h>
#include <time.h>
#include <cuemu/cuemu_api.h>

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void)
{
    enum { N = 20000 };
    CUcontext context = NULL;
    nvmlDevice_t device = NULL;
    if (cuInit(0) != CUDA_SUCCESS || cuDevicePrimaryCtxRetain(&context, 0) != CUDA_SUCCESS || cuCtxSetCurrent(context) != CUDA_SUCCESS
        || nvmlInit_v2() != NVML_SUCCESS || nvmlDeviceGetHandleByIndex_v2(0, &device) != NVML_SUCCESS)
        return 1;
    int version = 0, failures = 0;
    size_t free_bytes = 0, total = 0;
    nvmlMemory_t memory;
    CUdeviceptr block = 0;

    double start = now_ns();
    for (int i = 0; i < N; i++) failures += cuDriverGetVersion(&version) != CUDA_SUCCESS;
    double baseline = (now_ns() - start) / N;
    start = now_ns();
    for (int i = 0; i < N; i++) failures += (cuMemAlloc_v2(&block, 1 << 20) != CUDA_SUCCESS) + (cuMemFree_v2(block) != CUDA_SUCCESS);
    double pair = (now_ns() - start) / N;
    start = now_ns();
    for (int i = 0; i < N; i++) failures += cuMemGetInfo_v2(&free_bytes, &total) != CUDA_SUCCESS;
    double info = (now_ns() - start) / N;
    start = now_ns();
    for (int i = 0; i < N; i++) failures += nvmlDeviceGetMemoryInfo(device, &memory) != NVML_SUCCESS;
    double nvml = (now_ns() - start) / N;

    printf("cuDriverGetVersion %.0f ns, cuMemAlloc+cuMemFree %.0f ns, cuMemGetInfo %.0f ns, nvmlDeviceGetMemoryInfo %.0f ns (%d failures)\n",
           baseline, pair, info, nvml, failures);
    return failures == 0 ? 0 : 1;
}
