using Emulator.Driver;
using Emulator.Memory;

namespace Emulator.Exports;

/// <summary>
/// Device, host and managed memory, copies and fills. Synchronous entry points use the legacy default stream, their
/// <c>_ptds</c> twins the calling thread's default stream; <c>Async</c> entry points take a stream and have
/// <c>_ptsz</c> twins. Copies run eagerly, so "async" work is complete on return.
/// </summary>
public static unsafe partial class DriverApi
{
    public static CuResult cuMemAlloc_v2(ulong* dptr, nuint bytesize)
    {
        if (dptr == null) return CuResult.InvalidValue;
        var result = Driver.MemAlloc(bytesize, out var address);
        if (result == CuResult.Success) *dptr = address;
        return result;
    }

    public static CuResult cuMemFree_v2(ulong dptr) => Driver.MemFree(dptr);

    public static CuResult cuMemGetInfo_v2(nuint* free, nuint* total)
    {
        if (free == null || total == null) return CuResult.InvalidValue;
        var result = Driver.MemGetInfo(out var freeBytes, out var totalBytes);
        if (result != CuResult.Success) return result;
        *free = (nuint)freeBytes;
        *total = (nuint)totalBytes;
        return result;
    }

    public static CuResult cuMemAllocPitch_v2(ulong* dptr, nuint* pPitch, nuint WidthInBytes, nuint Height, uint ElementSizeBytes)
    {
        if (dptr == null || pPitch == null) return CuResult.InvalidValue;
        var result = Driver.MemAllocPitch(WidthInBytes, Height, ElementSizeBytes, out var address, out var pitch);
        if (result != CuResult.Success) return result;
        *dptr = address;
        *pPitch = (nuint)pitch;
        return result;
    }

    /// <summary>Either out-pointer may be NULL.</summary>
    public static CuResult cuMemGetAddressRange_v2(ulong* pbase, nuint* psize, ulong dptr)
    {
        var result = Driver.MemGetAddressRange(dptr, out var baseAddress, out var size);
        if (result != CuResult.Success) return result;
        if (pbase != null) *pbase = baseAddress;
        if (psize != null) *psize = (nuint)size;
        return result;
    }

    public static CuResult cuMemAllocManaged(ulong* dptr, nuint bytesize, uint flags)
    {
        if (dptr == null) return CuResult.InvalidValue;
        var result = Driver.MemAllocManaged(bytesize, flags, out var address);
        if (result == CuResult.Success) *dptr = address;
        return result;
    }

    // ---- host memory ----

    public static CuResult cuMemAllocHost_v2(void** pp, nuint bytesize) => cuMemHostAlloc(pp, bytesize, 0);

    public static CuResult cuMemHostAlloc(void** pp, nuint bytesize, uint Flags)
    {
        if (pp == null) return CuResult.InvalidValue;
        var result = Driver.MemHostAlloc(bytesize, Flags, out var address);
        if (result == CuResult.Success) *pp = (void*)address;
        return result;
    }

    public static CuResult cuMemFreeHost(void* p) => Driver.MemFreeHost((ulong)p);

    public static CuResult cuMemHostGetDevicePointer_v2(ulong* pdptr, void* p, uint Flags)
    {
        if (pdptr == null) return CuResult.InvalidValue;
        var result = Driver.MemHostGetDevicePointer((ulong)p, Flags, out var address);
        if (result == CuResult.Success) *pdptr = address;
        return result;
    }

    public static CuResult cuMemHostGetFlags(uint* pFlags, void* p)
    {
        if (pFlags == null) return CuResult.InvalidValue;
        var result = Driver.MemHostGetFlags((ulong)p, out var flags);
        if (result == CuResult.Success) *pFlags = flags;
        return result;
    }

    public static CuResult cuMemHostRegister_v2(void* p, nuint bytesize, uint Flags) => Driver.MemHostRegister((ulong)p, bytesize, Flags);
    public static CuResult cuMemHostRegister(void* p, nuint bytesize, uint Flags) => Driver.MemHostRegister((ulong)p, bytesize, Flags);
    public static CuResult cuMemHostUnregister(void* p) => Driver.MemHostUnregister((ulong)p);

    // ---- 1D copies ----

