using Emulator.Driver;

namespace Emulator.Exports;

public static unsafe partial class DriverApi
{
    // ---- primary contexts ----

    public static CuResult cuDevicePrimaryCtxRetain(nint* pctx, int dev)
    {
        if (pctx == null) return CuResult.InvalidValue;
        var result = Driver.RetainPrimaryContext(dev, out var handle);
        if (result == CuResult.Success) *pctx = handle;
        return result;
    }

    public static CuResult cuDevicePrimaryCtxRelease_v2(int dev) => Driver.ReleasePrimaryContext(dev);
    public static CuResult cuDevicePrimaryCtxRelease(int dev) => Driver.ReleasePrimaryContext(dev);
    public static CuResult cuDevicePrimaryCtxReset_v2(int dev) => Driver.ResetPrimaryContext(dev);
    public static CuResult cuDevicePrimaryCtxReset(int dev) => Driver.ResetPrimaryContext(dev);
    public static CuResult cuDevicePrimaryCtxSetFlags_v2(int dev, uint flags) => Driver.SetPrimaryContextFlags(dev, flags);
    public static CuResult cuDevicePrimaryCtxSetFlags(int dev, uint flags) => Driver.SetPrimaryContextFlags(dev, flags);

    public static CuResult cuDevicePrimaryCtxGetState(int dev, uint* flags, int* active)
    {
        if (flags == null || active == null) return CuResult.InvalidValue;
        var result = Driver.GetPrimaryContextState(dev, out var currentFlags, out var isActive);
        if (result != CuResult.Success) return result;
        *flags = currentFlags;
        *active = isActive ? 1 : 0;
        return result;
    }

    // ---- created contexts ----

    public static CuResult cuCtxCreate_v2(nint* pctx, uint flags, int dev)
    {
        if (pctx == null) return CuResult.InvalidValue;
        var result = Driver.CreateContext(flags, dev, out var handle);
        if (result == CuResult.Success) *pctx = handle;
        return result;
    }

    /// <summary>
    /// v3 takes <c>CUexecAffinityParam</c>s (SM-count partitions). The emulator cannot honour a partition, so any
    /// requested affinity is <c>CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY</c>; none requested is a plain create.
    /// </summary>
    public static CuResult cuCtxCreate_v3(nint* pctx, void* paramsArray, int numParams, uint flags, int dev)
    {
        if (pctx == null || numParams < 0 || (numParams > 0 && paramsArray == null)) return CuResult.InvalidValue;
        if (numParams > 0) return CuResult.UnsupportedExecAffinity;
        return cuCtxCreate_v2(pctx, flags, dev);
    }

    /// <summary>
    /// v4 takes an optional <c>CUctxCreateParams</c> { execAffinityParams*, int numExecAffinityParams, cigParams* }.
    /// Execution affinity and CUDA-in-graphics sharing are not emulated and are refused as NVIDIA refuses them on
    /// hardware without the feature.
    /// </summary>
    public static CuResult cuCtxCreate_v4(nint* pctx, void* ctxCreateParams, uint flags, int dev)
    {
        if (pctx == null) return CuResult.InvalidValue;
        if (ctxCreateParams != null)
        {
            var affinity = *(void**)ctxCreateParams;
            var affinityCount = *(int*)((byte*)ctxCreateParams + sizeof(void*));
            var cig = *(void**)((byte*)ctxCreateParams + 2 * sizeof(void*));
            if (affinityCount < 0 || (affinityCount > 0 && affinity == null)) return CuResult.InvalidValue;
            if (affinityCount > 0) return CuResult.UnsupportedExecAffinity;
            if (cig != null) return CuResult.NotSupported;
        }
        return cuCtxCreate_v2(pctx, flags, dev);
    }

    public static CuResult cuCtxDestroy_v2(nint ctx) => Driver.DestroyContext(ctx);
    public static CuResult cuCtxPushCurrent_v2(nint ctx) => Driver.PushContext(ctx);

    /// <summary>The out-pointer may be NULL: the context is popped either way.</summary>
    public static CuResult cuCtxPopCurrent_v2(nint* pctx)
    {
        var result = Driver.PopContext(out var handle);
        if (result == CuResult.Success && pctx != null) *pctx = handle;
        return result;
    }

