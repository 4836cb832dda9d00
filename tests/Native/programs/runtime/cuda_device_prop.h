/* cudaDeviceProp as NVIDIA's driver_types.h lays it out in each toolkit (CUDA 11.x, 12.x, 13.x), written once for
 * every C file that needs it: the runtime test programs declare `struct cudaDeviceProp` from it for the ABI they are
 * built for (runtime_structs.h), and the layout oracle of tests/Property (cuda_device_prop_abi.c) prints gcc's offsets
 * of all three for the C# structs to be compared with.
 *
 * Each list is an X-macro: FIELD(type, name, array extent or nothing), in declaration order. CUDA 12 appends to
 * CUDA 11's fields; CUDA 13 drops the deprecated ones (clockRate, deviceOverlap, kernelExecTimeoutEnabled,
 * computeMode, maxTexture1DLinear, memoryClockRate, singleToDoublePrecisionPerfRatio,
 * cooperativeMultiDeviceLaunch) and appends NUMA and MPS fields in place of reserved words. */
#ifndef CUEMU_TEST_CUDA_DEVICE_PROP_H
#define CUEMU_TEST_CUDA_DEVICE_PROP_H
#include <stddef.h>

/* Declares one field: `CUEMU_DEVICE_PROP_13_FIELDS(CUEMU_DECLARE_FIELD)` inside a struct body. */
#define CUEMU_DECLARE_FIELD(type, name, extent) type name extent;

#define CUEMU_DEVICE_PROP_11_FIELDS(FIELD) \
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
    FIELD(int, clockRate, ) \
    FIELD(size_t, totalConstMem, ) \
    FIELD(int, major, ) \
    FIELD(int, minor, ) \
    FIELD(size_t, textureAlignment, ) \
    FIELD(size_t, texturePitchAlignment, ) \
    FIELD(int, deviceOverlap, ) \
    FIELD(int, multiProcessorCount, ) \
    FIELD(int, kernelExecTimeoutEnabled, ) \
    FIELD(int, integrated, ) \
    FIELD(int, canMapHostMemory, ) \
    FIELD(int, computeMode, ) \
    FIELD(int, maxTexture1D, ) \
    FIELD(int, maxTexture1DMipmap, ) \
    FIELD(int, maxTexture1DLinear, ) \
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
    FIELD(int, memoryClockRate, ) \
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
    FIELD(int, singleToDoublePrecisionPerfRatio, ) \
    FIELD(int, pageableMemoryAccess, ) \
    FIELD(int, concurrentManagedAccess, ) \
    FIELD(int, computePreemptionSupported, ) \
    FIELD(int, canUseHostPointerForRegisteredMem, ) \
    FIELD(int, cooperativeLaunch, ) \
    FIELD(int, cooperativeMultiDeviceLaunch, ) \
    FIELD(size_t, sharedMemPerBlockOptin, ) \
    FIELD(int, pageableMemoryAccessUsesHostPageTables, ) \
    FIELD(int, directManagedMemAccessFromHost, ) \
    FIELD(int, maxBlocksPerMultiProcessor, ) \
    FIELD(int, accessPolicyMaxWindowSize, ) \
    FIELD(size_t, reservedSharedMemPerBlock, )

#define CUEMU_DEVICE_PROP_12_FIELDS(FIELD) \
    CUEMU_DEVICE_PROP_11_FIELDS(FIELD) \
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
    FIELD(int, unifiedFunctionPointers, ) \
    FIELD(int, reserved2, [2]) \
    FIELD(int, reserved1, ) \
    FIELD(int, reserved, [60])

#define CUEMU_DEVICE_PROP_13_FIELDS(FIELD) \
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
    FIELD(size_t, totalConstMem, ) \
    FIELD(int, major, ) \
    FIELD(int, minor, ) \
    FIELD(size_t, textureAlignment, ) \
    FIELD(size_t, texturePitchAlignment, ) \
    FIELD(int, multiProcessorCount, ) \
    FIELD(int, integrated, ) \
    FIELD(int, canMapHostMemory, ) \
    FIELD(int, maxTexture1D, ) \
    FIELD(int, maxTexture1DMipmap, ) \
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
    FIELD(int, pageableMemoryAccess, ) \
    FIELD(int, concurrentManagedAccess, ) \
    FIELD(int, computePreemptionSupported, ) \
    FIELD(int, canUseHostPointerForRegisteredMem, ) \
    FIELD(int, cooperativeLaunch, ) \
    FIELD(size_t, sharedMemPerBlockOptin, ) \
    FIELD(int, pageableMemoryAccessUsesHostPageTables, ) \
    FIELD(int, directManagedMemAccessFromHost, ) \
    FIELD(int, maxBlocksPerMultiProcessor, ) \
    FIELD(int, accessPolicyMaxWindowSize, ) \
    FIELD(size_t, reservedSharedMemPerBlock, ) \
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
    FIELD(int, unifiedFunctionPointers, ) \
    FIELD(int, deviceNumaConfig, ) \
    FIELD(int, deviceNumaId, ) \
    FIELD(int, mpsEnabled, ) \
    FIELD(int, hostNumaId, ) \
    FIELD(unsigned int, gpuPciDeviceID, ) \
    FIELD(unsigned int, gpuPciSubsystemID, ) \
    FIELD(int, hostNumaMultinodeIpcSupported, ) \
    FIELD(int, reserved, [56])

#endif
