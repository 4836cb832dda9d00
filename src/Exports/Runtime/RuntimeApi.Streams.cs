using Emulator.Driver;
using Emulator.Driver.Runtime;
using Emulator.Driver.Runtime.Graphs;

namespace Emulator.Exports;

/// <summary>
/// Streams, events, host functions, stream capture and graphs. Streams and events are the driver's objects
/// (a cudaStream_t is a CUstream); the <c>_ptsz</c> twins reach these methods with a null stream already
/// replaced by cudaStreamPerThread.
/// </summary>
public static unsafe partial class RuntimeApi
{
    public static CudaError cudaStreamCreate(nint* pStream) => cudaStreamCreateWithPriority(pStream, 0, 0);

    public static CudaError cudaStreamCreateWithFlags(nint* pStream, uint flags) => cudaStreamCreateWithPriority(pStream, flags, 0);

    public static CudaError cudaStreamCreateWithPriority(nint* pStream, uint flags, int priority)
    {
        if (pStream == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.StreamCreate(out var stream, flags, priority);
        if (result == CudaError.Success) *pStream = stream;
        return result;
    }

    public static CudaError cudaStreamDestroy(nint stream) => Runtime.StreamDestroy(stream);

    public static CudaError cudaStreamQuery(nint stream) => Runtime.StreamQuery(stream);

    public static CudaError cudaStreamSynchronize(nint stream) => Runtime.StreamSynchronize(stream);

    public static CudaError cudaStreamWaitEvent(nint stream, nint @event, uint flags) => Runtime.StreamWaitEvent(stream, @event, flags);

    public static CudaError cudaStreamGetFlags(nint hStream, uint* flags)
    {
        if (flags == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.StreamGetFlags(hStream, out var value);
        if (result == CudaError.Success) *flags = value;
        return result;
    }

    /// <summary><c>void fn(void* userData)</c>, run in stream order.</summary>
    public static CudaError cudaLaunchHostFunc(nint stream, nint fn, void* userData)
    {
        if (fn == 0) return Fail(CudaError.InvalidValue);
        var data = (nint)userData;
        return Runtime.LaunchHostFunc(stream, () => ((delegate* unmanaged<void*, void>)fn)((void*)data));
    }

    /// <summary><c>void callback(cudaStream_t, cudaError_t, void* userData)</c>; flags must be 0.</summary>
    public static CudaError cudaStreamAddCallback(nint stream, nint callback, void* userData, uint flags)
    {
        if (callback == 0 || flags != 0) return Fail(CudaError.InvalidValue);
        var data = (nint)userData;
        return Runtime.LaunchHostFunc(stream,
            () => ((delegate* unmanaged<nint, CudaError, void*, void>)callback)(stream, CudaError.Success, (void*)data));
    }

    // ---- events -------------------------------------------------------------------------------------------

    public static CudaError cudaEventCreate(nint* @event) => cudaEventCreateWithFlags(@event, 0);

    public static CudaError cudaEventCreateWithFlags(nint* @event, uint flags)
    {
        if (@event == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.EventCreate(out var handle, flags);
        if (result == CudaError.Success) *@event = handle;
        return result;
    }

    public static CudaError cudaEventDestroy(nint @event) => Runtime.EventDestroy(@event);

    public static CudaError cudaEventRecord(nint @event, nint stream) => Runtime.EventRecord(@event, stream, 0);

    public static CudaError cudaEventRecordWithFlags(nint @event, nint stream, uint flags) => Runtime.EventRecord(@event, stream, flags);

    public static CudaError cudaEventQuery(nint @event) => Runtime.EventQuery(@event);

    public static CudaError cudaEventSynchronize(nint @event) => Runtime.EventSynchronize(@event);

    public static CudaError cudaEventElapsedTime(float* ms, nint start, nint end)
    {
        if (ms == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.EventElapsedTime(out var elapsed, start, end);
        if (result == CudaError.Success) *ms = elapsed;
        return result;
    }

    // ---- stream capture -----------------------------------------------------------------------------------

    public static CudaError cudaStreamBeginCapture(nint stream, int mode) => Runtime.StreamBeginCapture(stream, (CaptureMode)mode);

    public static CudaError cudaStreamEndCapture(nint stream, nint* pGraph)
    {
        if (pGraph == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.StreamEndCapture(stream, out var graph);
        *pGraph = graph;
        return result;
    }

    public static CudaError cudaStreamIsCapturing(nint stream, int* pCaptureStatus)
    {
        if (pCaptureStatus == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.StreamIsCapturing(stream, out var status);
        if (result == CudaError.Success) *pCaptureStatus = (int)status;
        return result;
    }

    public static CudaError cudaThreadExchangeStreamCaptureMode(int* mode)
    {
        if (mode == null) return Fail(CudaError.InvalidValue);
        var value = (CaptureMode)(*mode);
        var result = Runtime.ThreadExchangeStreamCaptureMode(ref value);
        if (result == CudaError.Success) *mode = (int)value;
        return result;
    }

    // ---- graphs -------------------------------------------------------------------------------------------

    public static CudaError cudaGraphCreate(nint* pGraph, uint flags)
    {
        if (pGraph == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GraphCreate(out var graph, flags);
        if (result == CudaError.Success) *pGraph = graph;
        return result;
    }

    public static CudaError cudaGraphDestroy(nint graph) => Runtime.GraphDestroy(graph);

    public static CudaError cudaGraphInstantiate(nint* pGraphExec, nint graph, ulong flags)
    {
        if (pGraphExec == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GraphInstantiate(out var exec, graph, flags);
        if (result == CudaError.Success) *pGraphExec = exec;
        return result;
    }

    public static CudaError cudaGraphInstantiateWithFlags(nint* pGraphExec, nint graph, ulong flags) =>
        cudaGraphInstantiate(pGraphExec, graph, flags);

    /// <summary>CUDA 11: no flags; an optional error node and log buffer, left empty because instantiation of a captured graph cannot fail here.</summary>
    public static CudaError cudaGraphInstantiate_v11(nint* pGraphExec, nint graph, nint* pErrorNode, byte* pLogBuffer, nuint bufferSize)
    {
        if (pErrorNode != null) *pErrorNode = 0;
        if (pLogBuffer != null && bufferSize > 0) *pLogBuffer = 0;
        return cudaGraphInstantiate(pGraphExec, graph, 0);
    }

    /// <summary>CUDA 12/13: cudaGraphExecUpdateResultInfo {int result; cudaGraphNode_t errorNode; cudaGraphNode_t errorFromNode}.</summary>
    public static CudaError cudaGraphExecUpdate(nint hGraphExec, nint hGraph, void* resultInfo)
    {
        if (resultInfo == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GraphExecUpdate(hGraphExec, hGraph, out var update);
        *(int*)resultInfo = (int)update;
        *(nint*)((byte*)resultInfo + 8) = 0;
        *(nint*)((byte*)resultInfo + 16) = 0;
        return result;
    }

    public static CudaError cudaGraphExecUpdate_v11(nint hGraphExec, nint hGraph, nint* hErrorNode_out, int* updateResult_out)
    {
        if (hErrorNode_out == null || updateResult_out == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GraphExecUpdate(hGraphExec, hGraph, out var update);
        *hErrorNode_out = 0;
        *updateResult_out = (int)update;
        return result;
    }

    public static CudaError cudaGraphLaunch(nint graphExec, nint stream) => Runtime.GraphLaunch(graphExec, stream);

    public static CudaError cudaGraphExecDestroy(nint graphExec) => Runtime.GraphExecDestroy(graphExec);
}
