/* The second process of the cross-process ledger test: allocates device memory through libcuda, says so,
 * and holds it until a line arrives on stdin (then frees it and exits) or until it is killed.
 * Usage: memory_holder <MiB> */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cuemu/cuemu_api.h>

int main(int argc, char** argv)
{
    if (argc < 2) return 2;
    size_t bytes = (size_t)atoll(argv[1]) * 1024 * 1024;
    CUdevice device = 0;
    CUcontext context = NULL;
    CUdeviceptr block = 0;
    if (cuInit(0) != CUDA_SUCCESS || cuDeviceGet(&device, 0) != CUDA_SUCCESS
        || cuDevicePrimaryCtxRetain(&context, device) != CUDA_SUCCESS || cuCtxSetCurrent(context) != CUDA_SUCCESS
        || cuMemAlloc_v2(&block, bytes) != CUDA_SUCCESS)
    {
        printf("setup failed\n");
        return 1;
    }
    printf("holding %zu pid %d\n", bytes, (int)getpid());
    fflush(stdout);
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL) return 3;
    CUresult freed = cuMemFree_v2(block);
    printf("released %d\n", (int)freed);
    return freed == CUDA_SUCCESS ? 0 : 1;
}
