using Emulator.Driver.Devices;
using Emulator.Driver.Events;
using Emulator.Driver.Personas;
using Emulator.Driver.Streams;

namespace Emulator.Driver.Contexts;

/// <summary>Life cycle of a context handle.</summary>
public enum ContextState
{
    Active,
    /// <summary>A primary context whose reference count fell to zero (or that was reset): its handle stays valid, its resources are gone.</summary>
    Inactive,
    /// <summary>Destroyed by <c>cuCtxDestroy</c>; threads that still have it current get <c>CUDA_ERROR_CONTEXT_IS_DESTROYED</c>.</summary>
    Destroyed,
}

/// <summary>
/// A CUDA context: a device, flags, limits, the streams and events created in it and its default streams.
/// Mutated only by <see cref="CudaDriver"/> under its lock.
/// </summary>
public sealed class Context
{
    private readonly Dictionary<int, Stream> _perThreadStreams = new();
    private readonly Dictionary<ContextLimit, ulong> _limits;

    internal Context(Device device, uint flags, bool isPrimary, ulong id)
    {
        Device = device;
        Flags = flags;
        IsPrimary = isPrimary;
        Id = id;
        _limits = DefaultLimits(device.Persona);
        LegacyStream = new Stream(this, StreamHandles.Legacy, StreamKind.Legacy, flags: 0, priority: 0);
    }

    /// <summary>The handle programs hold; assigned once, never reused.</summary>
    public nint Handle { get; internal set; }

    public Device Device { get; }
    public uint Flags { get; internal set; }
    public bool IsPrimary { get; }

    /// <summary>The value <c>cuCtxGetId</c> reports: unique within the driver instance.</summary>
    public ulong Id { get; }

    public ContextState State { get; internal set; } = ContextState.Active;

    /// <summary>The first fault a kernel or operation left here (e.g. <c>CUDA_ERROR_ILLEGAL_ADDRESS</c>): sticky, as on a GPU.</summary>
    public CuResult StickyError { get; private set; } = CuResult.Success;

    /// <summary>The legacy default stream (<c>CU_STREAM_LEGACY</c>, and stream 0 outside <c>_ptsz</c> entry points).</summary>
    public Stream LegacyStream { get; }

    /// <summary><c>CUfunc_cache</c> preference; recorded and reported, it has no effect on emulated execution.</summary>
    public int CacheConfig { get; internal set; }

    internal List<Stream> Streams { get; } = new();

    /// <summary>Contexts this one may access directly (<c>cuCtxEnablePeerAccess</c>), in the order enabled.</summary>
    internal List<Context> Peers { get; } = new();

    /// <summary>cuMemAlloc / pitch / managed allocations made in this context (freed with it), in allocation order.</summary>
    internal List<ulong> DeviceAllocations { get; } = new();

    /// <summary>cuMemAllocHost / cuMemHostAlloc allocations made in this context (freed with it).</summary>
    internal List<ulong> HostAllocations { get; } = new();
    internal List<Event> Events { get; } = new();

    /// <summary>Resources the memory model (or modules) attach to this context, released with it.</summary>
    internal List<Action> ReleaseActions { get; } = new();

    public ulong GetLimit(ContextLimit limit) => _limits[limit];

    internal void SetLimit(ContextLimit limit, ulong value) => _limits[limit] = value;

    internal bool HasLimit(ContextLimit limit) => _limits.ContainsKey(limit);

    /// <summary>The calling thread's per-thread default stream (<c>CU_STREAM_PER_THREAD</c>), created on first use.</summary>
    internal Stream PerThreadStream(int managedThreadId)
    {
        if (!_perThreadStreams.TryGetValue(managedThreadId, out var stream))
        {
            stream = new Stream(this, StreamHandles.PerThread, StreamKind.PerThread, flags: 0, priority: 0);
            _perThreadStreams.Add(managedThreadId, stream);
        }
        return stream;
    }

    internal void RecordFault(CuResult fault)
    {
        if (StickyError == CuResult.Success) StickyError = fault;
    }

    /// <summary>Drops everything created in the context; handles of its streams and events are removed by the driver.</summary>
    internal void ReleaseResources()
    {
        Streams.Clear();
        Events.Clear();
        Peers.Clear();
        _perThreadStreams.Clear();
        foreach (var release in ReleaseActions) release();
        ReleaseActions.Clear();
        StickyError = CuResult.Success;
        foreach (var (limit, value) in DefaultLimits(Device.Persona)) _limits[limit] = value;
    }

    private static Dictionary<ContextLimit, ulong> DefaultLimits(Persona persona)
    {
        var limits = new Dictionary<ContextLimit, ulong>
        {
            [ContextLimit.StackSize] = 1024,
            [ContextLimit.PrintfFifoSize] = 1 << 20,
            [ContextLimit.MallocHeapSize] = 8 << 20,
            [ContextLimit.DevRuntimePendingLaunchCount] = 2048,
            [ContextLimit.MaxL2FetchGranularity] = 64,
        };
        // CUDA Dynamic Parallelism 2 (CC >= 9.0) removed the synchronisation depth limit.
        if (persona.ComputeCapabilityMajor < 9) limits[ContextLimit.DevRuntimeSyncDepth] = 2;
        // Persisting L2 lines exist only where the device can set L2 aside (CC >= 8.0).
        if (persona[DeviceAttribute.MaxPersistingL2CacheSize] > 0) limits[ContextLimit.PersistingL2CacheSize] = 0;
        return limits;
    }
}
