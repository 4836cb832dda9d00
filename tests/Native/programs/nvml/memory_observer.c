/* The first process of the cross-process ledger test: for every line on stdin, prints device 0's memory as NVML
 * and cuMemGetInfo see it from here, and NVML's process list, on one line:
 *   used=<u> free=<f> total=<t> cuda_free=<f> processes=<n> <pid>:<bytes> ...
 * This process allocates nothing, so every byte in use belongs to other processes. */
#include <stdio.h>
#include <cuemu/cuemu_api.h>

typedef struct { unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId; } process_info_v2;

int main(void)
{
    nvmlDevice_t device = NULL;
    CUcontext context = NULL;
    if (nvmlInit_v2() != NVML_SUCCESS || nvmlDeviceGetHandleByIndex_v2(0, &device) != NVML_SUCCESS
        || cuInit(0) != CUDA_SUCCESS || cuDevicePrimaryCtxRetain(&context, 0) != CUDA_SUCCESS
        || cuCtxSetCurrent(context) != CUDA_SUCCESS)
    {
        printf("setup failed\n");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL)
    {
        nvmlMemory_t memory;
        size_t cuda_free = 0, cuda_total = 0;
        process_info_v2 processes[16];
        unsigned int count = 16;
        if (nvmlDeviceGetMemoryInfo(device, &memory) != NVML_SUCCESS || cuMemGetInfo_v2(&cuda_free, &cuda_total) != CUDA_SUCCESS
            || nvmlDeviceGetComputeRunningProcesses_v3(device, &count, (nvmlProcessInfo_t*)processes) != NVML_SUCCESS)
        {
            printf("query failed\n");
            return 1;
        }
        printf("used=%llu free=%llu total=%llu cuda_free=%zu processes=%u", memory.used, memory.free, memory.total, cuda_free, count);
        for (unsigned int i = 0; i < count; i++) printf(" %u:%llu", processes[i].pid, processes[i].usedGpuMemory);
        printf("\n");
        fflush(stdout);
    }
    return nvmlShutdown() == NVML_SUCCESS ? 0 : 1;
}
