/* Kernels launched through libcudart exactly as nvcc's generated host code launches them, without nvcc:
 * a __fatBinC_Wrapper_t pointing at a fatbin container with one compute_80 PTX entry, registered from a
 * constructor (__cudaRegisterFatBinary / Function / Var / End), `<<<...>>>` expanded to
 * __cudaPushCallConfiguration + a host stub that pops the configuration and launches — with cudaLaunchKernel
 * when built for CUDA 12 (CUEMU_TEST_ABI=12, linked against libcudart.so.12) and with __cudaGetKernel +
 * __cudaLaunchKernel for CUDA 13. Every result is checked against the same arithmetic done here in C. */
#include <stdlib.h>
#include <string.h>
#include <cuemu/cuemu_api.h>
#include "check.h"
#include "runtime/runtime_structs.h"
#include "runtime/ptx_fatbin.h"

/* NVIDIA's cudaError_t values beyond the few cuemu_api.h names. */
enum {
    expectInvalidConfiguration = 9,
    expectInvalidSymbol = 13,
};

/* y[i] += a * scale * x[i]; thread 0 of every block counts the block in `blocks_run`. `scale` is a __constant__
 * with an initialiser, `blocks_run` a __device__ variable: both registered with __cudaRegisterVar. */
static const char module_ptx[] =
    ".version 8.0\n.target sm_80\n.address_size 64\n"
    ".const .align 4 .f32 scale = 0f40000000;\n"
    ".global .align 4 .u32 blocks_run;\n"
    ".visible .entry _Z5saxpyPfPKffi(.param .u64 y, .param .u64 x, .param .f32 a, .param .u32 n)\n"
    "{\n"
    "  .reg .pred %p<3>; .reg .b32 %r<8>; .reg .f32 %f<8>; .reg .b64 %rd<12>;\n"
    "  ld.param.u64 %rd1, [y]; ld.param.u64 %rd2, [x]; ld.param.f32 %f1, [a]; ld.param.u32 %r1, [n];\n"
    "  mov.u32 %r2, %ctaid.x; mov.u32 %r3, %ntid.x; mov.u32 %r4, %tid.x;\n"
    "  mad.lo.s32 %r5, %r2, %r3, %r4;\n"
    "  setp.ne.u32 %p1, %r4, 0;\n"
    "  @%p1 bra $L_count_done;\n"
    "  atom.global.add.u32 %r6, [blocks_run], 1;\n"
    "$L_count_done:\n"
    "  setp.ge.s32 %p2, %r5, %r1;\n"
    "  @%p2 bra $L_exit;\n"
    "  ld.const.f32 %f2, [scale];\n"
    "  cvta.to.global.u64 %rd3, %rd1; cvta.to.global.u64 %rd4, %rd2;\n"
    "  mul.wide.s32 %rd5, %r5, 4; add.s64 %rd6, %rd3, %rd5; add.s64 %rd7, %rd4, %rd5;\n"
    "  ld.global.f32 %f3, [%rd7]; ld.global.f32 %f4, [%rd6];\n"
    "  mul.f32 %f5, %f1, %f2; fma.rn.f32 %f6, %f5, %f3, %f4;\n"
    "  st.global.f32 [%rd6], %f6;\n"
    "$L_exit:\n"
    "  ret;\n"
    "}\n"
    ".visible .entry _Z5faultPi(.param .u64 p)\n"
    "{\n"
    "  .reg .b32 %r<2>; .reg .b64 %rd<2>;\n"
    "  ld.param.u64 %rd1, [p]; mov.u32 %r1, 7; st.global.u32 [%rd1], %r1;\n"
    "  ret;\n"
    "}\n";

/* The fatbin container nvcc places in .nv_fatbin, laid out at start-up from module_ptx, before registration reads it. */
static unsigned char fatbin_container[PTX_FATBIN_SIZE(sizeof module_ptx)] __attribute__((aligned(16)));
static const struct fatbin_wrapper fatbin_wrapper = { 0x466243B1u, 1, fatbin_container, NULL };

/* Host shadows of the device variables, as nvcc declares them in the host translation unit. */
static float scale;
static unsigned int blocks_run;

void saxpy(float* y, const float* x, float a, int n);
void fault(int* p);

