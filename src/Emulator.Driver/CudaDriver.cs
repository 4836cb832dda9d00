using System.Globalization;
using Emulator.Driver.Contexts;
using Emulator.Driver.Devices;
using Emulator.Driver.Events;
using Emulator.Driver.Personas;
using Emulator.Driver.Streams;

namespace Emulator.Driver;

/// <summary>
/// The libcuda model: devices, contexts, streams, events (and memory, in <c>CudaDriver.Memory.cs</c>). Each instance
/// is a whole independent driver, so tests create their own and run in parallel; the native exports use one
/// instance built from the environment. Every method returns the CUresult NVIDIA documents and never throws for
/// bad input. State changes happen under one lock; per-thread context stacks are per instance.
/// </summary>
public sealed partial class CudaDriver : IDisposable
{
    /// <summary>What <c>cuCtxGetApiVersion</c> reports for contexts created through the v2+ API.</summary>
    public const uint ContextApiVersion = 3020;

    private readonly object _gate = new();
    private readonly DriverOptions? _options;
    private readonly Device[] _devices;
    private readonly ThreadLocal<List<Context>> _contextStacks = new(() => new List<Context>());
    private readonly HandleTable<Context> _contexts = new(0xC1);
    private readonly HandleTable<Stream> _streams = new(0xC2);
    private readonly HandleTable<Event> _events = new(0xC3);
    private readonly PrimaryContextSlot[] _primaryContexts;
    private readonly List<Context> _createdContexts = new();
    private ulong _nextContextId = 1;
    private ulong _nextStreamId = 3; // 1 and 2 are the default streams' ids, as on NVIDIA's driver
    private bool _initialized;

    /// <exception cref="ArgumentOutOfRangeException">DeviceCount is not 1..<see cref="DriverOptions.MaxDevices"/>.</exception>
    public CudaDriver(DriverOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DeviceCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.DeviceCount, DriverOptions.MaxDevices);
        _options = options;
        var all = Enumerable.Range(0, options.DeviceCount).Select(i => new Device(options.Persona, i, i)).ToArray();
        var visible = Emulator.Driver.Devices.VisibleDevices.Select(options.VisibleDevices, all.Select(d => d.UuidString).ToArray());
        _devices = visible.Select((physical, ordinal) => new Device(options.Persona, physical, ordinal)).ToArray();
        _primaryContexts = _devices.Select(_ => new PrimaryContextSlot()).ToArray();
    }

    private CudaDriver(string configurationError)
    {
        ConfigurationError = configurationError;
        _devices = [];
        _primaryContexts = [];
    }

    /// <summary>
    /// The driver the environment describes. A bad configuration does not throw: the driver then has no devices,
    /// <c>cuInit</c> fails with <c>CUDA_ERROR_SYSTEM_NOT_READY</c> and <see cref="ConfigurationError"/> says why.
    /// </summary>
    public static CudaDriver FromEnvironment(Func<string, string?>? read = null, Action<string>? log = null)
    {
        try
        {
            return new CudaDriver(DriverOptions.FromEnvironment(read) with { Log = log });
        }
        catch (PersonaException e)
        {
            return new CudaDriver(e.Message);
        }
    }

    /// <summary>Why this driver could not be configured, or null.</summary>
    public string? ConfigurationError { get; }

    public Persona? Persona => _options?.Persona;

    /// <summary>The visible devices, by ordinal.</summary>
    public IReadOnlyList<Device> Devices => _devices;

    public bool IsInitialized => Volatile.Read(ref _initialized);

    // ---- initialisation and version -------------------------------------------------------------------------

    public CuResult Init(uint flags)
    {
        if (flags != 0) return CuResult.InvalidValue;
        if (ConfigurationError is not null) return CuResult.SystemNotReady;
        if (_devices.Length == 0) return CuResult.NoDevice;
        // Every runtime call starts with cuInit; once initialised there is nothing to wait for.
        if (IsInitialized) return CuResult.Success;
        lock (_gate)
        {
            if (_initialized) return CuResult.Success;
            var memoryResult = CreateMemory();
            if (memoryResult != CuResult.Success) return memoryResult;
            Volatile.Write(ref _initialized, true);
        }
        return CuResult.Success;
    }

    /// <summary><c>cuDriverGetVersion</c> works before <c>cuInit</c>, as NVIDIA's does.</summary>
    public CuResult GetDriverVersion(out int version)
    {
        version = _options?.Persona.CudaDriverVersion ?? PersonaCatalog.Default.CudaDriverVersion;
        return CuResult.Success;
    }

    // ---- devices ----------------------------------------------------------------------------------------------

    public CuResult GetDeviceCount(out int count)
    {
        count = 0;
        if (!IsInitialized) return CuResult.NotInitialized;
        count = _devices.Length;
        return CuResult.Success;
    }

    /// <summary>Looks a <c>CUdevice</c> up: <c>NOT_INITIALIZED</c> before cuInit, <c>INVALID_DEVICE</c> out of range.</summary>
    public CuResult GetDevice(int ordinal, out Device device)
    {
        device = null!;
        if (!IsInitialized) return CuResult.NotInitialized;
        if (ordinal < 0 || ordinal >= _devices.Length) return CuResult.InvalidDevice;
        device = _devices[ordinal];
        return CuResult.Success;
    }

    public CuResult GetAttribute(int attribute, int ordinal, out int value)
    {
        value = 0;
        var result = GetDevice(ordinal, out var device);
        if (result != CuResult.Success) return result;
        if (!DeviceAttributes.IsDefined(attribute)) return CuResult.InvalidValue;
        value = device.GetAttribute((DeviceAttribute)attribute);
        return CuResult.Success;
    }

    /// <summary>
    /// <c>cuDeviceGetByPCIBusId</c>: accepts <c>domain:bus:device.function</c>, <c>domain:bus:device</c> and
    /// <c>bus:device.function</c>, all hexadecimal.
    /// </summary>
    public CuResult GetDeviceByPciBusId(string pciBusId, out int ordinal)
    {
        ordinal = 0;
        if (!IsInitialized) return CuResult.NotInitialized;
        if (!TryParsePciBusId(pciBusId, out var domain, out var bus, out var slot)) return CuResult.InvalidValue;
        foreach (var device in _devices)
        {
            if (device.PciDomain == domain && device.PciBus == bus && device.PciDevice == slot)
            {
                ordinal = device.Ordinal;
                return CuResult.Success;
            }
        }
        return CuResult.InvalidDevice;
    }

    private static bool TryParsePciBusId(string text, out int domain, out int bus, out int slot)
    {
        domain = bus = slot = 0;
        var parts = text.Trim().Split(':');
        string busText, deviceText;
        switch (parts.Length)
        {
            case 3:
                if (!TryHex(parts[0], out domain)) return false;
                busText = parts[1];
                deviceText = parts[2];
                break;
            case 2:
                busText = parts[0];
                deviceText = parts[1];
                if (!deviceText.Contains('.')) return false;
                break;
            default:
                return false;
        }
        var dot = deviceText.IndexOf('.');
        if (dot >= 0)
        {
            if (!TryHex(deviceText[(dot + 1)..], out var function) || function > 7) return false;
            deviceText = deviceText[..dot];
        }
        return TryHex(busText, out bus) && TryHex(deviceText, out slot);

        static bool TryHex(string s, out int value) =>
            int.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && s.Length is > 0 and <= 8;
    }
}
