/* NVML read side by side with the driver (and, with argument "runtime", the runtime) in one process:
 * identity (UUID, PCI, name, compute capability), memory that moves with allocations, the process list with
 * NVML's size negotiation, reference-counted init/shutdown and the documented error codes.
 * Usage: nvml_vs_driver <emulated devices> <visible devices> [runtime]
 * Run with a private CUEMU_LEDGER_DIR, so this process is the only one on its devices. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cuemu/cuemu_api.h>
#include "check.h"

/* nvml.h's process records (the table declares nvmlProcessInfo_t opaque): v1 for the unversioned call,
 * v2 (with MIG instance ids) for _v2/_v3. */
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; } process_info_v1;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId; } process_info_v2;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } memory_v2;

enum { GPU_PCI_DEVICE_ID_ATTRIBUTE = 139 }; /* CU_DEVICE_ATTRIBUTE_GPU_PCI_DEVICE_ID */
enum { ARGUMENT_VERSION_MISMATCH = 25 };    /* NVML_ERROR_ARGUMENT_VERSION_MISMATCH */
#define NVML_MEMORY_V2 (unsigned int)(sizeof(memory_v2) | (2u << 24))
#define MIB (1024ull * 1024ull)

static void format_uuid(const CUuuid* uuid, char* text)
{
    const unsigned char* b = (const unsigned char*)uuid->bytes;
    sprintf(text, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static nvmlMemory_t nvml_memory(nvmlDevice_t device)
{
    nvmlMemory_t memory = { 0 };
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetMemoryInfo(device, &memory));
    CHECK_EQ(memory.total, memory.free + memory.used);
    return memory;
}

static void check_before_init(void)
{
    unsigned int count = 0;
    nvmlDevice_t device = NULL;
    CHECK_EQ(NVML_ERROR_UNINITIALIZED, nvmlDeviceGetCount_v2(&count));
    CHECK_EQ(NVML_ERROR_UNINITIALIZED, nvmlDeviceGetHandleByIndex_v2(0, &device));
    CHECK_EQ(NVML_ERROR_UNINITIALIZED, nvmlShutdown());
    CHECK(strcmp(nvmlErrorString(NVML_ERROR_UNINITIALIZED), "Uninitialized") == 0, "'%s'", nvmlErrorString(NVML_ERROR_UNINITIALIZED));
    CHECK(strcmp(nvmlErrorString(NVML_ERROR_INSUFFICIENT_SIZE), "Insufficient Size") == 0, "'%s'", nvmlErrorString(NVML_ERROR_INSUFFICIENT_SIZE));
    CHECK(strcmp(nvmlErrorString((nvmlReturn_t)12345), "Unknown Error") == 0, "'%s'", nvmlErrorString((nvmlReturn_t)12345));
    CHECK(nvmlErrorString(NVML_SUCCESS) == nvmlErrorString(NVML_SUCCESS), "error strings are stable pointers");
}

static void check_system(void)
{
    char version[80], nvml_version[80], tiny[4];
    CHECK_EQ(NVML_SUCCESS, nvmlSystemGetDriverVersion(version, sizeof version));
    CHECK(atoi(version) >= 570, "driver '%s' is below 570: Ollama would drop the device", version);
    CHECK_EQ(NVML_ERROR_INSUFFICIENT_SIZE, nvmlSystemGetDriverVersion(tiny, sizeof tiny));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlSystemGetDriverVersion(NULL, 80));

    int cuda_version = 0, nvml_cuda = 0, nvml_cuda_v2 = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDriverGetVersion(&cuda_version));
    CHECK_EQ(NVML_SUCCESS, nvmlSystemGetCudaDriverVersion(&nvml_cuda));
    CHECK_EQ(NVML_SUCCESS, nvmlSystemGetCudaDriverVersion_v2(&nvml_cuda_v2));
    CHECK_EQ(cuda_version, nvml_cuda);
    CHECK_EQ(cuda_version, nvml_cuda_v2);
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlSystemGetCudaDriverVersion(NULL));

    /* NVML's version is the CUDA major version, then the driver version. */
    char expected[96];
    snprintf(expected, sizeof expected, "%d.%s", cuda_version / 1000, version);
    CHECK_EQ(NVML_SUCCESS, nvmlSystemGetNVMLVersion(nvml_version, sizeof nvml_version));
    CHECK(strcmp(expected, nvml_version) == 0, "NVML version '%s', expected '%s'", nvml_version, expected);
}

