using Emulator.Driver.Contexts;
using Emulator.Driver.Runtime.Graphs;

namespace Emulator.Driver.Runtime;

/// <summary>Which libcudart a program linked: the ABI decides struct layouts and reported versions.</summary>
public enum RuntimeAbi
{
    Cuda11 = 11,
    Cuda12 = 12,
    Cuda13 = 13,
}

/// <summary>
/// The libcudart model over the driver model: implicit primary contexts, the per-thread current device,
/// per-thread last errors, nvcc's registration ABI with lazily loaded modules, streams, events, stream
/// capture and graphs. Like libcudart it is a client of the driver (<see cref="Driver"/>): contexts,
/// streams and events are the driver's, so a <c>cudaStream_t</c> is a valid <c>CUstream</c>.
/// Every public method returns the cudaError_t NVIDIA documents and records failures as the thread's last error.
/// </summary>
public sealed partial class CudaRuntime
{
    private readonly ThreadLocal<int> _currentDevice = new(static () => 0);
    private readonly Lock _primaryLock = new();
    private readonly bool[] _primaryRetained;

    public CudaRuntime(CudaDriver driver)
    {
        Driver = driver;
        _primaryRetained = new bool[driver.Devices.Count];
    }

    public CudaDriver Driver { get; }
    public RuntimeErrorState Errors { get; } = new();
    public FatbinRegistry Registry { get; } = new();
    public CallConfigurationStack CallConfigurations { get; } = new();
    public StreamCapture Capture { get; } = new();

    /// <summary>cudaRuntimeGetVersion per ABI: the toolkit release each libcudart soname stands for.</summary>
    public static int RuntimeVersion(RuntimeAbi abi) => abi switch
    {
        RuntimeAbi.Cuda11 => 11080,
        RuntimeAbi.Cuda12 => 12090,
        _ => 13000,
    };

    private CudaError Record(CudaError result) => Errors.Record(result);

    private CudaError Record(CuResult result) => Errors.Record(RuntimeErrors.FromDriver(result));

    // ---- errors -------------------------------------------------------------------------------------------

    public CudaError GetLastError() => Errors.TakeLast(CurrentSticky());

    public CudaError PeekAtLastError() => Errors.PeekLast(CurrentSticky());

    private CudaError CurrentSticky() =>
        Driver.GetCurrentContext(out var context) == CuResult.Success
            ? RuntimeErrors.FromDriver(context.StickyError)
            : CudaError.Success;

    // ---- initialisation and the implicit primary context -----------------------------------------------------

    /// <summary>
    /// Runs before any call that needs a context, as libcudart's lazy initialisation does: initialises the
    /// driver, and unless the thread already has a usable context (e.g. one pushed through the driver API),
    /// retains the primary context of the thread's device and makes it current.
    /// </summary>
    private CudaError EnsureContext(out Context context)
    {
        context = null!;
        var init = Driver.Init(0);
        if (init != CuResult.Success)
            return RuntimeErrors.FromDriver(init);
        if (Driver.GetCurrentContext(out context) == CuResult.Success)
            return CudaError.Success;
        var bind = BindPrimaryContext(_currentDevice.Value);
        if (bind != CudaError.Success)
            return bind;
        return RuntimeErrors.FromDriver(Driver.GetCurrentContext(out context));
    }

    private CudaError BindPrimaryContext(int device)
    {
        nint handle;
        lock (_primaryLock)
        {
            if (device < 0 || device >= _primaryRetained.Length)
                return CudaError.InvalidDevice;
            var retain = Driver.RetainPrimaryContext(device, out handle);
            if (retain != CuResult.Success)
                return RuntimeErrors.FromDriver(retain);
            if (_primaryRetained[device])
                Driver.ReleasePrimaryContext(device); // the runtime holds one reference per device, not per call
            _primaryRetained[device] = true;
        }
        return RuntimeErrors.FromDriver(Driver.SetCurrentContext(handle));
    }

    private CudaError Initialize()
    {
        var init = Driver.Init(0);
        return init == CuResult.Success ? CudaError.Success : RuntimeErrors.FromDriver(init);
    }

    // ---- device management ----------------------------------------------------------------------------------

    /// <summary>cudaGetDeviceCount: 0 and the initialisation error when there is no usable device.</summary>
    public CudaError GetDeviceCount(out int count)
    {
        count = 0;
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        return Record(Driver.GetDeviceCount(out count));
    }

    public CudaError GetDevice(out int device)
    {
        device = _currentDevice.Value;
        return Record(Initialize());
    }

    /// <summary>cudaSetDevice: selects the thread's device and (CUDA 12+) initialises its primary context at once.</summary>
    public CudaError SetDevice(int device)
    {
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        if (device < 0 || device >= Driver.Devices.Count)
            return Record(CudaError.InvalidDevice);
        _currentDevice.Value = device;
        if (IsPrimaryContextCurrent(device))
            return CudaError.Success; // binding again would retain, release and re-set the same context: no change
        return Record(BindPrimaryContext(device));
    }

