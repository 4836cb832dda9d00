using Emulator.Driver.Contexts;
using Emulator.Driver.Events;
using Emulator.Driver.Streams;
using Emulator.Driver.Timing;

namespace Emulator.Driver;

public sealed partial class CudaDriver
{
    /// <summary>
    /// Resolves a stream handle as an entry point sees it. Null means the legacy default stream, or — in the
    /// per-thread-default-stream (<c>_ptsz</c>/<c>_ptds</c>) variants — the calling thread's default stream;
    /// <c>CU_STREAM_LEGACY</c> and <c>CU_STREAM_PER_THREAD</c> always mean what they say. Default streams belong
    /// to the current context; created streams carry their own.
    /// </summary>
    public CuResult ResolveStream(nint handle, bool perThreadDefaultStream, out Stream stream)
    {
        stream = null!;
        if (!IsInitialized) return CuResult.NotInitialized;
        if (handle is StreamHandles.Null or StreamHandles.Legacy or StreamHandles.PerThread)
        {
            var result = GetCurrentContext(out var context);
            if (result != CuResult.Success) return result;
            var perThread = handle == StreamHandles.PerThread || (handle == StreamHandles.Null && perThreadDefaultStream);
            if (!perThread)
            {
                stream = context.LegacyStream;
                return CuResult.Success;
            }
            lock (_gate)
            {
                stream = context.PerThreadStream(Environment.CurrentManagedThreadId);
            }
            return CuResult.Success;
        }
        // Lock-free: the handle table reads safely beside writers and a context's state is one field. ggml resolves
        // its stream on every launch; a stream destroyed concurrently is a race the program owns, as on NVIDIA's.
        if (!_streams.TryGet(handle, out stream)) return CuResult.InvalidHandle;
        return Usable(stream.Context);
    }

    public CuResult CreateStream(uint flags, int priority, out nint handle)
    {
        handle = 0;
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        if ((flags & ~StreamFlags.NonBlocking) != 0) return CuResult.InvalidValue;
        // Out-of-range priorities are clamped to the nearest valid one, as NVIDIA documents.
        var clamped = Math.Clamp(priority, context.Device.Persona.GreatestStreamPriority, 0);
        lock (_gate)
        {
            var stream = new Stream(context, 0, StreamKind.Created, flags, clamped) { Id = _nextStreamId++ };
            stream.Handle = handle = _streams.Add(stream);
            context.Streams.Add(stream);
            return CuResult.Success;
        }
    }

    public CuResult DestroyStream(nint handle)
    {
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
        {
            if (!_streams.TryGet(handle, out var stream)) return CuResult.InvalidHandle;
            _streams.Remove(handle);
            stream.Context.Streams.Remove(stream);
            return CuResult.Success;
        }
    }

    public CuResult GetStreamPriority(nint handle, bool perThreadDefaultStream, out int priority)
    {
        priority = 0;
        var result = ResolveStream(handle, perThreadDefaultStream, out var stream);
        if (result == CuResult.Success) priority = stream.Priority;
        return result;
    }

    public CuResult GetStreamFlags(nint handle, bool perThreadDefaultStream, out uint flags)
    {
        flags = 0;
        var result = ResolveStream(handle, perThreadDefaultStream, out var stream);
        if (result == CuResult.Success) flags = stream.Flags;
        return result;
    }

    public CuResult GetStreamContext(nint handle, bool perThreadDefaultStream, out nint context)
    {
        context = 0;
        var result = ResolveStream(handle, perThreadDefaultStream, out var stream);
        if (result == CuResult.Success) context = stream.Context.Handle;
        return result;
    }

    /// <summary><c>cuStreamGetId</c>: the legacy stream is 1 and a per-thread stream 2; created streams count from 3.</summary>
    public CuResult GetStreamId(nint handle, bool perThreadDefaultStream, out ulong id)
    {
        id = 0;
        var result = ResolveStream(handle, perThreadDefaultStream, out var stream);
        if (result == CuResult.Success)
            id = stream.Kind switch { StreamKind.Legacy => 1, StreamKind.PerThread => 2, _ => stream.Id };
        return result;
    }

    /// <summary>Query and synchronise: with eager execution all work is complete; a sticky fault is reported.</summary>
    public CuResult SynchronizeStream(nint handle, bool perThreadDefaultStream)
    {
        var result = ResolveStream(handle, perThreadDefaultStream, out var stream);
        return result != CuResult.Success ? result : stream.Context.StickyError;
    }

    public CuResult QueryStream(nint handle, bool perThreadDefaultStream) => SynchronizeStream(handle, perThreadDefaultStream);

    /// <summary>
    /// <c>cuStreamWaitEvent</c>: work after the wait starts no earlier than the event's virtual time. An event never
    /// recorded imposes no wait, as NVIDIA documents.
    /// </summary>
    public CuResult StreamWaitEvent(nint streamHandle, nint eventHandle, uint flags, bool perThreadDefaultStream)
    {
        var result = ResolveStream(streamHandle, perThreadDefaultStream, out var stream);
        if (result != CuResult.Success) return result;
        if ((flags & ~EventFlags.WaitExternal) != 0) return CuResult.InvalidValue;
        lock (_gate)
        {
            if (!_events.TryGet(eventHandle, out var @event)) return CuResult.InvalidHandle;
            if (@event.RecordedAt is long instant && @event.Context.Device == stream.Context.Device)
                stream.Context.Device.Clock.AdvanceTo(instant);
            return stream.Context.StickyError;
        }
    }

    /// <summary>Runs a host function in stream order (<c>cuLaunchHostFunc</c>, <c>cuStreamAddCallback</c>).</summary>
    public CuResult LaunchHostFunction(nint streamHandle, bool perThreadDefaultStream, Action hostFunction)
    {
        var result = ResolveStream(streamHandle, perThreadDefaultStream, out var stream);
        if (result != CuResult.Success) return result;
        return Enqueue(stream, OperationCost.HostFunction(stream.Context.Device.Persona.CostModel), () =>
        {
            hostFunction();
            return CuResult.Success;
        });
    }

    /// <summary>
    /// Executes one operation on a stream (copies, fills, kernel launches, host functions): refuses when the context
    /// holds a sticky fault, otherwise runs it now and advances the device clock by <paramref name="costNanoseconds"/>.
    /// The operation runs outside the driver lock so it may take long (kernels) without blocking other threads.
    /// </summary>
    public CuResult Enqueue(Stream stream, long costNanoseconds, Func<CuResult> operation)
    {
        if (stream.Context.StickyError != CuResult.Success) return stream.Context.StickyError;
        return stream.Run(costNanoseconds, operation);
    }
}
