using System.Text;

namespace Emulator.Driver.Nvml;

/// <summary>NVML's convention for returning strings into caller buffers.</summary>
public static unsafe class NvmlStrings
{
    /// <summary>NVML_DEVICE_NAME_BUFFER_SIZE.</summary>
    public const int DeviceNameBufferSize = 64;
    /// <summary>NVML_DEVICE_NAME_V2_BUFFER_SIZE.</summary>
    public const int DeviceNameV2BufferSize = 96;
    /// <summary>NVML_DEVICE_UUID_BUFFER_SIZE.</summary>
    public const int DeviceUuidBufferSize = 80;
    /// <summary>NVML_DEVICE_UUID_V2_BUFFER_SIZE.</summary>
    public const int DeviceUuidV2BufferSize = 96;
    /// <summary>NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE.</summary>
    public const int DevicePciBusIdBufferSize = 32;
    /// <summary>NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE.</summary>
    public const int SystemDriverVersionBufferSize = 80;
    /// <summary>NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE.</summary>
    public const int SystemNvmlVersionBufferSize = 80;

    /// <summary>
    /// Writes <paramref name="value"/> NUL-terminated into <paramref name="buffer"/> of <paramref name="length"/>
    /// bytes: INVALID_ARGUMENT for a null buffer, INSUFFICIENT_SIZE (buffer untouched) when the text and its
    /// terminator do not fit.
    /// </summary>
    public static NvmlReturn CopyTo(string value, byte* buffer, uint length)
    {
        if (buffer == null)
            return NvmlReturn.InvalidArgument;
        int byteCount = Encoding.UTF8.GetByteCount(value);
        if ((ulong)byteCount + 1 > length)
            return NvmlReturn.InsufficientSize;
        Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, byteCount));
        buffer[byteCount] = 0;
        return NvmlReturn.Success;
    }
}
