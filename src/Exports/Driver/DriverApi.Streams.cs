using Emulator.Driver;

namespace Emulator.Exports;

/// <summary>
/// Stream entry points. Each has a <c>_ptsz</c> twin (what <c>cuGetProcAddress</c> hands out under
/// <c>CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM</c> and what <c>--default-stream per-thread</c> builds link):
/// in those, stream 0 means the calling thread's default stream instead of the legacy one.
/// Function pointers (<c>CUstreamCallback</c>, <c>CUhostFn</c>) arrive as <c>nint</c>.
/// </summary>
public static unsafe partial class DriverApi
{
    public static CuResult cuStreamCreate(nint* phStream, uint flags) => CreateStream(phStream, flags, 0);

    public static CuResult cuStreamCreateWithPriority(nint* phStream, uint flags, int priority) => CreateStream(phStream, flags, priority);

    private static CuResult CreateStream(nint* phStream, uint flags, int priority)
    {
        if (phStream == null) return CuResult.InvalidValue;
        var result = Driver.CreateStream(flags, priority, out var handle);
        if (result == CuResult.Success) *phStream = handle;
        return result;
    }

    /// <summary>The default streams cannot be destroyed.</summary>
    public static CuResult cuStreamDestroy_v2(nint hStream) => Driver.DestroyStream(hStream);

    public static CuResult cuStreamGetPriority(nint hStream, int* priority) => GetStreamPriority(hStream, priority, false);
    public static CuResult cuStreamGetPriority_ptsz(nint hStream, int* priority) => GetStreamPriority(hStream, priority, true);

    private static CuResult GetStreamPriority(nint hStream, int* priority, bool perThread)
    {
        if (priority == null) return CuResult.InvalidValue;
        var result = Driver.GetStreamPriority(hStream, perThread, out var value);
        if (result == CuResult.Success) *priority = value;
        return result;
    }

    public static CuResult cuStreamGetFlags(nint hStream, uint* flags) => GetStreamFlags(hStream, flags, false);
    public static CuResult cuStreamGetFlags_ptsz(nint hStream, uint* flags) => GetStreamFlags(hStream, flags, true);

    private static CuResult GetStreamFlags(nint hStream, uint* flags, bool perThread)
    {
        if (flags == null) return CuResult.InvalidValue;
        var result = Driver.GetStreamFlags(hStream, perThread, out var value);
        if (result == CuResult.Success) *flags = value;
        return result;
    }

    public static CuResult cuStreamGetCtx(nint hStream, nint* pctx) => GetStreamCtx(hStream, pctx, false);
    public static CuResult cuStreamGetCtx_ptsz(nint hStream, nint* pctx) => GetStreamCtx(hStream, pctx, true);

    private static CuResult GetStreamCtx(nint hStream, nint* pctx, bool perThread)
    {
        if (pctx == null) return CuResult.InvalidValue;
        var result = Driver.GetStreamContext(hStream, perThread, out var context);
        if (result == CuResult.Success) *pctx = context;
        return result;
    }

    public static CuResult cuStreamGetId(nint hStream, ulong* streamId) => GetStreamId(hStream, streamId, false);
    public static CuResult cuStreamGetId_ptsz(nint hStream, ulong* streamId) => GetStreamId(hStream, streamId, true);

    private static CuResult GetStreamId(nint hStream, ulong* streamId, bool perThread)
    {
        if (streamId == null) return CuResult.InvalidValue;
        var result = Driver.GetStreamId(hStream, perThread, out var id);
        if (result == CuResult.Success) *streamId = id;
        return result;
    }

    public static CuResult cuStreamQuery(nint hStream) => Driver.QueryStream(hStream, false);
    public static CuResult cuStreamQuery_ptsz(nint hStream) => Driver.QueryStream(hStream, true);
    public static CuResult cuStreamSynchronize(nint hStream) => Driver.SynchronizeStream(hStream, false);
    public static CuResult cuStreamSynchronize_ptsz(nint hStream) => Driver.SynchronizeStream(hStream, true);

    public static CuResult cuStreamWaitEvent(nint hStream, nint hEvent, uint flags) => Driver.StreamWaitEvent(hStream, hEvent, flags, false);
    public static CuResult cuStreamWaitEvent_ptsz(nint hStream, nint hEvent, uint flags) => Driver.StreamWaitEvent(hStream, hEvent, flags, true);

    /// <summary><c>void CUDA_CB callback(CUstream hStream, CUresult status, void* userData)</c>; flags must be 0.</summary>
    public static CuResult cuStreamAddCallback(nint hStream, nint callback, void* userData, uint flags) => AddCallback(hStream, callback, userData, flags, false);
    public static CuResult cuStreamAddCallback_ptsz(nint hStream, nint callback, void* userData, uint flags) => AddCallback(hStream, callback, userData, flags, true);

    private static CuResult AddCallback(nint hStream, nint callback, void* userData, uint flags, bool perThread)
    {
        if (callback == 0 || flags != 0) return CuResult.InvalidValue;
        var function = (delegate* unmanaged<nint, CuResult, void*, void>)callback;
        return Driver.LaunchHostFunction(hStream, perThread, () => function(hStream, CuResult.Success, userData));
    }

    /// <summary><c>void CUDA_CB fn(void* userData)</c>.</summary>
    public static CuResult cuLaunchHostFunc(nint hStream, nint fn, void* userData) => LaunchHostFunc(hStream, fn, userData, false);
    public static CuResult cuLaunchHostFunc_ptsz(nint hStream, nint fn, void* userData) => LaunchHostFunc(hStream, fn, userData, true);

    private static CuResult LaunchHostFunc(nint hStream, nint fn, void* userData, bool perThread)
    {
        if (fn == 0) return CuResult.InvalidValue;
        var function = (delegate* unmanaged<void*, void>)fn;
        return Driver.LaunchHostFunction(hStream, perThread, () => function(userData));
    }

    public static CuResult cuStreamDestroy(nint hStream) => cuStreamDestroy_v2(hStream);
}
