using Emulator.Driver.Runtime.Graphs;
using Emulator.Driver.Streams;
using Emulator.Memory;

namespace Emulator.Driver.Runtime;

/// <summary>cudaMemcpyKind.</summary>
public enum MemcpyKind
{
    HostToHost = 0,
    HostToDevice = 1,
    DeviceToHost = 2,
    DeviceToDevice = 3,
    Default = 4,
}

public sealed partial class CudaRuntime
{
    private const uint HostAllocFlagsMask = 0x07;    // Portable | Mapped | WriteCombined
    private const uint HostRegisterFlagsMask = 0x0F; // Portable | Mapped | IoMemory | ReadOnly
    private const uint MemAttachGlobal = 0x01, MemAttachHost = 0x02;

    private readonly Lock _peerLock = new();
    private readonly HashSet<(int Device, int Peer)> _peerAccess = new();

    // ---- allocation -------------------------------------------------------------------------------------------

    /// <summary>cudaMalloc: a potentially unsafe call during capture; size 0 succeeds with a NULL pointer.</summary>
    public CudaError Malloc(out ulong address, ulong size)
    {
        address = 0;
        var prepared = PrepareUnsafeCall();
        if (prepared != CudaError.Success)
            return Record(prepared);
        return size == 0 ? CudaError.Success : Record(Driver.MemAlloc(size, out address));
    }

    /// <summary>cudaFree: NULL is a no-op; an address that is not an allocation's base is cudaErrorInvalidValue.</summary>
    public CudaError Free(ulong address)
    {
        var prepared = PrepareUnsafeCall();
        if (prepared != CudaError.Success)
            return Record(prepared);
        return address == 0 ? CudaError.Success : Record(Driver.MemFree(address));
    }

    public CudaError MallocManaged(out ulong address, ulong size, uint flags)
    {
        address = 0;
        if (size == 0 || flags is not (MemAttachGlobal or MemAttachHost))
            return Record(CudaError.InvalidValue);
        var prepared = PrepareUnsafeCall();
        if (prepared != CudaError.Success)
            return Record(prepared);
        return Record(Driver.MemAllocManaged(size, flags, out address));
    }

    public CudaError MallocHost(out ulong address, ulong size) => HostAlloc(out address, size, 0);

    /// <summary>cudaHostAlloc: page-locked host memory, always mapped (device pointer = host pointer under unified addressing).</summary>
    public CudaError HostAlloc(out ulong address, ulong size, uint flags)
    {
        address = 0;
        if ((flags & ~HostAllocFlagsMask) != 0)
            return Record(CudaError.InvalidValue);
        var prepared = PrepareUnsafeCall();
        if (prepared != CudaError.Success)
            return Record(prepared);
        return size == 0 ? CudaError.Success : Record(Driver.MemHostAlloc(size, flags, out address));
    }

    public CudaError FreeHost(ulong address)
    {
        var prepared = PrepareUnsafeCall();
        if (prepared != CudaError.Success)
            return Record(prepared);
        return address == 0 ? CudaError.Success : Record(Driver.MemFreeHost(address));
    }

    public CudaError HostRegister(ulong address, ulong size, uint flags)
    {
        if (address == 0 || size == 0 || (flags & ~HostRegisterFlagsMask) != 0)
            return Record(CudaError.InvalidValue);
        var prepared = PrepareUnsafeCall();
        if (prepared != CudaError.Success)
            return Record(prepared);
        return Record(Driver.MemHostRegister(address, size, flags));
    }

    public CudaError HostUnregister(ulong address)
    {
        var prepared = PrepareUnsafeCall();
        if (prepared != CudaError.Success)
            return Record(prepared);
        return Record(Driver.MemHostUnregister(address));
    }

    /// <summary>cudaHostGetDevicePointer: <paramref name="flags"/> must be 0.</summary>
    public CudaError HostGetDevicePointer(out ulong deviceAddress, ulong hostAddress, uint flags)
    {
        deviceAddress = 0;
        if (flags != 0)
            return Record(CudaError.InvalidValue);
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        return Record(Driver.MemHostGetDevicePointer(hostAddress, flags, out deviceAddress));
    }

    public CudaError HostGetFlags(out uint flags, ulong hostAddress)
    {
        flags = 0;
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        return Record(Driver.MemHostGetFlags(hostAddress, out flags));
    }

