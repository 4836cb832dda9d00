using System.Collections.Frozen;

namespace Emulator.Driver.Personas;

/// <summary>Where the first device of a persona sits on the PCI bus; device <c>n</c> sits <c>n * BusStride</c> buses later.</summary>
public sealed record PciLocation(int Domain, int FirstBus, int BusStride, int Device);

/// <summary>
/// The deterministic cost model that advances a device's virtual clock: bytes over modelled bandwidths plus fixed
/// per-operation overheads. No wall clock is involved.
/// </summary>
public sealed record CostModel(
    long DeviceMemoryBytesPerSecond,
    long HostLinkBytesPerSecond,
    long LaunchOverheadNanoseconds,
    long OperationOverheadNanoseconds);

/// <summary>
/// A GPU model as data: what the emulated device reports (name, memory, driver version, PCI location and every
/// <c>CUdevice_attribute</c>) and how fast its virtual clock runs. Built-ins live in <c>Personas/Builtin/*.json</c>.
/// </summary>
public sealed class Persona
{
    public Persona(
        string key,
        string name,
        long totalMemoryBytes,
        string driverVersion,
        int cudaDriverVersion,
        PciLocation pci,
        int greatestStreamPriority,
        CostModel costModel,
        IReadOnlyDictionary<DeviceAttribute, int> attributes)
    {
        var missing = DeviceAttributes.All.Where(a => !DeviceAttributes.IsPerDevice(a) && !attributes.ContainsKey(a)).ToList();
        if (missing.Count > 0)
            throw new PersonaException($"persona '{key}' does not answer {string.Join(", ", missing.Select(DeviceAttributes.CName))}");
        if (string.IsNullOrWhiteSpace(name) || System.Text.Encoding.UTF8.GetByteCount(name) > 255)
            throw new PersonaException($"persona '{key}' needs a name of 1..255 bytes");
        if (totalMemoryBytes <= 0)
            throw new PersonaException($"persona '{key}' needs a positive totalMemoryBytes");
        if (cudaDriverVersion <= 0 || string.IsNullOrWhiteSpace(driverVersion))
            throw new PersonaException($"persona '{key}' needs driverVersion and cudaDriverVersion");
        if (pci.Domain is < 0 or > 0xFFFF || pci.FirstBus is < 0 or > 0xFF || pci.BusStride < 0 || pci.Device is < 0 or > 0x1F)
            throw new PersonaException($"persona '{key}' has an impossible PCI location");
        if (greatestStreamPriority > 0)
            throw new PersonaException($"persona '{key}': greatestStreamPriority must be 0 or negative (lower is higher priority)");
        if (costModel.DeviceMemoryBytesPerSecond <= 0 || costModel.HostLinkBytesPerSecond <= 0 ||
            costModel.LaunchOverheadNanoseconds < 0 || costModel.OperationOverheadNanoseconds < 0)
            throw new PersonaException($"persona '{key}' has a cost model with non-positive bandwidths or negative overheads");

        Key = key;
        Name = name;
        TotalMemoryBytes = totalMemoryBytes;
        DriverVersion = driverVersion;
        CudaDriverVersion = cudaDriverVersion;
        Pci = pci;
        GreatestStreamPriority = greatestStreamPriority;
        CostModel = costModel;
        Attributes = attributes.Where(pair => !DeviceAttributes.IsPerDevice(pair.Key)).ToFrozenDictionary();
    }

    /// <summary>Short identifier (<c>h100</c>); also seeds the device UUIDs.</summary>
    public string Key { get; }

    /// <summary>Marketing name as <c>cuDeviceGetName</c> reports it.</summary>
    public string Name { get; }

    public long TotalMemoryBytes { get; }

    /// <summary>Kernel-module version string (<c>580.95.05</c>) for NVML and logs.</summary>
    public string DriverVersion { get; }

    /// <summary>What <c>cuDriverGetVersion</c> reports (1000 × major + 10 × minor).</summary>
    public int CudaDriverVersion { get; }

    public PciLocation Pci { get; }

    /// <summary>Lowest (numerically) stream priority; the least priority is always 0.</summary>
    public int GreatestStreamPriority { get; }

    public CostModel CostModel { get; }

    /// <summary>Model-wide attribute values; per-device ones (PCI ids, board group) come from <see cref="Devices.Device"/>.</summary>
    public IReadOnlyDictionary<DeviceAttribute, int> Attributes { get; }

    public int this[DeviceAttribute attribute] => Attributes[attribute];

    public int ComputeCapabilityMajor => this[DeviceAttribute.ComputeCapabilityMajor];
    public int ComputeCapabilityMinor => this[DeviceAttribute.ComputeCapabilityMinor];

    public override string ToString() => $"{Key} ({Name}, CC {ComputeCapabilityMajor}.{ComputeCapabilityMinor})";
}

/// <summary>A persona that cannot be loaded or is incomplete; the message says what is wrong.</summary>
public sealed class PersonaException(string message, Exception? inner = null) : Exception(message, inner);
