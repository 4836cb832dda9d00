namespace Emulator.Driver.Runtime;

/// <summary>Per-device settings the runtime forwards to the current (primary) context.</summary>
public sealed partial class CudaRuntime
{
    /// <summary>cudaLimit values are CUlimit's, so the context's limits answer directly.</summary>
    public CudaError DeviceGetLimit(out ulong value, int limit)
    {
        value = 0;
        var context = EnsureContext(out _);
        return Record(context != CudaError.Success ? context : RuntimeErrors.FromDriver(Driver.GetLimit(limit, out value)));
    }

    public CudaError DeviceSetLimit(int limit, ulong value)
    {
        var context = EnsureContext(out _);
        return Record(context != CudaError.Success ? context : RuntimeErrors.FromDriver(Driver.SetLimit(limit, value)));
    }

    public CudaError DeviceGetStreamPriorityRange(out int leastPriority, out int greatestPriority)
    {
        leastPriority = greatestPriority = 0;
        var context = EnsureContext(out _);
        return Record(context != CudaError.Success
            ? context
            : RuntimeErrors.FromDriver(Driver.GetStreamPriorityRange(out leastPriority, out greatestPriority)));
    }

    /// <summary>cudaDeviceSetCacheConfig: a preference the context records; it has no effect on emulated execution.</summary>
    public CudaError DeviceSetCacheConfig(int cacheConfig)
    {
        var context = EnsureContext(out _);
        return Record(context != CudaError.Success ? context : RuntimeErrors.FromDriver(Driver.SetCacheConfig(cacheConfig)));
    }

    public CudaError StreamGetPriority(nint stream, out int priority)
    {
        priority = 0;
        var resolve = ResolveStream(stream, out var resolved, out _);
        if (resolve != CudaError.Success)
            return Record(resolve);
        priority = resolved.Priority;
        return CudaError.Success;
    }

    public CudaError StreamGetId(nint stream, out ulong id)
    {
        id = 0;
        var resolve = ResolveStream(stream, out _, out _);
        return Record(resolve != CudaError.Success ? resolve : RuntimeErrors.FromDriver(Driver.GetStreamId(stream, false, out id)));
    }

    /// <summary>cudaFuncSetCacheConfig: validated (a known kernel, a cudaFuncCache value); like the device preference it changes nothing here.</summary>
    public CudaError FuncSetCacheConfig(nint stubOrKernel, int cacheConfig)
    {
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        if (!TryResolveFunction(stubOrKernel, out _))
            return Record(CudaError.InvalidDeviceFunction);
        return Record(cacheConfig is >= 0 and <= 3 ? CudaError.Success : CudaError.InvalidValue);
    }

    /// <summary>cudaGraphUpload: nothing to stage ahead of launch with eager execution; the handles are still checked.</summary>
    public CudaError GraphUpload(nint exec, nint stream)
    {
        lock (_graphLock)
        {
            if (!_graphExecs.TryGet(exec, out _))
                return Record(CudaError.InvalidValue);
        }
        return Record(ResolveStream(stream, out _, out _));
    }
}