    public CudaError MemGetInfo(out ulong free, out ulong total)
    {
        free = total = 0;
        var context = EnsureContext(out _);
        if (context != CudaError.Success)
            return Record(context);
        return Record(Driver.MemGetInfo(out free, out total));
    }

    // ---- copies and fills -------------------------------------------------------------------------------------

    /// <summary>cudaMemcpy: synchronous, on the legacy stream, and a potentially unsafe call during capture.</summary>
    public CudaError Memcpy(ulong destination, ulong source, ulong count, MemcpyKind kind)
    {
        var prepared = PrepareUnsafeCall();
        return prepared != CudaError.Success ? Record(prepared) : MemcpyAsync(destination, source, count, kind, StreamHandles.Legacy);
    }

    public CudaError MemcpyAsync(ulong destination, ulong source, ulong count, MemcpyKind kind, nint stream)
    {
        if (!TryOperandKinds(kind, out var destinationKind, out var sourceKind))
            return Record(CudaError.InvalidMemcpyDirection);
        if (count == 0)
            return CudaError.Success;
        return StreamOperation(stream, GraphNodeKind.Memcpy, $"memcpy {count} B",
            s => RuntimeErrors.FromDriver(Driver.MemCopy(s, false, destination, destinationKind, source, sourceKind, count)));
    }

    public CudaError Memcpy2D(ulong destination, ulong destinationPitch, ulong source, ulong sourcePitch,
        ulong width, ulong height, MemcpyKind kind)
    {
        var prepared = PrepareUnsafeCall();
        return prepared != CudaError.Success
            ? Record(prepared)
            : Memcpy2DAsync(destination, destinationPitch, source, sourcePitch, width, height, kind, StreamHandles.Legacy);
    }

    /// <summary>cudaMemcpy2DAsync: a row wider than either pitch is cudaErrorInvalidPitchValue.</summary>
    public CudaError Memcpy2DAsync(ulong destination, ulong destinationPitch, ulong source, ulong sourcePitch,
        ulong width, ulong height, MemcpyKind kind, nint stream)
    {
        if (!TryOperandKinds(kind, out var destinationKind, out var sourceKind))
            return Record(CudaError.InvalidMemcpyDirection);
        if ((height > 1 && (width > destinationPitch || width > sourcePitch)))
            return Record(CudaError.InvalidPitchValue);
        if (width == 0 || height == 0)
            return CudaError.Success;
        var to = new CopyOperand(destinationKind, destination, destinationPitch);
        var from = new CopyOperand(sourceKind, source, sourcePitch);
        return StreamOperation(stream, GraphNodeKind.Memcpy, $"memcpy2D {width}x{height}",
            s => RuntimeErrors.FromDriver(Driver.MemCopy2D(s, false, to, from, width, height)));
    }

    public CudaError MemcpyPeer(ulong destination, int destinationDevice, ulong source, int sourceDevice, ulong count)
    {
        var prepared = PrepareUnsafeCall();
        return prepared != CudaError.Success
            ? Record(prepared)
            : MemcpyPeerAsync(destination, destinationDevice, source, sourceDevice, count, StreamHandles.Legacy);
    }

    /// <summary>
    /// cudaMemcpyPeerAsync: both devices must exist; with unified addressing a peer copy is a device-to-device
    /// copy between the two allocations, whether or not peer access was enabled (as NVIDIA documents).
    /// </summary>
    public CudaError MemcpyPeerAsync(ulong destination, int destinationDevice, ulong source, int sourceDevice, ulong count, nint stream)
    {
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        if (!IsDevice(destinationDevice) || !IsDevice(sourceDevice))
            return Record(CudaError.InvalidDevice);
        if (count == 0)
            return CudaError.Success;
        return StreamOperation(stream, GraphNodeKind.Memcpy, $"peer memcpy {count} B",
            s => RuntimeErrors.FromDriver(Driver.MemCopy(s, false, destination, OperandKind.Device, source, OperandKind.Device, count)));
    }

    public CudaError Memset(ulong destination, int value, ulong count)
    {
        var prepared = PrepareUnsafeCall();
        return prepared != CudaError.Success ? Record(prepared) : MemsetAsync(destination, value, count, StreamHandles.Legacy);
    }

