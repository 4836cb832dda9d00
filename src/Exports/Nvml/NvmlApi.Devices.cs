using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Emulator.Driver;
using Emulator.Driver.Devices;
using Emulator.Driver.Nvml;
using Emulator.Driver.Personas;

namespace Emulator.Exports;

/// <summary>Device enumeration and identity: index, UUID, PCI location, name, compute capability, architecture.</summary>
public static unsafe partial class NvmlApi
{
    /// <summary>nvml.h's <c>nvmlDeviceArchitecture_t</c> value when the compute capability names no known family.</summary>
    private const uint ArchitectureUnknown = 0xFFFF_FFFF;

    /// <summary>All emulated devices: NVML ignores <c>CUDA_VISIBLE_DEVICES</c>, as NVIDIA's does.</summary>
    public static NvmlReturn nvmlDeviceGetCount(uint* deviceCount)
    {
        var result = Initialized(out var system);
        if (result != NvmlReturn.Success) return result;
        if (deviceCount == null) return NvmlReturn.InvalidArgument;
        *deviceCount = (uint)system.Devices.Count;
        return NvmlReturn.Success;
    }

    public static NvmlReturn nvmlDeviceGetCount_v2(uint* deviceCount) => nvmlDeviceGetCount(deviceCount);

    public static NvmlReturn nvmlDeviceGetHandleByIndex(uint index, nint* device)
    {
        var result = Initialized(out var system);
        if (result != NvmlReturn.Success) return result;
        if (device == null || index >= (uint)system.Devices.Count) return NvmlReturn.InvalidArgument;
        *device = HandleOf(system.Devices[(int)index]);
        return NvmlReturn.Success;
    }

    public static NvmlReturn nvmlDeviceGetHandleByIndex_v2(uint index, nint* device) => nvmlDeviceGetHandleByIndex(index, device);

    /// <summary>Matches the <c>GPU-…</c> form <c>nvmlDeviceGetUUID</c> gives (hex digits in either case).</summary>
    public static NvmlReturn nvmlDeviceGetHandleByUUID(byte* uuid, nint* device)
    {
        var result = Initialized(out var system);
        if (result != NvmlReturn.Success) return result;
        if (uuid == null || device == null) return NvmlReturn.InvalidArgument;
        var wanted = Marshal.PtrToStringUTF8((nint)uuid) ?? "";
        foreach (var candidate in system.Devices)
        {
            if (string.Equals(candidate.UuidString, wanted, StringComparison.OrdinalIgnoreCase))
            {
                *device = HandleOf(candidate);
                return NvmlReturn.Success;
            }
        }
        return NvmlReturn.NotFound;
    }

    /// <summary>
    /// Accepts <c>domain:bus:device.function</c> (domain of up to 8 hex digits, as both NVML formats write it) and
    /// <c>bus:device.function</c>: malformed ids are INVALID_ARGUMENT, well-formed ids of no device NOT_FOUND.
    /// </summary>
    public static NvmlReturn nvmlDeviceGetHandleByPciBusId(byte* pciBusId, nint* device)
    {
        var result = Initialized(out var system);
        if (result != NvmlReturn.Success) return result;
        if (pciBusId == null || device == null) return NvmlReturn.InvalidArgument;
        if (!TryParsePciBusId(Marshal.PtrToStringUTF8((nint)pciBusId) ?? "", out var domain, out var bus, out var slot, out var function))
            return NvmlReturn.InvalidArgument;
        foreach (var candidate in system.Devices)
        {
            if (function == 0 && candidate.PciDomain == domain && candidate.PciBus == bus && candidate.PciDevice == slot)
            {
                *device = HandleOf(candidate);
                return NvmlReturn.Success;
            }
        }
        return NvmlReturn.NotFound;
    }

    public static NvmlReturn nvmlDeviceGetHandleByPciBusId_v2(byte* pciBusId, nint* device) => nvmlDeviceGetHandleByPciBusId(pciBusId, device);

