namespace Emulator.Driver.Runtime.Graphs;

/// <summary>cudaStreamCaptureMode.</summary>
public enum CaptureMode
{
    Global = 0,
    ThreadLocal = 1,
    Relaxed = 2,
}

/// <summary>cudaStreamCaptureStatus.</summary>
public enum CaptureStatus
{
    None = 0,
    Active = 1,
    Invalidated = 2,
}

/// <summary>What the capture rules need to know about a stream handle, resolved by the caller.</summary>
/// <param name="IsLegacy">The NULL / cudaStreamLegacy stream, which synchronizes with every blocking stream.</param>
/// <param name="IsBlocking">Created without cudaStreamNonBlocking (the per-thread default stream is blocking).</param>
public readonly record struct StreamIdentity(nint Handle, int Device, bool IsLegacy, bool IsBlocking);

/// <summary>
/// The stream-capture state machine of the CUDA runtime (cudaStreamBeginCapture … cudaStreamEndCapture),
/// including cross-stream capture through events, the "potentially unsafe call" rules of the capture
/// modes and the legacy-stream rule. Work routed through <see cref="Submit"/> runs at once unless its
/// stream is capturing, in which case it becomes a graph node.
/// </summary>
public sealed class StreamCapture
{
    private sealed class Member
    {
        public required StreamIdentity Stream;
        public int NodesAppended;
        public bool HasUnjoinedWork;
    }

    private sealed class Session
    {
        public required ulong Id;
        public required StreamIdentity Origin;
        public required CaptureMode Mode;
        public required int OwnerThread;
        public required RuntimeGraph Graph;
        public bool Invalidated;
        public readonly Dictionary<nint, Member> Members = new();
    }

    /// <summary>Where an event was last recorded while capturing: the session, the stream, and how much of its work it covers.</summary>
    private sealed record CapturedRecord(Session Session, nint Stream, int NodesCovered);

    private readonly Lock _lock = new();
    private readonly Dictionary<nint, Session> _sessionByStream = new();
    private readonly List<Session> _sessions = [];
    private readonly Dictionary<nint, CapturedRecord> _capturedEvents = new();
    private readonly ThreadLocal<CaptureMode> _threadMode = new(static () => CaptureMode.Global);
    private ulong _nextId;

    // How many captures are running (the length of _sessions), readable without the lock. Nearly every stream
    // operation asks "is this stream capturing?"; while nothing captures (ggml captures only around its graph
    // builds), the answer is no without taking the lock. A capture begun concurrently on another thread is
    // unordered with such a call, exactly as when the call takes the lock first.
    private int _runningCaptures;

    /// <summary>True while no stream anywhere is capturing: stream work then simply runs.</summary>
    public bool IsIdle => Volatile.Read(ref _runningCaptures) == 0;

    public CudaError Begin(StreamIdentity stream, CaptureMode mode)
    {
        if (mode is < CaptureMode.Global or > CaptureMode.Relaxed)
            return CudaError.InvalidValue;
        if (stream.IsLegacy)
            return CudaError.StreamCaptureUnsupported;
        lock (_lock)
        {
            if (_sessionByStream.ContainsKey(stream.Handle))
                return CudaError.IllegalState;
            var session = new Session
            {
                Id = ++_nextId,
                Origin = stream,
                Mode = mode,
                OwnerThread = Environment.CurrentManagedThreadId,
                Graph = new RuntimeGraph(stream.Device),
            };
            session.Members[stream.Handle] = new Member { Stream = stream };
            _sessions.Add(session);
            Volatile.Write(ref _runningCaptures, _sessions.Count);
            _sessionByStream[stream.Handle] = session;
            return CudaError.Success;
        }
    }

    /// <summary>
    /// cudaStreamEndCapture. The capture ends whatever the outcome (except for the wrong-thread and
    /// wrong-stream errors, which leave it running); only a clean capture yields a graph.
    /// </summary>
    public CudaError End(StreamIdentity stream, out RuntimeGraph? graph)
    {
        graph = null;
        lock (_lock)
        {
            if (!_sessionByStream.TryGetValue(stream.Handle, out var session))
                return CudaError.IllegalState;
            if (session.Origin.Handle != stream.Handle)
                return CudaError.StreamCaptureUnmatched;
            if (session.Mode == CaptureMode.ThreadLocal && session.OwnerThread != Environment.CurrentManagedThreadId)
                return CudaError.StreamCaptureWrongThread;

            Terminate(session);
            if (session.Invalidated)
                return CudaError.StreamCaptureInvalidated;
            if (session.Members.Values.Any(static m => m.HasUnjoinedWork))
                return CudaError.StreamCaptureUnjoined;
            graph = session.Graph;
            return CudaError.Success;
        }
    }

