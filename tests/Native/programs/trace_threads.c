/* Calls from three threads in a fixed order, so the trace's thread numbers (order of first call) are known. */
#include <pthread.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

static void* query_version(void* unused)
{
    (void)unused;
    int version = 0;
    cuDriverGetVersion(&version);
    return NULL;
}

int main(void)
{
    CHECK_EQ(CUDA_SUCCESS, cuInit(0));
    for (int i = 0; i < 2; i++) {
        pthread_t thread;
        pthread_create(&thread, NULL, query_version, NULL);
        pthread_join(thread, NULL);
    }
    CUdevice device = -1;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGet(&device, 0));
    CHECK_EQ(CUDA_ERROR_INVALID_DEVICE, cuDeviceGet(&device, 99));
    char name[64];
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetName(name, sizeof name, device));
    CUdeviceptr pointer = 0;
    CUcontext context = NULL;
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&context, device));
    CHECK_EQ(CUDA_SUCCESS, cuCtxSetCurrent(context));
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&pointer, 256));
    CHECK_EQ(CUDA_SUCCESS, cuMemFree_v2(pointer));
    return check_failures;
}
