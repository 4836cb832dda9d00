using Emulator.Driver.Contexts;

namespace Emulator.Driver;

/// <summary>
/// Peer access. All emulated devices share one address space, so any two distinct devices can reach each other's
/// memory; the driver still keeps NVIDIA's bookkeeping (enable once, disable only what was enabled).
/// </summary>
public sealed partial class CudaDriver
{
    public CuResult CanAccessPeer(int ordinal, int peerOrdinal, out bool canAccess)
    {
        canAccess = false;
        var result = GetDevice(ordinal, out _);
        if (result != CuResult.Success) return result;
        result = GetDevice(peerOrdinal, out _);
        if (result != CuResult.Success) return result;
        canAccess = ordinal != peerOrdinal;
        return CuResult.Success;
    }

    public CuResult EnablePeerAccess(nint peerHandle, uint flags)
    {
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        if (flags != 0) return CuResult.InvalidValue;
        result = GetContext(peerHandle, out var peer);
        if (result != CuResult.Success) return result;
        if (Usable(peer) != CuResult.Success) return CuResult.InvalidContext;
        if (peer.Device == context.Device) return CuResult.InvalidDevice;
        lock (_gate)
        {
            if (context.Peers.Contains(peer)) return CuResult.PeerAccessAlreadyEnabled;
            context.Peers.Add(peer);
            return CuResult.Success;
        }
    }

    public CuResult DisablePeerAccess(nint peerHandle)
    {
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        result = GetContext(peerHandle, out var peer);
        if (result != CuResult.Success) return result;
        lock (_gate)
        {
            return context.Peers.Remove(peer) ? CuResult.Success : CuResult.PeerAccessNotEnabled;
        }
    }

    /// <summary><c>cuCtxResetPersistingL2Cache</c>: the emulator keeps no L2 lines, so there is nothing left persisting.</summary>
    public CuResult ResetPersistingL2Cache() => GetCurrentContext(out _);
}
