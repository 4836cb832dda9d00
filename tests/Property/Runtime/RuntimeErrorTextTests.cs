using System.Runtime.InteropServices;
using Emulator.Driver;
using Emulator.Driver.Runtime;

namespace Emulator.Tests.Property.Runtime;

public sealed unsafe class RuntimeErrorTextTests
{
    [Fact]
    public void EveryCodeHasItsCIdentifierAsName()
    {
        foreach (var error in Enum.GetValues<CudaError>())
        {
            var expected = error == CudaError.Success ? "cudaSuccess" : "cudaError" + error;
            RuntimeErrorText.Name(error).ShouldBe(expected);
            RuntimeErrorText.Text(error).ShouldNotBeNullOrWhiteSpace();
        }
        RuntimeErrorText.All.Count.ShouldBe(Enum.GetValues<CudaError>().Length);
    }

    [Theory]
    [InlineData(0, "cudaSuccess", "no error")]
    [InlineData(1, "cudaErrorInvalidValue", "invalid argument")]
    [InlineData(2, "cudaErrorMemoryAllocation", "out of memory")]
    [InlineData(100, "cudaErrorNoDevice", "no CUDA-capable device is detected")]
    [InlineData(101, "cudaErrorInvalidDevice", "invalid device ordinal")]
    [InlineData(209, "cudaErrorNoKernelImageForDevice", "no kernel image is available for execution on the device")]
    [InlineData(700, "cudaErrorIllegalAddress", "an illegal memory access was encountered")]
    [InlineData(801, "cudaErrorNotSupported", "operation not supported")]
    [InlineData(900, "cudaErrorStreamCaptureUnsupported", "operation not permitted when stream is capturing")]
    public void KnownTexts(int code, string name, string text)
    {
        RuntimeErrorText.Name((CudaError)code).ShouldBe(name);
        RuntimeErrorText.Text((CudaError)code).ShouldBe(text);
        Marshal.PtrToStringUTF8((nint)RuntimeErrorText.NamePointer((CudaError)code)).ShouldBe(name);
        Marshal.PtrToStringUTF8((nint)RuntimeErrorText.TextPointer((CudaError)code)).ShouldBe(text);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(202)]
    [InlineData(-1)]
    [InlineData(123456)]
    public void ValuesOutsideTheEnumAreUnrecognized(int code)
    {
        RuntimeErrorText.Name((CudaError)code).ShouldBe("unrecognized error code");
        Marshal.PtrToStringUTF8((nint)RuntimeErrorText.TextPointer((CudaError)code)).ShouldBe("unrecognized error code");
    }

    [Fact]
    public void NativePointersAreStable()
    {
        ((nint)RuntimeErrorText.TextPointer(CudaError.InvalidValue))
            .ShouldBe((nint)RuntimeErrorText.TextPointer(CudaError.InvalidValue));
    }

    [Fact]
    public void DriverResultsKeepTheirNumberWhereTheRuntimeDefinesIt()
    {
        RuntimeErrors.FromDriver(CuResult.OutOfMemory).ShouldBe(CudaError.MemoryAllocation);
        RuntimeErrors.FromDriver(CuResult.InvalidContext).ShouldBe(CudaError.DeviceUninitialized);
        RuntimeErrors.FromDriver(CuResult.NotFound).ShouldBe(CudaError.SymbolNotFound);
        RuntimeErrors.FromDriver(CuResult.InvalidHandle).ShouldBe(CudaError.InvalidResourceHandle);
        RuntimeErrors.FromDriver(CuResult.NoBinaryForGpu).ShouldBe(CudaError.NoKernelImageForDevice);
        RuntimeErrors.FromDriver(CuResult.PrimaryContextActive).ShouldBe(CudaError.SetOnActiveProcess);
        RuntimeErrors.FromDriver(CuResult.LaunchFailed).ShouldBe(CudaError.LaunchFailure);
        RuntimeErrors.FromDriver(CuResult.ContextAlreadyCurrent).ShouldBe(CudaError.Unknown);
        RuntimeErrors.FromDriver(CuResult.KeyRotation).ShouldBe(CudaError.Unknown);
        foreach (var result in Enum.GetValues<CuResult>())
            RuntimeErrors.IsDefined(RuntimeErrors.FromDriver(result)).ShouldBeTrue();
    }

    [Fact]
    public void RuntimeAttributesMapToTheSameDriverNumberAndDriverOnlyOnesAreRejected()
    {
        RuntimeDeviceAttributes.TryMapToDriver(16, out var sm).ShouldBeTrue();
        sm.ShouldBe(16);
        RuntimeDeviceAttributes.TryMapToDriver(97, out var optin).ShouldBeTrue();
        optin.ShouldBe(97);
        foreach (var driverOnly in new[] { 0, 44, 102, 107, 110, 136, 146, 149, -3 })
            RuntimeDeviceAttributes.TryMapToDriver(driverOnly, out _).ShouldBeFalse();
    }
}
