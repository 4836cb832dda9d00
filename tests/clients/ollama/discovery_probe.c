/*
 * Replays Ollama's GPU discovery against whatever CUDA libraries the loader provides, the way Ollama
 * does it (dlopen by soname, no CUDA headers), and checks what Ollama requires before it keeps a device:
 *   - the native probe (discover/native_probe_linux.go): cuInit, cuDriverGetVersion, cuDeviceGetCount,
 *     cuDeviceGet, cuDeviceGetAttribute (compute capability, integrated), cuDeviceGetName,
 *     cuDeviceTotalMem_v2, cuDeviceGetPCIBusId; nvmlInit_v2, nvmlSystemGetDriverVersion, nvmlShutdown;
 *   - discover/cuda_compat.go: an NVIDIA driver major version >= 570;
 *   - ggml's mem_nvml.cpp: the NVML device found by the UUID of cudaDeviceProp.uuid, with its memory.
 * Prints one line per fact; exits 1 when Ollama would drop the device (or a call fails), 0 otherwise.
 *
 * usage: discovery_probe <libcudart soname>      e.g. libcudart.so.13 or libcudart.so.12
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    ATTRIBUTE_INTEGRATED = 18,
    ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
    MINIMUM_DRIVER_MAJOR = 570,
    DEVICE_PROPERTIES_NAME_OFFSET = 0,    /* char name[256] */
    DEVICE_PROPERTIES_UUID_OFFSET = 256,  /* cudaUUID_t uuid, the same place in CUDA 12 and 13 */
};

typedef struct { unsigned long long total, free, used; } nvml_memory;

static int failures;

static void *open_library(const char *soname)
{
    void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        printf("dlopen %s: %s\n", soname, dlerror());
        exit(1);
    }
    return library;
}

static void *symbol(void *library, const char *name)
{
    void *address = dlsym(library, name);
    if (address == NULL) {
        printf("missing symbol %s\n", name);
        exit(1);
    }
    return address;
}

