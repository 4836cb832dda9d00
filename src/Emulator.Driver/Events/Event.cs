using Emulator.Driver.Contexts;

namespace Emulator.Driver.Events;

/// <summary><c>CUevent_flags</c> and the flags of <c>cuEventRecordWithFlags</c> / <c>cuStreamWaitEvent</c>.</summary>
public static class EventFlags
{
    public const uint Default = 0x0;
    public const uint BlockingSync = 0x1;
    public const uint DisableTiming = 0x2;
    /// <summary>Requires <see cref="DisableTiming"/>.</summary>
    public const uint Interprocess = 0x4;
    public const uint Mask = BlockingSync | DisableTiming | Interprocess;

    /// <summary><c>CU_EVENT_RECORD_EXTERNAL</c>: only meaningful during stream capture.</summary>
    public const uint RecordExternal = 0x1;

    /// <summary><c>CU_EVENT_WAIT_EXTERNAL</c>: only meaningful during stream capture.</summary>
    public const uint WaitExternal = 0x1;
}

/// <summary>An event: a point on its device's virtual time line, set by record.</summary>
public sealed class Event
{
    internal Event(Context context, uint flags)
    {
        Context = context;
        Flags = flags;
    }

    public nint Handle { get; internal set; }
    public Context Context { get; }
    public uint Flags { get; }
    public bool TimingDisabled => (Flags & EventFlags.DisableTiming) != 0;

    /// <summary>Virtual nanoseconds at the last record; null while never recorded.</summary>
    public long? RecordedAt { get; internal set; }
}
