using System.Runtime.InteropServices;
using System.Text;
using Emulator.Driver;

namespace Emulator.Exports;

/// <summary>
/// libcuda.so.1 entry points, one method per C symbol, named exactly like it. The generated native wrappers call
/// these; they translate raw pointers into calls on the process-wide <see cref="CudaDriver"/> and never throw for
/// bad input: NULL out-pointers are <c>CUDA_ERROR_INVALID_VALUE</c>, everything else is the model's answer.
/// </summary>
public static unsafe partial class DriverApi
{
    private static readonly Lazy<CudaDriver> ProcessDriver = new(() => CudaDriver.FromEnvironment(log: Hosting.ExportLog.Write), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide driver, configured from CUEMU_PERSONA / CUEMU_DEVICES / CUDA_VISIBLE_DEVICES on first use.</summary>
    public static CudaDriver Driver => ProcessDriver.Value;

    public static CuResult cuInit(uint flags) => Driver.Init(flags);

    public static CuResult cuDriverGetVersion(int* driverVersion)
    {
        if (driverVersion == null) return CuResult.InvalidValue;
        var result = Driver.GetDriverVersion(out var version);
        *driverVersion = version;
        return result;
    }

    public static CuResult cuGetErrorName(CuResult error, byte** pStr) => ErrorTextFor(error, isName: true, pStr);

    public static CuResult cuGetErrorString(CuResult error, byte** pStr) => ErrorTextFor(error, isName: false, pStr);

    private static CuResult ErrorTextFor(CuResult error, bool isName, byte** pStr)
    {
        if (pStr == null) return CuResult.InvalidValue;
        *pStr = isName ? ErrorText.NamePointer(error) : ErrorText.DescriptionPointer(error);
        return *pStr == null ? CuResult.InvalidValue : CuResult.Success;
    }

    /// <summary>Copies <paramref name="text"/> as UTF-8 into a caller buffer of <paramref name="length"/> bytes, truncating and NUL-terminating.</summary>
    private static void WriteCString(string text, byte* buffer, int length)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var count = Math.Min(bytes.Length, length - 1);
        bytes.AsSpan(0, count).CopyTo(new Span<byte>(buffer, count));
        buffer[count] = 0;
    }

    /// <summary>Reads a NUL-terminated UTF-8 string from C.</summary>
    private static string ReadCString(byte* text) => Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;
}
