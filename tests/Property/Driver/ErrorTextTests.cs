using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Emulator.Driver;
using Emulator.Exports;

namespace Emulator.Tests.Property.Driver;

public sealed unsafe class ErrorTextTests
{
    /// <summary>Independent oracle for names: cuda.h spells each enumerator as the upper-snake form of our enum member.</summary>
    [Fact]
    public void Every_code_has_the_cuda_h_name_and_a_description()
    {
        foreach (var code in Enum.GetValues<CuResult>())
        {
            var expected = code == CuResult.Success
                ? "CUDA_SUCCESS"
                : "CUDA_ERROR_" + Regex.Replace(code.ToString(), "(?<=[a-z0-9])([A-Z])", "_$1").ToUpperInvariant();
            ErrorText.Name(code).ShouldBe(expected);
            ErrorText.Description(code).ShouldNotBeNullOrWhiteSpace();
        }
        ErrorText.KnownCodes.Count.ShouldBe(Enum.GetValues<CuResult>().Length);
    }

    [Theory]
    [InlineData(CuResult.Success, "CUDA_SUCCESS", "no error")]
    [InlineData(CuResult.InvalidValue, "CUDA_ERROR_INVALID_VALUE", "invalid argument")]
    [InlineData(CuResult.OutOfMemory, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory")]
    [InlineData(CuResult.NotInitialized, "CUDA_ERROR_NOT_INITIALIZED", "initialization error")]
    [InlineData(CuResult.NoDevice, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected")]
    [InlineData(CuResult.InvalidContext, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context")]
    [InlineData(CuResult.InvalidHandle, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle")]
    [InlineData(CuResult.NotReady, "CUDA_ERROR_NOT_READY", "device not ready")]
    [InlineData(CuResult.IllegalAddress, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered")]
    [InlineData(CuResult.NotSupported, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported")]
    [InlineData(CuResult.Unknown, "CUDA_ERROR_UNKNOWN", "unknown error")]
    public void Entry_points_return_stable_c_strings(CuResult code, string name, string description)
    {
        byte* text;
        DriverApi.cuGetErrorName(code, &text).ShouldBe(CuResult.Success);
        Marshal.PtrToStringUTF8((nint)text).ShouldBe(name);
        byte* again;
        DriverApi.cuGetErrorName(code, &again).ShouldBe(CuResult.Success);
        ((nint)again).ShouldBe((nint)text);
        DriverApi.cuGetErrorString(code, &text).ShouldBe(CuResult.Success);
        Marshal.PtrToStringUTF8((nint)text).ShouldBe(description);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(9)]
    [InlineData(123456)]
    public void Unknown_codes_are_invalid_value_with_a_null_string(int code)
    {
        byte* text = (byte*)1;
        DriverApi.cuGetErrorString((CuResult)code, &text).ShouldBe(CuResult.InvalidValue);
        ((nint)text).ShouldBe(0);
        DriverApi.cuGetErrorName((CuResult)code, &text).ShouldBe(CuResult.InvalidValue);
        DriverApi.cuGetErrorString(CuResult.Success, null).ShouldBe(CuResult.InvalidValue);
    }
}
