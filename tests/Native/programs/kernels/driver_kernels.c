/* Driver-API kernels end to end through libcuda.so.1: PTX loaded with cuModuleLoadData, launched with
 * cuLaunchKernel, results checked against the same computation done here in C. */

#include <stdlib.h>
#include <string.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

static const char *vector_add_ptx =
    ".version 8.4\n.target sm_80\n.address_size 64\n"
    ".visible .entry vadd(.param .u64 a, .param .u64 b, .param .u64 c, .param .u32 n)\n"
    "{\n"
    "  .reg .pred %p<2>; .reg .b32 %r<6>; .reg .f32 %f<4>; .reg .b64 %rd<11>;\n"
    "  ld.param.u64 %rd1, [a]; ld.param.u64 %rd2, [b]; ld.param.u64 %rd3, [c]; ld.param.u32 %r2, [n];\n"
    "  mov.u32 %r3, %ctaid.x; mov.u32 %r4, %ntid.x; mov.u32 %r5, %tid.x;\n"
    "  mad.lo.s32 %r1, %r3, %r4, %r5;\n"
    "  setp.ge.s32 %p1, %r1, %r2;\n"
    "  @%p1 bra $L__BB0_2;\n"
    "  cvta.to.global.u64 %rd4, %rd1; mul.wide.s32 %rd5, %r1, 4; add.s64 %rd6, %rd4, %rd5;\n"
    "  cvta.to.global.u64 %rd7, %rd2; add.s64 %rd8, %rd7, %rd5;\n"
    "  ld.global.f32 %f1, [%rd8]; ld.global.f32 %f2, [%rd6]; add.f32 %f3, %f2, %f1;\n"
    "  cvta.to.global.u64 %rd9, %rd3; add.s64 %rd10, %rd9, %rd5; st.global.f32 [%rd10], %f3;\n"
    "$L__BB0_2:\n"
    "  ret;\n"
    "}\n";

/* Block sum: warp shuffles, per-warp partials in shared memory, a barrier, then one atomic add per block. */
static const char *reduce_ptx =
    ".version 8.4\n.target sm_80\n.address_size 64\n"
    ".visible .entry reduce_sum(.param .u64 input, .param .u64 output, .param .u32 n)\n"
    "{\n"
    "  .reg .pred %p<3>; .reg .b32 %r<20>; .reg .b64 %rd<8>;\n"
    "  .shared .align 4 .b8 warp_sums[128];\n"
    "  ld.param.u64 %rd1, [input]; ld.param.u64 %rd2, [output]; ld.param.u32 %r1, [n];\n"
    "  mov.u32 %r2, %tid.x; mov.u32 %r3, %ctaid.x; mov.u32 %r4, %ntid.x;\n"
    "  mad.lo.s32 %r5, %r3, %r4, %r2;\n"
    "  mov.u32 %r6, 0;\n"
    "  setp.ge.u32 %p1, %r5, %r1;\n"
    "  @%p1 bra $L__BB0_1;\n"
    "  cvta.to.global.u64 %rd3, %rd1; mul.wide.u32 %rd4, %r5, 4; add.s64 %rd5, %rd3, %rd4;\n"
    "  ld.global.u32 %r6, [%rd5];\n"
    "$L__BB0_1:\n"
    "  shfl.sync.down.b32 %r7, %r6, 16, 31, -1; add.s32 %r6, %r6, %r7;\n"
    "  shfl.sync.down.b32 %r7, %r6, 8, 31, -1; add.s32 %r6, %r6, %r7;\n"
    "  shfl.sync.down.b32 %r7, %r6, 4, 31, -1; add.s32 %r6, %r6, %r7;\n"
    "  shfl.sync.down.b32 %r7, %r6, 2, 31, -1; add.s32 %r6, %r6, %r7;\n"
    "  shfl.sync.down.b32 %r7, %r6, 1, 31, -1; add.s32 %r6, %r6, %r7;\n"
    "  and.b32 %r8, %r2, 31; shr.u32 %r9, %r2, 5;\n"
    "  setp.ne.s32 %p2, %r8, 0;\n"
    "  @%p2 bra $L__BB0_2;\n"
    "  mov.u32 %r10, warp_sums; shl.b32 %r11, %r9, 2; add.s32 %r12, %r10, %r11;\n"
    "  st.shared.u32 [%r12], %r6;\n"
    "$L__BB0_2:\n"
    "  bar.sync 0;\n"
    "  setp.ne.s32 %p2, %r2, 0;\n"
    "  @%p2 bra $L__BB0_4;\n"
    "  add.s32 %r13, %r4, 31; shr.u32 %r13, %r13, 5;\n"
    "  mov.u32 %r14, 0; mov.u32 %r15, 0; mov.u32 %r10, warp_sums;\n"
    "$L__BB0_3:\n"
    "  shl.b32 %r11, %r14, 2; add.s32 %r12, %r10, %r11; ld.shared.u32 %r16, [%r12];\n"
    "  add.s32 %r15, %r15, %r16; add.s32 %r14, %r14, 1;\n"
    "  setp.lt.u32 %p1, %r14, %r13;\n"
    "  @%p1 bra $L__BB0_3;\n"
    "  cvta.to.global.u64 %rd6, %rd2;\n"
    "  atom.global.add.u32 %r17, [%rd6], %r15;\n"
    "$L__BB0_4:\n"
    "  ret;\n"
    "}\n";