    public CudaError Query(StreamIdentity stream, out CaptureStatus status, out ulong id)
    {
        status = CaptureStatus.None;
        id = 0;
        if (IsIdle)
            return CudaError.Success;
        lock (_lock)
        {
            if (stream.IsLegacy)
                return BlockingCaptureOnDevice(stream.Device).Any() ? CudaError.StreamCaptureImplicit : CudaError.Success;
            if (_sessionByStream.TryGetValue(stream.Handle, out var session))
            {
                status = session.Invalidated ? CaptureStatus.Invalidated : CaptureStatus.Active;
                id = session.Id;
            }
            return CudaError.Success;
        }
    }

    /// <summary>cudaThreadExchangeStreamCaptureMode: sets how this thread's unsafe calls interact with captures.</summary>
    public CudaError ExchangeThreadMode(ref CaptureMode mode)
    {
        if (mode is < CaptureMode.Global or > CaptureMode.Relaxed)
            return CudaError.InvalidValue;
        (mode, _threadMode.Value) = (_threadMode.Value, mode);
        return CudaError.Success;
    }

    /// <summary>
    /// Runs <paramref name="executeNow"/> unless <paramref name="stream"/> is capturing, in which case the
    /// node is recorded instead. Work on the legacy stream while a blocking stream of its device captures
    /// would make the capture depend on it: cudaErrorStreamCaptureImplicit, and that capture is invalidated.
    /// </summary>
    public CudaError Submit(StreamIdentity stream, GraphNode node, Func<CudaError> executeNow)
    {
        if (IsIdle)
            return executeNow();
        lock (_lock)
        {
            if (_sessionByStream.TryGetValue(stream.Handle, out var session))
            {
                if (session.Invalidated)
                    return CudaError.StreamCaptureInvalidated;
                session.Graph.Append(node);
                var member = session.Members[stream.Handle];
                member.NodesAppended++;
                if (stream.Handle != session.Origin.Handle)
                    member.HasUnjoinedWork = true;
                return CudaError.Success;
            }
            if (stream.IsLegacy && InvalidateAll(BlockingCaptureOnDevice(stream.Device)))
                return CudaError.StreamCaptureImplicit;
        }
        return executeNow();
    }

    /// <summary>
    /// The gate for "potentially unsafe" calls (cudaMalloc, synchronous copies, device synchronization, ...).
    /// Under the calling thread's interaction mode: Relaxed never prohibits; ThreadLocal prohibits while
    /// this thread runs a non-relaxed capture; Global additionally while any thread runs a Global capture.
    /// A prohibited call fails with cudaErrorStreamCaptureUnsupported and invalidates those captures.
    /// </summary>
    public CudaError CheckUnsafeCall()
    {
        var threadMode = _threadMode.Value;
        if (threadMode == CaptureMode.Relaxed || IsIdle)
            return CudaError.Success;
        var thread = Environment.CurrentManagedThreadId;
        lock (_lock)
        {
            var prohibiting = _sessions.Where(s =>
                (s.OwnerThread == thread && s.Mode != CaptureMode.Relaxed)
                || (threadMode == CaptureMode.Global && s.Mode == CaptureMode.Global)).ToList();
            return InvalidateAll(prohibiting) ? CudaError.StreamCaptureUnsupported : CudaError.Success;
        }
    }

    /// <summary>cudaStreamSynchronize / cudaStreamQuery on a capturing stream is illegal and invalidates the capture.</summary>
    public CudaError CheckSynchronize(StreamIdentity stream)
    {
        lock (_lock)
        {
            if (stream.IsLegacy)
                return InvalidateAll(BlockingCaptureOnDevice(stream.Device)) ? CudaError.StreamCaptureImplicit : CudaError.Success;
            if (!_sessionByStream.TryGetValue(stream.Handle, out var session))
                return CudaError.Success;
            session.Invalidated = true;
            return CudaError.StreamCaptureUnsupported;
        }
    }

    /// <summary>cudaDeviceSynchronize: an unsafe call, and never legal while any stream of the device captures.</summary>
    public CudaError CheckDeviceSynchronize(int device)
    {
        var unsafeCall = CheckUnsafeCall();
        if (unsafeCall != CudaError.Success)
            return unsafeCall;
        lock (_lock)
            return InvalidateAll(_sessions.Where(s => s.Origin.Device == device).ToList())
                ? CudaError.StreamCaptureUnsupported
                : CudaError.Success;
    }