/* Identity of CUDA device `ordinal` as NVML sees it; returns its NVML handle. */
static nvmlDevice_t check_identity(CUdevice ordinal)
{
    CUuuid uuid;
    char uuid_text[96], nvml_uuid[96];
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetUuid_v2(&uuid, ordinal));
    format_uuid(&uuid, uuid_text);
    nvmlDevice_t device = NULL;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetHandleByUUID(uuid_text, &device));
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetUUID(device, nvml_uuid, sizeof nvml_uuid));
    CHECK(strcmp(uuid_text, nvml_uuid) == 0, "NVML uuid '%s', cuDeviceGetUuid '%s'", nvml_uuid, uuid_text);

    char cuda_name[256], nvml_name[96];
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetName(cuda_name, sizeof cuda_name, ordinal));
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetName(device, nvml_name, sizeof nvml_name));
    CHECK(strcmp(cuda_name, nvml_name) == 0, "NVML name '%s', CUDA '%s'", nvml_name, cuda_name);
    CHECK_EQ(NVML_ERROR_INSUFFICIENT_SIZE, nvmlDeviceGetName(device, nvml_name, (unsigned int)strlen(cuda_name)));

    int domain = -1, bus = -1, slot = -1, pci_id = 0, major = 0, minor = 0, clock_khz = 0, memory_khz = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&domain, CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID, ordinal));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&bus, CU_DEVICE_ATTRIBUTE_PCI_BUS_ID, ordinal));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&slot, CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID, ordinal));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&pci_id, (CUdevice_attribute)GPU_PCI_DEVICE_ID_ATTRIBUTE, ordinal));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, ordinal));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, ordinal));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&clock_khz, CU_DEVICE_ATTRIBUTE_CLOCK_RATE, ordinal));
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&memory_khz, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, ordinal));

    nvmlPciInfo_t pci;
    memset(&pci, 0xAB, sizeof pci);
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetPciInfo_v3(device, &pci));
    char bus_id[32], legacy[16];
    snprintf(bus_id, sizeof bus_id, "%08X:%02X:%02X.0", domain, bus, slot);
    snprintf(legacy, sizeof legacy, "%04X:%02X:%02X.0", domain, bus, slot);
    CHECK(strcmp(bus_id, pci.busId) == 0, "busId '%.32s', expected '%s'", pci.busId, bus_id);
    CHECK(strcmp(legacy, pci.busIdLegacy) == 0, "busIdLegacy '%.16s', expected '%s'", pci.busIdLegacy, legacy);
    CHECK_EQ(domain, pci.domain);
    CHECK_EQ(bus, pci.bus);
    CHECK_EQ(slot, pci.device);
    CHECK_EQ((unsigned int)pci_id, pci.pciDeviceId);
    CHECK_EQ(0x10DE, pci.pciDeviceId & 0xFFFF); /* NVIDIA's vendor id in the low half */

    /* The original layout ends after pciSubSystemId: nothing beyond it may be written. */
    unsigned char v1[sizeof pci];
    memset(v1, 0xAB, sizeof v1);
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetPciInfo(device, (nvmlPciInfo_t*)v1));
    CHECK(memcmp(v1, legacy, strlen(legacy) + 1) == 0, "v1 busId '%.16s'", (char*)v1);
    CHECK_EQ(0xAB, v1[36]);

    /* The bus id CUDA prints finds the same device, in CUDA's and NVML's spellings. */
    char cuda_bus_id[32];
    nvmlDevice_t by_bus = NULL;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetPCIBusId(cuda_bus_id, sizeof cuda_bus_id, ordinal));
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetHandleByPciBusId_v2(cuda_bus_id, &by_bus));
    CHECK(by_bus == device, "bus id '%s' found another device", cuda_bus_id);
    by_bus = NULL;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetHandleByPciBusId(pci.busId, &by_bus));
    CHECK(by_bus == device, "bus id '%s' found another device", pci.busId);

    int nvml_major = 0, nvml_minor = -1, architecture = 0;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetCudaComputeCapability(device, &nvml_major, &nvml_minor));
    CHECK_EQ(major, nvml_major);
    CHECK_EQ(minor, nvml_minor);
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetArchitecture(device, (nvmlDeviceArchitecture_t*)&architecture));
    if (major == 9) CHECK_EQ(9, architecture); /* NVML_DEVICE_ARCH_HOPPER */

    unsigned int clock = 0, max_clock = 0;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetClockInfo(device, NVML_CLOCK_SM, &clock));
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetMaxClockInfo(device, NVML_CLOCK_SM, &max_clock));
    CHECK_EQ(clock_khz / 1000, max_clock);
    CHECK(clock <= max_clock, "clock %u above max %u", clock, max_clock);
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetMaxClockInfo(device, NVML_CLOCK_MEM, &max_clock));
    CHECK_EQ(memory_khz / 1000, max_clock);
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetClockInfo(device, (nvmlClockType_t)9, &clock));

    size_t total = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceTotalMem_v2(&total, ordinal));
    CHECK_EQ(total, nvml_memory(device).total);
    return device;
}

