using System.Runtime.InteropServices;
using Emulator.Driver;

namespace Emulator.Exports;

/// <summary>libcuda: modules, libraries, functions, launches and occupancy.</summary>
public static unsafe partial class DriverApi
{
    // ---- modules ----

    public static CuResult cuModuleLoad(nint* module, byte* fname)
    {
        if (module == null || fname == null) return CuResult.InvalidValue;
        var result = Driver.ModuleLoad(Marshal.PtrToStringUTF8((nint)fname)!, out var handle);
        if (result == CuResult.Success) *module = handle;
        return result;
    }

    public static CuResult cuModuleLoadData(nint* module, void* image)
    {
        if (module == null || image == null) return CuResult.InvalidValue;
        var result = Driver.ModuleLoadData((byte*)image, out var handle);
        if (result == CuResult.Success) *module = handle;
        return result;
    }

    /// <summary>JIT options only tune or report on NVIDIA's compiler; the emulator has none to tune, so they are accepted and ignored.</summary>
    public static CuResult cuModuleLoadDataEx(nint* module, void* image, uint numOptions, int* options, void** optionValues)
    {
        if (numOptions > 0 && (options == null || optionValues == null)) return CuResult.InvalidValue;
        return cuModuleLoadData(module, image);
    }

    public static CuResult cuModuleLoadFatBinary(nint* module, void* fatCubin) => cuModuleLoadData(module, fatCubin);

    public static CuResult cuModuleUnload(nint hmod) => Driver.ModuleUnload(hmod);

    public static CuResult cuModuleGetFunction(nint* hfunc, nint hmod, byte* name)
    {
        if (hfunc == null || name == null) return CuResult.InvalidValue;
        var result = Driver.ModuleGetFunction(hmod, Marshal.PtrToStringUTF8((nint)name)!, out var handle);
        if (result == CuResult.Success) *hfunc = handle;
        return result;
    }

    /// <summary>Either out-pointer may be NULL (NVIDIA ignores it); the name may not.</summary>
    public static CuResult cuModuleGetGlobal_v2(ulong* dptr, nuint* bytes, nint hmod, byte* name)
    {
        if (name == null) return CuResult.InvalidValue;
        var result = Driver.ModuleGetGlobal(hmod, Marshal.PtrToStringUTF8((nint)name)!, out var address, out var size);
        if (result != CuResult.Success) return result;
        if (dptr != null) *dptr = address;
        if (bytes != null) *bytes = (nuint)size;
        return result;
    }

    // ---- libraries (CUDA 12) ----

    public static CuResult cuLibraryLoadData(nint* library, void* code, int* jitOptions, void** jitOptionsValues, uint numJitOptions,
        int* libraryOptions, void** libraryOptionValues, uint numLibraryOptions)
    {
        if (library == null || code == null) return CuResult.InvalidValue;
        if ((numJitOptions > 0 && jitOptions == null) || (numLibraryOptions > 0 && libraryOptions == null)) return CuResult.InvalidValue;
        var result = Driver.LibraryLoadData((byte*)code, out var handle);
        if (result == CuResult.Success) *library = handle;
        return result;
    }

    public static CuResult cuLibraryLoadFromFile(nint* library, byte* fileName, int* jitOptions, void** jitOptionsValues, uint numJitOptions,
        int* libraryOptions, void** libraryOptionValues, uint numLibraryOptions)
    {
        if (library == null || fileName == null) return CuResult.InvalidValue;
        var result = Driver.LibraryLoadFromFile(Marshal.PtrToStringUTF8((nint)fileName)!, out var handle);
        if (result == CuResult.Success) *library = handle;
        return result;
    }

    public static CuResult cuLibraryUnload(nint library) => Driver.LibraryUnload(library);

    public static CuResult cuLibraryGetKernel(nint* kernel, nint library, byte* name)
    {
        if (kernel == null || name == null) return CuResult.InvalidValue;
        var result = Driver.LibraryGetKernel(library, Marshal.PtrToStringUTF8((nint)name)!, out var handle);
        if (result == CuResult.Success) *kernel = handle;
        return result;
    }

    public static CuResult cuLibraryGetModule(nint* module, nint library)
    {
        if (module == null) return CuResult.InvalidValue;
        var result = Driver.LibraryGetModule(library, out var handle);
        if (result == CuResult.Success) *module = handle;
        return result;
    }

    public static CuResult cuLibraryGetGlobal(ulong* dptr, nuint* bytes, nint library, byte* name)
    {
        if (name == null) return CuResult.InvalidValue;
        var result = Driver.LibraryGetModule(library, out var module);
        return result == CuResult.Success ? cuModuleGetGlobal_v2(dptr, bytes, module, name) : result;
    }

    public static CuResult cuKernelGetFunction(nint* func, nint kernel)
    {
        if (func == null) return CuResult.InvalidValue;
        var result = Driver.KernelGetFunction(kernel, out var function);
        if (result == CuResult.Success) *func = function.Handle;
        return result;
    }

    // ---- functions ----