/* C = A x B (row-major, sizes multiples of 16) with 16x16 tiles staged through shared memory. */
static const char *matmul_ptx =
    ".version 8.4\n.target sm_80\n.address_size 64\n"
    ".visible .entry matmul_tiled(.param .u64 pa, .param .u64 pb, .param .u64 pc, .param .u32 M, .param .u32 N, .param .u32 K)\n"
    "{\n"
    "  .reg .pred %p<2>; .reg .b32 %r<30>; .reg .f32 %f<6>; .reg .b64 %rd<16>;\n"
    "  .shared .align 4 .b8 tileA[1024];\n"
    "  .shared .align 4 .b8 tileB[1024];\n"
    "  ld.param.u64 %rd1, [pa]; ld.param.u64 %rd2, [pb]; ld.param.u64 %rd3, [pc];\n"
    "  ld.param.u32 %r1, [M]; ld.param.u32 %r2, [N]; ld.param.u32 %r3, [K];\n"
    "  cvta.to.global.u64 %rd1, %rd1; cvta.to.global.u64 %rd2, %rd2; cvta.to.global.u64 %rd3, %rd3;\n"
    "  mov.u32 %r4, %tid.x; mov.u32 %r5, %tid.y; mov.u32 %r6, %ctaid.x; mov.u32 %r7, %ctaid.y;\n"
    "  shl.b32 %r8, %r7, 4; add.s32 %r8, %r8, %r5;\n"
    "  shl.b32 %r9, %r6, 4; add.s32 %r9, %r9, %r4;\n"
    "  mov.f32 %f1, 0f00000000;\n"
    "  mov.u32 %r10, 0;\n"
    "  shl.b32 %r11, %r5, 4; add.s32 %r11, %r11, %r4; shl.b32 %r11, %r11, 2;\n"
    "  mov.u32 %r12, tileA; add.s32 %r13, %r12, %r11;\n"
    "  mov.u32 %r14, tileB; add.s32 %r15, %r14, %r11;\n"
    "$L__BB0_1:\n"
    "  mad.lo.s32 %r16, %r8, %r3, %r10; add.s32 %r16, %r16, %r4;\n"
    "  mul.wide.u32 %rd4, %r16, 4; add.s64 %rd5, %rd1, %rd4; ld.global.f32 %f2, [%rd5]; st.shared.f32 [%r13], %f2;\n"
    "  add.s32 %r17, %r10, %r5; mad.lo.s32 %r17, %r17, %r2, %r9;\n"
    "  mul.wide.u32 %rd6, %r17, 4; add.s64 %rd7, %rd2, %rd6; ld.global.f32 %f3, [%rd7]; st.shared.f32 [%r15], %f3;\n"
    "  bar.sync 0;\n"
    "  mov.u32 %r18, 0;\n"
    "$L__BB0_2:\n"
    "  shl.b32 %r19, %r5, 4; add.s32 %r19, %r19, %r18; shl.b32 %r19, %r19, 2; add.s32 %r19, %r19, %r12;\n"
    "  ld.shared.f32 %f4, [%r19];\n"
    "  shl.b32 %r20, %r18, 4; add.s32 %r20, %r20, %r4; shl.b32 %r20, %r20, 2; add.s32 %r20, %r20, %r14;\n"
    "  ld.shared.f32 %f5, [%r20];\n"
    "  fma.rn.f32 %f1, %f4, %f5, %f1;\n"
    "  add.s32 %r18, %r18, 1;\n"
    "  setp.lt.u32 %p1, %r18, 16;\n"
    "  @%p1 bra $L__BB0_2;\n"
    "  bar.sync 0;\n"
    "  add.s32 %r10, %r10, 16;\n"
    "  setp.lt.u32 %p1, %r10, %r3;\n"
    "  @%p1 bra $L__BB0_1;\n"
    "  mad.lo.s32 %r21, %r8, %r2, %r9;\n"
    "  mul.wide.u32 %rd8, %r21, 4; add.s64 %rd9, %rd3, %rd8; st.global.f32 [%rd9], %f1;\n"
    "  ret;\n"
    "}\n";