static unsigned int process_count(nvmlDevice_t device)
{
    unsigned int count = 0;
    nvmlReturn_t result = nvmlDeviceGetComputeRunningProcesses_v3(device, &count, NULL);
    CHECK(result == NVML_SUCCESS || result == NVML_ERROR_INSUFFICIENT_SIZE, "result %d", (int)result);
    return count;
}

/* Memory moves with this process's allocations, identically in NVML and cuMemGetInfo; the process list shows it. */
static void check_memory(CUdevice ordinal, nvmlDevice_t device)
{
    CUcontext context = NULL;
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRetain(&context, ordinal));
    CHECK_EQ(CUDA_SUCCESS, cuCtxSetCurrent(context));
    size_t free_before = 0, total = 0, free_after = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemGetInfo_v2(&free_before, &total));
    nvmlMemory_t before = nvml_memory(device);
    CHECK_EQ(free_before, before.free);
    CHECK_EQ(0, process_count(device));

    CUdeviceptr block = 0;
    CHECK_EQ(CUDA_SUCCESS, cuMemAlloc_v2(&block, 64 * MIB));
    CHECK_EQ(CUDA_SUCCESS, cuMemGetInfo_v2(&free_after, &total));
    nvmlMemory_t after = nvml_memory(device);
    CHECK_EQ(before.used + 64 * MIB, after.used);
    CHECK_EQ(free_after, after.free);

    memory_v2 memory2 = { .version = NVML_MEMORY_V2 };
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetMemoryInfo_v2(device, (nvmlMemory_v2_t*)&memory2));
    CHECK_EQ(after.total, memory2.total);
    CHECK_EQ(after.used, memory2.used);
    CHECK_EQ(memory2.total, memory2.free + memory2.used + memory2.reserved);
    memory2.version = 1;
    CHECK_EQ(ARGUMENT_VERSION_MISMATCH, nvmlDeviceGetMemoryInfo_v2(device, (nvmlMemory_v2_t*)&memory2));

    /* Size negotiation: too small a buffer gets the count and INSUFFICIENT_SIZE, then the records. */
    unsigned int count = 0;
    CHECK_EQ(NVML_ERROR_INSUFFICIENT_SIZE, nvmlDeviceGetComputeRunningProcesses_v3(device, &count, NULL));
    CHECK_EQ(1, count);
    process_info_v2 records[4];
    memset(records, 0xCD, sizeof records);
    count = 4;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetComputeRunningProcesses_v3(device, &count, (nvmlProcessInfo_t*)records));
    CHECK_EQ(1, count);
    CHECK_EQ(getpid(), records[0].pid);
    CHECK_EQ(after.used, records[0].usedGpuMemory);
    CHECK_EQ(0xFFFFFFFFu, records[0].gpuInstanceId);
    CHECK_EQ(0xFFFFFFFFu, records[0].computeInstanceId);
    CHECK_EQ(0xCDCDCDCDu, records[1].pid);
    process_info_v1 old[2];
    count = 2;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetComputeRunningProcesses(device, &count, (nvmlProcessInfo_t*)old));
    CHECK_EQ(1, count);
    CHECK_EQ(getpid(), old[0].pid);
    CHECK_EQ(after.used, old[0].usedGpuMemory);
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetComputeRunningProcesses_v2(device, NULL, (nvmlProcessInfo_t*)records));
    count = 1;
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetComputeRunningProcesses_v2(device, &count, NULL));

    CHECK_EQ(CUDA_SUCCESS, cuMemFree_v2(block));
    CHECK_EQ(before.used, nvml_memory(device).used);
    CHECK_EQ(0, process_count(device));
    CHECK_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRelease_v2(ordinal));
}

