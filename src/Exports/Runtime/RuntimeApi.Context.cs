using Emulator.Driver;

namespace Emulator.Exports;

/// <summary>Limits, priorities, cache preferences, graph upload and 2D fills.</summary>
public static unsafe partial class RuntimeApi
{
    public static CudaError cudaDeviceGetLimit(nuint* pValue, int limit)
    {
        if (pValue == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.DeviceGetLimit(out var value, limit);
        if (result == CudaError.Success) *pValue = (nuint)value;
        return result;
    }

    public static CudaError cudaDeviceSetLimit(int limit, nuint value) => Runtime.DeviceSetLimit(limit, value);

    public static CudaError cudaDeviceGetStreamPriorityRange(int* leastPriority, int* greatestPriority)
    {
        var result = Runtime.DeviceGetStreamPriorityRange(out var least, out var greatest);
        if (result != CudaError.Success) return result;
        if (leastPriority != null) *leastPriority = least;
        if (greatestPriority != null) *greatestPriority = greatest;
        return result;
    }

    public static CudaError cudaDeviceSetCacheConfig(int cacheConfig) => Runtime.DeviceSetCacheConfig(cacheConfig);

    public static CudaError cudaStreamGetPriority(nint hStream, int* priority)
    {
        if (priority == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.StreamGetPriority(hStream, out var value);
        if (result == CudaError.Success) *priority = value;
        return result;
    }

    public static CudaError cudaStreamGetId(nint hStream, ulong* streamId)
    {
        if (streamId == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.StreamGetId(hStream, out var id);
        if (result == CudaError.Success) *streamId = id;
        return result;
    }

    public static CudaError cudaFuncSetCacheConfig(void* func, int cacheConfig) => Runtime.FuncSetCacheConfig((nint)func, cacheConfig);

    public static CudaError cudaGraphUpload(nint graphExec, nint stream) => Runtime.GraphUpload(graphExec, stream);

    public static CudaError cudaMemset2D(void* devPtr, nuint pitch, int value, nuint width, nuint height) =>
        Runtime.Memset2D((ulong)devPtr, pitch, value, width, height);
}
