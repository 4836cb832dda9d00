/* cudaDeviceProp as NVIDIA's driver_types.h lays it out in each toolkit (CUDA 11.x, 12.x, 13.x), written once for
 * every C file that needs it: the runtime test programs declare `struct cudaDeviceProp` from it for the ABI they are
 * built for (runtime_structs.h), and the layout oracle of tests/Property (cuda_device_prop_abi.c) prints gcc's offsets
 * of all three for the C# structs to be compared with.
 *
 * Each list is an X-macro: FIELD(type, name, array extent or nothing), in declaration order. CUDA 12 appends to
 * CUDA 11's fields; CUDA 13 drops the deprecated ones (marked LEGACY below) and appends NUMA and MPS fields where
 * CUDA 12 has reserved words. */
#ifndef CUEMU_TEST_CUDA_DEVICE_PROP_H
#define CUEMU_TEST_CUDA_DEVICE_PROP_H
#include <stddef.h>

/* Declares one field: `CUEMU_DEVICE_PROP_13_FIELDS(CUEMU_DECLARE_FIELD)` inside a struct body. */
#define CUEMU_DECLARE_FIELD(type, name, extent) type name extent;
/* Leaves a field out (CUDA 13's removal of the deprecated fields). */
#define CUEMU_OMIT_FIELD(type, name, extent)

/* CUDA 11's fields; LEGACY marks those CUDA 13 removed. */
#define CUEMU_DEVICE_PROP_BASE_FIELDS(FIELD, LEGACY) \
    FIELD(char, name, [256]) \
    FIELD(char, uuid, [16]) \
    FIELD(char, luid, [8]) \
    FIELD(unsigned int, luidDeviceNodeMask, ) \
    FIELD(size_t, totalGlobalMem, ) \
    FIELD(size_t, sharedMemPerBlock, ) \
    FIELD(int, regsPerBlock, ) \
    FIELD(int, warpSize, ) \
    FIELD(size_t, memPitch, ) \
    FIELD(int, maxThreadsPerBlock, ) \
    FIELD(int, maxThreadsDim, [3]) \
    FIELD(int, maxGridSize, [3]) \
    LEGACY(int, clockRate, ) \
    FIELD(size_t, totalConstMem, ) \
    FIELD(int, major, ) \
    FIELD(int, minor, ) \
    FIELD(size_t, textureAlignment, ) \
    FIELD(size_t, texturePitchAlignment, ) \
    LEGACY(int, deviceOverlap, ) \
    FIELD(int, multiProcessorCount, ) \
    LEGACY(int, kernelExecTimeoutEnabled, ) \
    FIELD(int, integrated, ) \
    FIELD(int, canMapHostMemory, ) \
    LEGACY(int, computeMode, ) \
    FIELD(int, maxTexture1D, ) \
    FIELD(int, maxTexture1DMipmap, ) \
    LEGACY(int, maxTexture1DLinear, ) \
    FIELD(int, maxTexture2D, [2]) \
    FIELD(int, maxTexture2DMipmap, [2]) \
    FIELD(int, maxTexture2DLinear, [3]) \
    FIELD(int, maxTexture2DGather, [2]) \
    FIELD(int, maxTexture3D, [3]) \
    FIELD(int, maxTexture3DAlt, [3]) \
    FIELD(int, maxTextureCubemap, ) \
    FIELD(int, maxTexture1DLayered, [2]) \
    FIELD(int, maxTexture2DLayered, [3]) \
    FIELD(int, maxTextureCubemapLayered, [2]) \
    FIELD(int, maxSurface1D, ) \
    FIELD(int, maxSurface2D, [2]) \
    FIELD(int, maxSurface3D, [3]) \
    FIELD(int, maxSurface1DLayered, [2]) \
    FIELD(int, maxSurface2DLayered, [3]) \
    FIELD(int, maxSurfaceCubemap, ) \
    FIELD(int, maxSurfaceCubemapLayered, [2]) \
    FIELD(size_t, surfaceAlignment, ) \
    FIELD(int, concurrentKernels, ) \
    FIELD(int, ECCEnabled, ) \
    FIELD(int, pciBusID, ) \
    FIELD(int, pciDeviceID, ) \
    FIELD(int, pciDomainID, ) \
    FIELD(int, tccDriver, ) \
    FIELD(int, asyncEngineCount, ) \
    FIELD(int, unifiedAddressing, ) \
    LEGACY(int, memoryClockRate, ) \
    FIELD(int, memoryBusWidth, ) \
    FIELD(int, l2CacheSize, ) \
    FIELD(int, persistingL2CacheMaxSize, ) \
    FIELD(int, maxThreadsPerMultiProcessor, ) \
    FIELD(int, streamPrioritiesSupported, ) \
    FIELD(int, globalL1CacheSupported, ) \
    FIELD(int, localL1CacheSupported, ) \
    FIELD(size_t, sharedMemPerMultiprocessor, ) \
    FIELD(int, regsPerMultiprocessor, ) \
    FIELD(int, managedMemory, ) \
    FIELD(int, isMultiGpuBoard, ) \
    FIELD(int, multiGpuBoardGroupID, ) \
    FIELD(int, hostNativeAtomicSupported, ) \
    LEGACY(int, singleToDoublePrecisionPerfRatio, ) \
    FIELD(int, pageableMemoryAccess, ) \
    FIELD(int, concurrentManagedAccess, ) \
    FIELD(int, computePreemptionSupported, ) \
    FIELD(int, canUseHostPointerForRegisteredMem, ) \
    FIELD(int, cooperativeLaunch, ) \
    LEGACY(int, cooperativeMultiDeviceLaunch, ) \
    FIELD(size_t, sharedMemPerBlockOptin, ) \
    FIELD(int, pageableMemoryAccessUsesHostPageTables, ) \
    FIELD(int, directManagedMemAccessFromHost, ) \
    FIELD(int, maxBlocksPerMultiProcessor, ) \
    FIELD(int, accessPolicyMaxWindowSize, ) \
    FIELD(size_t, reservedSharedMemPerBlock, )

