namespace Emulator.Driver.Contexts;

/// <summary><c>CUctx_flags</c>: a scheduling policy in the low three bits plus independent option bits.</summary>
public static class ContextFlags
{
    public const uint SchedAuto = 0x00;
    public const uint SchedSpin = 0x01;
    public const uint SchedYield = 0x02;
    public const uint SchedBlockingSync = 0x04;
    public const uint SchedMask = 0x07;
    public const uint MapHost = 0x08;
    public const uint LmemResizeToMax = 0x10;
    public const uint CoredumpEnable = 0x20;
    public const uint UserCoredumpEnable = 0x40;
    public const uint SyncMemops = 0x80;
    public const uint FlagsMask = 0xFF;

    /// <summary>Exactly one scheduling policy (or none = auto) and no unknown bits.</summary>
    public static bool AreValid(uint flags) =>
        (flags & ~FlagsMask) == 0 && (flags & SchedMask) is SchedAuto or SchedSpin or SchedYield or SchedBlockingSync;
}

/// <summary><c>CUlimit</c>.</summary>
public enum ContextLimit
{
    StackSize = 0,
    PrintfFifoSize = 1,
    MallocHeapSize = 2,
    DevRuntimeSyncDepth = 3,
    DevRuntimePendingLaunchCount = 4,
    MaxL2FetchGranularity = 5,
    PersistingL2CacheSize = 6,
    ShmemSize = 7,
    CigEnabled = 8,
    CigShmemFallbackEnabled = 9,
}
