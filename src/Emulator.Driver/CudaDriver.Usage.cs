using Emulator.Driver.Devices;

namespace Emulator.Driver;

/// <summary>
/// Sharing device-memory use with other processes through <see cref="DriverOptions.UsageLedger"/>: every operation
/// that can change a device's used bytes (allocations, frees, VMM physical memory, module globals, context
/// teardown) publishes the new totals, and <c>cuMemGetInfo</c> counts what other processes use.
/// </summary>
public sealed partial class CudaDriver
{
    private readonly Lock _usageGate = new();
    private ulong[]? _publishedUsage;
    private bool _ledgerFailureLogged;

    /// <summary>
    /// Publishes each device's used bytes that differ from what was last published. Runs under its own lock, reading
    /// the totals inside it, so concurrent publishers can never leave an older total in the ledger.
    /// </summary>
    private void PublishUsage()
    {
        var ledger = _options?.UsageLedger;
        var memory = _memory;
        if (ledger is null || memory is null) return;
        lock (_usageGate)
        {
            _publishedUsage ??= new ulong[_devices.Length];
            foreach (var device in _devices)
            {
                var used = memory.UsedBytes(device.Ordinal);
                if (used == _publishedUsage[device.Ordinal]) continue;
                if (!TryLedger(() => ledger.Publish(device, used))) return;
                _publishedUsage[device.Ordinal] = used;
            }
        }
    }

    /// <summary>Bytes other processes use on <paramref name="device"/>; 0 without a ledger or when it cannot be read.</summary>
    private ulong UsedByOtherProcesses(Device device)
    {
        var ledger = _options?.UsageLedger;
        ulong others = 0;
        if (ledger is not null) TryLedger(() => others = ledger.UsedByOtherProcesses(device));
        return others;
    }

    /// <summary>A ledger that cannot be written or read degrades to this process's own view, logged once.</summary>
    private bool TryLedger(Action operation)
    {
        try
        {
            operation();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_ledgerFailureLogged)
            {
                _ledgerFailureLogged = true;
                _options?.Log?.Invoke($"cuemu: the device-memory ledger is unavailable, other processes' use is not counted: {e.Message}");
            }
            return false;
        }
    }
}