    /// <summary>True when the thread's current context is <paramref name="device"/>'s primary context, active and
    /// already retained by the runtime: what <see cref="BindPrimaryContext"/> would leave in place.</summary>
    private bool IsPrimaryContextCurrent(int device) =>
        Volatile.Read(ref _primaryRetained[device])
        && Driver.GetCurrentContext(out var current) == CuResult.Success
        && current.IsPrimary && current.Device.Ordinal == device;

    /// <summary>cudaSetDeviceFlags: the primary context's flags (scheduling, map-host, local-memory resize).</summary>
    public CudaError SetDeviceFlags(uint flags)
    {
        const uint scheduleMask = 0x07, mapHost = 0x08, lmemResizeToMax = 0x10, syncMemops = 0x80;
        if ((flags & ~(scheduleMask | mapHost | lmemResizeToMax | syncMemops)) != 0)
            return Record(CudaError.InvalidValue);
        var schedule = flags & scheduleMask;
        if (schedule is not (0 or 1 or 2 or 4))
            return Record(CudaError.InvalidValue);
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        // The runtime always maps host allocations (unified addressing), so cudaDeviceMapHost is accepted and kept.
        return Record(Driver.SetPrimaryContextFlags(_currentDevice.Value, flags & ~mapHost));
    }

    public CudaError GetDeviceFlags(out uint flags)
    {
        flags = 0;
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        var result = Driver.GetPrimaryContextState(_currentDevice.Value, out var contextFlags, out _);
        flags = contextFlags | 0x08; // cudaDeviceMapHost is always in effect
        return Record(result);
    }

    public CudaError DeviceGetAttribute(out int value, int attribute, int device)
    {
        value = 0;
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        if (device < 0 || device >= Driver.Devices.Count)
            return Record(CudaError.InvalidDevice);
        if (!RuntimeDeviceAttributes.TryMapToDriver(attribute, out var driverAttribute))
            return Record(CudaError.InvalidValue);
        return Record(Driver.GetAttribute(driverAttribute, device, out value));
    }

    /// <summary>cudaGetDeviceProperties for the ABI of <typeparamref name="TProp"/> (CudaDeviceProp11/12/13).</summary>
    public CudaError GetDeviceProperties<TProp>(ref TProp properties, int device) where TProp : unmanaged
    {
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        if (device < 0 || device >= Driver.Devices.Count)
            return Record(CudaError.InvalidDevice);
        var d = Driver.Devices[device];
        var identity = new DeviceIdentity(d.Name, d.Uuid.ToArray(), (ulong)d.TotalMemoryBytes);
        DevicePropertiesWriter.Write(ref properties, identity,
            attribute => Driver.GetAttribute(attribute, device, out var value) == CuResult.Success ? value : 0);
        return CudaError.Success;
    }

    /// <summary>cudaDeviceGetPCIBusId: "dddd:bb:dd.f"; a buffer too short for it is cudaErrorInvalidValue.</summary>
    public CudaError DeviceGetPciBusId(out string pciBusId, int bufferLength, int device)
    {
        pciBusId = "";
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        if (device < 0 || device >= Driver.Devices.Count)
            return Record(CudaError.InvalidDevice);
        var text = Driver.Devices[device].PciBusIdString;
        if (bufferLength <= 0)
            return Record(CudaError.InvalidValue);
        pciBusId = text.Length < bufferLength ? text : text[..(bufferLength - 1)];
        return CudaError.Success;
    }

    public CudaError DeviceGetByPciBusId(out int device, string pciBusId)
    {
        device = 0;
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        return Record(Driver.GetDeviceByPciBusId(pciBusId, out device));
    }

    /// <summary>cudaDriverGetVersion works without a device, as NVIDIA's does.</summary>
    public CudaError DriverGetVersion(out int version)
    {
        Driver.GetDriverVersion(out version);
        return CudaError.Success;
    }

    /// <summary>cudaDeviceSynchronize: everything already ran (eager execution); reports the context's sticky fault.</summary>
    public CudaError DeviceSynchronize()
    {
        var context = EnsureContext(out var current);
        if (context != CudaError.Success)
            return Record(context);
        var capture = Capture.CheckDeviceSynchronize(current.Device.Ordinal);
        if (capture != CudaError.Success)
            return Record(capture);
        return Record(Driver.SynchronizeContext());
    }

    /// <summary>
    /// cudaDeviceReset: destroys the primary context of the thread's device with everything in it (memory,
    /// streams, events, loaded modules, the sticky error); the next call creates a fresh one.
    /// </summary>
    public CudaError DeviceReset()
    {
        var init = Initialize();
        if (init != CudaError.Success)
            return Record(init);
        var device = _currentDevice.Value;
        lock (_primaryLock)
        {
            var reset = Driver.ResetPrimaryContext(device);
            if (reset != CuResult.Success)
                return Record(reset);
            _primaryRetained[device] = false; // the reset dropped every reference, ours included
        }
        ForgetPeerAccess(device);
        return CudaError.Success;
    }
}
