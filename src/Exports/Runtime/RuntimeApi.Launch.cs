using System.Runtime.InteropServices;
using Emulator.Driver;
using Emulator.Driver.Runtime;

namespace Emulator.Exports;

/// <summary>nvcc's registration ABI, kernel launches, function attributes and occupancy.</summary>
public static unsafe partial class RuntimeApi
{
    /// <summary>sizeof(cudaFuncAttributes): CUDA 11.x ends at preferredShmemCarveout; 12 and 13 add cluster fields and 16 reserved ints.</summary>
    private const int FuncAttributesSize11 = 56, FuncAttributesSize12 = 144;

    /// <summary>sizeof(cudaLaunchAttribute): a 4-byte id padded to 8, then a 64-byte value union.</summary>
    private const int LaunchAttributeSize = 72;

    public static void** __cudaRegisterFatBinary(void* fatCubin) => (void**)Runtime.RegisterFatBinary((nint)fatCubin);

    public static void __cudaRegisterFatBinaryEnd(void** fatCubinHandle) => Runtime.RegisterFatBinaryEnd((nint)fatCubinHandle);

    public static void __cudaUnregisterFatBinary(void** fatCubinHandle) => Runtime.UnregisterFatBinary((nint)fatCubinHandle);

    public static void __cudaRegisterFunction(void** fatCubinHandle, void* hostFun, byte* deviceFun, byte* deviceName,
        int thread_limit, void* tid, void* bid, Dim3* bDim, Dim3* gDim, int* wSize) =>
        Runtime.RegisterFunction((nint)fatCubinHandle, (nint)hostFun, Marshal.PtrToStringUTF8((nint)deviceName) ?? "");

    public static void __cudaRegisterVar(void** fatCubinHandle, void* hostVar, byte* deviceAddress, byte* deviceName,
        int ext, nuint size, int constant, int global) =>
        Runtime.RegisterVariable((nint)fatCubinHandle, (nint)hostVar, Marshal.PtrToStringUTF8((nint)deviceName) ?? "",
            size, constant != 0, ext != 0);

    public static CudaError __cudaPushCallConfiguration(Dim3 gridDim, Dim3 blockDim, nuint sharedMem, nint stream) =>
        Runtime.PushCallConfiguration(gridDim, blockDim, sharedMem, stream);

