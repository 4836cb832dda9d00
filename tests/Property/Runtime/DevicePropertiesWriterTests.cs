using Emulator.Driver.Runtime;

namespace Emulator.Tests.Property.Runtime;

public sealed unsafe class DevicePropertiesWriterTests
{
    // Each driver attribute answers a value derived from its own number, so a field wired to the wrong
    // attribute, or a vector component in the wrong slot, shows up as a wrong number.
    private static int Attribute(int driverAttribute) => 1000 + driverAttribute;

    private static readonly DeviceIdentity Identity = new(
        "NVIDIA H100 80GB HBM3", Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(), 85_029_158_912UL);

    [Fact]
    public void Cuda13FieldsComeFromTheirDriverAttributes()
    {
        var prop = new CudaDeviceProp13();
        DevicePropertiesWriter.Write(ref prop, Identity, Attribute);

        ReadName(prop.name).ShouldBe("NVIDIA H100 80GB HBM3");
        prop.uuid[0].ShouldBe((byte)1);
        prop.uuid[15].ShouldBe((byte)16);
        ((ulong)prop.totalGlobalMem).ShouldBe(85_029_158_912UL);
        prop.sharedMemPerBlock.ShouldBe((nuint)1008);
        prop.warpSize.ShouldBe(1010);
        prop.maxThreadsDim[0].ShouldBe(1002);
        prop.maxThreadsDim[2].ShouldBe(1004);
        prop.maxGridSize[1].ShouldBe(1006);
        prop.major.ShouldBe(1075);
        prop.minor.ShouldBe(1076);
        prop.multiProcessorCount.ShouldBe(1016);
        prop.integrated.ShouldBe(1018);
        prop.pciBusID.ShouldBe(1033);
        prop.sharedMemPerBlockOptin.ShouldBe((nuint)1097);
        prop.hostNumaMultinodeIpcSupported.ShouldBe(1143);
        prop.luidDeviceNodeMask.ShouldBe(0u);
        prop.reserved[55].ShouldBe(0);
    }

    [Fact]
    public void Cuda12CarriesTheFieldsCuda13Removed()
    {
        var prop = new CudaDeviceProp12();
        DevicePropertiesWriter.Write(ref prop, Identity, Attribute);
        prop.clockRate.ShouldBe(1013);
        prop.computeMode.ShouldBe(1020);
        prop.memoryClockRate.ShouldBe(1036);
        prop.cooperativeMultiDeviceLaunch.ShouldBe(1096);
        prop.multiProcessorCount.ShouldBe(1016);
        prop.unifiedFunctionPointers.ShouldBe(1129);
        prop.reserved[59].ShouldBe(0);
    }

    [Fact]
    public void OverwritesEverythingAndCutsALongNameAt255Bytes()
    {
        var prop = new CudaDeviceProp11();
        new Span<byte>(&prop, CudaDeviceProp11.NativeSize).Fill(0xAB);
        DevicePropertiesWriter.Write(ref prop, Identity with { Name = new string('x', 300) }, Attribute);
        ReadName(prop.name).Length.ShouldBe(255);
        prop.luid[7].ShouldBe((byte)0);
        prop.reservedSharedMemPerBlock.ShouldBe((nuint)1111);
    }

    private static string ReadName(byte* name) => new((sbyte*)name);
}
