using Emulator.Driver.Nvml;
using Emulator.Driver.Personas;

namespace Emulator.Driver;

/// <summary>What a <see cref="CudaDriver"/> emulates: a persona, how many devices, which are visible.</summary>
public sealed record DriverOptions
{
    public const int MaxDevices = 64;

    public Persona Persona { get; init; } = PersonaCatalog.Default;

    /// <summary>Emulated devices before <see cref="VisibleDevices"/> filters them (<c>CUEMU_DEVICES</c>).</summary>
    public int DeviceCount { get; init; } = 1;

    /// <summary>The <c>CUDA_VISIBLE_DEVICES</c> value, or null when the variable is unset.</summary>
    public string? VisibleDevices { get; init; }

    /// <summary>
    /// Where device memory lives: a private address space anywhere (tests; many drivers side by side) or the one
    /// process-wide space at the fixed base, so device addresses repeat run to run (the exports).
    /// </summary>
    public MemoryPlacement MemoryPlacement { get; init; } = MemoryPlacement.Private;

    /// <summary>Receives cuemu's own diagnostics (e.g. the address space could not be placed at its fixed base).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// The cross-process record of device memory in use (null: this driver is alone, as in tests). When set, the
    /// driver publishes every change of its devices' used bytes and <c>cuMemGetInfo</c> subtracts what other
    /// processes use, as a real GPU shared by several processes answers.
    /// </summary>
    public IDeviceUsageLedger? UsageLedger { get; init; }

    /// <summary>
    /// When set (<c>CUEMU_LOG_LAUNCHES=1</c>), every kernel launch that ran writes one line to <see cref="Log"/>: kernel,
    /// grid, block, outcome and thread-instructions executed — the work measure behind the virtual clock, used to size
    /// test runs independently of the engine tier.
    /// </summary>
    public bool LogLaunches { get; init; }

    /// <summary>Receives device-side <c>printf</c> output, one formatted call at a time (default: the process's standard output).</summary>
    public Action<string>? DevicePrintf { get; init; }

    /// <summary>
    /// Reads <c>CUEMU_PERSONA</c>, <c>CUEMU_DEVICES</c>, <c>CUDA_VISIBLE_DEVICES</c> and <c>CUEMU_LOG_LAUNCHES</c>: the process-wide driver's
    /// options, which also share device-memory use through the machine-wide ledger (<c>CUEMU_LEDGER_DIR</c>).
    /// </summary>
    /// <exception cref="PersonaException">The persona cannot be loaded or the device count is not 1..64.</exception>
    public static DriverOptions FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var persona = PersonaCatalog.Resolve(read("CUEMU_PERSONA"));
        var count = 1;
        var countText = read("CUEMU_DEVICES");
        if (!string.IsNullOrWhiteSpace(countText) &&
            (!int.TryParse(countText.Trim(), out count) || count is < 1 or > MaxDevices))
            throw new PersonaException($"CUEMU_DEVICES must be a number from 1 to {MaxDevices}, not '{countText}'");
        return new DriverOptions
        {
            Persona = persona,
            DeviceCount = count,
            VisibleDevices = read("CUDA_VISIBLE_DEVICES"),
            MemoryPlacement = MemoryPlacement.ProcessWide,
            UsageLedger = SharedDeviceUsageLedger.ForCurrentProcess(read),
            LogLaunches = read("CUEMU_LOG_LAUNCHES")?.Trim() == "1",
        };
    }
}

public enum MemoryPlacement
{
    Private,
    ProcessWide,
}