/* The runtime on the same device: cudaMemGetInfo agrees with NVML, cudaDeviceProp.uuid with NVML's UUID. */
static void check_runtime(int ordinal, nvmlDevice_t device)
{
    CHECK_EQ(cudaSuccess, cudaSetDevice(ordinal));
    void* block = NULL;
    CHECK_EQ(cudaSuccess, cudaMalloc(&block, 32 * MIB));
    size_t free_bytes = 0, total = 0;
    CHECK_EQ(cudaSuccess, cudaMemGetInfo(&free_bytes, &total));
    nvmlMemory_t memory = nvml_memory(device);
    CHECK_EQ(free_bytes, memory.free);
    CHECK_EQ(total, memory.total);
    CHECK(memory.used >= 32 * MIB, "used %llu", memory.used);

    /* cudaDeviceProp (CUDA 13 layout) starts with char name[256] and then cudaUUID_t uuid. */
    static unsigned char properties[4096] __attribute__((aligned(16)));
    CHECK_EQ(cudaSuccess, cudaGetDeviceProperties((struct cudaDeviceProp*)properties, ordinal));
    CUuuid uuid;
    char from_properties[96], from_nvml[96];
    memcpy(uuid.bytes, properties + 256, 16);
    format_uuid(&uuid, from_properties);
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetUUID(device, from_nvml, sizeof from_nvml));
    CHECK(strcmp(from_properties, from_nvml) == 0, "cudaDeviceProp.uuid '%s', NVML '%s'", from_properties, from_nvml);
    CHECK_EQ(cudaSuccess, cudaFree(block));
}

