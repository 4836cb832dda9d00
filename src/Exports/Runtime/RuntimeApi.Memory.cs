using Emulator.Driver;
using Emulator.Driver.Runtime;

namespace Emulator.Exports;

/// <summary>Memory entry points. Pointers are addresses in the unified address space (device pointer = its bytes).</summary>
public static unsafe partial class RuntimeApi
{
    public static CudaError cudaMalloc(void** devPtr, nuint size)
    {
        if (devPtr == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.Malloc(out var address, size);
        *devPtr = result == CudaError.Success ? (void*)address : null;
        return result;
    }

    public static CudaError cudaFree(void* devPtr) => Runtime.Free((ulong)devPtr);

    public static CudaError cudaMallocHost(void** ptr, nuint size)
    {
        if (ptr == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.MallocHost(out var address, size);
        *ptr = result == CudaError.Success ? (void*)address : null;
        return result;
    }

    public static CudaError cudaHostAlloc(void** pHost, nuint size, uint flags)
    {
        if (pHost == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.HostAlloc(out var address, size, flags);
        *pHost = result == CudaError.Success ? (void*)address : null;
        return result;
    }

    public static CudaError cudaFreeHost(void* ptr) => Runtime.FreeHost((ulong)ptr);

    public static CudaError cudaHostRegister(void* ptr, nuint size, uint flags) => Runtime.HostRegister((ulong)ptr, size, flags);

    public static CudaError cudaHostUnregister(void* ptr) => Runtime.HostUnregister((ulong)ptr);

    public static CudaError cudaHostGetDevicePointer(void** pDevice, void* pHost, uint flags)
    {
        if (pDevice == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.HostGetDevicePointer(out var address, (ulong)pHost, flags);
        if (result == CudaError.Success) *pDevice = (void*)address;
        return result;
    }

    public static CudaError cudaHostGetFlags(uint* pFlags, void* pHost)
    {
        if (pFlags == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.HostGetFlags(out var flags, (ulong)pHost);
        if (result == CudaError.Success) *pFlags = flags;
        return result;
    }

    public static CudaError cudaMallocManaged(void** devPtr, nuint size, uint flags)
    {
        if (devPtr == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.MallocManaged(out var address, size, flags);
        *devPtr = result == CudaError.Success ? (void*)address : null;
        return result;
    }

    public static CudaError cudaMemGetInfo(nuint* free, nuint* total)
    {
        if (free == null || total == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.MemGetInfo(out var freeBytes, out var totalBytes);
        if (result != CudaError.Success) return result;
        *free = (nuint)freeBytes;
        *total = (nuint)totalBytes;
        return result;
    }

    public static CudaError cudaMemcpy(void* dst, void* src, nuint count, int kind) =>
        Runtime.Memcpy((ulong)dst, (ulong)src, count, (MemcpyKind)kind);

    public static CudaError cudaMemcpyAsync(void* dst, void* src, nuint count, int kind, nint stream) =>
        Runtime.MemcpyAsync((ulong)dst, (ulong)src, count, (MemcpyKind)kind, stream);

    public static CudaError cudaMemcpy2D(void* dst, nuint dpitch, void* src, nuint spitch, nuint width, nuint height, int kind) =>
        Runtime.Memcpy2D((ulong)dst, dpitch, (ulong)src, spitch, width, height, (MemcpyKind)kind);

    public static CudaError cudaMemcpy2DAsync(void* dst, nuint dpitch, void* src, nuint spitch, nuint width, nuint height,
        int kind, nint stream) =>
        Runtime.Memcpy2DAsync((ulong)dst, dpitch, (ulong)src, spitch, width, height, (MemcpyKind)kind, stream);

    public static CudaError cudaMemcpyPeer(void* dst, int dstDevice, void* src, int srcDevice, nuint count) =>
        Runtime.MemcpyPeer((ulong)dst, dstDevice, (ulong)src, srcDevice, count);

    public static CudaError cudaMemcpyPeerAsync(void* dst, int dstDevice, void* src, int srcDevice, nuint count, nint stream) =>
        Runtime.MemcpyPeerAsync((ulong)dst, dstDevice, (ulong)src, srcDevice, count, stream);

    public static CudaError cudaMemset(void* devPtr, int value, nuint count) => Runtime.Memset((ulong)devPtr, value, count);

    public static CudaError cudaMemsetAsync(void* devPtr, int value, nuint count, nint stream) =>
        Runtime.MemsetAsync((ulong)devPtr, value, count, stream);

    public static CudaError cudaMemset2DAsync(void* devPtr, nuint pitch, int value, nuint width, nuint height, nint stream) =>
        Runtime.Memset2DAsync((ulong)devPtr, pitch, value, width, height, stream);
}
