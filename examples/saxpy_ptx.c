/* A kernel on the emulated GPU: SAXPY written in PTX, loaded with cuModuleLoadData and launched with
 * cuLaunchKernel; the result is checked on the host, and events time it on the device's virtual clock. */
#include <stdio.h>
#include <cuemu/cuemu_api.h>

static const char *saxpy_ptx =
    ".version 8.4\n.target sm_80\n.address_size 64\n"
    ".visible .entry saxpy(.param .u32 n, .param .f32 a, .param .u64 x, .param .u64 y)\n"
    "{\n"
    "  .reg .pred %p<2>; .reg .b32 %r<6>; .reg .f32 %f<5>; .reg .b64 %rd<8>;\n"
    "  ld.param.u32 %r1, [n]; ld.param.f32 %f1, [a]; ld.param.u64 %rd1, [x]; ld.param.u64 %rd2, [y];\n"
    "  mov.u32 %r2, %ctaid.x; mov.u32 %r3, %ntid.x; mov.u32 %r4, %tid.x;\n"
    "  mad.lo.s32 %r5, %r2, %r3, %r4;\n"
    "  setp.ge.u32 %p1, %r5, %r1;\n"
    "  @%p1 bra $L__done;\n"
    "  cvta.to.global.u64 %rd3, %rd1; cvta.to.global.u64 %rd4, %rd2;\n"
    "  mul.wide.u32 %rd5, %r5, 4; add.s64 %rd6, %rd3, %rd5; add.s64 %rd7, %rd4, %rd5;\n"
    "  ld.global.f32 %f2, [%rd6]; ld.global.f32 %f3, [%rd7];\n"
    "  fma.rn.f32 %f4, %f1, %f2, %f3;\n"
    "  st.global.f32 [%rd7], %f4;\n"
    "$L__done:\n"
    "  ret;\n"
    "}\n";

#define CHECK(call)                                                                 \
    do {                                                                            \
        CUresult result_ = (call);                                                  \
        if (result_ != CUDA_SUCCESS) {                                              \
            const char *name_ = "?";                                                \
            cuGetErrorName(result_, &name_);                                        \
            fprintf(stderr, "%s failed: %s\n", #call, name_);                       \
            return 1;                                                               \
        }                                                                           \
    } while (0)

int main(void)
{
    enum { N = 1 << 16 };
    static float x[N], y[N];
    for (int i = 0; i < N; i++) { x[i] = (float)i; y[i] = 1.0f; }

    CUdevice device;
    CUcontext context;
    CUmodule module;
    CUfunction saxpy;
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(&device, 0));
    CHECK(cuDevicePrimaryCtxRetain(&context, device));
    CHECK(cuCtxSetCurrent(context));
    CHECK(cuModuleLoadData(&module, saxpy_ptx));
    CHECK(cuModuleGetFunction(&saxpy, module, "saxpy"));

    CUdeviceptr dx, dy;
    CHECK(cuMemAlloc_v2(&dx, sizeof x));
    CHECK(cuMemAlloc_v2(&dy, sizeof y));
    CHECK(cuMemcpyHtoD_v2(dx, x, sizeof x));
    CHECK(cuMemcpyHtoD_v2(dy, y, sizeof y));

    CUevent start, stop;
    CHECK(cuEventCreate(&start, CU_EVENT_DEFAULT));
    CHECK(cuEventCreate(&stop, CU_EVENT_DEFAULT));
    unsigned int n = N;
    float a = 2.0f;
    void *args[] = { &n, &a, &dx, &dy };
    CHECK(cuEventRecord(start, NULL));
    CHECK(cuLaunchKernel(saxpy, N / 256, 1, 1, 256, 1, 1, 0, NULL, args, NULL));
    CHECK(cuEventRecord(stop, NULL));
    CHECK(cuEventSynchronize(stop));
    float milliseconds = 0;
    CHECK(cuEventElapsedTime(&milliseconds, start, stop));
    CHECK(cuMemcpyDtoH_v2(y, dy, sizeof y));

    int wrong = 0;
    for (int i = 0; i < N; i++) wrong += y[i] != 2.0f * (float)i + 1.0f;
    printf("saxpy of %d floats in PTX: %s (y[12345] = %.1f); %.6f ms on the device's virtual clock\n",
           N, wrong ? "WRONG" : "correct", y[12345], milliseconds);
    return wrong != 0;
}
