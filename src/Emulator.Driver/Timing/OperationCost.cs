using Emulator.Driver.Personas;

namespace Emulator.Driver.Timing;

/// <summary>Turns operations into virtual nanoseconds with a persona's <see cref="CostModel"/>.</summary>
public static class OperationCost
{
    /// <summary>Where bytes move: within device memory, or across the host link (PCIe / NVLink-C2C).</summary>
    public enum Path
    {
        DeviceToDevice,
        HostLink,
    }

    public static long Transfer(CostModel model, ulong bytes, Path path)
    {
        var bandwidth = path == Path.DeviceToDevice ? model.DeviceMemoryBytesPerSecond : model.HostLinkBytesPerSecond;
        // Read plus write inside device memory: a device-to-device copy touches each byte twice.
        var touched = path == Path.DeviceToDevice ? (UInt128)bytes * 2 : bytes;
        return model.OperationOverheadNanoseconds + NanosecondsFor(touched, bandwidth);
    }

    public static long Fill(CostModel model, ulong bytes) =>
        model.OperationOverheadNanoseconds + NanosecondsFor(bytes, model.DeviceMemoryBytesPerSecond);

    /// <summary>⌈bytes · 10⁹ / bandwidth⌉ in exact integer arithmetic, saturating at <see cref="long.MaxValue"/>.</summary>
    private static long NanosecondsFor(UInt128 bytes, long bytesPerSecond)
    {
        var scaled = bytes * 1_000_000_000UL;
        var divisor = (UInt128)(ulong)bytesPerSecond;
        var nanoseconds = (scaled + divisor - 1) / divisor;
        return nanoseconds > long.MaxValue ? long.MaxValue : (long)nanoseconds;
    }

    public static long HostFunction(CostModel model) => model.OperationOverheadNanoseconds;

    public static long KernelLaunch(CostModel model, long modelledExecutionNanoseconds) =>
        model.LaunchOverheadNanoseconds + Math.Max(0, modelledExecutionNanoseconds);
}
