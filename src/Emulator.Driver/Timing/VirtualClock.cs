namespace Emulator.Driver.Timing;

/// <summary>
/// A device's virtual time in nanoseconds. Under eager in-order execution every operation on the device finishes
/// before the next starts, so one monotonically increasing counter is the device's whole time line: an operation
/// advances it by its modelled cost and an event records its current value.
/// </summary>
public sealed class VirtualClock
{
    private long _nanoseconds;

    public long Now => Interlocked.Read(ref _nanoseconds);

    /// <summary>Moves time forward by <paramref name="nanoseconds"/> (negative costs are a bug, not a time machine).</summary>
    public long Advance(long nanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nanoseconds);
        return Interlocked.Add(ref _nanoseconds, nanoseconds);
    }

    /// <summary>Waits (virtually) until <paramref name="instant"/>: time never moves backwards.</summary>
    public long AdvanceTo(long instant)
    {
        while (true)
        {
            var now = Now;
            if (instant <= now) return now;
            if (Interlocked.CompareExchange(ref _nanoseconds, instant, now) == now) return instant;
        }
    }
}