/* The stubs nvcc generates: pop what <<<...>>> pushed and launch with one pointer per parameter. */
static cudaError_t launch_popped(const void* host_function, void** args)
{
    dim3 grid, block;
    size_t shared;
    void* stream;
    if (__cudaPopCallConfiguration(&grid, &block, &shared, &stream) != cudaSuccess)
        return cudaErrorInvalidValue;
#if CUEMU_TEST_ABI == 13
    cudaKernel_t kernel;
    cudaError_t found = __cudaGetKernel(&kernel, host_function);
    if (found != cudaSuccess)
        return found;
    return __cudaLaunchKernel(kernel, grid, block, args, shared, (cudaStream_t)stream);
#else
    return cudaLaunchKernel(host_function, grid, block, args, shared, (cudaStream_t)stream);
#endif
}

static cudaError_t last_stub_result;

void saxpy(float* y, const float* x, float a, int n)
{
    void* args[] = { &y, &x, &a, &n };
    last_stub_result = launch_popped((const void*)saxpy, args);
}

void fault(int* p)
{
    void* args[] = { &p };
    last_stub_result = launch_popped((const void*)fault, args);
}

/* kernel<<<grid, block, shared, stream>>>(...) as nvcc expands it. */
#define LAUNCH(kernel, grid, block, shared, stream, ...) \
    (__cudaPushCallConfiguration(grid, block, shared, stream) ? (void)0 : kernel(__VA_ARGS__))

static void** fatbin_handle;

static void unregister_module(void) { __cudaUnregisterFatBinary(fatbin_handle); }

__attribute__((constructor)) static void register_module(void)
{
    lay_out_ptx_fatbin(fatbin_container, module_ptx, sizeof module_ptx, 80);
    fatbin_handle = __cudaRegisterFatBinary((void*)&fatbin_wrapper);
    __cudaRegisterFunction(fatbin_handle, (const void*)saxpy, "_Z5saxpyPfPKffi", "_Z5saxpyPfPKffi", -1, NULL, NULL, NULL, NULL, NULL);
    __cudaRegisterFunction(fatbin_handle, (const void*)fault, "_Z5faultPi", "_Z5faultPi", -1, NULL, NULL, NULL, NULL, NULL);
    __cudaRegisterVar(fatbin_handle, &scale, "scale", "scale", 0, sizeof scale, 1, 0);
    __cudaRegisterVar(fatbin_handle, &blocks_run, "blocks_run", "blocks_run", 0, sizeof blocks_run, 0, 0);
    __cudaRegisterFatBinaryEnd(fatbin_handle);
    atexit(unregister_module);
}

/* cudaLaunchConfig_t as cuda_runtime_api.h lays it out (cuemu_api.h keeps it opaque). */
struct launch_config {
    dim3 gridDim, blockDim;
    size_t dynamicSmemBytes;
    cudaStream_t stream;
    void* attrs;
    unsigned int numAttrs;
};

#define N 200

static float x_host[N], y_host[N], expect[N];

static void saxpy_reference(float a, float s)
{
    for (int i = 0; i < N; i++)
        expect[i] = __builtin_fmaf(a * s, x_host[i], expect[i]);
}

static int matches(const float* actual)
{
    for (int i = 0; i < N; i++)
        if (actual[i] != expect[i]) {
            printf("  y[%d] = %g, expected %g\n", i, actual[i], expect[i]);
            return 0;
        }
    return 1;
}

