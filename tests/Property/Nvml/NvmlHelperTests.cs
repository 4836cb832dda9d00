using Emulator.Driver;
using Emulator.Driver.Nvml;

namespace Emulator.Tests.Property.Nvml;

public unsafe class NvmlHelperTests
{
    [Theory]
    [InlineData(NvmlReturn.Success, "Success")]
    [InlineData(NvmlReturn.Uninitialized, "Uninitialized")]
    [InlineData(NvmlReturn.InvalidArgument, "Invalid Argument")]
    [InlineData(NvmlReturn.NotSupported, "Not Supported")]
    [InlineData(NvmlReturn.NoPermission, "Insufficient Permissions")]
    [InlineData(NvmlReturn.InsufficientSize, "Insufficient Size")]
    [InlineData(NvmlReturn.DriverNotLoaded, "Driver Not Loaded")]
    [InlineData(NvmlReturn.GpuIsLost, "GPU is lost")]
    [InlineData(NvmlReturn.LibRmVersionMismatch, "Driver/library version mismatch")]
    [InlineData(NvmlReturn.OperatingSystem, "GPU access blocked by the operating system")]
    [InlineData(NvmlReturn.Unknown, "Unknown Error")]
    [InlineData((NvmlReturn)12345, "Unknown Error")]
    public void Error_strings_are_NVIDIAs_texts(NvmlReturn code, string text) => NvmlErrorStrings.Describe(code).ShouldBe(text);

    [Fact]
    public void The_C_strings_are_the_texts_at_one_address_per_code()
    {
        foreach (var code in Enum.GetValues<NvmlReturn>().Append((NvmlReturn)12345))
        {
            var text = NvmlErrorStrings.DescribePointer(code);
            System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)text).ShouldBe(NvmlErrorStrings.Describe(code));
            ((nint)NvmlErrorStrings.DescribePointer(code)).ShouldBe((nint)text);
        }
    }

    [Fact]
    public void Every_declared_code_has_its_own_text()
    {
        var codes = Enum.GetValues<NvmlReturn>();
        codes.Select(NvmlErrorStrings.Describe).Distinct().Count().ShouldBe(codes.Length);
    }

    [Fact]
    public void Versions_follow_the_driver_version()
    {
        NvmlVersions.SystemDriverVersion("570.133.07").ShouldBe("570.133.07");
        NvmlVersions.NvmlLibraryVersion("570.133.07", 12080).ShouldBe("12.570.133.07");
        NvmlVersions.NvmlLibraryVersion("580.65.06", 13000).ShouldBe("13.580.65.06");
        NvmlVersions.CudaDriverVersionForDriver("570.133.07").ShouldBe(12080);
        NvmlVersions.CudaDriverVersionForDriver("535.54").ShouldBe(12020);
        NvmlVersions.CudaDriverVersionForDriver("580.65.06").ShouldBe(13000);
        NvmlVersions.ParseBranch("550.54.15").ShouldBe(550);
        Should.Throw<FormatException>(() => NvmlVersions.SystemDriverVersion("570"));
        Should.Throw<FormatException>(() => NvmlVersions.SystemDriverVersion("570.x.1"));
        Should.Throw<ArgumentOutOfRangeException>(() => NvmlVersions.CudaDriverVersionForDriver("440.33.01"));
    }

    [Fact]
    public void Strings_are_copied_with_NVMLs_size_rules()
    {
        byte* buffer = stackalloc byte[8];
        for (int i = 0; i < 8; i++) buffer[i] = 0xEE;
        NvmlStrings.CopyTo("570.1", buffer, 5).ShouldBe(NvmlReturn.InsufficientSize);
        buffer[0].ShouldBe((byte)0xEE);
        NvmlStrings.CopyTo("570.1", buffer, 6).ShouldBe(NvmlReturn.Success);
        new string((sbyte*)buffer).ShouldBe("570.1");
        buffer[6].ShouldBe((byte)0xEE);
        NvmlStrings.CopyTo("x", null, 10).ShouldBe(NvmlReturn.InvalidArgument);
    }
}