    /// <summary>
    /// cudaEventRecord. On a capturing stream the event becomes a capture-time marker (no node); elsewhere
    /// it is recorded now by <paramref name="recordNow"/> and forgets any earlier capture.
    /// </summary>
    public CudaError RecordEvent(StreamIdentity stream, nint @event, Func<CudaError> recordNow)
    {
        lock (_lock)
        {
            if (_sessionByStream.TryGetValue(stream.Handle, out var session))
            {
                if (session.Invalidated)
                    return CudaError.StreamCaptureInvalidated;
                _capturedEvents[@event] = new CapturedRecord(session, stream.Handle, session.Members[stream.Handle].NodesAppended);
                return CudaError.Success;
            }
            if (stream.IsLegacy && InvalidateAll(BlockingCaptureOnDevice(stream.Device)))
                return CudaError.StreamCaptureImplicit;
            _capturedEvents.Remove(@event);
        }
        return recordNow();
    }

    /// <summary>
    /// cudaStreamWaitEvent. Waiting on an event captured in a running capture joins the waiting stream to
    /// it (fork) or, on the origin stream, joins the recording stream back (join). A capturing stream may
    /// not wait on work outside its capture (cudaErrorStreamCaptureIsolation) or on another capture
    /// (cudaErrorStreamCaptureMerge); both invalidate.
    /// </summary>
    public CudaError WaitEvent(StreamIdentity stream, nint @event, Func<CudaError> waitNow)
    {
        lock (_lock)
        {
            _capturedEvents.TryGetValue(@event, out var record);
            if (record is not null && !_sessions.Contains(record.Session))
                record = null;
            _sessionByStream.TryGetValue(stream.Handle, out var session);

            if (record is null)
            {
                if (session is null)
                    return waitNow();
                session.Invalidated = true;
                return CudaError.StreamCaptureIsolation;
            }
            if (session is null)
            {
                if (stream.IsLegacy)
                    return CudaError.StreamCaptureImplicit;
                session = record.Session;
                session.Members[stream.Handle] = new Member { Stream = stream };
                _sessionByStream[stream.Handle] = session;
                return session.Invalidated ? CudaError.StreamCaptureInvalidated : CudaError.Success;
            }
            if (!ReferenceEquals(session, record.Session))
            {
                session.Invalidated = true;
                record.Session.Invalidated = true;
                return CudaError.StreamCaptureMerge;
            }
            if (session.Invalidated)
                return CudaError.StreamCaptureInvalidated;
            if (stream.Handle == session.Origin.Handle
                && session.Members.TryGetValue(record.Stream, out var recorder)
                && recorder.NodesAppended == record.NodesCovered)
                recorder.HasUnjoinedWork = false;
            return CudaError.Success;
        }
    }

    /// <summary>cudaEventSynchronize / Query / ElapsedTime on an event last recorded inside a running capture is cudaErrorCapturedEvent.</summary>
    public bool IsCapturedEvent(nint @event)
    {
        lock (_lock)
            return _capturedEvents.TryGetValue(@event, out var record) && _sessions.Contains(record.Session);
    }

    /// <summary>cudaStreamDestroy of a capturing stream invalidates its capture and drops the stream from it.</summary>
    public void ForgetStream(nint stream)
    {
        lock (_lock)
        {
            if (_sessionByStream.Remove(stream, out var session))
            {
                session.Invalidated = true;
                session.Members.Remove(stream);
                if (session.Origin.Handle == stream)
                    Terminate(session);
            }
        }
    }

    public void ForgetEvent(nint @event)
    {
        lock (_lock)
            _capturedEvents.Remove(@event);
    }

    private IEnumerable<Session> BlockingCaptureOnDevice(int device) =>
        _sessions.Where(s => s.Origin.Device == device && s.Members.Values.Any(static m => m.Stream.IsBlocking)).ToList();

    private static bool InvalidateAll(IEnumerable<Session> sessions)
    {
        var any = false;
        foreach (var session in sessions)
        {
            session.Invalidated = true;
            any = true;
        }
        return any;
    }

    private void Terminate(Session session)
    {
        _sessions.Remove(session);
        foreach (var member in session.Members.Keys)
            _sessionByStream.Remove(member);
        Volatile.Write(ref _runningCaptures, _sessions.Count);
    }
}
