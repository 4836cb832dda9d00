namespace Emulator.Driver.Runtime;

/// <summary>cudaDeviceAttr → CUdevice_attribute.</summary>
/// <remarks>
/// NVIDIA numbers cudaDeviceAttr like CUdevice_attribute, so a defined runtime attribute maps to the
/// driver attribute with the same number. The runtime enum skips driver-only attributes (44, 102–105,
/// 107, 110, 136, 137, 146): asking the runtime for one of those is cudaErrorInvalidValue, as with libcudart.
/// </remarks>
public static class RuntimeDeviceAttributes
{
    public const int MaxThreadsPerBlock = 1;
    public const int MaxGridDimX = 5;
    public const int MaxSharedMemoryPerBlock = 8;
    public const int WarpSize = 10;
    public const int MultiProcessorCount = 16;
    public const int Integrated = 18;
    public const int UnifiedAddressing = 41;
    public const int ComputeCapabilityMajor = 75;
    public const int ComputeCapabilityMinor = 76;
    public const int CooperativeLaunch = 95;
    public const int MaxSharedMemoryPerBlockOptin = 97;

    /// <summary>The highest cudaDeviceAttr of CUDA 13.3 (cudaDevAttrAtomicReductionSupported).</summary>
    public const int Last = 148;

    private static readonly int[] DriverOnly = [44, 102, 103, 104, 105, 107, 110, 136, 137, 146];

    public static bool TryMapToDriver(int runtimeAttribute, out int driverAttribute)
    {
        driverAttribute = runtimeAttribute;
        return runtimeAttribute is >= 1 and <= Last && Array.IndexOf(DriverOnly, runtimeAttribute) < 0;
    }
}
