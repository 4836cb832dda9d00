/* Runtime structs that cuemu_api.h leaves opaque, declared as NVIDIA's headers lay them out: cudaDeviceProp per
 * ABI (the test picks CUEMU_TEST_ABI 12 or 13; its field lists are in cuda_device_prop.h, shared with the layout
 * oracle of tests/Property), cudaFuncAttributes (12/13), cudaGraphExecUpdateResultInfo and the fatbin wrapper nvcc
 * emits. */
#ifndef CUEMU_TEST_RUNTIME_STRUCTS_H
#define CUEMU_TEST_RUNTIME_STRUCTS_H
#include <stddef.h>
#include "cuda_device_prop.h"

#if CUEMU_TEST_ABI == 13
struct cudaDeviceProp { CUEMU_DEVICE_PROP_13_FIELDS(CUEMU_DECLARE_FIELD) };
#endif
#if CUEMU_TEST_ABI == 12
struct cudaDeviceProp { CUEMU_DEVICE_PROP_12_FIELDS(CUEMU_DECLARE_FIELD) };
#endif

struct cudaFuncAttributes {
    size_t sharedSizeBytes, constSizeBytes, localSizeBytes;
    int maxThreadsPerBlock, numRegs, ptxVersion, binaryVersion, cacheModeCA, maxDynamicSharedSizeBytes;
    int preferredShmemCarveout, clusterDimMustBeSet, requiredClusterWidth, requiredClusterHeight, requiredClusterDepth;
    int clusterSchedulingPolicyPreference, nonPortableClusterSizeAllowed;
    int reserved[16];
};

struct cudaGraphExecUpdateResultInfo_st {
    int result;
    void* errorNode;
    void* errorFromNode;
};

/* .nvFatBinSegment: {magic 0x466243B1, version 1, container, unused} */
struct fatbin_wrapper {
    unsigned int magic, version;
    const void* container;
    const void* unused;
};

#endif
