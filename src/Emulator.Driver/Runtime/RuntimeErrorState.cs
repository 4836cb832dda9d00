namespace Emulator.Driver.Runtime;

/// <summary>
/// The runtime's per-thread error memory behind cudaGetLastError / cudaPeekAtLastError.
/// </summary>
/// <remarks>
/// Rules (CUDA Runtime API, "Error Handling"): every runtime call that fails records its error as the
/// calling thread's last error; successful calls leave it alone. cudaGetLastError returns it and resets
/// it to cudaSuccess; cudaPeekAtLastError returns it without resetting. A sticky error (a kernel fault,
/// kept by the driver on the context) cannot be reset: once the thread's own error has been taken, both
/// keep answering the sticky error of the current device until cudaDeviceReset.
/// </remarks>
public sealed class RuntimeErrorState
{
    private readonly ThreadLocal<CudaError> _lastError = new(static () => CudaError.Success);

    /// <summary>Records the outcome of a runtime call and hands it back, so a method can end with <c>return Record(...)</c>.</summary>
    public CudaError Record(CudaError result)
    {
        if (result != CudaError.Success)
            _lastError.Value = result;
        return result;
    }

    public CudaError TakeLast(CudaError sticky)
    {
        var last = _lastError.Value;
        _lastError.Value = CudaError.Success;
        return last != CudaError.Success ? last : sticky;
    }

    public CudaError PeekLast(CudaError sticky)
    {
        var last = _lastError.Value;
        return last != CudaError.Success ? last : sticky;
    }
}