    public static CuResult cuFuncGetAttribute(int* pi, int attrib, nint hfunc)
    {
        if (pi == null) return CuResult.InvalidValue;
        var result = Driver.FuncGetAttribute(attrib, hfunc, out var value);
        if (result == CuResult.Success) *pi = value;
        return result;
    }

    public static CuResult cuFuncSetAttribute(nint hfunc, int attrib, int value) => Driver.FuncSetAttribute(hfunc, attrib, value);

    public static CuResult cuFuncSetCacheConfig(nint hfunc, int config) => Driver.FuncSetCacheConfig(hfunc, config);

    /// <summary>Kernel handles resolve in the current context; the device must be that context's.</summary>
    public static CuResult cuKernelGetAttribute(int* pi, int attrib, nint kernel, int dev)
    {
        if (pi == null) return CuResult.InvalidValue;
        var result = Driver.KernelGetFunction(kernel, out var function);
        if (result != CuResult.Success) return result;
        if (function.Module.Context.Device.Ordinal != dev) return CuResult.InvalidDevice;
        return cuFuncGetAttribute(pi, attrib, function.Handle);
    }

    public static CuResult cuKernelSetAttribute(int attrib, int value, nint kernel, int dev)
    {
        var result = Driver.KernelGetFunction(kernel, out var function);
        if (result != CuResult.Success) return result;
        if (function.Module.Context.Device.Ordinal != dev) return CuResult.InvalidDevice;
        return Driver.FuncSetAttribute(function.Handle, attrib, value);
    }

    /// <summary>The returned name lives as long as the process (names are interned per function).</summary>
    public static CuResult cuFuncGetName(byte** name, nint hfunc)
    {
        if (name == null) return CuResult.InvalidValue;
        var result = Driver.GetFunction(hfunc, out var function);
        if (result == CuResult.Success) *name = FunctionNames.Get(function.Name);
        return result;
    }

    public static CuResult cuFuncGetModule(nint* hmod, nint hfunc)
    {
        if (hmod == null) return CuResult.InvalidValue;
        var result = Driver.GetFunction(hfunc, out var function);
        if (result == CuResult.Success) *hmod = function.Module.Handle;
        return result;
    }

    // ---- launches ----

    public static CuResult cuLaunchKernel(nint f, uint gridDimX, uint gridDimY, uint gridDimZ, uint blockDimX, uint blockDimY, uint blockDimZ,
        uint sharedMemBytes, nint hStream, void** kernelParams, void** extra) =>
        Launch(f, new Dim3(gridDimX, gridDimY, gridDimZ), new Dim3(blockDimX, blockDimY, blockDimZ), sharedMemBytes, hStream,
            perThreadDefaultStream: false, kernelParams, extra, default);

    public static CuResult cuLaunchKernel_ptsz(nint f, uint gridDimX, uint gridDimY, uint gridDimZ, uint blockDimX, uint blockDimY, uint blockDimZ,
        uint sharedMemBytes, nint hStream, void** kernelParams, void** extra) =>
        Launch(f, new Dim3(gridDimX, gridDimY, gridDimZ), new Dim3(blockDimX, blockDimY, blockDimZ), sharedMemBytes, hStream,
            perThreadDefaultStream: true, kernelParams, extra, default);

    public static CuResult cuLaunchCooperativeKernel(nint f, uint gridDimX, uint gridDimY, uint gridDimZ, uint blockDimX, uint blockDimY,
        uint blockDimZ, uint sharedMemBytes, nint hStream, void** kernelParams) =>
        Launch(f, new Dim3(gridDimX, gridDimY, gridDimZ), new Dim3(blockDimX, blockDimY, blockDimZ), sharedMemBytes, hStream,
            perThreadDefaultStream: false, kernelParams, null, new CudaDriver.LaunchOptions(Cooperative: true));

    public static CuResult cuLaunchCooperativeKernel_ptsz(nint f, uint gridDimX, uint gridDimY, uint gridDimZ, uint blockDimX, uint blockDimY,
        uint blockDimZ, uint sharedMemBytes, nint hStream, void** kernelParams) =>
        Launch(f, new Dim3(gridDimX, gridDimY, gridDimZ), new Dim3(blockDimX, blockDimY, blockDimZ), sharedMemBytes, hStream,
            perThreadDefaultStream: true, kernelParams, null, new CudaDriver.LaunchOptions(Cooperative: true));

    public static CuResult cuLaunchKernelEx(void* config, nint f, void** kernelParams, void** extra) => LaunchEx(config, f, kernelParams, extra, false);

    public static CuResult cuLaunchKernelEx_ptsz(void* config, nint f, void** kernelParams, void** extra) => LaunchEx(config, f, kernelParams, extra, true);

