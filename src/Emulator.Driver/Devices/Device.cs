using System.Security.Cryptography;
using System.Text;
using Emulator.Driver.Personas;
using Emulator.Driver.Timing;

namespace Emulator.Driver.Devices;

/// <summary>
/// One emulated GPU. Its identity (UUID, PCI location) follows from the persona and its <em>physical</em> index, so
/// hiding devices with <c>CUDA_VISIBLE_DEVICES</c> renumbers ordinals but never changes who a device is.
/// </summary>
public sealed class Device
{
    public Device(Persona persona, int physicalIndex, int ordinal)
    {
        Persona = persona;
        PhysicalIndex = physicalIndex;
        Ordinal = ordinal;
        Uuid = DeriveUuid(persona.Key, physicalIndex);
        PciDomain = persona.Pci.Domain;
        PciBus = (persona.Pci.FirstBus + physicalIndex * persona.Pci.BusStride) & 0xFF;
        PciDevice = persona.Pci.Device;
        Clock = new VirtualClock();
    }

    public Persona Persona { get; }

    /// <summary>Index among all emulated devices (<c>CUEMU_DEVICES</c>), before <c>CUDA_VISIBLE_DEVICES</c>.</summary>
    public int PhysicalIndex { get; }

    /// <summary>The <c>CUdevice</c> value programs see.</summary>
    public int Ordinal { get; }

    /// <summary>16 bytes, stable for a persona key and physical index (SHA-256 based, RFC 4122 version 4 layout).</summary>
    public IReadOnlyList<byte> Uuid { get; }

    public int PciDomain { get; }
    public int PciBus { get; }
    public int PciDevice { get; }

    /// <summary>This device's virtual time line: every operation on any of its streams advances it.</summary>
    public VirtualClock Clock { get; }

    public string Name => Persona.Name;
    public long TotalMemoryBytes => Persona.TotalMemoryBytes;

    /// <summary><c>GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx</c>, the form nvidia-smi and CUDA_VISIBLE_DEVICES use.</summary>
    public string UuidString
    {
        get
        {
            var hex = Convert.ToHexString(Uuid.ToArray()).ToLowerInvariant();
            return $"GPU-{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
        }
    }

    /// <summary>The form <c>cuDeviceGetPCIBusId</c> returns: <c>domain:bus:device.function</c> in hex, e.g. <c>0000:18:00.0</c>.</summary>
    public string PciBusIdString => $"{PciDomain:x4}:{PciBus:x2}:{PciDevice:x2}.0";

    public int GetAttribute(DeviceAttribute attribute) => attribute switch
    {
        DeviceAttribute.PciBusId => PciBus,
        DeviceAttribute.PciDeviceId => PciDevice,
        DeviceAttribute.PciDomainId => PciDomain,
        // Each emulated GPU is its own board.
        DeviceAttribute.MultiGpuBoardGroupId => PhysicalIndex,
        _ => Persona[attribute],
    };

    private static byte[] DeriveUuid(string personaKey, int physicalIndex)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"cuemu/{personaKey}/{physicalIndex}"));
        var uuid = digest[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x40);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return uuid;
    }
}
