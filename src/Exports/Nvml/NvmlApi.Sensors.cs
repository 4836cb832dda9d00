using Emulator.Driver;
using Emulator.Driver.Personas;

namespace Emulator.Exports;

/// <summary>
/// Telemetry. An emulated GPU has no sensors, so what NVIDIA's NVML measures is modelled from the persona as the
/// documented constants below — the same answer every call, never random — and what it configures (clocks,
/// compute mode) comes from the persona's attributes.
/// </summary>
public static unsafe partial class NvmlApi
{
    /// <summary>
    /// Modelled die temperature: a GPU idling in a cooled data-centre chassis. Kernels run on the host CPU, so
    /// no emulated workload ever heats the device.
    /// </summary>
    private const uint ModelledTemperatureCelsius = 30;

    /// <summary>Modelled draw: an idle board uses about a tenth of its power limit; the emulated device is never busy.</summary>
    private const uint IdlePowerDivisor = 10;

    /// <summary>
    /// Board power limits of the built-in personas in milliwatts, from NVIDIA's product briefs (H100 SXM5 700 W,
    /// A100 SXM4 400 W, T4 70 W, Tesla P40 250 W). A persona outside this table has no modelled power.
    /// </summary>
    private static readonly (string PersonaKey, uint Milliwatts)[] BoardPowerLimits =
        [("h100", 700_000), ("a100", 400_000), ("t4", 70_000), ("p40", 250_000)];

    /// <summary>
    /// Both 0: work runs eagerly on the caller's thread while it is enqueued, so the emulated device is never seen
    /// busy between two API calls.
    /// </summary>
    public static NvmlReturn nvmlDeviceGetUtilizationRates(nint device, void* utilization)
    {
        var result = Resolve(device, out _);
        if (result != NvmlReturn.Success) return result;
        if (utilization == null) return NvmlReturn.InvalidArgument;
        var rates = (uint*)utilization;
        rates[0] = 0;
        rates[1] = 0;
        return NvmlReturn.Success;
    }

    /// <summary><see cref="ModelledTemperatureCelsius"/> for <c>NVML_TEMPERATURE_GPU</c>, the only sensor nvml.h defines.</summary>
    public static NvmlReturn nvmlDeviceGetTemperature(nint device, int sensorType, uint* temp)
    {
        var result = Resolve(device, out _);
        if (result != NvmlReturn.Success) return result;
        if (temp == null || sensorType != 0) return NvmlReturn.InvalidArgument;
        *temp = ModelledTemperatureCelsius;
        return NvmlReturn.Success;
    }

    /// <summary>Idle draw (<see cref="IdlePowerDivisor"/>) of the persona's board limit, in milliwatts.</summary>
    public static NvmlReturn nvmlDeviceGetPowerUsage(nint device, uint* power) =>
        WritePower(device, power, limit => limit / IdlePowerDivisor);

    public static NvmlReturn nvmlDeviceGetPowerManagementLimit(nint device, uint* limit) => WritePower(device, limit, l => l);

    /// <summary>No other limit (in-band or out-of-band) is modelled, so the enforced limit is the management limit.</summary>
    public static NvmlReturn nvmlDeviceGetEnforcedPowerLimit(nint device, uint* limit) => WritePower(device, limit, l => l);

    private static NvmlReturn WritePower(nint device, uint* output, Func<uint, uint> fromBoardLimit)
    {
        var result = Resolve(device, out var resolved);
        if (result != NvmlReturn.Success) return result;
        if (output == null) return NvmlReturn.InvalidArgument;
        foreach (var (key, milliwatts) in BoardPowerLimits)
        {
            if (key != resolved.Persona.Key) continue;
            *output = fromBoardLimit(milliwatts);
            return NvmlReturn.Success;
        }
        return NvmlReturn.NotSupported;
    }

    /// <summary>The emulated device always runs at its modelled clocks, so current clocks are the maximum ones.</summary>
    public static NvmlReturn nvmlDeviceGetClockInfo(nint device, int type, uint* clock) => nvmlDeviceGetMaxClockInfo(device, type, clock);

    /// <summary>
    /// Graphics and SM: <c>CU_DEVICE_ATTRIBUTE_CLOCK_RATE</c>; memory: <c>MEMORY_CLOCK_RATE</c> (both kHz in the
    /// persona, MHz here). The persona has no video clock: NOT_SUPPORTED, as for a device without that domain.
    /// </summary>
    public static NvmlReturn nvmlDeviceGetMaxClockInfo(nint device, int type, uint* clock)
    {
        var result = Resolve(device, out var resolved);
        if (result != NvmlReturn.Success) return result;
        if (clock == null) return NvmlReturn.InvalidArgument;
        const int Graphics = 0, StreamingMultiprocessor = 1, Memory = 2, Video = 3;
        switch (type)
        {
            case Graphics or StreamingMultiprocessor:
                *clock = (uint)resolved.GetAttribute(DeviceAttribute.ClockRate) / 1000;
                return NvmlReturn.Success;
            case Memory:
                *clock = (uint)resolved.GetAttribute(DeviceAttribute.MemoryClockRate) / 1000;
                return NvmlReturn.Success;
            case Video:
                return NvmlReturn.NotSupported;
            default:
                return NvmlReturn.InvalidArgument;
        }
    }

    /// <summary><c>NVML_PSTATE_0</c>: maximum performance, matching the clocks reported.</summary>
    public static NvmlReturn nvmlDeviceGetPerformanceState(nint device, int* pState) => WriteConstant(device, pState, 0);

    /// <summary><c>NVML_FEATURE_DISABLED</c>: the Linux driver's default without nvidia-persistenced.</summary>
    public static NvmlReturn nvmlDeviceGetPersistenceMode(nint device, int* mode) => WriteConstant(device, mode, 0);

    /// <summary>The persona's <c>CU_DEVICE_ATTRIBUTE_COMPUTE_MODE</c>; CUDA and NVML number the modes alike.</summary>
    public static NvmlReturn nvmlDeviceGetComputeMode(nint device, int* mode)
    {
        var result = Resolve(device, out var resolved);
        return result != NvmlReturn.Success ? result : WriteConstant(device, mode, resolved.GetAttribute(DeviceAttribute.ComputeMode));
    }

    private static NvmlReturn WriteConstant(nint device, int* output, int value)
    {
        var result = Resolve(device, out _);
        if (result != NvmlReturn.Success) return result;
        if (output == null) return NvmlReturn.InvalidArgument;
        *output = value;
        return NvmlReturn.Success;
    }
}
