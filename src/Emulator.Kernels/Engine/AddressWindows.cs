namespace Emulator.Kernels.Engine;

/// <summary>
/// The generic address space as kernels see it. Global addresses are the driver's unified addresses (host
/// addresses of the bytes, all below 2^47 on x86-64 Linux). Shared and local memory get windows above the
/// user address range, so no generic address can be ambiguous; cvta adds or removes the window base.
/// </summary>
public static class AddressWindows
{
    public const ulong SharedBase = 0x0001_0000_0000_0000;
    public const ulong LocalBase = 0x0002_0000_0000_0000;
    /// <summary>Size of each window: shared and local offsets are 32-bit.</summary>
    public const ulong WindowSize = 0x1_0000_0000;

    public static bool IsShared(ulong generic) => generic - SharedBase < WindowSize;
    public static bool IsLocal(ulong generic) => generic - LocalBase < WindowSize;
}
