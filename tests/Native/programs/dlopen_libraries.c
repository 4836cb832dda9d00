/* Loads every shim by SONAME with dlopen (found through LD_LIBRARY_PATH) and resolves symbols by version node. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

static void* open_library(const char* soname)
{
    void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    CHECK(handle != NULL, "dlopen %s: %s", soname, dlerror());
    return handle;
}

static void versioned(void* handle, const char* symbol, const char* node)
{
    if (!handle) return;
    CHECK(dlvsym(handle, symbol, node) != NULL, "%s@%s missing", symbol, node);
}

int main(void)
{
    void* cuda = open_library("libcuda.so.1");
    void* rt11 = open_library("libcudart.so.11.0");
    void* rt12 = open_library("libcudart.so.12");
    void* rt13 = open_library("libcudart.so.13");
    void* blas12 = open_library("libcublas.so.12");
    void* blas13 = open_library("libcublas.so.13");
    void* lt12 = open_library("libcublasLt.so.12");
    void* lt13 = open_library("libcublasLt.so.13");
    void* nvml = open_library("libnvidia-ml.so.1");

    versioned(rt11, "cudaMalloc", "libcudart.so.11.0");
    versioned(rt12, "cudaMalloc", "libcudart.so.12");
    versioned(rt12, "cudaGetDeviceProperties_v2", "libcudart.so.12");
    versioned(rt13, "cudaMalloc", "libcudart.so.13");
    versioned(rt13, "__cudaGetKernel", "libcudart.so.13");
    versioned(blas12, "cublasGemmEx", "libcublas.so.12");
    versioned(blas13, "cublasGemmEx", "libcublas.so.13");
    versioned(lt12, "cublasLtMatmul", "libcublasLt.so.12");
    versioned(lt13, "cublasLtMatmul", "libcublasLt.so.13");
    CHECK(rt12 == NULL || dlsym(rt12, "__cudaGetKernel") == NULL, "__cudaGetKernel is CUDA 13 only");
    CHECK(nvml == NULL || dlsym(nvml, "nvmlInit_v2") != NULL, "nvmlInit_v2 missing");

    if (cuda) {
        CUresult (*init)(unsigned int) = (CUresult (*)(unsigned int))dlsym(cuda, "cuInit");
        CUresult (*version)(int*) = (CUresult (*)(int*))dlsym(cuda, "cuDriverGetVersion");
        CHECK(init && version, "driver symbols missing");
        if (init && version) {
            int v = 0;
            CHECK_EQ(CUDA_SUCCESS, init(0));
            CHECK_EQ(CUDA_SUCCESS, version(&v));
            CHECK(v >= 12000, "driver version %d", v);
        }
    }
    printf("dlopen_libraries: %d failures\n", check_failures);
    return check_failures;
}
