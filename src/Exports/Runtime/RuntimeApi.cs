using System.Runtime.InteropServices;
using Emulator.Driver;
using Emulator.Driver.Runtime;

namespace Emulator.Exports;

/// <summary>
/// libcudart.so.11.0 / .12 / .13 entry points, one method per C symbol (ABI-divergent ones carry the suffix the
/// API table names). They translate C pointers into calls on the process-wide <see cref="CudaRuntime"/>, which
/// sits on the same <see cref="CudaDriver"/> as libcuda's entry points, so runtime and driver API calls share
/// contexts, streams, events and memory. NULL out-pointers are cudaErrorInvalidValue, recorded as last error.
/// </summary>
public static unsafe partial class RuntimeApi
{
    private static readonly Lazy<CudaRuntime> ProcessRuntime =
        new(() => new CudaRuntime(DriverApi.Driver), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<RuntimeAbi> LoadedAbi = new(DetectLoadedAbi);

    public static CudaRuntime Runtime => ProcessRuntime.Value;

    /// <summary>A failing argument check, recorded as the thread's last error like any other failure.</summary>
    private static CudaError Fail(CudaError error) => Runtime.Errors.Record(error);

    /// <summary>
    /// One managed method serves every libcudart soname for entries whose C ABI is the same; where the answer
    /// still depends on the toolkit (the runtime version, how large cudaFuncAttributes is), the soname the
    /// process mapped decides. A process maps one libcudart; without one (tests), CUDA 13 is assumed.
    /// </summary>
    private static RuntimeAbi DetectLoadedAbi()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                if (line.EndsWith("/libcudart.so.11.0", StringComparison.Ordinal)) return RuntimeAbi.Cuda11;
                if (line.EndsWith("/libcudart.so.12", StringComparison.Ordinal)) return RuntimeAbi.Cuda12;
                if (line.EndsWith("/libcudart.so.13", StringComparison.Ordinal)) return RuntimeAbi.Cuda13;
            }
        }
        catch (IOException)
        {
            // No /proc: fall through to the newest ABI.
        }
        return RuntimeAbi.Cuda13;
    }

    // ---- version, errors ------------------------------------------------------------------------------------

    public static CudaError cudaDriverGetVersion(int* driverVersion)
    {
        if (driverVersion == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.DriverGetVersion(out var version);
        *driverVersion = version;
        return result;
    }

    public static CudaError cudaRuntimeGetVersion(int* runtimeVersion)
    {
        if (runtimeVersion == null) return Fail(CudaError.InvalidValue);
        *runtimeVersion = CudaRuntime.RuntimeVersion(LoadedAbi.Value);
        return CudaError.Success;
    }

    public static byte* cudaGetErrorString(CudaError error) => RuntimeErrorText.TextPointer(error);

    public static byte* cudaGetErrorName(CudaError error) => RuntimeErrorText.NamePointer(error);

    public static CudaError cudaGetLastError() => Runtime.GetLastError();

    public static CudaError cudaPeekAtLastError() => Runtime.PeekAtLastError();

    // ---- devices ------------------------------------------------------------------------------------------

    public static CudaError cudaGetDeviceCount(int* count)
    {
        if (count == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GetDeviceCount(out var value);
        *count = value;
        return result;
    }

    public static CudaError cudaGetDevice(int* device)
    {
        if (device == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GetDevice(out var value);
        if (result == CudaError.Success) *device = value;
        return result;
    }

    public static CudaError cudaSetDevice(int device) => Runtime.SetDevice(device);

    public static CudaError cudaSetDeviceFlags(uint flags) => Runtime.SetDeviceFlags(flags);

    public static CudaError cudaGetDeviceFlags(uint* flags)
    {
        if (flags == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.GetDeviceFlags(out var value);
        if (result == CudaError.Success) *flags = value;
        return result;
    }

    public static CudaError cudaGetDeviceProperties_v13(void* prop, int device) => GetProperties<CudaDeviceProp13>(prop, device);

    public static CudaError cudaGetDeviceProperties_v12(void* prop, int device) => GetProperties<CudaDeviceProp12>(prop, device);

    public static CudaError cudaGetDeviceProperties_v11(void* prop, int device) => GetProperties<CudaDeviceProp11>(prop, device);

    /// <summary>Fills a private copy and then writes exactly the ABI's size, so the caller's struct is never overrun.</summary>
    private static CudaError GetProperties<TProp>(void* prop, int device) where TProp : unmanaged
    {
        if (prop == null) return Fail(CudaError.InvalidValue);
        var properties = new TProp();
        var result = Runtime.GetDeviceProperties(ref properties, device);
        if (result == CudaError.Success) *(TProp*)prop = properties;
        return result;
    }

    public static CudaError cudaDeviceGetAttribute(int* value, int attr, int device)
    {
        if (value == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.DeviceGetAttribute(out var answer, attr, device);
        if (result == CudaError.Success) *value = answer;
        return result;
    }

    public static CudaError cudaDeviceGetPCIBusId(byte* pciBusId, int len, int device)
    {
        if (pciBusId == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.DeviceGetPciBusId(out var text, len, device);
        if (result != CudaError.Success) return result;
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        bytes.CopyTo(new Span<byte>(pciBusId, bytes.Length));
        pciBusId[bytes.Length] = 0;
        return result;
    }

    public static CudaError cudaDeviceGetByPCIBusId(int* device, byte* pciBusId)
    {
        if (device == null || pciBusId == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.DeviceGetByPciBusId(out var ordinal, Marshal.PtrToStringUTF8((nint)pciBusId) ?? "");
        if (result == CudaError.Success) *device = ordinal;
        return result;
    }

    public static CudaError cudaDeviceSynchronize() => Runtime.DeviceSynchronize();

    /// <summary>CUDA 11's deprecated alias of cudaDeviceSynchronize.</summary>
    public static CudaError cudaThreadSynchronize() => Runtime.DeviceSynchronize();

    public static CudaError cudaDeviceReset() => Runtime.DeviceReset();

    public static CudaError cudaDeviceCanAccessPeer(int* canAccessPeer, int device, int peerDevice)
    {
        if (canAccessPeer == null) return Fail(CudaError.InvalidValue);
        var result = Runtime.DeviceCanAccessPeer(out var can, device, peerDevice);
        if (result == CudaError.Success) *canAccessPeer = can;
        return result;
    }

    public static CudaError cudaDeviceEnablePeerAccess(int peerDevice, uint flags) => Runtime.DeviceEnablePeerAccess(peerDevice, flags);

    public static CudaError cudaDeviceDisablePeerAccess(int peerDevice) => Runtime.DeviceDisablePeerAccess(peerDevice);
}