    private static CuResult Copy(nint stream, bool perThread, ulong dst, OperandKind dstKind, ulong src, OperandKind srcKind, nuint bytes) =>
        Driver.MemCopy(stream, perThread, dst, dstKind, src, srcKind, bytes);

    public static CuResult cuMemcpy(ulong dst, ulong src, nuint ByteCount) => Copy(0, false, dst, OperandKind.Unified, src, OperandKind.Unified, ByteCount);
    public static CuResult cuMemcpy_ptds(ulong dst, ulong src, nuint ByteCount) => Copy(0, true, dst, OperandKind.Unified, src, OperandKind.Unified, ByteCount);
    public static CuResult cuMemcpyAsync(ulong dst, ulong src, nuint ByteCount, nint hStream) => Copy(hStream, false, dst, OperandKind.Unified, src, OperandKind.Unified, ByteCount);
    public static CuResult cuMemcpyAsync_ptsz(ulong dst, ulong src, nuint ByteCount, nint hStream) => Copy(hStream, true, dst, OperandKind.Unified, src, OperandKind.Unified, ByteCount);

    public static CuResult cuMemcpyHtoD_v2(ulong dstDevice, void* srcHost, nuint ByteCount) => Copy(0, false, dstDevice, OperandKind.Device, (ulong)srcHost, OperandKind.Host, ByteCount);
    public static CuResult cuMemcpyHtoD_v2_ptds(ulong dstDevice, void* srcHost, nuint ByteCount) => Copy(0, true, dstDevice, OperandKind.Device, (ulong)srcHost, OperandKind.Host, ByteCount);
    public static CuResult cuMemcpyHtoDAsync_v2(ulong dstDevice, void* srcHost, nuint ByteCount, nint hStream) => Copy(hStream, false, dstDevice, OperandKind.Device, (ulong)srcHost, OperandKind.Host, ByteCount);
    public static CuResult cuMemcpyHtoDAsync_v2_ptsz(ulong dstDevice, void* srcHost, nuint ByteCount, nint hStream) => Copy(hStream, true, dstDevice, OperandKind.Device, (ulong)srcHost, OperandKind.Host, ByteCount);

    public static CuResult cuMemcpyDtoH_v2(void* dstHost, ulong srcDevice, nuint ByteCount) => Copy(0, false, (ulong)dstHost, OperandKind.Host, srcDevice, OperandKind.Device, ByteCount);
    public static CuResult cuMemcpyDtoH_v2_ptds(void* dstHost, ulong srcDevice, nuint ByteCount) => Copy(0, true, (ulong)dstHost, OperandKind.Host, srcDevice, OperandKind.Device, ByteCount);
    public static CuResult cuMemcpyDtoHAsync_v2(void* dstHost, ulong srcDevice, nuint ByteCount, nint hStream) => Copy(hStream, false, (ulong)dstHost, OperandKind.Host, srcDevice, OperandKind.Device, ByteCount);
    public static CuResult cuMemcpyDtoHAsync_v2_ptsz(void* dstHost, ulong srcDevice, nuint ByteCount, nint hStream) => Copy(hStream, true, (ulong)dstHost, OperandKind.Host, srcDevice, OperandKind.Device, ByteCount);

    public static CuResult cuMemcpyDtoD_v2(ulong dstDevice, ulong srcDevice, nuint ByteCount) => Copy(0, false, dstDevice, OperandKind.Device, srcDevice, OperandKind.Device, ByteCount);
    public static CuResult cuMemcpyDtoD_v2_ptds(ulong dstDevice, ulong srcDevice, nuint ByteCount) => Copy(0, true, dstDevice, OperandKind.Device, srcDevice, OperandKind.Device, ByteCount);
    public static CuResult cuMemcpyDtoDAsync_v2(ulong dstDevice, ulong srcDevice, nuint ByteCount, nint hStream) => Copy(hStream, false, dstDevice, OperandKind.Device, srcDevice, OperandKind.Device, ByteCount);
    public static CuResult cuMemcpyDtoDAsync_v2_ptsz(ulong dstDevice, ulong srcDevice, nuint ByteCount, nint hStream) => Copy(hStream, true, dstDevice, OperandKind.Device, srcDevice, OperandKind.Device, ByteCount);

