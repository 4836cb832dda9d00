namespace Emulator.Memory;

/// <summary>
/// How the reserved address space is divided: one window per device for ordinary allocations
/// (cuMemAlloc, pitch, managed), one window for page-locked host allocations, one window for VMM
/// reservations. Windows are consecutive from the space's base in that order.
/// </summary>
public sealed record MemoryLayout
{
    public const ulong TiB = 1UL << 40;
    public const ulong GiB = 1UL << 30;

    /// <summary>Address range per device; must exceed the device's capacity (fragmentation needs room). Default 1 TiB.</summary>
    public ulong DeviceWindowSize { get; init; } = TiB;

    /// <summary>Address range for cuMemHostAlloc / cuMemAllocHost. Default 1 TiB.</summary>
    public ulong HostWindowSize { get; init; } = TiB;

    /// <summary>Address range for cuMemAddressReserve (ggml reserves 32 GiB per device). Default 16 TiB.</summary>
    public ulong VirtualWindowSize { get; init; } = 16 * TiB;

    public ulong TotalSize(int deviceCount) => DeviceWindowSize * (ulong)deviceCount + HostWindowSize + VirtualWindowSize;

    /// <summary>A small layout for tests that create many private spaces.</summary>
    public static MemoryLayout Compact { get; } = new()
    {
        DeviceWindowSize = 64 * GiB,
        HostWindowSize = 16 * GiB,
        VirtualWindowSize = 256 * GiB,
    };
}
