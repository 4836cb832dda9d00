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
        var touched = path == Path.DeviceToDevice ? (decimal)bytes * 2 : bytes;
        return model.OperationOverheadNanoseconds + (long)decimal.Ceiling(touched * 1_000_000_000m / bandwidth);
    }

    public static long Fill(CostModel model, ulong bytes) =>
        model.OperationOverheadNanoseconds + (long)decimal.Ceiling((decimal)bytes * 1_000_000_000m / model.DeviceMemoryBytesPerSecond);

    public static long HostFunction(CostModel model) => model.OperationOverheadNanoseconds;

    public static long KernelLaunch(CostModel model, long modelledExecutionNanoseconds) =>
        model.LaunchOverheadNanoseconds + Math.Max(0, modelledExecutionNanoseconds);
}