    /// <summary>Peer copies: both contexts must be valid; the bytes move within the one unified address space.</summary>
    public static CuResult cuMemcpyPeer(ulong dstDevice, nint dstContext, ulong srcDevice, nint srcContext, nuint ByteCount) =>
        CopyPeer(dstDevice, dstContext, srcDevice, srcContext, ByteCount, 0, false);
    public static CuResult cuMemcpyPeer_ptds(ulong dstDevice, nint dstContext, ulong srcDevice, nint srcContext, nuint ByteCount) =>
        CopyPeer(dstDevice, dstContext, srcDevice, srcContext, ByteCount, 0, true);
    public static CuResult cuMemcpyPeerAsync(ulong dstDevice, nint dstContext, ulong srcDevice, nint srcContext, nuint ByteCount, nint hStream) =>
        CopyPeer(dstDevice, dstContext, srcDevice, srcContext, ByteCount, hStream, false);
    public static CuResult cuMemcpyPeerAsync_ptsz(ulong dstDevice, nint dstContext, ulong srcDevice, nint srcContext, nuint ByteCount, nint hStream) =>
        CopyPeer(dstDevice, dstContext, srcDevice, srcContext, ByteCount, hStream, true);

    private static CuResult CopyPeer(ulong dst, nint dstContext, ulong src, nint srcContext, nuint bytes, nint stream, bool perThread)
    {
        var result = Driver.GetContext(dstContext, out _);
        if (result != CuResult.Success) return result;
        result = Driver.GetContext(srcContext, out _);
        if (result != CuResult.Success) return result;
        return Copy(stream, perThread, dst, OperandKind.Device, src, OperandKind.Device, bytes);
    }

    // ---- 2D copies ----

    public static CuResult cuMemcpy2D_v2(void* pCopy) => Copy2D(pCopy, 0, false);
    public static CuResult cuMemcpy2D_v2_ptds(void* pCopy) => Copy2D(pCopy, 0, true);
    public static CuResult cuMemcpy2DUnaligned_v2(void* pCopy) => Copy2D(pCopy, 0, false);
    public static CuResult cuMemcpy2DUnaligned_v2_ptds(void* pCopy) => Copy2D(pCopy, 0, true);
    public static CuResult cuMemcpy2DAsync_v2(void* pCopy, nint hStream) => Copy2D(pCopy, hStream, false);
    public static CuResult cuMemcpy2DAsync_v2_ptsz(void* pCopy, nint hStream) => Copy2D(pCopy, hStream, true);

    private static CuResult Copy2D(void* pCopy, nint stream, bool perThread)
    {
        if (pCopy == null) return CuResult.InvalidValue;
        var copy = (Memcpy2D*)pCopy;
        if (!TryOperand(copy->srcMemoryType, copy->srcHost, copy->srcDevice, copy->srcPitch, copy->srcXInBytes, copy->srcY, out var source) ||
            !TryOperand(copy->dstMemoryType, copy->dstHost, copy->dstDevice, copy->dstPitch, copy->dstXInBytes, copy->dstY, out var destination))
            return CuResult.InvalidValue;
        if (source.Kind == OperandKind.Array || destination.Kind == OperandKind.Array) return CuResult.NotSupported;
        return Driver.MemCopy2D(stream, perThread, destination, source, copy->WidthInBytes, copy->Height);
    }

    /// <summary>CUmemorytype: HOST 1 reads the host pointer field, DEVICE 2 and UNIFIED 4 the device pointer field, ARRAY 3 is a CUDA array.</summary>
    private static bool TryOperand(int memoryType, void* host, ulong device, nuint pitch, nuint x, nuint y, out CopyOperand operand)
    {
        operand = default;
        if (memoryType is < 1 or > 4) return false;
        var kind = (OperandKind)memoryType;
        var address = kind == OperandKind.Host ? (ulong)host : device;
        operand = new CopyOperand(kind, address, pitch, x, y);
        return true;
    }

