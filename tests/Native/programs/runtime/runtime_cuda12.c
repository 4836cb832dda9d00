/* A CUDA 12 program against libcudart.so.12: the cudaDeviceProp of cudaGetDeviceProperties_v2 (1032 bytes,
 * with the clock and compute-mode fields CUDA 13 dropped) and the runtime version of the 12 ABI. */
#define CUEMU_TEST_ABI 12
#include <string.h>
#include <cuemu/cuemu_api.h>
#include "../check.h"
#include "runtime_structs.h"

int main(void)
{
    struct cudaDeviceProp prop;
    memset(&prop, 0xff, sizeof prop);
    CHECK_EQ(1032, sizeof prop);
    CHECK_EQ(388, offsetof(struct cudaDeviceProp, multiProcessorCount));
    CHECK_EQ(cudaSuccess, cudaGetDeviceProperties_v2(&prop, 0));
    CHECK(strcmp(prop.name, "NVIDIA H100 80GB HBM3") == 0, "name '%s'", prop.name);
    CHECK_EQ(132, prop.multiProcessorCount);
    CHECK_EQ(9, prop.major);
    int clock = 0;
    CHECK_EQ(cudaSuccess, cudaDeviceGetAttribute(&clock, 13 /* cudaDevAttrClockRate */, 0));
    CHECK(clock > 0, "clock %d", clock);
    CHECK_EQ(clock, prop.clockRate);
    CHECK_EQ(0, prop.reserved[59]);
    int version = 0;
    CHECK_EQ(cudaSuccess, cudaRuntimeGetVersion(&version));
    CHECK_EQ(12090, version);
    printf("runtime_cuda12: %d failures\n", check_failures);
    return check_failures;
}