int main(void)
{
    for (int i = 0; i < N; i++) {
        x_host[i] = (float)i * 0.25f;
        y_host[i] = expect[i] = 100.0f - (float)i;
    }
    float *x, *y;
    CHECK_EQ(cudaSuccess, cudaMalloc((void**)&x, sizeof x_host));
    CHECK_EQ(cudaSuccess, cudaMalloc((void**)&y, sizeof y_host));
    CHECK_EQ(cudaSuccess, cudaMemcpy(x, x_host, sizeof x_host, cudaMemcpyHostToDevice));
    CHECK_EQ(cudaSuccess, cudaMemcpy(y, y_host, sizeof y_host, cudaMemcpyHostToDevice));
    dim3 grid = { 4, 1, 1 }, block = { 64, 1, 1 };

    /* 1. The first launch loads the module; the __constant__ keeps its PTX initialiser (2.0). */
    LAUNCH(saxpy, grid, block, 0, NULL, y, x, 0.5f, N);
    CHECK_EQ(cudaSuccess, last_stub_result);
    CHECK_EQ(cudaSuccess, cudaDeviceSynchronize());
    saxpy_reference(0.5f, 2.0f);
    float y_back[N];
    CHECK_EQ(cudaSuccess, cudaMemcpy(y_back, y, sizeof y_back, cudaMemcpyDeviceToHost));
    CHECK(matches(y_back), "saxpy with the initial scale");

    /* 2. Registered variables are the module's device memory. */
    float scale_back = 0;
    CHECK_EQ(cudaSuccess, cudaMemcpyFromSymbol(&scale_back, &scale, sizeof scale_back, 0, cudaMemcpyDeviceToHost));
    CHECK(scale_back == 2.0f, "initial scale %g", scale_back);
    float new_scale = 3.0f;
    CHECK_EQ(cudaSuccess, cudaMemcpyToSymbol(&scale, &new_scale, sizeof new_scale, 0, cudaMemcpyHostToDevice));
    size_t scale_size = 0;
    void* scale_address = NULL;
    CHECK_EQ(cudaSuccess, cudaGetSymbolSize(&scale_size, &scale));
    CHECK_EQ(4, scale_size);
    CHECK_EQ(cudaSuccess, cudaGetSymbolAddress(&scale_address, &scale));
    CHECK_EQ(cudaSuccess, cudaMemcpy(&scale_back, scale_address, 4, cudaMemcpyDeviceToHost));
    CHECK(scale_back == 3.0f, "scale through its address %g", scale_back);
    CHECK_EQ(cudaErrorInvalidValue, cudaMemcpyToSymbol(&scale, &new_scale, sizeof new_scale, 4, cudaMemcpyHostToDevice));
    CHECK_EQ(cudaErrorInvalidValue, cudaGetLastError());
    CHECK_EQ(expectInvalidSymbol, cudaGetSymbolSize(&scale_size, &new_scale));
    CHECK_EQ(expectInvalidSymbol, cudaGetLastError());
    LAUNCH(saxpy, grid, block, 0, NULL, y, x, 0.5f, N);
    CHECK_EQ(cudaSuccess, last_stub_result);
    saxpy_reference(0.5f, 3.0f);
    CHECK_EQ(cudaSuccess, cudaMemcpy(y_back, y, sizeof y_back, cudaMemcpyDeviceToHost));
    CHECK(matches(y_back), "saxpy with the scale written through cudaMemcpyToSymbol");
    unsigned int blocks = 0;
    CHECK_EQ(cudaSuccess, cudaMemcpyFromSymbol(&blocks, &blocks_run, sizeof blocks, 0, cudaMemcpyDeviceToHost));
    CHECK_EQ(8, blocks);

    /* 3. Attributes are the loaded function's: ptxVersion is the PTX entry chosen (compute_80). */
    struct cudaFuncAttributes attributes;
    memset(&attributes, 0xff, sizeof attributes);
    CHECK_EQ(cudaSuccess, cudaFuncGetAttributes(&attributes, (const void*)saxpy));
    CHECK_EQ(80, attributes.ptxVersion);
    CHECK_EQ(4, attributes.constSizeBytes);
    CHECK_EQ(0, attributes.sharedSizeBytes);
    CHECK_EQ(48 * 1024, attributes.maxDynamicSharedSizeBytes);
    CHECK(attributes.maxThreadsPerBlock > 0 && attributes.maxThreadsPerBlock <= 1024, "maxThreadsPerBlock %d", attributes.maxThreadsPerBlock);
    CHECK(attributes.numRegs > 0, "numRegs %d", attributes.numRegs);

    /* 4. Dynamic shared memory above 48 KiB needs cudaFuncSetAttribute, which reaches the driver's function. */
    LAUNCH(saxpy, grid, block, 60 * 1024, NULL, y, x, 0.0f, N);
    CHECK_EQ(cudaErrorInvalidValue, last_stub_result);
    CHECK_EQ(cudaSuccess, cudaFuncSetAttribute((const void*)saxpy, 8 /* MaxDynamicSharedMemorySize */, 64 * 1024));
    CHECK_EQ(cudaSuccess, cudaFuncGetAttributes(&attributes, (const void*)saxpy));
    CHECK_EQ(64 * 1024, attributes.maxDynamicSharedSizeBytes);
    LAUNCH(saxpy, grid, block, 60 * 1024, NULL, y, x, 0.0f, N);
    CHECK_EQ(cudaSuccess, last_stub_result);

    /* 5. cudaGetLastError: a configuration error is reported once, then cleared. */
    dim3 too_big = { 2048, 1, 1 };
    LAUNCH(saxpy, grid, too_big, 0, NULL, y, x, 0.5f, N);
    CHECK_EQ(expectInvalidConfiguration, last_stub_result);
    CHECK_EQ(expectInvalidConfiguration, cudaPeekAtLastError());
    CHECK_EQ(expectInvalidConfiguration, cudaGetLastError());
    CHECK_EQ(cudaSuccess, cudaGetLastError());

    /* 6. cudaLaunchKernelExC on a created stream, with a programmatic-serialization attribute. */
    cudaStream_t stream;
    CHECK_EQ(cudaSuccess, cudaStreamCreate(&stream));
    unsigned char attribute[72] = { 0 };
    int serialization_id = 6, enabled = 1; /* cudaLaunchAttributeProgrammaticStreamSerialization */
    memcpy(attribute, &serialization_id, 4);
    memcpy(attribute + 8, &enabled, 4);
    struct launch_config config = { grid, block, 0, stream, attribute, 1 };
    float a = 1.0f;
    int n = N;
    void* args[] = { &y, &x, &a, &n };
    CHECK_EQ(cudaSuccess, cudaLaunchKernelExC((const cudaLaunchConfig_t*)&config, (const void*)saxpy, args));
    CHECK_EQ(cudaSuccess, cudaStreamSynchronize(stream));
    saxpy_reference(1.0f, 3.0f);
    CHECK_EQ(cudaSuccess, cudaMemcpy(y_back, y, sizeof y_back, cudaMemcpyDeviceToHost));
    CHECK(matches(y_back), "saxpy through cudaLaunchKernelExC");

    /* 7. A launch captured into a graph runs only when the graph is launched, once per launch. */
    CHECK_EQ(cudaSuccess, cudaStreamBeginCapture(stream, 0 /* global */));
    LAUNCH(saxpy, grid, block, 0, stream, y, x, -0.25f, N);
    CHECK_EQ(cudaSuccess, last_stub_result);
    cudaGraph_t graph = NULL;
    CHECK_EQ(cudaSuccess, cudaStreamEndCapture(stream, &graph));
    CHECK_EQ(cudaSuccess, cudaMemcpy(y_back, y, sizeof y_back, cudaMemcpyDeviceToHost));
    CHECK(matches(y_back), "capture does not execute the launch");
    cudaGraphExec_t exec = NULL;
    CHECK_EQ(cudaSuccess, cudaGraphInstantiate(&exec, graph, 0));
    CHECK_EQ(cudaSuccess, cudaGraphLaunch(exec, stream));
    CHECK_EQ(cudaSuccess, cudaGraphLaunch(exec, stream));
    CHECK_EQ(cudaSuccess, cudaStreamSynchronize(stream));
    saxpy_reference(-0.25f, 3.0f);
    saxpy_reference(-0.25f, 3.0f);
    CHECK_EQ(cudaSuccess, cudaMemcpy(y_back, y, sizeof y_back, cudaMemcpyDeviceToHost));
    CHECK(matches(y_back), "graph replayed twice");
    CHECK_EQ(cudaSuccess, cudaGraphExecDestroy(exec));
    CHECK_EQ(cudaSuccess, cudaGraphDestroy(graph));
    CHECK_EQ(cudaSuccess, cudaStreamDestroy(stream));

    /* 8. A fault is sticky: every later launch and cudaGetLastError keep reporting it. */
    dim3 one = { 1, 1, 1 };
    LAUNCH(fault, one, one, 0, NULL, (int*)(unsigned long)0x10);
    cudaError_t synchronized = cudaDeviceSynchronize();
    CHECK(last_stub_result == cudaErrorIllegalAddress || synchronized == cudaErrorIllegalAddress,
          "launch %d, synchronize %d", last_stub_result, synchronized);
    CHECK_EQ(cudaErrorIllegalAddress, cudaGetLastError());
    CHECK_EQ(cudaErrorIllegalAddress, cudaGetLastError());
    LAUNCH(saxpy, grid, block, 0, NULL, y, x, 0.5f, N);
    CHECK_EQ(cudaErrorIllegalAddress, last_stub_result);
    CHECK_EQ(cudaErrorIllegalAddress, cudaPeekAtLastError());

    printf("runtime_kernels (CUDA %d ABI): %d failures\n", CUEMU_TEST_ABI, check_failures);
    return check_failures;
}