    public static CuResult cuCtxSetCurrent(nint ctx) => Driver.SetCurrentContext(ctx);

    public static CuResult cuCtxGetCurrent(nint* pctx)
    {
        if (pctx == null) return CuResult.InvalidValue;
        var result = Driver.GetCurrentContextHandle(out var handle);
        if (result == CuResult.Success) *pctx = handle;
        return result;
    }

    public static CuResult cuCtxGetDevice(int* device)
    {
        if (device == null) return CuResult.InvalidValue;
        var result = Driver.GetContextDevice(out var ordinal);
        if (result == CuResult.Success) *device = ordinal;
        return result;
    }

    public static CuResult cuCtxSynchronize() => Driver.SynchronizeContext();

    public static CuResult cuCtxGetFlags(uint* flags)
    {
        if (flags == null) return CuResult.InvalidValue;
        var result = Driver.GetContextFlags(out var value);
        if (result == CuResult.Success) *flags = value;
        return result;
    }

    public static CuResult cuCtxSetFlags(uint flags) => Driver.SetContextFlags(flags);

    public static CuResult cuCtxGetApiVersion(nint ctx, uint* version)
    {
        if (version == null) return CuResult.InvalidValue;
        var result = Driver.GetContextApiVersion(ctx, out var value);
        if (result == CuResult.Success) *version = value;
        return result;
    }

    public static CuResult cuCtxGetId(nint ctx, ulong* ctxId)
    {
        if (ctxId == null) return CuResult.InvalidValue;
        var result = Driver.GetContextId(ctx, out var id);
        if (result == CuResult.Success) *ctxId = id;
        return result;
    }

    /// <summary>Either out-pointer may be NULL.</summary>
    public static CuResult cuCtxGetStreamPriorityRange(int* leastPriority, int* greatestPriority)
    {
        var result = Driver.GetStreamPriorityRange(out var least, out var greatest);
        if (result != CuResult.Success) return result;
        if (leastPriority != null) *leastPriority = least;
        if (greatestPriority != null) *greatestPriority = greatest;
        return result;
    }

    public static CuResult cuCtxGetLimit(nuint* pvalue, int limit)
    {
        if (pvalue == null) return CuResult.InvalidValue;
        var result = Driver.GetLimit(limit, out var value);
        if (result == CuResult.Success) *pvalue = (nuint)value;
        return result;
    }

    public static CuResult cuCtxSetLimit(int limit, nuint value) => Driver.SetLimit(limit, value);

    public static CuResult cuCtxGetCacheConfig(int* pconfig)
    {
        if (pconfig == null) return CuResult.InvalidValue;
        var result = Driver.GetCacheConfig(out var config);
        if (result == CuResult.Success) *pconfig = config;
        return result;
    }

    public static CuResult cuCtxSetCacheConfig(int config) => Driver.SetCacheConfig(config);

    // The pre-4.0 names behave as their successors on a single-threaded context stack.
    public static CuResult cuCtxCreate(nint* pctx, uint flags, int dev) => cuCtxCreate_v2(pctx, flags, dev);
    public static CuResult cuCtxDestroy(nint ctx) => cuCtxDestroy_v2(ctx);
    public static CuResult cuCtxPushCurrent(nint ctx) => cuCtxPushCurrent_v2(ctx);
    public static CuResult cuCtxPopCurrent(nint* pctx) => cuCtxPopCurrent_v2(pctx);

    public static CuResult cuDeviceCanAccessPeer(int* canAccessPeer, int dev, int peerDev)
    {
        if (canAccessPeer == null) return CuResult.InvalidValue;
        var result = Driver.CanAccessPeer(dev, peerDev, out var canAccess);
        if (result == CuResult.Success) *canAccessPeer = canAccess ? 1 : 0;
        return result;
    }

    public static CuResult cuCtxEnablePeerAccess(nint peerContext, uint Flags) => Driver.EnablePeerAccess(peerContext, Flags);
    public static CuResult cuCtxDisablePeerAccess(nint peerContext) => Driver.DisablePeerAccess(peerContext);
    public static CuResult cuCtxResetPersistingL2Cache() => Driver.ResetPersistingL2Cache();
}