/* Appended by CUDA 12 and kept by CUDA 13. */
#define CUEMU_DEVICE_PROP_12_13_FIELDS(FIELD) \
    FIELD(int, hostRegisterSupported, ) \
    FIELD(int, sparseCudaArraySupported, ) \
    FIELD(int, hostRegisterReadOnlySupported, ) \
    FIELD(int, timelineSemaphoreInteropSupported, ) \
    FIELD(int, memoryPoolsSupported, ) \
    FIELD(int, gpuDirectRDMASupported, ) \
    FIELD(unsigned int, gpuDirectRDMAFlushWritesOptions, ) \
    FIELD(int, gpuDirectRDMAWritesOrdering, ) \
    FIELD(unsigned int, memoryPoolSupportedHandleTypes, ) \
    FIELD(int, deferredMappingCudaArraySupported, ) \
    FIELD(int, ipcEventSupported, ) \
    FIELD(int, clusterLaunch, ) \
    FIELD(int, unifiedFunctionPointers, )

#define CUEMU_DEVICE_PROP_11_FIELDS(FIELD) \
    CUEMU_DEVICE_PROP_BASE_FIELDS(FIELD, FIELD)

#define CUEMU_DEVICE_PROP_12_FIELDS(FIELD) \
    CUEMU_DEVICE_PROP_BASE_FIELDS(FIELD, FIELD) \
    CUEMU_DEVICE_PROP_12_13_FIELDS(FIELD) \
    FIELD(int, reserved2, [2]) \
    FIELD(int, reserved1, ) \
    FIELD(int, reserved, [60])

#define CUEMU_DEVICE_PROP_13_FIELDS(FIELD) \
    CUEMU_DEVICE_PROP_BASE_FIELDS(FIELD, CUEMU_OMIT_FIELD) \
    CUEMU_DEVICE_PROP_12_13_FIELDS(FIELD) \
    FIELD(int, deviceNumaConfig, ) \
    FIELD(int, deviceNumaId, ) \
    FIELD(int, mpsEnabled, ) \
    FIELD(int, hostNumaId, ) \
    FIELD(unsigned int, gpuPciDeviceID, ) \
    FIELD(unsigned int, gpuPciSubsystemID, ) \
    FIELD(int, hostNumaMultinodeIpcSupported, ) \
    FIELD(int, reserved, [56])

#endif
