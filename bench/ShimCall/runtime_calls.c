/* Native loops for RuntimeHotPathBenchmarks: the libcudart calls ggml's CUDA backend makes around every op,
   called through cuemu's libcudart.so.13 exactly as a program calls them. The launch loop registers a one-kernel
   fatbin the way nvcc's start-up code does (__cudaRegisterFatBinary / Function / End) and then launches it by
   host stub on a non-blocking stream followed by cudaGetLastError, as ggml does after each `<<<...>>>`. */
#include <cuemu/cuemu_api.h>
#include "runtime/runtime_structs.h"
#include "runtime/ptx_fatbin.h"

/* An empty kernel with one parameter: what is measured is the API path, not the kernel. */
static const char module_ptx[] =
    ".version 8.0\n.target sm_80\n.address_size 64\n"
    ".visible .entry _Z5emptyPi(.param .u64 p)\n"
    "{\n"
    "  ret;\n"
    "}\n";

static unsigned char fatbin_container[PTX_FATBIN_SIZE(sizeof module_ptx)] __attribute__((aligned(16)));
static const struct fatbin_wrapper fatbin_wrapper = { 0x466243B1u, 1, fatbin_container, NULL };
static void** fatbin_handle;
static cudaStream_t stream;

/* The host stub nvcc would generate; only its address matters here. */
void empty_kernel_stub(int* p);
void empty_kernel_stub(int* p) { (void)p; }

/* Registers the kernel and creates the stream; returns 0 when everything the loops need is in place. */
int bench_runtime_setup(void)
{
    if (fatbin_handle != NULL)
        return 0;
    lay_out_ptx_fatbin(fatbin_container, module_ptx, sizeof module_ptx, 80);
    fatbin_handle = __cudaRegisterFatBinary((void*)&fatbin_wrapper);
    __cudaRegisterFunction(fatbin_handle, (const void*)empty_kernel_stub, "_Z5emptyPi", "_Z5emptyPi", -1,
                           NULL, NULL, NULL, NULL, NULL);
    __cudaRegisterFatBinaryEnd(fatbin_handle);
    if (cudaSetDevice(0) != cudaSuccess)
        return 1;
    return cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess ? 2 : 0;
}

long bench_get_last_error_loop(long iterations)
{
    long sum = 0;
    for (long i = 0; i < iterations; i++)
        sum += cudaGetLastError();
    return sum;
}

long bench_peek_at_last_error_loop(long iterations)
{
    long sum = 0;
    for (long i = 0; i < iterations; i++)
        sum += cudaPeekAtLastError();
    return sum;
}

/* ggml_cuda_set_device: cudaGetDevice, and cudaSetDevice only when the device differs. */
long bench_get_device_loop(long iterations)
{
    long sum = 0;
    for (long i = 0; i < iterations; i++) {
        int device = -1;
        sum += cudaGetDevice(&device) + device;
    }
    return sum;
}

long bench_set_device_loop(long iterations)
{
    long sum = 0;
    for (long i = 0; i < iterations; i++)
        sum += cudaSetDevice(0);
    return sum;
}

long bench_stream_is_capturing_loop(long iterations)
{
    long sum = 0;
    for (long i = 0; i < iterations; i++) {
        cudaStreamCaptureStatus status = 1;
        sum += cudaStreamIsCapturing(stream, &status) + status;
    }
    return sum;
}

long bench_launch_loop(long iterations)
{
    long sum = 0;
    int* argument = NULL;
    void* args[] = { &argument };
    dim3 grid = { 1, 1, 1 }, block = { 32, 1, 1 };
    for (long i = 0; i < iterations; i++) {
        sum += cudaLaunchKernel((const void*)empty_kernel_stub, grid, block, args, 0, stream);
        sum += cudaGetLastError();
    }
    return sum + cudaStreamSynchronize(stream);
}
