using System.Runtime.CompilerServices;
using Emulator.Driver.Events;
using Emulator.Driver.Runtime.Graphs;
using Emulator.Driver.Streams;

namespace Emulator.Driver.Runtime;

public sealed partial class CudaRuntime
{
    // Per-thread default streams all have the handle 0x2; capture needs one key per thread's stream.
    private readonly ConditionalWeakTable<Stream, StrongBox<nint>> _perThreadStreamKeys = new();
    private long _nextPerThreadKey;

    private readonly Lock _graphLock = new();
    private readonly HandleTable<RuntimeGraph> _graphs = new(0xD1);
    private readonly HandleTable<GraphExec> _graphExecs = new(0xD2);

    /// <summary>Resolves a cudaStream_t (NULL = legacy, 0x1 legacy, 0x2 per-thread) after lazy initialisation.</summary>
    private CudaError ResolveStream(nint handle, out Stream stream, out StreamIdentity identity)
    {
        stream = null!;
        identity = default;
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return context;
        var resolve = Driver.ResolveStream(handle, perThreadDefaultStream: false, out stream);
        if (resolve != CuResult.Success)
            return RuntimeErrors.FromDriver(resolve);
        identity = new StreamIdentity(
            CaptureKey(stream), stream.Context.Device.Ordinal, stream.Kind == StreamKind.Legacy,
            (stream.Flags & StreamFlags.NonBlocking) == 0);
        return CudaError.Success;
    }

    private nint CaptureKey(Stream stream) => stream.Kind switch
    {
        StreamKind.PerThread => _perThreadStreamKeys.GetValue(stream,
            _ => new StrongBox<nint>((nint)(0x2 | (Interlocked.Increment(ref _nextPerThreadKey) << 8)))).Value,
        _ => stream.Handle,
    };