    /// <summary>cudaMemsetAsync: fills bytes with the low 8 bits of <paramref name="value"/>.</summary>
    public CudaError MemsetAsync(ulong destination, int value, ulong count, nint stream)
    {
        if (count == 0)
            return CudaError.Success;
        var fill = (uint)(value & 0xFF);
        return StreamOperation(stream, GraphNodeKind.Memset, $"memset {count} B",
            s => RuntimeErrors.FromDriver(Driver.MemSet(s, false, destination, 0, fill, 1, count, 1)));
    }

    public CudaError Memset2D(ulong destination, ulong pitch, int value, ulong width, ulong height)
    {
        var prepared = PrepareUnsafeCall();
        return prepared != CudaError.Success ? Record(prepared) : Memset2DAsync(destination, pitch, value, width, height, StreamHandles.Legacy);
    }

    public CudaError Memset2DAsync(ulong destination, ulong pitch, int value, ulong width, ulong height, nint stream)
    {
        if (height > 1 && width > pitch)
            return Record(CudaError.InvalidPitchValue);
        if (width == 0 || height == 0)
            return CudaError.Success;
        var fill = (uint)(value & 0xFF);
        return StreamOperation(stream, GraphNodeKind.Memset, $"memset2D {width}x{height}",
            s => RuntimeErrors.FromDriver(Driver.MemSet(s, false, destination, pitch, fill, 1, width, height)));
    }

    // ---- peer access ------------------------------------------------------------------------------------------

    /// <summary>cudaDeviceCanAccessPeer: emulated devices share one address space, so any two distinct devices can.</summary>
    public CudaError DeviceCanAccessPeer(out int canAccess, int device, int peerDevice)
    {
        canAccess = 0;
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        if (!IsDevice(device) || !IsDevice(peerDevice))
            return Record(CudaError.InvalidDevice);
        canAccess = device != peerDevice ? 1 : 0;
        return CudaError.Success;
    }

    /// <summary>
    /// cudaDeviceEnablePeerAccess from the current device: flags must be 0, the peer must be another device,
    /// and enabling twice is cudaErrorPeerAccessAlreadyEnabled.
    /// </summary>
    public CudaError DeviceEnablePeerAccess(int peerDevice, uint flags)
    {
        var context = EnsureContext(out var current);
        if (context != CudaError.Success)
            return Record(context);
        if (flags != 0)
            return Record(CudaError.InvalidValue);
        if (!IsDevice(peerDevice) || peerDevice == current.Device.Ordinal)
            return Record(CudaError.InvalidDevice);
        lock (_peerLock)
            return Record(_peerAccess.Add((current.Device.Ordinal, peerDevice)) ? CudaError.Success : CudaError.PeerAccessAlreadyEnabled);
    }

    public CudaError DeviceDisablePeerAccess(int peerDevice)
    {
        var context = EnsureContext(out var current);
        if (context != CudaError.Success)
            return Record(context);
        if (!IsDevice(peerDevice))
            return Record(CudaError.InvalidDevice);
        lock (_peerLock)
            return Record(_peerAccess.Remove((current.Device.Ordinal, peerDevice)) ? CudaError.Success : CudaError.PeerAccessNotEnabled);
    }

    private void ForgetPeerAccess(int device)
    {
        lock (_peerLock)
            _peerAccess.RemoveWhere(p => p.Device == device);
    }

    private bool IsDevice(int ordinal) => ordinal >= 0 && ordinal < Driver.Devices.Count;

    /// <summary>Lazy initialisation plus the capture-mode gate every potentially unsafe call passes.</summary>
    private CudaError PrepareUnsafeCall()
    {
        var context = EnsureContext(out _);
        return context != CudaError.Success ? context : Capture.CheckUnsafeCall();
    }

    private static bool TryOperandKinds(MemcpyKind kind, out OperandKind destination, out OperandKind source)
    {
        (destination, source) = kind switch
        {
            MemcpyKind.HostToHost => (OperandKind.Host, OperandKind.Host),
            MemcpyKind.HostToDevice => (OperandKind.Device, OperandKind.Host),
            MemcpyKind.DeviceToHost => (OperandKind.Host, OperandKind.Device),
            MemcpyKind.DeviceToDevice => (OperandKind.Device, OperandKind.Device),
            MemcpyKind.Default => (OperandKind.Unified, OperandKind.Unified),
            _ => (default, default),
        };
        return kind is >= MemcpyKind.HostToHost and <= MemcpyKind.Default;
    }
}
