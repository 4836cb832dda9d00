/* A CUDA 13 program's view of libcudart.so.13, without nvcc: what ggml's init and hot path ask of the runtime.
 * Linked by name against our libcudart.so.13; kernels come from a hand-built fatbin with PTX entries for
 * compute_80 (header only) and compute_90 (an empty kernel: the one a compute 9.x device loads and runs). */
#define CUEMU_TEST_ABI 13
#include <string.h>
#include <cuemu/cuemu_api.h>
#include "../check.h"
#include "runtime_structs.h"

/* cuemu_api.h's cudaError_t lists only the codes the table needed so far; these are NVIDIA's values. */
enum {
    expectInvalidConfiguration = 9,
    expectStreamCaptureUnsupported = 900,
    expectStreamCaptureInvalidated = 901,
};

/* Container: 16-byte header, two 64-byte PTX entry headers, then the compute_90 entry's PTX (with its NUL). */
static const char kernel_ptx[] = ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry _Z6kernelv()\n{\n  ret;\n}\n";
#define KERNEL_PAYLOAD ((sizeof kernel_ptx + 7) & ~(size_t)7)
static unsigned char container[16 + 2 * 64 + KERNEL_PAYLOAD] __attribute__((aligned(8)));
static struct fatbin_wrapper wrapper = { 0x466243B1u, 1, container, NULL };

static void kernel_stub(void) {}

static void build_container(void)
{
    unsigned int magic = 0xBA55ED50u;
    unsigned short version = 1, header = 16;
    unsigned long long bytes = 2 * 64 + KERNEL_PAYLOAD;
    memcpy(container, &magic, 4);
    memcpy(container + 4, &version, 2);
    memcpy(container + 6, &header, 2);
    memcpy(container + 8, &bytes, 8);
    unsigned int archs[2] = { 80, 90 };
    for (int i = 0; i < 2; i++) {
        unsigned char* entry = container + 16 + 64 * i;
        unsigned short kind = 1, format = 0x0101;
        unsigned int entry_header = 64;
        memcpy(entry, &kind, 2);
        memcpy(entry + 2, &format, 2);
        memcpy(entry + 4, &entry_header, 4);
        memcpy(entry + 0x1c, &archs[i], 4);
    }
    unsigned long long payload = KERNEL_PAYLOAD;
    memcpy(container + 16 + 64 + 8, &payload, 8);
    memcpy(container + 16 + 2 * 64, kernel_ptx, sizeof kernel_ptx);
}

static int host_calls;
static void count_call(void* user) { (*(int*)user)++; }

