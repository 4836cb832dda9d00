/* Ollama's native GPU probe (discover/native_probe_linux.go, Ollama >= 0.30): dlopen libcuda.so.1, resolve the
   driver entry points by name, and read what it reports per device. */
#include <dlfcn.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

/* Typed by the prototype in cuemu_api.h; __typeof__ does not reference the symbol, so nothing is linked. */
#define RESOLVE(name) __typeof__(&name) name##_fn = (__typeof__(&name))dlsym(cuda, #name); CHECK(name##_fn != NULL, #name)

int main(void)
{
    void* cuda = dlopen("libcuda.so.1", RTLD_NOW);
    CHECK(cuda != NULL, "dlopen: %s", dlerror());
    if (!cuda) return 1;
    RESOLVE(cuInit);
    RESOLVE(cuDriverGetVersion);
    RESOLVE(cuDeviceGetCount);
    RESOLVE(cuDeviceGet);
    RESOLVE(cuDeviceGetAttribute);
    RESOLVE(cuDeviceGetName);
    RESOLVE(cuDeviceTotalMem_v2);
    RESOLVE(cuDeviceGetPCIBusId);
    if (check_failures) return check_failures;

    int version = 0, count = 0;
    CHECK_EQ(CUDA_SUCCESS, cuInit_fn(0));
    CHECK_EQ(CUDA_SUCCESS, cuDriverGetVersion_fn(&version));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetCount_fn(&count));
    for (int i = 0; i < count; i++) {
        CUdevice device;
        int major = 0, minor = 0, integrated = -1;
        char name[256], bus[64];
        size_t memory = 0;
        CHECK_EQ(CUDA_SUCCESS, cuDeviceGet_fn(&device, i));
        CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute_fn(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device));
        CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute_fn(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device));
        CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute_fn(&integrated, CU_DEVICE_ATTRIBUTE_INTEGRATED, device));
        CHECK_EQ(CUDA_SUCCESS, cuDeviceGetName_fn(name, sizeof name, device));
        CHECK_EQ(CUDA_SUCCESS, cuDeviceTotalMem_v2_fn(&memory, device));
        CHECK_EQ(CUDA_SUCCESS, cuDeviceGetPCIBusId_fn(bus, sizeof bus, device));
    }
    return check_failures;
}
