using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace Emulator.Driver.Runtime;

/// <summary>What cudaGetDeviceProperties needs besides attributes: cuDeviceGetName, cuDeviceGetUuid, cuDeviceTotalMem.</summary>
public sealed record DeviceIdentity(string Name, byte[] Uuid, ulong TotalGlobalMemory);

/// <summary>
/// Fills any of the cudaDeviceProp ABIs the way libcudart does: every field is one driver attribute
/// (or a vector of them), so one table serves CUDA 11, 12 and 13 and a field that an ABI lacks is skipped.
/// </summary>
public static class DevicePropertiesWriter
{
    private enum Width { Int32, SizeT }

    private readonly record struct Field(string Name, Width Width, int[] DriverAttributes);

    private static Field I(string name, params int[] attributes) => new(name, Width.Int32, attributes);
    private static Field Z(string name, int attribute) => new(name, Width.SizeT, [attribute]);

    /// <summary>cudaDeviceProp field → CUdevice_attribute number(s), in declaration order.</summary>
    private static readonly Field[] Fields =
    [
        Z("sharedMemPerBlock", 8), I("regsPerBlock", 12), I("warpSize", 10), Z("memPitch", 11),
        I("maxThreadsPerBlock", 1), I("maxThreadsDim", 2, 3, 4), I("maxGridSize", 5, 6, 7), I("clockRate", 13),
        Z("totalConstMem", 9), I("major", 75), I("minor", 76), Z("textureAlignment", 14),
        Z("texturePitchAlignment", 51), I("deviceOverlap", 15), I("multiProcessorCount", 16),
        I("kernelExecTimeoutEnabled", 17), I("integrated", 18), I("canMapHostMemory", 19), I("computeMode", 20),
        I("maxTexture1D", 21), I("maxTexture1DMipmap", 77), I("maxTexture1DLinear", 69), I("maxTexture2D", 22, 23),
        I("maxTexture2DMipmap", 73, 74), I("maxTexture2DLinear", 70, 71, 72), I("maxTexture2DGather", 45, 46),
        I("maxTexture3D", 24, 25, 26), I("maxTexture3DAlt", 47, 48, 49), I("maxTextureCubemap", 52),
        I("maxTexture1DLayered", 42, 43), I("maxTexture2DLayered", 27, 28, 29), I("maxTextureCubemapLayered", 53, 54),
        I("maxSurface1D", 55), I("maxSurface2D", 56, 57), I("maxSurface3D", 58, 59, 60),
        I("maxSurface1DLayered", 61, 62), I("maxSurface2DLayered", 63, 64, 65), I("maxSurfaceCubemap", 66),
        I("maxSurfaceCubemapLayered", 67, 68), Z("surfaceAlignment", 30), I("concurrentKernels", 31),
        I("ECCEnabled", 32), I("pciBusID", 33), I("pciDeviceID", 34), I("pciDomainID", 50), I("tccDriver", 35),
        I("asyncEngineCount", 40), I("unifiedAddressing", 41), I("memoryClockRate", 36), I("memoryBusWidth", 37),
        I("l2CacheSize", 38), I("persistingL2CacheMaxSize", 108), I("maxThreadsPerMultiProcessor", 39),
        I("streamPrioritiesSupported", 78), I("globalL1CacheSupported", 79), I("localL1CacheSupported", 80),
        Z("sharedMemPerMultiprocessor", 81), I("regsPerMultiprocessor", 82), I("managedMemory", 83),
        I("isMultiGpuBoard", 84), I("multiGpuBoardGroupID", 85), I("hostNativeAtomicSupported", 86),
        I("singleToDoublePrecisionPerfRatio", 87), I("pageableMemoryAccess", 88), I("concurrentManagedAccess", 89),
        I("computePreemptionSupported", 90), I("canUseHostPointerForRegisteredMem", 91), I("cooperativeLaunch", 95),
        I("cooperativeMultiDeviceLaunch", 96), Z("sharedMemPerBlockOptin", 97),
        I("pageableMemoryAccessUsesHostPageTables", 100), I("directManagedMemAccessFromHost", 101),
        I("maxBlocksPerMultiProcessor", 106), I("accessPolicyMaxWindowSize", 109), Z("reservedSharedMemPerBlock", 111),
        I("hostRegisterSupported", 99), I("sparseCudaArraySupported", 112), I("hostRegisterReadOnlySupported", 113),
        I("timelineSemaphoreInteropSupported", 114), I("memoryPoolsSupported", 115), I("gpuDirectRDMASupported", 116),
        I("gpuDirectRDMAFlushWritesOptions", 117), I("gpuDirectRDMAWritesOrdering", 118),
        I("memoryPoolSupportedHandleTypes", 119), I("deferredMappingCudaArraySupported", 121),
        I("ipcEventSupported", 125), I("clusterLaunch", 120), I("unifiedFunctionPointers", 129),
        I("deviceNumaConfig", 130), I("deviceNumaId", 131), I("mpsEnabled", 133), I("hostNumaId", 134),
        I("gpuPciDeviceID", 139), I("gpuPciSubsystemID", 140), I("hostNumaMultinodeIpcSupported", 143),
    ];

    private static readonly ConcurrentDictionary<Type, (Field Field, int Offset)[]> PlacedFields = new();

    /// <summary>
    /// Writes the whole struct: zero first (luid, luidDeviceNodeMask and the reserved words are 0 on
    /// Linux), then name, uuid, totalGlobalMem and every attribute-backed field the ABI has.
    /// </summary>
    public static void Write<TProp>(ref TProp prop, DeviceIdentity identity, Func<int, int> driverAttribute)
        where TProp : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref prop, 1));
        bytes.Clear();

        // name is char[256], NUL-terminated: a longer name is cut at 255 bytes as the driver does.
        var nameBytes = Encoding.UTF8.GetBytes(identity.Name);
        nameBytes.AsSpan(0, Math.Min(nameBytes.Length, 255)).CopyTo(bytes.Slice(Offset<TProp>("name"), 255));
        identity.Uuid.AsSpan(0, Math.Min(16, identity.Uuid.Length)).CopyTo(bytes.Slice(Offset<TProp>("uuid"), 16));
        MemoryMarshal.Write(bytes[Offset<TProp>("totalGlobalMem")..], identity.TotalGlobalMemory);

        foreach (var (field, offset) in PlacedFields.GetOrAdd(typeof(TProp), PlaceFields))
        {
            for (var i = 0; i < field.DriverAttributes.Length; i++)
            {
                var value = driverAttribute(field.DriverAttributes[i]);
                if (field.Width == Width.SizeT)
                    MemoryMarshal.Write(bytes[offset..], (ulong)(uint)value);
                else
                    MemoryMarshal.Write(bytes[(offset + 4 * i)..], value);
            }
        }
    }

    private static int Offset<TProp>(string field) => (int)Marshal.OffsetOf<TProp>(field);

    private static (Field, int)[] PlaceFields(Type abi)
    {
        var present = abi.GetFields().Select(static f => f.Name).ToHashSet(StringComparer.Ordinal);
        return Fields.Where(f => present.Contains(f.Name))
            .Select(f => (f, (int)Marshal.OffsetOf(abi, f.Name)))
            .ToArray();
    }
}
