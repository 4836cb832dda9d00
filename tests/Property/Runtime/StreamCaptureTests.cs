using Emulator.Driver;
using Emulator.Driver.Runtime.Graphs;

namespace Emulator.Tests.Property.Runtime;

/// <summary>The capture rules of the CUDA Runtime API documentation, one scenario each.</summary>
public sealed class StreamCaptureTests
{
    private static readonly StreamIdentity Legacy = new(0x1, 0, IsLegacy: true, IsBlocking: true);
    private static readonly StreamIdentity A = new(0x100, 0, false, IsBlocking: false);
    private static readonly StreamIdentity B = new(0x200, 0, false, IsBlocking: false);
    private static readonly StreamIdentity Blocking = new(0x300, 0, false, IsBlocking: true);

    private readonly List<int> _executed = [];

    private CudaError Work(StreamCapture capture, StreamIdentity stream, int id) =>
        capture.Submit(stream, new GraphNode(GraphNodeKind.Host, $"work {id}", _ => { _executed.Add(id); return CudaError.Success; }),
            () => { _executed.Add(id); return CudaError.Success; });

    [Fact]
    public void CapturedWorkIsRecordedNotRunAndReplaysInOrder()
    {
        var capture = new StreamCapture();
        capture.Begin(A, CaptureMode.Global).ShouldBe(CudaError.Success);
        Work(capture, A, 1).ShouldBe(CudaError.Success);
        Work(capture, A, 2).ShouldBe(CudaError.Success);
        Work(capture, B, 99).ShouldBe(CudaError.Success); // not capturing: runs now
        _executed.ShouldBe([99]);
        capture.End(A, out var graph).ShouldBe(CudaError.Success);
        graph!.Nodes.Count.ShouldBe(2);
        var exec = new GraphExec(graph);
        exec.Launch(0).ShouldBe(CudaError.Success);
        exec.Launch(0).ShouldBe(CudaError.Success);
        _executed.ShouldBe([99, 1, 2, 1, 2]);
    }

    [Fact]
    public void BeginRulesLegacyStreamAndDoubleBegin()
    {
        var capture = new StreamCapture();
        capture.Begin(Legacy, CaptureMode.Global).ShouldBe(CudaError.StreamCaptureUnsupported);
        capture.Begin(A, (CaptureMode)7).ShouldBe(CudaError.InvalidValue);
        capture.Begin(A, CaptureMode.Relaxed).ShouldBe(CudaError.Success);
        capture.Begin(A, CaptureMode.Relaxed).ShouldBe(CudaError.IllegalState);
        capture.End(B, out _).ShouldBe(CudaError.IllegalState);
    }

    [Fact]
    public void AnUnsafeCallDuringGlobalCaptureFailsAndInvalidatesIt()
    {
        var capture = new StreamCapture();
        capture.Begin(A, CaptureMode.Global);
        capture.CheckUnsafeCall().ShouldBe(CudaError.StreamCaptureUnsupported);
        capture.Query(A, out var status, out _).ShouldBe(CudaError.Success);
        status.ShouldBe(CaptureStatus.Invalidated);
        Work(capture, A, 1).ShouldBe(CudaError.StreamCaptureInvalidated);
        capture.End(A, out var graph).ShouldBe(CudaError.StreamCaptureInvalidated);
        graph.ShouldBeNull();
        capture.Query(A, out status, out _);
        status.ShouldBe(CaptureStatus.None);
        capture.CheckUnsafeCall().ShouldBe(CudaError.Success);
    }

    [Fact]
    public void RelaxedCaptureAllowsUnsafeCallsButNotSynchronizingTheStream()
    {
        var capture = new StreamCapture();
        capture.Begin(A, CaptureMode.Relaxed);
        capture.CheckUnsafeCall().ShouldBe(CudaError.Success);
        capture.CheckSynchronize(A).ShouldBe(CudaError.StreamCaptureUnsupported);
        capture.End(A, out _).ShouldBe(CudaError.StreamCaptureInvalidated);
    }

    [Fact]
    public void LegacyStreamWorkWhileABlockingStreamCapturesIsImplicitDependency()
    {
        var capture = new StreamCapture();
        capture.Begin(A, CaptureMode.Relaxed);
        Work(capture, Legacy, 5).ShouldBe(CudaError.Success); // A is non-blocking: no implicit dependency
        capture.Begin(Blocking, CaptureMode.Relaxed);
        Work(capture, Legacy, 6).ShouldBe(CudaError.StreamCaptureImplicit);
        _executed.ShouldBe([5]);
        capture.End(Blocking, out _).ShouldBe(CudaError.StreamCaptureInvalidated);
        capture.End(A, out _).ShouldBe(CudaError.Success);
    }