static void check(int result, const char *call)
{
    if (result != 0) {
        printf("%s returned %d\n", call, result);
        failures++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <libcudart soname>\n", argv[0]);
        return 2;
    }
    void *driver = open_library("libcuda.so.1");
    void *nvml = open_library("libnvidia-ml.so.1");
    void *runtime = open_library(argv[1]);

    int (*cuInit)(unsigned) = symbol(driver, "cuInit");
    int (*cuDriverGetVersion)(int *) = symbol(driver, "cuDriverGetVersion");
    int (*cuDeviceGetCount)(int *) = symbol(driver, "cuDeviceGetCount");
    int (*cuDeviceGet)(int *, int) = symbol(driver, "cuDeviceGet");
    int (*cuDeviceGetAttribute)(int *, int, int) = symbol(driver, "cuDeviceGetAttribute");
    int (*cuDeviceGetName)(char *, int, int) = symbol(driver, "cuDeviceGetName");
    int (*cuDeviceTotalMem_v2)(size_t *, int) = symbol(driver, "cuDeviceTotalMem_v2");
    int (*cuDeviceGetPCIBusId)(char *, int, int) = symbol(driver, "cuDeviceGetPCIBusId");
    int (*nvmlInit_v2)(void) = symbol(nvml, "nvmlInit_v2");
    int (*nvmlShutdown)(void) = symbol(nvml, "nvmlShutdown");
    int (*nvmlSystemGetDriverVersion)(char *, unsigned) = symbol(nvml, "nvmlSystemGetDriverVersion");
    int (*nvmlDeviceGetHandleByUUID)(const char *, void **) = symbol(nvml, "nvmlDeviceGetHandleByUUID");
    int (*nvmlDeviceGetMemoryInfo)(void *, nvml_memory *) = symbol(nvml, "nvmlDeviceGetMemoryInfo");
    int (*nvmlDeviceGetName)(void *, char *, unsigned) = symbol(nvml, "nvmlDeviceGetName");
    int (*cudaGetDeviceCount)(int *) = symbol(runtime, "cudaGetDeviceCount");
    int (*cudaGetDeviceProperties)(void *, int) = symbol(runtime,
        strcmp(argv[1], "libcudart.so.12") == 0 ? "cudaGetDeviceProperties_v2" : "cudaGetDeviceProperties");

    /* Native probe. */
    int driver_version = 0, device_count = 0;
    check(cuInit(0), "cuInit");
    check(cuDriverGetVersion(&driver_version), "cuDriverGetVersion");
    check(cuDeviceGetCount(&device_count), "cuDeviceGetCount");
    printf("driver API version %d, %d device(s)\n", driver_version, device_count);
    if (device_count < 1) {
        printf("no CUDA device: Ollama falls back to library=cpu\n");
        return 1;
    }

    char driver_string[96] = "";
    check(nvmlInit_v2(), "nvmlInit_v2");
    check(nvmlSystemGetDriverVersion(driver_string, sizeof driver_string), "nvmlSystemGetDriverVersion");
    int driver_major = atoi(driver_string);
    printf("NVML driver version %s\n", driver_string);
    if (driver_major < MINIMUM_DRIVER_MAJOR) {
        printf("driver major %d < %d: Ollama drops CUDA devices for this runtime\n", driver_major, MINIMUM_DRIVER_MAJOR);
        failures++;
    }

    int runtime_count = 0;
    check(cudaGetDeviceCount(&runtime_count), "cudaGetDeviceCount");
    if (runtime_count != device_count) {
        printf("cudaGetDeviceCount %d != cuDeviceGetCount %d\n", runtime_count, device_count);
        failures++;
    }

    for (int ordinal = 0; ordinal < device_count; ordinal++) {
        int device = -1, major = 0, minor = 0, integrated = -1;
        char name[256] = "", bus_id[32] = "";
        size_t total_memory = 0;
        check(cuDeviceGet(&device, ordinal), "cuDeviceGet");
        check(cuDeviceGetAttribute(&major, ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device), "cuDeviceGetAttribute(major)");
        check(cuDeviceGetAttribute(&minor, ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device), "cuDeviceGetAttribute(minor)");
        check(cuDeviceGetAttribute(&integrated, ATTRIBUTE_INTEGRATED, device), "cuDeviceGetAttribute(integrated)");
        check(cuDeviceGetName(name, sizeof name, device), "cuDeviceGetName");
        check(cuDeviceTotalMem_v2(&total_memory, device), "cuDeviceTotalMem_v2");
        check(cuDeviceGetPCIBusId(bus_id, sizeof bus_id, device), "cuDeviceGetPCIBusId");
        printf("device %d: %s, compute capability %d.%d, integrated %d, %zu bytes, PCI %s\n",
               ordinal, name, major, minor, integrated, total_memory, bus_id);
        if (major < 5) {
            printf("compute capability below 5.0: Ollama ignores the device\n");
            failures++;
        }

        /* ggml's NVML memory query finds the device by the runtime's UUID. */
        static unsigned char properties[8192];
        memset(properties, 0, sizeof properties);
        check(cudaGetDeviceProperties(properties, ordinal), "cudaGetDeviceProperties");
        const unsigned char *u = properties + DEVICE_PROPERTIES_UUID_OFFSET;
        char uuid[64];
        snprintf(uuid, sizeof uuid,
                 "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
        printf("runtime: %s, uuid %s\n", (const char *)properties + DEVICE_PROPERTIES_NAME_OFFSET, uuid);

        void *handle = NULL;
        nvml_memory memory = {0};
        char nvml_name[96] = "";
        if (nvmlDeviceGetHandleByUUID(uuid, &handle) != 0) {
            printf("NVML has no device with the runtime's UUID: ggml reports no free memory and Ollama skips it\n");
            failures++;
            continue;
        }
        check(nvmlDeviceGetMemoryInfo(handle, &memory), "nvmlDeviceGetMemoryInfo");
        check(nvmlDeviceGetName(handle, nvml_name, sizeof nvml_name), "nvmlDeviceGetName");
        printf("NVML: %s, total %llu, free %llu, used %llu\n", nvml_name, memory.total, memory.free, memory.used);
        if (memory.total != total_memory) {
            printf("NVML total %llu != cuDeviceTotalMem %zu\n", memory.total, total_memory);
            failures++;
        }
        if (strcmp(nvml_name, name) != 0) {
            printf("NVML name differs from the driver's\n");
            failures++;
        }
    }
    check(nvmlShutdown(), "nvmlShutdown");
    if (failures != 0) {
        printf("%d check(s) failed: Ollama would not use the device(s)\n", failures);
        return 1;
    }
    printf("Ollama would use the device(s)\n");
    return 0;
}
