/* Native loops for RuntimeHotPathBenchmarks: the libcudart calls ggml's CUDA backend makes around every op,
   called through cuemu's libcudart.so.13 exactly as a program calls them. The launch loop registers a one-kernel
   fatbin the way nvcc's start-up code does (__cudaRegisterFatBinary / Function / End) and then launches it by
   host stub on a non-blocking stream followed by cudaGetLastError, as ggml does after each `<<<...>>>`. */
#include <string.h>
#include <cuemu/cuemu_api.h>

/* An empty kernel with one parameter: what is measured is the API path, not the kernel. */
static const char module_ptx[] =
    ".version 8.0\n.target sm_80\n.address_size 64\n"
    ".visible .entry _Z5emptyPi(.param .u64 p)\n"
    "{\n"
    "  ret;\n"
    "}\n";

/* nvcc's .nv_fatbin layout: a 16-byte container header, one 64-byte PTX entry header, the PTX padded to 8. */
#define PTX_PAYLOAD ((sizeof module_ptx + 7) & ~(size_t)7)
static unsigned char fatbin_container[16 + 64 + PTX_PAYLOAD] __attribute__((aligned(16)));
/* What __cudaRegisterFatBinary receives (nvcc's __fatBinC_Wrapper_t). */
struct fatbin_wrapper { unsigned int magic, version; const void* container; const void* unused; };
static const struct fatbin_wrapper fatbin_wrapper = { 0x466243B1u, 1, fatbin_container, NULL };
static void** fatbin_handle;
static cudaStream_t stream;

static void put16(unsigned char* at, unsigned short v) { memcpy(at, &v, 2); }
static void put32(unsigned char* at, unsigned int v) { memcpy(at, &v, 4); }
static void put64(unsigned char* at, unsigned long long v) { memcpy(at, &v, 8); }

/* The host stub nvcc would generate; only its address matters here. */
void empty_kernel_stub(int* p);
void empty_kernel_stub(int* p) { (void)p; }

/* Registers the kernel and creates the stream; returns 0 when everything the loops need is in place. */
int bench_runtime_setup(void)
{
    if (fatbin_handle != NULL)
        return 0;
    put32(fatbin_container, 0xBA55ED50u);
    put16(fatbin_container + 4, 1);
    put16(fatbin_container + 6, 16);
    put64(fatbin_container + 8, 64 + PTX_PAYLOAD);
    unsigned char* entry = fatbin_container + 16;
    put16(entry, 1);          /* kind: PTX */
    put16(entry + 2, 0x0101);
    put32(entry + 4, 64);     /* header size */
    put64(entry + 8, PTX_PAYLOAD);
    put16(entry + 0x18, 0);   /* PTX ISA 8.0 */
    put16(entry + 0x1A, 8);
    put32(entry + 0x1C, 80);  /* compute_80 */
    memcpy(entry + 64, module_ptx, sizeof module_ptx);
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