int main(void)
{
    /* Registration, as the .init_array constructor nvcc emits would do it. */
    build_container();
    void** handle = __cudaRegisterFatBinary(&wrapper);
    CHECK(handle != NULL, "fatbin handle");
    __cudaRegisterFunction(handle, (const void*)kernel_stub, "_Z6kernelv", "_Z6kernelv", -1, NULL, NULL, NULL, NULL, NULL);
    __cudaRegisterFatBinaryEnd(handle);

    /* Discovery (ggml_cuda_init). */
    int count = 0, version = 0, value = 0;
    CHECK_EQ(cudaSuccess, cudaGetDeviceCount(&count));
    CHECK_EQ(1, count);
    CHECK_EQ(cudaSuccess, cudaRuntimeGetVersion(&version));
    CHECK_EQ(13000, version);
    struct cudaDeviceProp prop;
    memset(&prop, 0xff, sizeof prop);
    CHECK_EQ(1008, sizeof prop);
    CHECK_EQ(cudaSuccess, cudaGetDeviceProperties(&prop, 0));
    CHECK(strcmp(prop.name, "NVIDIA H100 80GB HBM3") == 0, "name '%s'", prop.name);
    CHECK_EQ(9, prop.major);
    CHECK_EQ(0, prop.minor);
    CHECK_EQ(132, prop.multiProcessorCount);
    CHECK_EQ(32, prop.warpSize);
    CHECK_EQ(0, prop.integrated);
    CHECK_EQ(0, prop.reserved[55]);
    CHECK_EQ(cudaSuccess, cudaDeviceGetAttribute(&value, cudaDevAttrMultiProcessorCount, 0));
    CHECK_EQ(prop.multiProcessorCount, value);
    size_t free_bytes = 0, total_bytes = 0;
    CHECK_EQ(cudaSuccess, cudaMemGetInfo(&free_bytes, &total_bytes));
    CHECK_EQ(prop.totalGlobalMem, total_bytes);
    char bus[32];
    CHECK_EQ(cudaSuccess, cudaDeviceGetPCIBusId(bus, sizeof bus, 0));
    CHECK(strlen(bus) == 12 && bus[4] == ':', "bus id '%s'", bus);

    /* Error state. */
    CHECK_EQ(cudaErrorInvalidDevice, cudaSetDevice(5));
    CHECK_EQ(cudaErrorInvalidDevice, cudaPeekAtLastError());
    CHECK_EQ(cudaErrorInvalidDevice, cudaGetLastError());
    CHECK_EQ(cudaSuccess, cudaGetLastError());
    CHECK(strcmp(cudaGetErrorName(cudaErrorInvalidDevice), "cudaErrorInvalidDevice") == 0, "name");
    CHECK(strcmp(cudaGetErrorString(cudaErrorMemoryAllocation), "out of memory") == 0, "string");

    /* Tensor upload/download through the per-thread default stream. */
    enum { N = 4096 };
    static unsigned char host[N];
    void* device = NULL;
    CHECK_EQ(cudaSuccess, cudaMalloc(&device, N));
    CHECK_EQ(cudaSuccess, cudaMemsetAsync(device, 0x5a, N, cudaStreamPerThread));
    CHECK_EQ(cudaSuccess, cudaMemcpyAsync(host, device, N, cudaMemcpyDeviceToHost, cudaStreamPerThread));
    CHECK_EQ(cudaSuccess, cudaStreamSynchronize(cudaStreamPerThread));
    CHECK_EQ(0x5a, host[N - 1]);

    /* CUDA graph: capture, instantiate, launch twice, update. */
    cudaStream_t stream = NULL;
    CHECK_EQ(cudaSuccess, cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    CHECK_EQ(cudaSuccess, cudaStreamBeginCapture(stream, 2 /* relaxed */));
    CHECK_EQ(cudaSuccess, cudaMemsetAsync(device, 0x33, N, stream));
    CHECK_EQ(cudaSuccess, cudaMemcpyAsync(host, device, N, cudaMemcpyDeviceToHost, stream));
    CHECK_EQ(cudaSuccess, cudaLaunchHostFunc(stream, count_call, &host_calls));
    int status = -1;
    CHECK_EQ(cudaSuccess, cudaStreamIsCapturing(stream, &status));
    CHECK_EQ(1, status);
    CHECK_EQ(0x5a, host[0]);
    cudaGraph_t graph = NULL;
    cudaGraphExec_t exec = NULL;
    CHECK_EQ(cudaSuccess, cudaStreamEndCapture(stream, &graph));
    CHECK_EQ(cudaSuccess, cudaGraphInstantiate(&exec, graph, 0));
    CHECK_EQ(cudaSuccess, cudaGraphLaunch(exec, stream));
    CHECK_EQ(0x33, host[N / 2]);
    memset(host, 0, N);
    CHECK_EQ(cudaSuccess, cudaGraphLaunch(exec, stream));
    CHECK_EQ(cudaSuccess, cudaStreamSynchronize(stream));
    CHECK_EQ(0x33, host[N - 1]);
    CHECK_EQ(2, host_calls);
    struct cudaGraphExecUpdateResultInfo_st info = { -1, (void*)1, (void*)1 };
    CHECK_EQ(cudaSuccess, cudaGraphExecUpdate(exec, graph, (cudaGraphExecUpdateResultInfo*)&info));
    CHECK_EQ(0, info.result);
    CHECK_EQ(cudaSuccess, cudaGraphExecDestroy(exec));
    CHECK_EQ(cudaSuccess, cudaGraphDestroy(graph));

    /* Capture mode rule: allocating during a global capture invalidates it. */
    CHECK_EQ(cudaSuccess, cudaStreamBeginCapture(stream, 0 /* global */));
    void* during = NULL;
    CHECK_EQ(expectStreamCaptureUnsupported, cudaMalloc(&during, 16));
    CHECK_EQ(expectStreamCaptureInvalidated, cudaStreamEndCapture(stream, &graph));
    CHECK(graph == NULL, "no graph from an invalidated capture");
    cudaGetLastError();

    /* Kernels: attributes, occupancy, launch configuration, launch. */
    struct cudaFuncAttributes attributes;
    memset(&attributes, 0xff, sizeof attributes);
    CHECK_EQ(cudaSuccess, cudaFuncGetAttributes(&attributes, (const void*)kernel_stub));
    CHECK_EQ(90, attributes.ptxVersion);
    CHECK_EQ(0, attributes.reserved[15]);
    CHECK_EQ(cudaSuccess, cudaFuncSetAttribute((const void*)kernel_stub, 8 /* MaxDynamicSharedMemorySize */, 100000));
    CHECK_EQ(cudaErrorInvalidValue, cudaFuncSetAttribute((const void*)kernel_stub, 8, 1 << 20));
    int blocks = -1;
    CHECK_EQ(cudaSuccess, cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(&blocks, (const void*)kernel_stub, 256, 0, 0));
    CHECK_EQ(8, blocks);

    dim3 grid = { 4, 1, 1 }, block = { 128, 1, 1 }, popped_grid, popped_block;
    size_t shared = 0;
    void* popped_stream = NULL;
    CHECK_EQ(cudaSuccess, __cudaPushCallConfiguration(grid, block, 0, stream));
    CHECK_EQ(cudaSuccess, __cudaPopCallConfiguration(&popped_grid, &popped_block, &shared, &popped_stream));
    CHECK_EQ(128, popped_block.x);
    CHECK(popped_stream == (void*)stream, "stream popped");
    cudaKernel_t kernel = NULL, again = NULL;
    CHECK_EQ(cudaSuccess, __cudaGetKernel(&kernel, (const void*)kernel_stub));
    CHECK_EQ(cudaSuccess, __cudaGetKernel(&again, (const void*)kernel_stub));
    CHECK(kernel != NULL && kernel == again, "one kernel handle per stub");
    dim3 too_big = { 2048, 1, 1 };
    CHECK_EQ(expectInvalidConfiguration, __cudaLaunchKernel(kernel, grid, too_big, NULL, 0, stream));
    CHECK_EQ(cudaSuccess, __cudaLaunchKernel(kernel, grid, block, NULL, 0, stream));
    /* A successful launch leaves the earlier configuration error as the last error, until it is taken. */
    CHECK_EQ(expectInvalidConfiguration, cudaGetLastError());
    CHECK_EQ(cudaSuccess, cudaGetLastError());

    CHECK_EQ(cudaSuccess, cudaStreamDestroy(stream));
    CHECK_EQ(cudaSuccess, cudaFree(device));
    __cudaUnregisterFatBinary(handle);
    printf("runtime_cuda13: %d failures\n", check_failures);
    return check_failures;
}
