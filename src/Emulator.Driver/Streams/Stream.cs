using Emulator.Driver.Contexts;

namespace Emulator.Driver.Streams;

/// <summary>Which stream a handle denotes.</summary>
public enum StreamKind
{
    /// <summary>Created with <c>cuStreamCreate*</c>.</summary>
    Created,
    /// <summary>The legacy default stream: implicitly synchronises with every blocking stream of its context.</summary>
    Legacy,
    /// <summary>A per-thread default stream: an ordinary blocking stream private to one host thread.</summary>
    PerThread,
}

/// <summary>The special stream handles of cuda.h.</summary>
public static class StreamHandles
{
    public const nint Null = 0;
    /// <summary><c>CU_STREAM_LEGACY</c>.</summary>
    public const nint Legacy = 0x1;
    /// <summary><c>CU_STREAM_PER_THREAD</c>.</summary>
    public const nint PerThread = 0x2;
}

/// <summary><c>CUstream_flags</c>.</summary>
public static class StreamFlags
{
    public const uint Default = 0x0;
    /// <summary>Does not synchronise with the legacy default stream.</summary>
    public const uint NonBlocking = 0x1;
}

/// <summary>
/// A stream. Execution is eager and in program order (docs/ARCHITECTURE.md): <see cref="Run"/> performs the
/// operation at once on the calling thread and advances the device's virtual clock by its modelled cost, so every
/// ordering rule between streams (legacy barriers, events, waits) holds by construction.
/// </summary>
public sealed class Stream
{
    internal Stream(Context context, nint handle, StreamKind kind, uint flags, int priority)
    {
        Context = context;
        Handle = handle;
        Kind = kind;
        Flags = flags;
        Priority = priority;
    }

    public Context Context { get; }

    /// <summary>The handle programs use (<c>0x1</c>/<c>0x2</c> for the default streams).</summary>
    public nint Handle { get; internal set; }

    public StreamKind Kind { get; }
    public uint Flags { get; }
    public int Priority { get; }

    /// <summary>The value <c>cuStreamGetId</c> reports.</summary>
    public ulong Id { get; internal set; }

    /// <summary>Virtual time at which the last operation enqueued here completed.</summary>
    public long CompletedAt { get; private set; }

    /// <summary>
    /// Executes one stream operation now. A failing operation leaves its error sticky on the context when the
    /// error is one a GPU cannot recover from (faults), and is returned either way.
    /// </summary>
    public CuResult Run(long costNanoseconds, Func<CuResult> operation)
    {
        var result = operation();
        CompletedAt = Context.Device.Clock.Advance(costNanoseconds);
        if (IsStickyFault(result)) Context.RecordFault(result);
        return result;
    }

    /// <summary>As <see cref="Run(long, Func{CuResult})"/> for operations whose cost is known only once they ran (kernels).</summary>
    public CuResult Run(Func<(CuResult Result, long CostNanoseconds)> operation)
    {
        var (result, cost) = operation();
        CompletedAt = Context.Device.Clock.Advance(cost);
        if (IsStickyFault(result)) Context.RecordFault(result);
        return result;
    }

    /// <summary>Errors after which NVIDIA's driver declares the context unusable.</summary>
    public static bool IsStickyFault(CuResult result) => result is
        CuResult.IllegalAddress or CuResult.LaunchFailed or CuResult.MisalignedAddress or CuResult.IllegalInstruction or
        CuResult.InvalidAddressSpace or CuResult.InvalidPc or CuResult.HardwareStackError or CuResult.Assert or
        CuResult.LaunchTimeout or CuResult.EccUncorrectable;
}
