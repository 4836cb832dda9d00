/* The _ptsz exports treat the null stream as the calling thread's default stream (CU_STREAM_PER_THREAD), the plain
   exports as the legacy default stream, also when found through cuGetProcAddress with the per-thread flag. */
#include <cuemu/cuemu_api.h>
#include "check.h"

typedef CUresult (*stream_id_fn)(CUstream, unsigned long long*);

int main(void)
{
    CUdevice device;
    CUcontext context;
    CHECK_EQ(CUDA_SUCCESS, cuInit(0));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGet(&device, 0));
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&context, device));
    CHECK_EQ(CUDA_SUCCESS, cuCtxSetCurrent(context));

    unsigned long long per_thread = 0, legacy = 0, null_plain = 0, null_ptsz = 0, via_proc = 0;
    CHECK_EQ(CUDA_SUCCESS, cuStreamGetId(CU_STREAM_PER_THREAD, &per_thread));
    CHECK_EQ(CUDA_SUCCESS, cuStreamGetId(CU_STREAM_LEGACY, &legacy));
    CHECK(per_thread != legacy, "per-thread and legacy default streams share id %llu", legacy);
    CHECK_EQ(CUDA_SUCCESS, cuStreamGetId(NULL, &null_plain));
    CHECK_EQ(CUDA_SUCCESS, cuStreamGetId_ptsz(NULL, &null_ptsz));
    CHECK_EQ(legacy, null_plain);
    CHECK_EQ(per_thread, null_ptsz);

    void* fn = NULL;
    CHECK_EQ(CUDA_SUCCESS, cuGetProcAddress_v2("cuStreamGetId", &fn, 12000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, NULL));
    CHECK(fn == (void*)&cuStreamGetId_ptsz, "per-thread lookup returned %p", fn);
    if (fn) {
        CHECK_EQ(CUDA_SUCCESS, ((stream_id_fn)fn)(NULL, &via_proc));
        CHECK_EQ(per_thread, via_proc);
    }
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRelease_v2(device));
    printf("per_thread_streams: %d failures\n", check_failures);
    return check_failures;
}