static void check_errors_and_telemetry(nvmlDevice_t device, unsigned int device_count)
{
    nvmlDevice_t other = NULL;
    char text[96];
    unsigned int value = 0;
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetHandleByIndex_v2(device_count, &other));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetHandleByIndex_v2(0, NULL));
    CHECK_EQ(NVML_ERROR_NOT_FOUND, nvmlDeviceGetHandleByUUID("GPU-00000000-0000-0000-0000-000000000000", &other));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetHandleByUUID(NULL, &other));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetHandleByPciBusId_v2("not a bus id", &other));
    CHECK_EQ(NVML_ERROR_NOT_FOUND, nvmlDeviceGetHandleByPciBusId_v2("00000000:FF:1F.0", &other));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetName(NULL, text, sizeof text));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetName((nvmlDevice_t)0x1234, text, sizeof text));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetUUID(device, NULL, sizeof text));
    CHECK_EQ(NVML_ERROR_INSUFFICIENT_SIZE, nvmlDeviceGetUUID(device, text, 10));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetMemoryInfo(device, NULL));
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlDeviceGetTemperature(device, (nvmlTemperatureSensors_t)1, &value));

    /* Telemetry is modelled (documented constants): plausible, and identical call to call. */
    unsigned int temperature = 0, again = 1, power = 0, limit = 0, enforced = 0;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetTemperature(device, NVML_TEMPERATURE_GPU, &temperature));
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetTemperature(device, NVML_TEMPERATURE_GPU, &again));
    CHECK_EQ(temperature, again);
    CHECK(temperature >= 20 && temperature <= 90, "temperature %u", temperature);
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetPowerManagementLimit(device, &limit));
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetEnforcedPowerLimit(device, &enforced));
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetPowerUsage(device, &power));
    CHECK(power > 0 && power <= limit && enforced == limit, "power %u mW, limit %u, enforced %u", power, limit, enforced);
    nvmlUtilization_t utilization = { 7, 7 };
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetUtilizationRates(device, &utilization));
    CHECK(utilization.gpu <= 100 && utilization.memory <= 100, "utilisation %u/%u", utilization.gpu, utilization.memory);
    int state = -1;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetPerformanceState(device, (nvmlPstates_t*)&state));
    CHECK(state >= 0 && state <= 15, "P-state %d", state);
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetComputeMode(device, (nvmlComputeMode_t*)&state));
    CHECK_EQ(0, state); /* NVML_COMPUTEMODE_DEFAULT, as the persona's CU_DEVICE_ATTRIBUTE_COMPUTE_MODE */
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetPersistenceMode(device, (nvmlEnableState_t*)&state));
    CHECK(state == 0 || state == 1, "persistence %d", state);
    printf("telemetry: %u C, %u/%u mW, utilisation %u%%\n", temperature, power, limit, utilization.gpu);
}

int main(int argc, char** argv)
{
    if (argc < 3) return 2;
    unsigned int emulated = (unsigned int)atoi(argv[1]);
    int visible = atoi(argv[2]);
    int with_runtime = argc > 3 && strcmp(argv[3], "runtime") == 0;

    check_before_init();
    CHECK_EQ(NVML_SUCCESS, nvmlInit_v2());
    CHECK_EQ(NVML_SUCCESS, nvmlInitWithFlags(0x1)); /* NVML_INIT_FLAG_NO_GPUS: a second reference */
    CHECK_EQ(NVML_ERROR_INVALID_ARGUMENT, nvmlInitWithFlags(0x100));
    check_system();

    /* NVML counts every GPU; CUDA only those CUDA_VISIBLE_DEVICES leaves. */
    unsigned int count = 0, index = 99;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetCount_v2(&count));
    CHECK_EQ(emulated, count);
    CHECK_EQ(CUDA_SUCCESS, cuInit(0));
    int cuda_count = 0;
    CHECK_EQ(CUDA_SUCCESS, cuDeviceGetCount(&cuda_count));
    CHECK_EQ(visible, cuda_count);
    for (unsigned int i = 0; i < count; i++)
    {
        nvmlDevice_t device = NULL;
        CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetHandleByIndex_v2(i, &device));
        CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetIndex(device, &index));
        CHECK_EQ(i, index);
        CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetMinorNumber(device, &index));
        CHECK_EQ(i, index);
    }

    for (CUdevice ordinal = 0; ordinal < cuda_count; ordinal++)
    {
        nvmlDevice_t device = check_identity(ordinal);
        CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetIndex(device, &index));
        printf("CUDA device %d is NVML device %u\n", ordinal, index);
        check_memory(ordinal, device);
        if (with_runtime) check_runtime(ordinal, device);
        check_errors_and_telemetry(device, count);
    }

    nvmlDevice_t first = NULL;
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetHandleByIndex(0, &first));
    CHECK_EQ(NVML_SUCCESS, nvmlShutdown());
    CHECK_EQ(NVML_SUCCESS, nvmlDeviceGetCount(&count)); /* one reference is left */
    CHECK_EQ(NVML_SUCCESS, nvmlShutdown());
    CHECK_EQ(NVML_ERROR_UNINITIALIZED, nvmlDeviceGetIndex(first, &index));
    CHECK_EQ(NVML_ERROR_UNINITIALIZED, nvmlShutdown());
    printf("nvml_vs_driver: %d failures\n", check_failures);
    return check_failures == 0 ? 0 : 1;
}
