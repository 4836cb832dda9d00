namespace Emulator.Driver.Runtime;

/// <summary>
/// The runtime's error memory: a last error per host thread (cudaGetLastError / cudaPeekAtLastError) and
/// a sticky error per device, which a kernel fault leaves behind and only cudaDeviceReset clears.
/// </summary>
/// <remarks>
/// Rules (CUDA Runtime API, "Error Handling"): every runtime call that fails records its error as the
/// calling thread's last error; successful calls leave it alone. cudaGetLastError returns it and resets
/// it to cudaSuccess; cudaPeekAtLastError returns it without resetting. A sticky error cannot be reset:
/// once the thread's own error has been taken, both keep answering the sticky error of the current device.
/// </remarks>
public sealed class RuntimeErrorState
{
    private readonly ThreadLocal<CudaError> _lastError = new(static () => CudaError.Success);
    private readonly Lock _stickyLock = new();
    private readonly Dictionary<int, CudaError> _stickyByDevice = new();

    /// <summary>Records the outcome of a runtime call and hands it back, so an API method can end with <c>return errors.Record(...)</c>.</summary>
    public CudaError Record(CudaError result)
    {
        if (result != CudaError.Success)
            _lastError.Value = result;
        return result;
    }

    public CudaError TakeLast(int currentDevice)
    {
        var last = _lastError.Value;
        _lastError.Value = CudaError.Success;
        return last != CudaError.Success ? last : Sticky(currentDevice);
    }

    public CudaError PeekLast(int currentDevice)
    {
        var last = _lastError.Value;
        return last != CudaError.Success ? last : Sticky(currentDevice);
    }

    /// <summary>Marks the device's context as corrupted; the first sticky error wins, as on hardware.</summary>
    public void SetSticky(int device, CudaError error)
    {
        lock (_stickyLock)
            _stickyByDevice.TryAdd(device, error);
    }

    public CudaError Sticky(int device)
    {
        lock (_stickyLock)
            return _stickyByDevice.GetValueOrDefault(device, CudaError.Success);
    }

    /// <summary>cudaDeviceReset: the primary context is destroyed, and its sticky error with it.</summary>
    public void ClearSticky(int device)
    {
        lock (_stickyLock)
            _stickyByDevice.Remove(device);
    }
}