    public static CudaError __cudaPopCallConfiguration(Dim3* gridDim, Dim3* blockDim, nuint* sharedMem, void** stream)
    {
        if (gridDim == null || blockDim == null || sharedMem == null || stream == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.PopCallConfiguration(out var configuration);
        if (result != CudaError.Success) return result;
        *gridDim = configuration.Grid;
        *blockDim = configuration.Block;
        *sharedMem = (nuint)configuration.DynamicSharedBytes;
        *stream = (void*)configuration.Stream;
        return result;
    }

    public static CudaError __cudaGetKernel(nint* kernelPtr, void* funcAddr)
    {
        if (kernelPtr == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GetKernel(out var kernel, (nint)funcAddr);
        if (result == CudaError.Success) *kernelPtr = kernel;
        return result;
    }

    public static CudaError __cudaLaunchKernel(nint kernel, Dim3 gridDim, Dim3 blockDim, void** args, nuint sharedMem, nint stream) =>
        Runtime.LaunchKernel(kernel, gridDim, blockDim, (nint)args, sharedMem, stream);

    public static CudaError cudaLaunchKernel(void* func, Dim3 gridDim, Dim3 blockDim, void** args, nuint sharedMem, nint stream) =>
        Runtime.LaunchKernel((nint)func, gridDim, blockDim, (nint)args, sharedMem, stream);

    public static CudaError cudaLaunchCooperativeKernel(void* func, Dim3 gridDim, Dim3 blockDim, void** args, nuint sharedMem, nint stream) =>
        Runtime.LaunchCooperativeKernel((nint)func, gridDim, blockDim, (nint)args, sharedMem, stream);

    /// <summary>
    /// cudaLaunchConfig_t: {dim3 gridDim @0; dim3 blockDim @12; size_t dynamicSmemBytes @24; cudaStream_t stream @32;
    /// cudaLaunchAttribute* attrs @40; unsigned numAttrs @48}. Each attribute's value starts 8 bytes in; every
    /// attribute the runtime honours keeps its meaning in the first 4 bytes of the value.
    /// </summary>
    public static CudaError cudaLaunchKernelExC(void* config, void* func, void** args)
    {
        if (config == null) return Fail(CudaError.InvalidValue);
        var bytes = (byte*)config;
        var attributesPointer = *(byte**)(bytes + 40);
        var count = *(uint*)(bytes + 48);
        if (count > 0 && attributesPointer == null) return Fail(CudaError.InvalidValue);
        var attributes = new LaunchAttribute[count];
        for (var i = 0; i < count; i++)
        {
            var attribute = attributesPointer + i * LaunchAttributeSize;
            attributes[i] = new LaunchAttribute(*(int*)attribute, *(int*)(attribute + 8));
        }
        return Runtime.LaunchKernelEx((nint)func, *(Dim3*)bytes, *(Dim3*)(bytes + 12), (nint)args, *(ulong*)(bytes + 24),
            *(nint*)(bytes + 32), attributes);
    }

    /// <summary>Writes cudaFuncAttributes in the loaded toolkit's size, so a CUDA 11 caller's smaller struct is not overrun.</summary>
    public static CudaError cudaFuncGetAttributes(void* attr, void* func)
    {
        if (attr == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.FuncGetAttributes(out var a, (nint)func);
        if (result != CudaError.Success) return result;
        var size = LoadedAbi.Value == RuntimeAbi.Cuda11 ? FuncAttributesSize11 : FuncAttributesSize12;
        var bytes = (byte*)attr;
        new Span<byte>(bytes, size).Clear();
        *(ulong*)bytes = a.SharedSizeBytes;
        *(ulong*)(bytes + 8) = a.ConstSizeBytes;
        *(ulong*)(bytes + 16) = a.LocalSizeBytes;
        *(int*)(bytes + 24) = a.MaxThreadsPerBlock;
        *(int*)(bytes + 28) = a.NumRegs;
        *(int*)(bytes + 32) = a.PtxVersion;
        *(int*)(bytes + 36) = a.BinaryVersion;
        *(int*)(bytes + 40) = 0; // cacheModeCA: -dlcm=ca is a SASS compile option; PTX JIT defaults to 0
        *(int*)(bytes + 44) = a.MaxDynamicSharedSizeBytes;
        *(int*)(bytes + 48) = a.PreferredShmemCarveout;
        if (size == FuncAttributesSize12)
        {
            *(int*)(bytes + 52) = 0; // clusterDimMustBeSet: no kernel here declares a compile-time cluster
            *(int*)(bytes + 56) = a.RequiredClusterWidth;
            *(int*)(bytes + 60) = a.RequiredClusterHeight;
            *(int*)(bytes + 64) = a.RequiredClusterDepth;
            *(int*)(bytes + 68) = a.ClusterSchedulingPolicyPreference;
            *(int*)(bytes + 72) = a.NonPortableClusterSizeAllowed;
        }
        return result;
    }

    public static CudaError cudaFuncSetAttribute(void* func, int attr, int value) => Runtime.FuncSetAttribute((nint)func, attr, value);

    public static CudaError cudaOccupancyMaxActiveBlocksPerMultiprocessor(int* numBlocks, void* func, int blockSize, nuint dynamicSMemSize) =>
        cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(numBlocks, func, blockSize, dynamicSMemSize, 0);

    public static CudaError cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int* numBlocks, void* func, int blockSize,
        nuint dynamicSMemSize, uint flags)
    {
        if (numBlocks == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.OccupancyMaxActiveBlocksPerMultiprocessor(out var blocks, (nint)func, blockSize, dynamicSMemSize, flags);
        if (result == CudaError.Success) *numBlocks = blocks;
        return result;
    }

    // ---- module variables registered with __cudaRegisterVar (symbols are their host shadows) -------------------

    public static CudaError cudaGetSymbolAddress(void** devPtr, void* symbol)
    {
        if (devPtr == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GetSymbolAddress((nint)symbol, out var address, out _);
        if (result == CudaError.Success) *devPtr = (void*)address;
        return result;
    }

    public static CudaError cudaGetSymbolSize(nuint* size, void* symbol)
    {
        if (size == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GetSymbolAddress((nint)symbol, out _, out var bytes);
        if (result == CudaError.Success) *size = (nuint)bytes;
        return result;
    }

    public static CudaError cudaMemcpyToSymbol(void* symbol, void* src, nuint count, nuint offset, int kind) =>
        Runtime.MemcpyToSymbol((nint)symbol, (ulong)src, count, offset, (MemcpyKind)kind, 0, synchronous: true);

    public static CudaError cudaMemcpyFromSymbol(void* dst, void* symbol, nuint count, nuint offset, int kind) =>
        Runtime.MemcpyFromSymbol((ulong)dst, (nint)symbol, count, offset, (MemcpyKind)kind, 0, synchronous: true);

    public static CudaError cudaMemcpyToSymbolAsync(void* symbol, void* src, nuint count, nuint offset, int kind, nint stream) =>
        Runtime.MemcpyToSymbol((nint)symbol, (ulong)src, count, offset, (MemcpyKind)kind, stream, synchronous: false);

    public static CudaError cudaMemcpyFromSymbolAsync(void* dst, void* symbol, nuint count, nuint offset, int kind, nint stream) =>
        Runtime.MemcpyFromSymbol((ulong)dst, (nint)symbol, count, offset, (MemcpyKind)kind, stream, synchronous: false);
}