    /// <summary><c>CUDA_MEMCPY2D</c> (128 bytes on 64-bit platforms).</summary>
    private struct Memcpy2D
    {
        public nuint srcXInBytes;
        public nuint srcY;
        public int srcMemoryType;
        public void* srcHost;
        public ulong srcDevice;
        public nint srcArray;
        public nuint srcPitch;
        public nuint dstXInBytes;
        public nuint dstY;
        public int dstMemoryType;
        public void* dstHost;
        public ulong dstDevice;
        public nint dstArray;
        public nuint dstPitch;
        public nuint WidthInBytes;
        public nuint Height;
    }

    // ---- 3D copies ----

    public static CuResult cuMemcpy3D_v2(void* pCopy) => Copy3D(pCopy, 0, false);
    public static CuResult cuMemcpy3D_v2_ptds(void* pCopy) => Copy3D(pCopy, 0, true);
    public static CuResult cuMemcpy3DAsync_v2(void* pCopy, nint hStream) => Copy3D(pCopy, hStream, false);
    public static CuResult cuMemcpy3DAsync_v2_ptsz(void* pCopy, nint hStream) => Copy3D(pCopy, hStream, true);

    private static CuResult Copy3D(void* pCopy, nint stream, bool perThread)
    {
        if (pCopy == null) return CuResult.InvalidValue;
        var copy = (Memcpy3D*)pCopy;
        // Mipmap levels belong to CUDA arrays; linear memory has only level 0.
        if (copy->srcLOD != 0 || copy->dstLOD != 0) return CuResult.InvalidValue;
        if (!TryOperand(copy->srcMemoryType, copy->srcHost, copy->srcDevice, copy->srcPitch, copy->srcXInBytes, copy->srcY, out var source) ||
            !TryOperand(copy->dstMemoryType, copy->dstHost, copy->dstDevice, copy->dstPitch, copy->dstXInBytes, copy->dstY, out var destination))
            return CuResult.InvalidValue;
        if (source.Kind == OperandKind.Array || destination.Kind == OperandKind.Array) return CuResult.NotSupported;
        source = source with { Z = copy->srcZ, SliceHeight = copy->srcHeight };
        destination = destination with { Z = copy->dstZ, SliceHeight = copy->dstHeight };
        return Driver.MemCopy3D(stream, perThread, destination, source, copy->WidthInBytes, copy->Height, copy->Depth);
    }

    /// <summary><c>CUDA_MEMCPY3D</c> (200 bytes on 64-bit platforms).</summary>
    private struct Memcpy3D
    {
        public nuint srcXInBytes;
        public nuint srcY;
        public nuint srcZ;
        public nuint srcLOD;
        public int srcMemoryType;
        public void* srcHost;
        public ulong srcDevice;
        public nint srcArray;
        public void* reserved0;
        public nuint srcPitch;
        public nuint srcHeight;
        public nuint dstXInBytes;
        public nuint dstY;
        public nuint dstZ;
        public nuint dstLOD;
        public int dstMemoryType;
        public void* dstHost;
        public ulong dstDevice;
        public nint dstArray;
        public void* reserved1;
        public nuint dstPitch;
        public nuint dstHeight;
        public nuint WidthInBytes;
        public nuint Height;
        public nuint Depth;
    }

    // ---- fills ----

    private static CuResult Set(nint stream, bool perThread, ulong dst, uint value, int size, nuint count) =>
        Driver.MemSet(stream, perThread, dst, 0, value, size, count, 1);

    private static CuResult Set2D(nint stream, bool perThread, ulong dst, nuint pitch, uint value, int size, nuint width, nuint height) =>
        Driver.MemSet(stream, perThread, dst, pitch, value, size, width, height);

