namespace Emulator.Driver.Runtime;

/// <summary>cudaDeviceAttr → CUdevice_attribute.</summary>
/// <remarks>
/// NVIDIA numbers cudaDeviceAttr like CUdevice_attribute, so a defined runtime attribute maps to the
/// driver attribute with the same number. The runtime enum skips driver-only attributes (44, 102–105,
/// 107, 110, 136, 137, 146): asking the runtime for one of those is cudaErrorInvalidValue, as with libcudart.
/// </remarks>
public static class RuntimeDeviceAttributes
{
    /// <summary>cudaDevAttrCooperativeLaunch, which ggml reads to decide on cudaLaunchCooperativeKernel.</summary>
    public const int CooperativeLaunch = 95;

    /// <summary>The highest cudaDeviceAttr of CUDA 13.3 (cudaDevAttrAtomicReductionSupported).</summary>
    public const int Last = 148;

    private static readonly int[] DriverOnly = [44, 102, 103, 104, 105, 107, 110, 136, 137, 146];

    public static bool TryMapToDriver(int runtimeAttribute, out int driverAttribute)
    {
        driverAttribute = runtimeAttribute;
        return runtimeAttribute is >= 1 and <= Last && Array.IndexOf(DriverOnly, runtimeAttribute) < 0;
    }
}
