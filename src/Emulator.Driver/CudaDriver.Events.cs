using Emulator.Driver.Events;

namespace Emulator.Driver;

public sealed partial class CudaDriver
{
    public CuResult CreateEvent(uint flags, out nint handle)
    {
        handle = 0;
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        if ((flags & ~EventFlags.Mask) != 0) return CuResult.InvalidValue;
        if ((flags & EventFlags.Interprocess) != 0 && (flags & EventFlags.DisableTiming) == 0) return CuResult.InvalidValue;
        lock (_gate)
        {
            var @event = new Event(context, flags);
            @event.Handle = handle = _events.Add(@event);
            context.Events.Add(@event);
            return CuResult.Success;
        }
    }

    public CuResult DestroyEvent(nint handle)
    {
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
        {
            if (!_events.TryGet(handle, out var @event)) return CuResult.InvalidHandle;
            _events.Remove(handle);
            @event.Context.Events.Remove(@event);
            return CuResult.Success;
        }
    }

    /// <summary>
    /// Records the event on a stream: it captures the virtual time at which all work enqueued so far has completed.
    /// The event and the stream must belong to the same context.
    /// </summary>
    public CuResult RecordEvent(nint eventHandle, nint streamHandle, uint flags, bool perThreadDefaultStream)
    {
        if (!IsInitialized) return CuResult.NotInitialized;
        if ((flags & ~EventFlags.RecordExternal) != 0) return CuResult.InvalidValue;
        Event? @event;
        lock (_gate)
        {
            if (!_events.TryGet(eventHandle, out @event)) return CuResult.InvalidHandle;
        }
        var result = ResolveStream(streamHandle, perThreadDefaultStream, out var stream);
        if (result != CuResult.Success) return result;
        if (stream.Context != @event.Context) return CuResult.InvalidHandle;
        lock (_gate)
        {
            @event.RecordedAt = stream.Context.Device.Clock.Now;
            return CuResult.Success;
        }
    }

    /// <summary>Query and synchronise: recorded work is always complete; an event never recorded is complete too.</summary>
    public CuResult QueryEvent(nint handle)
    {
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
        {
            if (!_events.TryGet(handle, out var @event)) return CuResult.InvalidHandle;
            return @event.Context.StickyError;
        }
    }

    public CuResult SynchronizeEvent(nint handle) => QueryEvent(handle);

    /// <summary>
    /// Milliseconds of virtual time between two recorded events. Either created with
    /// <c>CU_EVENT_DISABLE_TIMING</c> → <c>INVALID_HANDLE</c>; either never recorded → <c>INVALID_HANDLE</c>, as
    /// cuEventElapsedTime documents (<c>NOT_READY</c> is for recorded work still running, which eager streams never
    /// leave behind); events of different devices have no common time line → <c>INVALID_HANDLE</c>.
    /// </summary>
    public CuResult ElapsedTime(nint startHandle, nint endHandle, out float milliseconds)
    {
        milliseconds = 0;
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
        {
            if (!_events.TryGet(startHandle, out var start) || !_events.TryGet(endHandle, out var end)) return CuResult.InvalidHandle;
            if (start.TimingDisabled || end.TimingDisabled) return CuResult.InvalidHandle;
            if (start.Context.Device != end.Context.Device) return CuResult.InvalidHandle;
            if (start.RecordedAt is not long from || end.RecordedAt is not long to) return CuResult.InvalidHandle;
            milliseconds = (float)((to - from) / 1_000_000.0);
            return CuResult.Success;
        }
    }
}