static CUfunction load(const char *ptx, const char *name, CUmodule *module)
{
    CUfunction function = NULL;
    CHECK_EQ(CUDA_SUCCESS, cuModuleLoadData(module, ptx));
    CHECK_EQ(CUDA_SUCCESS, cuModuleGetFunction(&function, *module, name));
    return function;
}

static void vector_add(void)
{
    enum { N = 10000 };
    static float a[N], b[N], c[N];
    for (int i = 0; i < N; i++) { a[i] = (float)i * 0.5f; b[i] = (float)(N - i) * 0.25f; }
    CUmodule module;
    CUfunction vadd = load(vector_add_ptx, "vadd", &module);
    CUdeviceptr da, db, dc;
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&da, sizeof a));
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&db, sizeof b));
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&dc, sizeof c));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyHtoD_v2(da, a, sizeof a));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyHtoD_v2(db, b, sizeof b));
    int n = N;
    void *args[] = { &da, &db, &dc, &n };
    CHECK_EQ(CUDA_SUCCESS, cuLaunchKernel(vadd, (N + 255) / 256, 1, 1, 256, 1, 1, 0, NULL, args, NULL));
    CHECK_EQ(CUDA_SUCCESS, cuCtxSynchronize());
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoH_v2(c, dc, sizeof c));
    int wrong = 0;
    for (int i = 0; i < N; i++) wrong += c[i] != a[i] + b[i];
    CHECK_EQ(0, wrong);

    /* The same launch with a packed parameter buffer through `extra`. */
    struct { CUdeviceptr a, b, c; int n; int pad; } packed = { da, db, dc, 64, 0 };
    size_t packed_size = sizeof packed;
    memset(c, 0, sizeof c);
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyHtoD_v2(dc, c, sizeof c));
    void *extra[] = { CU_LAUNCH_PARAM_BUFFER_POINTER, &packed, CU_LAUNCH_PARAM_BUFFER_SIZE, &packed_size, CU_LAUNCH_PARAM_END };
    CHECK_EQ(CUDA_SUCCESS, cuLaunchKernel(vadd, 1, 1, 1, 64, 1, 1, 0, NULL, NULL, extra));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoH_v2(c, dc, sizeof c));
    wrong = 0;
    for (int i = 0; i < N; i++) wrong += c[i] != (i < 64 ? a[i] + b[i] : 0.0f);
    CHECK_EQ(0, wrong);
    CHECK_EQ(CUDA_ERROR_INVALID_VALUE, cuLaunchKernel(vadd, 1, 1, 1, 64, 1, 1, 0, NULL, args, extra));
    CHECK_EQ(CUDA_ERROR_INVALID_VALUE, cuLaunchKernel(vadd, 1, 1, 1, 2048, 1, 1, 0, NULL, args, NULL));
    cuMemFree_v2(da); cuMemFree_v2(db); cuMemFree_v2(dc);
    CHECK_EQ(CUDA_SUCCESS, cuModuleUnload(module));
}

