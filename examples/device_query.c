/* deviceQuery through the driver API: what a CUDA program sees of the emulated GPU (persona: CUEMU_PERSONA). */
#include <stdio.h>
#include <cuemu/cuemu_api.h>

#define CALL(expression)                                                                  \
    do {                                                                                  \
        CUresult status_ = (expression);                                                  \
        if (status_ != CUDA_SUCCESS) {                                                    \
            const char* name_ = "?";                                                      \
            cuGetErrorName(status_, &name_);                                              \
            fprintf(stderr, "%s failed: %s (%d)\n", #expression, name_, (int)status_);     \
            return 1;                                                                     \
        }                                                                                 \
    } while (0)

static int attribute(CUdevice device, CUdevice_attribute which)
{
    int value = -1;
    cuDeviceGetAttribute(&value, which, device);
    return value;
}

int main(void)
{
    int driver = 0, count = 0;
    CALL(cuInit(0));
    CALL(cuDriverGetVersion(&driver));
    CALL(cuDeviceGetCount(&count));
    printf("CUDA driver version %d.%d, %d device(s)\n", driver / 1000, driver % 1000 / 10, count);
    for (int i = 0; i < count; i++) {
        CUdevice device;
        char name[256], bus[32];
        size_t memory = 0;
        CUuuid uuid;
        CALL(cuDeviceGet(&device, i));
        CALL(cuDeviceGetName(name, sizeof name, device));
        CALL(cuDeviceTotalMem(&memory, device));
        CALL(cuDeviceGetPCIBusId(bus, sizeof bus, device));
        CALL(cuDeviceGetUuid_v2(&uuid, device));
        printf("\nDevice %d: \"%s\"\n", i, name);
        printf("  compute capability               %d.%d\n",
               attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
               attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR));
        printf("  global memory                    %zu MiB (%zu bytes)\n", memory >> 20, memory);
        printf("  multiprocessors                  %d\n", attribute(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT));
        printf("  warp size                        %d\n", attribute(device, CU_DEVICE_ATTRIBUTE_WARP_SIZE));
        printf("  max threads per block            %d\n", attribute(device, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK));
        printf("  shared memory per block (opt-in) %d bytes\n",
               attribute(device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN));
        printf("  clock rate                       %d kHz\n", attribute(device, CU_DEVICE_ATTRIBUTE_CLOCK_RATE));
        printf("  virtual memory management        %s\n",
               attribute(device, CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED) ? "yes" : "no");
        printf("  integrated                       %s\n", attribute(device, CU_DEVICE_ATTRIBUTE_INTEGRATED) ? "yes" : "no");
        printf("  PCI bus id                       %s\n", bus);
        printf("  UUID                             GPU-");
        for (int b = 0; b < 16; b++)
            printf("%02x%s", (unsigned char)uuid.bytes[b], b == 3 || b == 5 || b == 7 || b == 9 ? "-" : "");
        printf("\n");
    }
    return 0;
}
