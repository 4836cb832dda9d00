using System.Runtime.InteropServices;
using Emulator.Driver;
using Emulator.Driver.Devices;
using Emulator.Driver.Nvml;
using Emulator.Driver.Personas;

namespace Emulator.Exports;

/// <summary>
/// libnvidia-ml.so.1 entry points, one method per C symbol. NVML sees every emulated device (<c>CUEMU_DEVICES</c>;
/// like NVIDIA's NVML it ignores <c>CUDA_VISIBLE_DEVICES</c>), identified exactly as the driver identifies them
/// (same <c>GPU-…</c> UUID and PCI location), and reads memory use from the machine-wide ledger the process-wide
/// driver publishes to, so its numbers match <c>cudaMemGetInfo</c> in any process.
/// </summary>
/// <remarks>
/// NVML is reference counted: each successful <c>nvmlInit*</c> needs one <c>nvmlShutdown</c>; every call but
/// <c>nvmlErrorString</c> answers <c>NVML_ERROR_UNINITIALIZED</c> while the count is zero. Bad handles and NULL
/// pointers are <c>NVML_ERROR_INVALID_ARGUMENT</c>, buffers too small <c>NVML_ERROR_INSUFFICIENT_SIZE</c>.
/// </remarks>
public static unsafe partial class NvmlApi
{
    /// <summary><c>NVML_INIT_FLAG_NO_GPUS</c> | <c>NVML_INIT_FLAG_NO_ATTACH</c>, the flags nvml.h defines.</summary>
    private const uint KnownInitFlags = 0x1 | 0x2;

    /// <summary>
    /// Device handles are this base plus the device index: deterministic (traces repeat run to run) and never a
    /// valid host pointer, so a handle from anywhere else is recognised as bad.
    /// </summary>
    private const long HandleBase = 0x6E76_6D6C_0000;

    private static readonly Lock InitGate = new();
    private static int _initCount;
    private static NvmlSystem? _system;

    public static NvmlReturn nvmlInit() => Initialize();

    public static NvmlReturn nvmlInit_v2() => Initialize();

    /// <summary>
    /// <c>NVML_INIT_FLAG_NO_GPUS</c> only lets NVML start on a machine without GPUs and <c>NO_ATTACH</c> only skips
    /// attaching to GPUs; an emulated machine always has its devices, so both are accepted and change nothing.
    /// </summary>
    public static NvmlReturn nvmlInitWithFlags(uint flags) =>
        (flags & ~KnownInitFlags) != 0 ? NvmlReturn.InvalidArgument : Initialize();

    public static NvmlReturn nvmlShutdown()
    {
        lock (InitGate)
        {
            if (_initCount == 0) return NvmlReturn.Uninitialized;
            _initCount--;
            return NvmlReturn.Success;
        }
    }

    public static byte* nvmlErrorString(NvmlReturn result) => NvmlErrorStrings.DescribePointer(result);

    private static NvmlReturn Initialize()
    {
        lock (InitGate)
        {
            if (_system is null)
            {
                try
                {
                    _system = NvmlSystem.FromEnvironment();
                }
                catch (PersonaException e)
                {
                    // The driver's configuration is broken, so there is no GPU to manage: what NVIDIA's NVML answers
                    // when its kernel driver is unusable.
                    Hosting.ExportLog.Write($"cuemu: nvmlInit failed: {e.Message}");
                    return NvmlReturn.DriverNotLoaded;
                }
            }
            _initCount++;
            return NvmlReturn.Success;
        }
    }

    /// <summary>The initialised system, or UNINITIALIZED.</summary>
    private static NvmlReturn Initialized(out NvmlSystem system)
    {
        lock (InitGate)
        {
            system = _system!;
            return _initCount > 0 ? NvmlReturn.Success : NvmlReturn.Uninitialized;
        }
    }

    /// <summary>The device behind a handle: UNINITIALIZED before nvmlInit, INVALID_ARGUMENT for anything not ours.</summary>
    private static NvmlReturn Resolve(nint handle, out Device device)
    {
        device = null!;
        var result = Initialized(out var system);
        if (result != NvmlReturn.Success) return result;
        var index = (long)handle - HandleBase;
        if (index < 0 || index >= system.Devices.Count) return NvmlReturn.InvalidArgument;
        device = system.Devices[(int)index];
        return NvmlReturn.Success;
    }

    private static nint HandleOf(Device device) => (nint)(HandleBase + device.PhysicalIndex);

    // ---- system ---------------------------------------------------------------------------------------------------

    public static NvmlReturn nvmlSystemGetDriverVersion(byte* version, uint length)
    {
        var result = Initialized(out var system);
        return result != NvmlReturn.Success ? result
            : NvmlStrings.CopyTo(NvmlVersions.SystemDriverVersion(system.Persona.DriverVersion), version, length);
    }

    public static NvmlReturn nvmlSystemGetNVMLVersion(byte* version, uint length)
    {
        var result = Initialized(out var system);
        return result != NvmlReturn.Success ? result
            : NvmlStrings.CopyTo(NvmlVersions.NvmlLibraryVersion(system.Persona.DriverVersion, system.Persona.CudaDriverVersion), version, length);
    }

    /// <summary>The CUDA version the driver supports: the persona's, the number <c>cuDriverGetVersion</c> reports.</summary>
    public static NvmlReturn nvmlSystemGetCudaDriverVersion(int* cudaDriverVersion)
    {
        var result = Initialized(out var system);
        if (result != NvmlReturn.Success) return result;
        if (cudaDriverVersion == null) return NvmlReturn.InvalidArgument;
        *cudaDriverVersion = system.Persona.CudaDriverVersion;
        return NvmlReturn.Success;
    }

    public static NvmlReturn nvmlSystemGetCudaDriverVersion_v2(int* cudaDriverVersion) => nvmlSystemGetCudaDriverVersion(cudaDriverVersion);

    /// <summary>What NVML serves: the persona, all emulated devices by physical index, and the usage ledger.</summary>
    private sealed class NvmlSystem(Persona persona, IReadOnlyList<Device> devices, IDeviceUsageLedger? ledger)
    {
        public Persona Persona => persona;
        public IReadOnlyList<Device> Devices => devices;
        public IDeviceUsageLedger? Ledger => ledger;

        /// <exception cref="PersonaException">CUEMU_PERSONA or CUEMU_DEVICES is unusable.</exception>
        public static NvmlSystem FromEnvironment()
        {
            var options = DriverOptions.FromEnvironment();
            var devices = Enumerable.Range(0, options.DeviceCount).Select(i => new Device(options.Persona, i, i)).ToArray();
            return new NvmlSystem(options.Persona, devices, options.UsageLedger);
        }
    }
}