static void reduction(void)
{
    enum { N = 100003 };
    static unsigned int values[N];
    unsigned long long expected = 0;
    for (int i = 0; i < N; i++) { values[i] = (unsigned int)(i * 2654435761u) >> 22; expected += values[i]; }
    CUmodule module;
    CUfunction reduce = load(reduce_ptx, "reduce_sum", &module);
    CUdeviceptr input, output;
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&input, sizeof values));
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&output, sizeof(unsigned int)));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyHtoD_v2(input, values, sizeof values));
    CHECK_EQ(CUDA_SUCCESS, cuMemsetD32_v2(output, 0, 1));
    unsigned int n = N;
    void *args[] = { &input, &output, &n };
    CHECK_EQ(CUDA_SUCCESS, cuLaunchKernel(reduce, (N + 511) / 512, 1, 1, 512, 1, 1, 0, NULL, args, NULL));
    unsigned int sum = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoH_v2(&sum, output, sizeof sum));
    CHECK_EQ((unsigned int)expected, sum);
    cuMemFree_v2(input); cuMemFree_v2(output);
    CHECK_EQ(CUDA_SUCCESS, cuModuleUnload(module));
}

static void matmul(void)
{
    enum { M = 48, N = 32, K = 64 };
    static float a[M * K], b[K * N], c[M * N], reference[M * N];
    for (int i = 0; i < M * K; i++) a[i] = (float)((i * 7) % 11) - 5.0f;
    for (int i = 0; i < K * N; i++) b[i] = (float)((i * 5) % 13) - 6.0f;
    for (int row = 0; row < M; row++)
        for (int col = 0; col < N; col++) {
            float sum = 0;
            for (int k = 0; k < K; k++) sum += a[row * K + k] * b[k * N + col];
            reference[row * N + col] = sum;
        }
    CUmodule module;
    CUfunction kernel = load(matmul_ptx, "matmul_tiled", &module);
    CUdeviceptr da, db, dc;
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&da, sizeof a));
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&db, sizeof b));
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&dc, sizeof c));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyHtoD_v2(da, a, sizeof a));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyHtoD_v2(db, b, sizeof b));
    unsigned int m = M, n = N, k = K;
    void *args[] = { &da, &db, &dc, &m, &n, &k };
    CHECK_EQ(CUDA_SUCCESS, cuLaunchKernel(kernel, N / 16, M / 16, 1, 16, 16, 1, 0, NULL, args, NULL));
    CHECK_EQ(CUDA_SUCCESS, cuMemcpyDtoH_v2(c, dc, sizeof c));
    int wrong = 0;
    for (int i = 0; i < M * N; i++) wrong += c[i] != reference[i]; /* small integers: exact in binary32 */
    CHECK_EQ(0, wrong);
    int shared = -1;
    CHECK_EQ(CUDA_SUCCESS, cuFuncGetAttribute(&shared, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, kernel));
    CHECK_EQ(2048, shared);
    cuMemFree_v2(da); cuMemFree_v2(db); cuMemFree_v2(dc);
    CHECK_EQ(CUDA_SUCCESS, cuModuleUnload(module));
}

/* A kernel fault is CUDA_ERROR_ILLEGAL_ADDRESS, sticky on the context; the process lives on. */
static void fault(void)
{
    CUmodule module;
    CUfunction vadd = load(vector_add_ptx, "vadd", &module);
    CUdeviceptr bogus = 0x10;
    int n = 1;
    void *args[] = { &bogus, &bogus, &bogus, &n };
    CHECK_EQ(CUDA_ERROR_ILLEGAL_ADDRESS, cuLaunchKernel(vadd, 1, 1, 1, 1, 1, 1, 0, NULL, args, NULL));
    CHECK_EQ(CUDA_ERROR_ILLEGAL_ADDRESS, cuCtxSynchronize());
}

int main(void)
{
    CUdevice dev;
    CUcontext ctx;
    CHECK_EQ(CUDA_SUCCESS, cuInit(0));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGet(&dev, 0));
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK_EQ(CUDA_SUCCESS, cuCtxSetCurrent(ctx));
    vector_add();
    reduction();
    matmul();
    fault();
    printf("driver_kernels: %d failures\n", check_failures);
    return check_failures;
}
