using Emulator.Driver;
using Emulator.Driver.Personas;

namespace Emulator.Exports;

public static unsafe partial class DriverApi
{
    public static CuResult cuDeviceGetCount(int* count)
    {
        if (count == null) return CuResult.InvalidValue;
        var result = Driver.GetDeviceCount(out var value);
        *count = value;
        return result;
    }

    public static CuResult cuDeviceGet(int* device, int ordinal)
    {
        if (device == null) return CuResult.InvalidValue;
        var result = Driver.GetDevice(ordinal, out var found);
        if (result == CuResult.Success) *device = found.Ordinal;
        return result;
    }

    public static CuResult cuDeviceGetName(byte* name, int len, int dev)
    {
        if (name == null || len <= 0) return CuResult.InvalidValue;
        var result = Driver.GetDevice(dev, out var device);
        if (result == CuResult.Success) WriteCString(device.Name, name, len);
        return result;
    }

    /// <summary><c>CUuuid</c> is 16 bytes.</summary>
    public static CuResult cuDeviceGetUuid(void* uuid, int dev)
    {
        if (uuid == null) return CuResult.InvalidValue;
        var result = Driver.GetDevice(dev, out var device);
        if (result == CuResult.Success)
        {
            var target = new Span<byte>(uuid, 16);
            for (var i = 0; i < 16; i++) target[i] = device.Uuid[i];
        }
        return result;
    }

    /// <summary>Same bytes as v1: the emulator has no MIG instances whose UUIDs could differ.</summary>
    public static CuResult cuDeviceGetUuid_v2(void* uuid, int dev) => cuDeviceGetUuid(uuid, dev);

    public static CuResult cuDeviceTotalMem_v2(nuint* bytes, int dev)
    {
        if (bytes == null) return CuResult.InvalidValue;
        var result = Driver.GetDevice(dev, out var device);
        if (result == CuResult.Success) *bytes = (nuint)device.TotalMemoryBytes;
        return result;
    }

    public static CuResult cuDeviceGetAttribute(int* pi, int attrib, int dev)
    {
        if (pi == null) return CuResult.InvalidValue;
        var result = Driver.GetAttribute(attrib, dev, out var value);
        if (result == CuResult.Success) *pi = value;
        return result;
    }

    public static CuResult cuDeviceComputeCapability(int* major, int* minor, int dev)
    {
        if (major == null || minor == null) return CuResult.InvalidValue;
        var result = Driver.GetDevice(dev, out var device);
        if (result != CuResult.Success) return result;
        *major = device.GetAttribute(DeviceAttribute.ComputeCapabilityMajor);
        *minor = device.GetAttribute(DeviceAttribute.ComputeCapabilityMinor);
        return result;
    }

    public static CuResult cuDeviceGetPCIBusId(byte* pciBusId, int len, int dev)
    {
        if (pciBusId == null || len <= 0) return CuResult.InvalidValue;
        var result = Driver.GetDevice(dev, out var device);
        if (result == CuResult.Success) WriteCString(device.PciBusIdString, pciBusId, len);
        return result;
    }

    public static CuResult cuDeviceGetByPCIBusId(int* dev, byte* pciBusId)
    {
        if (dev == null || pciBusId == null) return CuResult.InvalidValue;
        var result = Driver.GetDeviceByPciBusId(ReadCString(pciBusId), out var ordinal);
        if (result == CuResult.Success) *dev = ordinal;
        return result;
    }
}