    /// <summary>
    /// <c>CUlaunchConfig</c>: grid (3 × u32), block (3 × u32), sharedMemBytes (u32), hStream at 32, attrs at 40,
    /// numAttrs at 48. Each <c>CUlaunchAttribute</c> is 72 bytes: id (u32), padding, a 64-byte value union.
    /// </summary>
    private static CuResult LaunchEx(void* config, nint f, void** kernelParams, void** extra, bool perThreadDefaultStream)
    {
        if (config == null) return CuResult.InvalidValue;
        var words = (uint*)config;
        var grid = new Dim3(words[0], words[1], words[2]);
        var block = new Dim3(words[3], words[4], words[5]);
        var shared = words[6];
        var stream = *(nint*)((byte*)config + 32);
        var attributes = *(byte**)((byte*)config + 40);
        var count = *(uint*)((byte*)config + 48);
        if (count > 0 && attributes == null) return CuResult.InvalidValue;
        var options = new CudaDriver.LaunchOptions();
        for (var i = 0; i < count; i++)
        {
            var attribute = attributes + i * LaunchAttributeSize;
            var id = *(int*)attribute;
            var value = attribute + 8;
            switch (id)
            {
                case LaunchAttributeCooperative:
                    options = options with { Cooperative = *(int*)value != 0 };
                    break;
                case LaunchAttributeClusterDimension:
                    options = options with { ClusterDimension = new Dim3(((uint*)value)[0], ((uint*)value)[1], ((uint*)value)[2]) };
                    break;
                case >= 1 and <= 13 when id != 11:
                    // Scheduling hints (PDL serialization/events, priority, access policy, memory sync domains,
                    // completion events): in-order eager streams already satisfy every order they allow.
                    break;
                default:
                    return CuResult.InvalidValue;
            }
        }
        return Launch(f, grid, block, shared, stream, perThreadDefaultStream, kernelParams, extra, options);
    }

    private const int LaunchAttributeSize = 72;
    private const int LaunchAttributeCooperative = 2;
    private const int LaunchAttributeClusterDimension = 4;

    private static CuResult Launch(nint f, Dim3 grid, Dim3 block, uint shared, nint stream, bool perThreadDefaultStream,
        void** kernelParams, void** extra, CudaDriver.LaunchOptions options)
    {
        var result = Driver.GetFunction(f, out var function);
        if (result != CuResult.Success) return result;
        result = Driver.PackParameters(function, kernelParams, extra, out var parameters);
        if (result != CuResult.Success) return result;
        return Driver.LaunchKernel(function.Handle, grid, block, shared, stream, perThreadDefaultStream, parameters, options);
    }

    // ---- occupancy ----

    public static CuResult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* numBlocks, nint func, int blockSize, nuint dynamicSMemSize) =>
        cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(numBlocks, func, blockSize, dynamicSMemSize, 0);

    public static CuResult cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int* numBlocks, nint func, int blockSize, nuint dynamicSMemSize, uint flags)
    {
        if (numBlocks == null) return CuResult.InvalidValue;
        var result = Driver.OccupancyMaxActiveBlocksPerMultiprocessor(func, blockSize, dynamicSMemSize, flags, out var blocks);
        if (result == CuResult.Success) *numBlocks = blocks;
        return result;
    }

    public static CuResult cuOccupancyMaxPotentialBlockSize(int* minGridSize, int* blockSize, nint func, nint blockSizeToDynamicSMemSize,
        nuint dynamicSMemSize, int blockSizeLimit) =>
        cuOccupancyMaxPotentialBlockSizeWithFlags(minGridSize, blockSize, func, blockSizeToDynamicSMemSize, dynamicSMemSize, blockSizeLimit, 0);

    public static CuResult cuOccupancyMaxPotentialBlockSizeWithFlags(int* minGridSize, int* blockSize, nint func, nint blockSizeToDynamicSMemSize,
        nuint dynamicSMemSize, int blockSizeLimit, uint flags)
    {
        if (minGridSize == null || blockSize == null || flags > 1) return CuResult.InvalidValue;
        Func<int, ulong>? perBlockSize = null;
        if (blockSizeToDynamicSMemSize != 0)
        {
            var callback = (delegate* unmanaged<int, nuint>)blockSizeToDynamicSMemSize;
            perBlockSize = size => callback(size);
        }
        var result = Driver.OccupancyMaxPotentialBlockSize(func, perBlockSize, dynamicSMemSize, blockSizeLimit, out var grid, out var block);
        if (result != CuResult.Success) return result;
        *minGridSize = grid;
        *blockSize = block;
        return result;
    }

    public static CuResult cuOccupancyAvailableDynamicSMemPerBlock(nuint* dynamicSmemSize, nint func, int numBlocks, int blockSize)
    {
        if (dynamicSmemSize == null) return CuResult.InvalidValue;
        var result = Driver.OccupancyAvailableDynamicSharedPerBlock(func, numBlocks, blockSize, out var bytes);
        if (result == CuResult.Success) *dynamicSmemSize = (nuint)bytes;
        return result;
    }

    /// <summary>NUL-terminated UTF-8 copies of kernel names, made once per name and kept for the process's lifetime.</summary>
    private static class FunctionNames
    {
        private static readonly Dictionary<string, nint> Names = new(StringComparer.Ordinal);

        public static byte* Get(string name)
        {
            lock (Names)
            {
                if (!Names.TryGetValue(name, out var copy))
                {
                    copy = Marshal.StringToCoTaskMemUTF8(name);
                    Names.Add(name, copy);
                }
                return (byte*)copy;
            }
        }
    }
}