    public static CuResult cuMemsetD8_v2(ulong dstDevice, byte uc, nuint N) => Set(0, false, dstDevice, uc, 1, N);
    public static CuResult cuMemsetD8_v2_ptds(ulong dstDevice, byte uc, nuint N) => Set(0, true, dstDevice, uc, 1, N);
    public static CuResult cuMemsetD16_v2(ulong dstDevice, ushort us, nuint N) => Set(0, false, dstDevice, us, 2, N);
    public static CuResult cuMemsetD16_v2_ptds(ulong dstDevice, ushort us, nuint N) => Set(0, true, dstDevice, us, 2, N);
    public static CuResult cuMemsetD32_v2(ulong dstDevice, uint ui, nuint N) => Set(0, false, dstDevice, ui, 4, N);
    public static CuResult cuMemsetD32_v2_ptds(ulong dstDevice, uint ui, nuint N) => Set(0, true, dstDevice, ui, 4, N);
    public static CuResult cuMemsetD8Async(ulong dstDevice, byte uc, nuint N, nint hStream) => Set(hStream, false, dstDevice, uc, 1, N);
    public static CuResult cuMemsetD8Async_ptsz(ulong dstDevice, byte uc, nuint N, nint hStream) => Set(hStream, true, dstDevice, uc, 1, N);
    public static CuResult cuMemsetD16Async(ulong dstDevice, ushort us, nuint N, nint hStream) => Set(hStream, false, dstDevice, us, 2, N);
    public static CuResult cuMemsetD16Async_ptsz(ulong dstDevice, ushort us, nuint N, nint hStream) => Set(hStream, true, dstDevice, us, 2, N);
    public static CuResult cuMemsetD32Async(ulong dstDevice, uint ui, nuint N, nint hStream) => Set(hStream, false, dstDevice, ui, 4, N);
    public static CuResult cuMemsetD32Async_ptsz(ulong dstDevice, uint ui, nuint N, nint hStream) => Set(hStream, true, dstDevice, ui, 4, N);

    public static CuResult cuMemsetD2D8_v2(ulong dstDevice, nuint dstPitch, byte uc, nuint Width, nuint Height) => Set2D(0, false, dstDevice, dstPitch, uc, 1, Width, Height);
    public static CuResult cuMemsetD2D8_v2_ptds(ulong dstDevice, nuint dstPitch, byte uc, nuint Width, nuint Height) => Set2D(0, true, dstDevice, dstPitch, uc, 1, Width, Height);
    public static CuResult cuMemsetD2D16_v2(ulong dstDevice, nuint dstPitch, ushort us, nuint Width, nuint Height) => Set2D(0, false, dstDevice, dstPitch, us, 2, Width, Height);
    public static CuResult cuMemsetD2D16_v2_ptds(ulong dstDevice, nuint dstPitch, ushort us, nuint Width, nuint Height) => Set2D(0, true, dstDevice, dstPitch, us, 2, Width, Height);
    public static CuResult cuMemsetD2D32_v2(ulong dstDevice, nuint dstPitch, uint ui, nuint Width, nuint Height) => Set2D(0, false, dstDevice, dstPitch, ui, 4, Width, Height);
    public static CuResult cuMemsetD2D32_v2_ptds(ulong dstDevice, nuint dstPitch, uint ui, nuint Width, nuint Height) => Set2D(0, true, dstDevice, dstPitch, ui, 4, Width, Height);
    public static CuResult cuMemsetD2D8Async(ulong dstDevice, nuint dstPitch, byte uc, nuint Width, nuint Height, nint hStream) => Set2D(hStream, false, dstDevice, dstPitch, uc, 1, Width, Height);
    public static CuResult cuMemsetD2D8Async_ptsz(ulong dstDevice, nuint dstPitch, byte uc, nuint Width, nuint Height, nint hStream) => Set2D(hStream, true, dstDevice, dstPitch, uc, 1, Width, Height);
    public static CuResult cuMemsetD2D16Async(ulong dstDevice, nuint dstPitch, ushort us, nuint Width, nuint Height, nint hStream) => Set2D(hStream, false, dstDevice, dstPitch, us, 2, Width, Height);
    public static CuResult cuMemsetD2D16Async_ptsz(ulong dstDevice, nuint dstPitch, ushort us, nuint Width, nuint Height, nint hStream) => Set2D(hStream, true, dstDevice, dstPitch, us, 2, Width, Height);
    public static CuResult cuMemsetD2D32Async(ulong dstDevice, nuint dstPitch, uint ui, nuint Width, nuint Height, nint hStream) => Set2D(hStream, false, dstDevice, dstPitch, ui, 4, Width, Height);
    public static CuResult cuMemsetD2D32Async_ptsz(ulong dstDevice, nuint dstPitch, uint ui, nuint Width, nuint Height, nint hStream) => Set2D(hStream, true, dstDevice, dstPitch, ui, 4, Width, Height);
}