    private static bool TryParsePciBusId(string text, out uint domain, out uint bus, out uint slot, out uint function)
    {
        domain = bus = slot = function = 0;
        var parts = text.Trim().Split(':');
        if (parts.Length is < 2 or > 3) return false;
        if (parts.Length == 3 && !TryHex(parts[0], 8, out domain)) return false;
        var deviceAndFunction = parts[^1].Split('.');
        return deviceAndFunction.Length == 2
               && TryHex(parts[^2], 2, out bus)
               && TryHex(deviceAndFunction[0], 2, out slot) && slot <= 0x1F
               && TryHex(deviceAndFunction[1], 1, out function) && function <= 7;

        static bool TryHex(string digits, int maxDigits, out uint value)
        {
            value = 0;
            return digits.Length is > 0 && digits.Length <= maxDigits
                   && uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
    }

    public static NvmlReturn nvmlDeviceGetIndex(nint device, uint* index)
    {
        var result = Resolve(device, out var resolved);
        if (result != NvmlReturn.Success) return result;
        if (index == null) return NvmlReturn.InvalidArgument;
        *index = (uint)resolved.PhysicalIndex;
        return NvmlReturn.Success;
    }

    /// <summary>The <c>N</c> of <c>/dev/nvidiaN</c>; NVIDIA's driver numbers them in enumeration order.</summary>
    public static NvmlReturn nvmlDeviceGetMinorNumber(nint device, uint* minorNumber) => nvmlDeviceGetIndex(device, minorNumber);

    public static NvmlReturn nvmlDeviceGetName(nint device, byte* name, uint length)
    {
        var result = Resolve(device, out var resolved);
        return result != NvmlReturn.Success ? result : NvmlStrings.CopyTo(resolved.Name, name, length);
    }

    /// <summary>The <c>GPU-…</c> form of the 16 bytes <c>cuDeviceGetUuid</c> and <c>cudaDeviceProp.uuid</c> give.</summary>
    public static NvmlReturn nvmlDeviceGetUUID(nint device, byte* uuid, uint length)
    {
        var result = Resolve(device, out var resolved);
        return result != NvmlReturn.Success ? result : NvmlStrings.CopyTo(resolved.UuidString, uuid, length);
    }

    public static NvmlReturn nvmlDeviceGetCudaComputeCapability(nint device, int* major, int* minor)
    {
        var result = Resolve(device, out var resolved);
        if (result != NvmlReturn.Success) return result;
        if (major == null || minor == null) return NvmlReturn.InvalidArgument;
        *major = resolved.Persona.ComputeCapabilityMajor;
        *minor = resolved.Persona.ComputeCapabilityMinor;
        return NvmlReturn.Success;
    }

    public static NvmlReturn nvmlDeviceGetArchitecture(nint device, int* arch)
    {
        var result = Resolve(device, out var resolved);
        if (result != NvmlReturn.Success) return result;
        if (arch == null) return NvmlReturn.InvalidArgument;
        *arch = (int)ArchitectureOf(resolved.Persona.ComputeCapabilityMajor, resolved.Persona.ComputeCapabilityMinor);
        return NvmlReturn.Success;
    }

    /// <summary><c>NVML_DEVICE_ARCH_*</c> of a compute capability (Kepler 2 … Blackwell 10), from nvml.h.</summary>
    private static uint ArchitectureOf(int major, int minor) => (major, minor) switch
    {
        (3, _) => 2,                   // Kepler
        (5, _) => 3,                   // Maxwell
        (6, _) => 4,                   // Pascal
        (7, 0) or (7, 2) => 5,         // Volta
        (7, 5) => 6,                   // Turing
        (8, 9) => 8,                   // Ada
        (8, _) => 7,                   // Ampere
        (9, _) => 9,                   // Hopper
        (10, _) or (11, _) or (12, _) => 10, // Blackwell
        _ => ArchitectureUnknown,
    };

    // ---- PCI ------------------------------------------------------------------------------------------------------

    /// <summary>Bytes of <c>nvmlPciInfo_t</c> up to <c>pciSubSystemId</c>: all the original (v1) layout defines.</summary>
    private const int PciInfoV1Bytes = 16 + 5 * sizeof(uint);

    /// <summary>Bytes of the v2/v3 <c>nvmlPciInfo_t</c>: the v1 part, then the 32-byte <c>busId</c>.</summary>
    private const int PciInfoBytes = PciInfoV1Bytes + 32;

    /// <summary>The original layout: a 16-byte bus id and reserved words this call leaves alone.</summary>
    public static NvmlReturn nvmlDeviceGetPciInfo(nint device, void* pci) => WritePciInfo(device, pci, extendedBusId: false);

    public static NvmlReturn nvmlDeviceGetPciInfo_v2(nint device, void* pci) => WritePciInfo(device, pci, extendedBusId: true);

    public static NvmlReturn nvmlDeviceGetPciInfo_v3(nint device, void* pci) => WritePciInfo(device, pci, extendedBusId: true);

    /// <summary>
    /// Fills <c>nvmlPciInfo_t</c>: <c>busIdLegacy</c> as <c>%04X:%02X:%02X.0</c> and <c>busId</c> as
    /// <c>%08X:%02X:%02X.0</c> (NVIDIA's formats: upper-case hex), <c>pciDeviceId</c> = device id &lt;&lt; 16 | 0x10DE
    /// and <c>pciSubSystemId</c> from the persona, as <c>CU_DEVICE_ATTRIBUTE_GPU_PCI_DEVICE_ID</c> reports them.
    /// </summary>
    private static NvmlReturn WritePciInfo(nint device, void* pci, bool extendedBusId)
    {
        var result = Resolve(device, out var resolved);
        if (result != NvmlReturn.Success) return result;
        if (pci == null) return NvmlReturn.InvalidArgument;
        var info = new Span<byte>(pci, extendedBusId ? PciInfoBytes : PciInfoV1Bytes);
        info.Clear();
        WriteFixedString(info[..16], PciBusId(resolved, domainDigits: 4));
        var numbers = MemoryMarshal.Cast<byte, uint>(info.Slice(16, 5 * sizeof(uint)));
        numbers[0] = (uint)resolved.PciDomain;
        numbers[1] = (uint)resolved.PciBus;
        numbers[2] = (uint)resolved.PciDevice;
        numbers[3] = (uint)resolved.GetAttribute(DeviceAttribute.GpuPciDeviceId);
        numbers[4] = (uint)resolved.GetAttribute(DeviceAttribute.GpuPciSubsystemId);
        if (extendedBusId) WriteFixedString(info.Slice(PciInfoV1Bytes, 32), PciBusId(resolved, domainDigits: 8));
        return NvmlReturn.Success;
    }

    private static string PciBusId(Device device, int domainDigits) =>
        device.PciDomain.ToString("X" + domainDigits, CultureInfo.InvariantCulture)
        + string.Create(CultureInfo.InvariantCulture, $":{device.PciBus:X2}:{device.PciDevice:X2}.0");

    private static void WriteFixedString(Span<byte> field, string text)
    {
        var count = Encoding.ASCII.GetBytes(text, field[..^1]);
        field[count] = 0;
    }
}