    /// <summary>
    /// Every stream-ordered operation goes through here: runs now on <paramref name="stream"/>, or becomes a
    /// graph node when the stream is capturing. <paramref name="operation"/> receives the stream to run on,
    /// which for a replayed node is the stream the graph is launched into.
    /// </summary>
    private CudaError StreamOperation(nint stream, GraphNodeKind kind, string description, Func<nint, CudaError> operation)
    {
        var resolve = ResolveStream(stream, out _, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        var node = new GraphNode(kind, description, operation);
        return Record(Capture.Submit(identity, node, () => operation(stream)));
    }

    /// <summary>
    /// Stream-ordered work of a library on the runtime's streams (cuBLAS): runs now on <paramref name="stream"/>, or,
    /// while that stream captures, becomes a kernel node of the graph. <paramref name="work"/> receives the stream to
    /// run on: <paramref name="stream"/> now, the launch's stream when the graph is replayed.
    /// </summary>
    public CudaError SubmitStreamWork(nint stream, string description, Func<nint, CuResult> work) =>
        StreamOperation(stream, GraphNodeKind.Kernel, description, target => RuntimeErrors.FromDriver(work(target)));

    // ---- streams ----------------------------------------------------------------------------------------------

    public CudaError StreamCreate(out nint stream, uint flags, int priority)
    {
        stream = 0;
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        return Record(Driver.CreateStream(flags, priority, out stream));
    }

    public CudaError StreamDestroy(nint stream)
    {
        if (stream is StreamHandles.Null or StreamHandles.Legacy or StreamHandles.PerThread)
            return Record(CudaError.InvalidResourceHandle);
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        Capture.ForgetStream(stream);
        return Record(Driver.DestroyStream(stream));
    }

    public CudaError StreamSynchronize(nint stream)
    {
        var resolve = ResolveStream(stream, out _, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        var capture = Capture.CheckSynchronize(identity);
        if (capture != CudaError.Success)
            return Record(capture);
        return Record(Driver.SynchronizeStream(stream, perThreadDefaultStream: false));
    }

    public CudaError StreamQuery(nint stream) => StreamSynchronize(stream);

    public CudaError StreamGetFlags(nint stream, out uint flags)
    {
        flags = 0;
        var resolve = ResolveStream(stream, out var resolved, out _);
        if (resolve != CudaError.Success)
            return Record(resolve);
        flags = resolved.Flags;
        return CudaError.Success;
    }

    public CudaError StreamWaitEvent(nint stream, nint @event, uint flags)
    {
        var resolve = ResolveStream(stream, out _, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        return Record(Capture.WaitEvent(identity, @event,
            () => RuntimeErrors.FromDriver(Driver.StreamWaitEvent(stream, @event, flags, perThreadDefaultStream: false))));
    }

    /// <summary>cudaLaunchHostFunc: <paramref name="hostFunction"/> runs in stream order (at once, as execution is eager).</summary>
    public CudaError LaunchHostFunc(nint stream, Action hostFunction) =>
        StreamOperation(stream, GraphNodeKind.Host, "host function",
            s => RuntimeErrors.FromDriver(Driver.LaunchHostFunction(s, perThreadDefaultStream: false, hostFunction)));

    // ---- events -----------------------------------------------------------------------------------------------

    public CudaError EventCreate(out nint @event, uint flags)
    {
        @event = 0;
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        return Record(Driver.CreateEvent(flags, out @event));
    }

    public CudaError EventDestroy(nint @event)
    {
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        Capture.ForgetEvent(@event);
        return Record(Driver.DestroyEvent(@event));
    }

    public CudaError EventRecord(nint @event, nint stream, uint flags)
    {
        var resolve = ResolveStream(stream, out _, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        if ((flags & ~EventFlags.RecordExternal) != 0)
            return Record(CudaError.InvalidValue);
        return Record(Capture.RecordEvent(identity, @event,
            () => RuntimeErrors.FromDriver(Driver.RecordEvent(@event, stream, flags, perThreadDefaultStream: false))));
    }

    public CudaError EventSynchronize(nint @event)
    {
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        if (Capture.IsCapturedEvent(@event))
            return Record(CudaError.CapturedEvent);
        return Record(Driver.SynchronizeEvent(@event));
    }

    public CudaError EventQuery(nint @event)
    {
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        if (Capture.IsCapturedEvent(@event))
            return Record(CudaError.CapturedEvent);
        return Record(Driver.QueryEvent(@event));
    }

    public CudaError EventElapsedTime(out float milliseconds, nint start, nint end)
    {
        milliseconds = 0;
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        if (Capture.IsCapturedEvent(start) || Capture.IsCapturedEvent(end))
            return Record(CudaError.CapturedEvent);
        return Record(Driver.ElapsedTime(start, end, out milliseconds));
    }

    // ---- stream capture ---------------------------------------------------------------------------------------

    public CudaError StreamBeginCapture(nint stream, CaptureMode mode)
    {
        var resolve = ResolveStream(stream, out _, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        return Record(Capture.Begin(identity, mode));
    }

    public CudaError StreamEndCapture(nint stream, out nint graph)
    {
        graph = 0;
        var resolve = ResolveStream(stream, out _, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        var end = Capture.End(identity, out var captured);
        if (captured is not null)
        {
            lock (_graphLock)
                graph = _graphs.Add(captured);
        }
        return Record(end);
    }

    public CudaError StreamIsCapturing(nint stream, out CaptureStatus status)
    {
        status = CaptureStatus.None;
        var resolve = ResolveStream(stream, out _, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        return Record(Capture.Query(identity, out status, out _));
    }

    public CudaError StreamGetCaptureInfo(nint stream, out CaptureStatus status, out ulong id)
    {
        status = CaptureStatus.None;
        id = 0;
        var resolve = ResolveStream(stream, out _, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        return Record(Capture.Query(identity, out status, out id));
    }

    public CudaError ThreadExchangeStreamCaptureMode(ref CaptureMode mode) => Record(Capture.ExchangeThreadMode(ref mode));

    // ---- graphs -----------------------------------------------------------------------------------------------

    public CudaError GraphCreate(out nint graph, uint flags)
    {
        graph = 0;
        if (flags != 0)
            return Record(CudaError.InvalidValue);
        var context = EnsureContext(out var current);
        if (context != CudaError.Success)
            return Record(context);
        lock (_graphLock)
            graph = _graphs.Add(new RuntimeGraph(current.Device.Ordinal));
        return CudaError.Success;
    }

    public CudaError GraphDestroy(nint graph)
    {
        lock (_graphLock)
            return Record(_graphs.Remove(graph) ? CudaError.Success : CudaError.InvalidValue);
    }

    public CudaError GraphGetNodeCount(nint graph, out int count)
    {
        count = 0;
        lock (_graphLock)
        {
            if (!_graphs.TryGet(graph, out var g))
                return Record(CudaError.InvalidValue);
            count = g.Nodes.Count;
            return CudaError.Success;
        }
    }

    /// <summary>cudaGraphInstantiate (12/13 signature). Device-launchable graphs are not supported.</summary>
    public CudaError GraphInstantiate(out nint exec, nint graph, ulong flags)
    {
        const ulong autoFreeOnLaunch = 1, upload = 2, deviceLaunch = 4, useNodePriority = 8;
        exec = 0;
        if ((flags & ~(autoFreeOnLaunch | upload | deviceLaunch | useNodePriority)) != 0)
            return Record(CudaError.InvalidValue);
        if ((flags & deviceLaunch) != 0)
            return Record(CudaError.NotSupported);
        lock (_graphLock)
        {
            if (!_graphs.TryGet(graph, out var g))
                return Record(CudaError.InvalidValue);
            exec = _graphExecs.Add(new GraphExec(g));
            return CudaError.Success;
        }
    }

    public CudaError GraphExecDestroy(nint exec)
    {
        lock (_graphLock)
            return Record(_graphExecs.Remove(exec) ? CudaError.Success : CudaError.InvalidValue);
    }

    /// <summary>cudaGraphExecUpdate (12/13): on a topology or node-type change nothing is updated and the reason is reported.</summary>
    public CudaError GraphExecUpdate(nint exec, nint graph, out GraphExecUpdateResult result)
    {
        result = GraphExecUpdateResult.Error;
        lock (_graphLock)
        {
            if (!_graphExecs.TryGet(exec, out var e) || !_graphs.TryGet(graph, out var g))
                return Record(CudaError.InvalidValue);
            result = e.UpdateFrom(g, out _);
            return Record(result == GraphExecUpdateResult.Success ? CudaError.Success : CudaError.GraphExecUpdateFailure);
        }
    }

    /// <summary>cudaGraphLaunch: replays the nodes in order on <paramref name="stream"/>; into a capturing stream it is one child-graph node.</summary>
    public CudaError GraphLaunch(nint exec, nint stream)
    {
        GraphExec e;
        lock (_graphLock)
        {
            if (!_graphExecs.TryGet(exec, out e))
                return Record(CudaError.InvalidValue);
        }
        return StreamOperation(stream, GraphNodeKind.Graph, "graph launch", e.Launch);
    }
}
