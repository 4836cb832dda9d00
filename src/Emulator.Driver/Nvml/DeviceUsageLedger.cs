using Emulator.Driver.Devices;

namespace Emulator.Driver.Nvml;

/// <summary>
/// What a driver shares with other processes about device memory: it publishes its own use whenever that changes
/// and asks what everyone else uses, so <c>cuMemGetInfo</c> and NVML give the same numbers in every process.
/// Implementations may throw <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>; the driver
/// logs those and carries on with what it knows locally.
/// </summary>
public interface IDeviceUsageLedger
{
    /// <summary>This process now uses <paramref name="bytesInUse"/> on <paramref name="device"/> (a total, not a change).</summary>
    void Publish(Device device, ulong bytesInUse);

    /// <summary>Bytes other live processes use on <paramref name="device"/>.</summary>
    ulong UsedByOtherProcesses(Device device);

    /// <summary>Every live process with memory on <paramref name="device"/>, this one included, ordered by pid.</summary>
    IReadOnlyList<LedgerProcess> Processes(Device device);
}

/// <summary>
/// <see cref="IDeviceUsageLedger"/> over the machine-wide <see cref="MemoryLedger"/>, keyed by the device's
/// <c>GPU-…</c> UUID (which follows from persona and physical index, so it is the same in every process
/// whatever <c>CUDA_VISIBLE_DEVICES</c> says). A process that stops using a device removes its record, so
/// NVML lists only processes that hold memory there.
/// </summary>
public sealed class SharedDeviceUsageLedger(MemoryLedger ledger, ProcessIdentity self) : IDeviceUsageLedger
{
    /// <summary>The ledger at <c>CUEMU_LEDGER_DIR</c> (read through <paramref name="read"/>) or the default root, for this process.</summary>
    public static SharedDeviceUsageLedger ForCurrentProcess(Func<string, string?> read)
    {
        var configured = read("CUEMU_LEDGER_DIR");
        var root = string.IsNullOrEmpty(configured) ? MemoryLedger.DefaultRoot() : configured;
        var self = ProcfsProcessTable.Current;
        return new SharedDeviceUsageLedger(new MemoryLedger(root, self, ProcfsProcessTable.Instance), self);
    }

    public MemoryLedger Ledger => ledger;

    public void Publish(Device device, ulong bytesInUse)
    {
        if (bytesInUse == 0)
            ledger.Release(device.UuidString);
        else
            ledger.ReportUsage(device.UuidString, bytesInUse);
    }

    public ulong UsedByOtherProcesses(Device device)
    {
        ulong total = 0;
        foreach (var process in ledger.Processes(device.UuidString))
            if (process.Pid != self.Pid)
                total += process.UsedBytes;
        return total;
    }

    public IReadOnlyList<LedgerProcess> Processes(Device device) => ledger.Processes(device.UuidString);
}
