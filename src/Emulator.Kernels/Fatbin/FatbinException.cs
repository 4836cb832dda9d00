namespace Emulator.Kernels.Fatbin;

public enum FatbinError
{
    /// <summary>Not a fatbin/cubin/PTX image, or truncated/corrupt (CUDA_ERROR_INVALID_IMAGE).</summary>
    InvalidImage,
    /// <summary>No PTX entry whose arch is ≤ the device's compute capability (CUDA_ERROR_NO_BINARY_FOR_GPU).</summary>
    NoBinaryForGpu,
}

public sealed class FatbinException(FatbinError error, string reason) : Exception(reason)
{
    public FatbinError Error { get; } = error;
}
