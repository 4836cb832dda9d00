namespace Emulator.Driver.Runtime;

/// <summary>How the runtime turns the driver's CUresult into the cudaError_t it returns.</summary>
public static class RuntimeErrors
{
    /// <summary>
    /// Since CUDA 10.1 every runtime code that has a driver counterpart carries the driver's number
    /// (CUDA_ERROR_OUT_OF_MEMORY 2 = cudaErrorMemoryAllocation 2, CUDA_ERROR_INVALID_CONTEXT 201 =
    /// cudaErrorDeviceUninitialized 201, CUDA_ERROR_NOT_FOUND 500 = cudaErrorSymbolNotFound 500, ...),
    /// so translation keeps the number; driver codes the runtime does not define
    /// (e.g. CUDA_ERROR_CONTEXT_ALREADY_CURRENT 202, CUDA_ERROR_KEY_ROTATION 916) become cudaErrorUnknown.
    /// </summary>
    public static CudaError FromDriver(CuResult result)
    {
        if (result == CuResult.Success)
            return CudaError.Success; // the hot path: no enum reflection for the common answer
        var candidate = (CudaError)(int)result;
        return IsDefined(candidate) ? candidate : CudaError.Unknown;
    }

    public static bool IsDefined(CudaError error) => Enum.IsDefined(error);
}