    [Fact]
    public void ForkAndJoinThroughEventsCaptureTheSecondStream()
    {
        var capture = new StreamCapture();
        const nint fork = 0xE1, join = 0xE2;
        capture.Begin(A, CaptureMode.Global);
        Work(capture, A, 1);
        capture.RecordEvent(A, fork, () => CudaError.Success).ShouldBe(CudaError.Success);
        capture.IsCapturedEvent(fork).ShouldBeTrue();
        capture.WaitEvent(B, fork, () => CudaError.Success).ShouldBe(CudaError.Success);
        capture.Query(B, out var status, out _);
        status.ShouldBe(CaptureStatus.Active);
        Work(capture, B, 2);
        capture.RecordEvent(B, join, () => CudaError.Success);
        capture.WaitEvent(A, join, () => CudaError.Success).ShouldBe(CudaError.Success);
        Work(capture, A, 3);
        capture.End(B, out _).ShouldBe(CudaError.StreamCaptureUnmatched);
        capture.End(A, out var graph).ShouldBe(CudaError.Success);
        new GraphExec(graph!).Launch(0);
        _executed.ShouldBe([1, 2, 3]);
        capture.Query(B, out status, out _);
        status.ShouldBe(CaptureStatus.None);
        capture.IsCapturedEvent(fork).ShouldBeFalse();
    }

    [Fact]
    public void AForkedStreamThatNeverJoinsBackIsUnjoined()
    {
        var capture = new StreamCapture();
        const nint fork = 0xE1;
        capture.Begin(A, CaptureMode.Global);
        capture.RecordEvent(A, fork, () => CudaError.Success);
        capture.WaitEvent(B, fork, () => CudaError.Success);
        Work(capture, B, 2);
        capture.End(A, out var graph).ShouldBe(CudaError.StreamCaptureUnjoined);
        graph.ShouldBeNull();
    }

    [Fact]
    public void WaitingOnUncapturedWorkIsIsolationAndJoiningTwoCapturesIsMerge()
    {
        var capture = new StreamCapture();
        const nint outside = 0xE1, inB = 0xE2;
        capture.RecordEvent(A, outside, () => CudaError.Success).ShouldBe(CudaError.Success);
        capture.Begin(A, CaptureMode.Global);
        capture.WaitEvent(A, outside, () => CudaError.Success).ShouldBe(CudaError.StreamCaptureIsolation);
        capture.End(A, out _).ShouldBe(CudaError.StreamCaptureInvalidated);

        capture.Begin(A, CaptureMode.Relaxed);
        capture.Begin(B, CaptureMode.Relaxed);
        capture.RecordEvent(B, inB, () => CudaError.Success);
        capture.WaitEvent(A, inB, () => CudaError.Success).ShouldBe(CudaError.StreamCaptureMerge);
        capture.End(A, out _).ShouldBe(CudaError.StreamCaptureInvalidated);
        capture.End(B, out _).ShouldBe(CudaError.StreamCaptureInvalidated);
    }

    [Fact]
    public void ThreadLocalCaptureIsInvisibleToOtherThreadsAndMustEndOnItsOwn()
    {
        var capture = new StreamCapture();
        capture.Begin(A, CaptureMode.ThreadLocal);
        OnOtherThread(() => capture.CheckUnsafeCall()).ShouldBe(CudaError.Success);
        OnOtherThread(() => capture.End(A, out _)).ShouldBe(CudaError.StreamCaptureWrongThread);
        capture.End(A, out _).ShouldBe(CudaError.Success);
    }

    [Fact]
    public void GlobalCaptureProhibitsUnsafeCallsOnOtherThreadsUnlessTheyRelax()
    {
        var capture = new StreamCapture();
        capture.Begin(A, CaptureMode.Global);
        OnOtherThread(() =>
        {
            var mode = CaptureMode.Relaxed;
            capture.ExchangeThreadMode(ref mode).ShouldBe(CudaError.Success);
            mode.ShouldBe(CaptureMode.Global);
            return capture.CheckUnsafeCall();
        }).ShouldBe(CudaError.Success);
        capture.End(A, out _).ShouldBe(CudaError.Success); // a relaxed caller does not invalidate

        capture.Begin(A, CaptureMode.Global);
        OnOtherThread(() => capture.CheckUnsafeCall()).ShouldBe(CudaError.StreamCaptureUnsupported);
        OnOtherThread(() => capture.End(A, out _)).ShouldBe(CudaError.StreamCaptureInvalidated); // Global: any thread may end it
    }

    [Fact]
    public void ExecUpdateKeepsTopologyAndReportsWhatChanged()
    {
        var capture = new StreamCapture();
        RuntimeGraph Capture(params GraphNodeKind[] kinds)
        {
            capture.Begin(A, CaptureMode.Global);
            foreach (var kind in kinds)
                capture.Submit(A, new GraphNode(kind, kind.ToString(), _ => CudaError.Success), () => CudaError.Success);
            capture.End(A, out var g).ShouldBe(CudaError.Success);
            return g!;
        }

        var exec = new GraphExec(Capture(GraphNodeKind.Kernel, GraphNodeKind.Memcpy));
        exec.UpdateFrom(Capture(GraphNodeKind.Kernel, GraphNodeKind.Memcpy), out _).ShouldBe(GraphExecUpdateResult.Success);
        exec.UpdateFrom(Capture(GraphNodeKind.Kernel), out _).ShouldBe(GraphExecUpdateResult.TopologyChanged);
        exec.UpdateFrom(Capture(GraphNodeKind.Kernel, GraphNodeKind.Memset), out var failing).ShouldBe(GraphExecUpdateResult.NodeTypeChanged);
        failing.ShouldBe(1);
        exec.Nodes[1].Kind.ShouldBe(GraphNodeKind.Memcpy);
    }

    private static T OnOtherThread<T>(Func<T> action)
    {
        T result = default!;
        var thread = new Thread(() => result = action());
        thread.Start();
        thread.Join();
        return result;
    }
}
