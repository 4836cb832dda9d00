using Emulator.Driver;
using Emulator.Driver.Personas;

namespace Emulator.Tests.Property.Driver;

/// <summary>Private driver instances: each test gets its own devices, contexts and address space.</summary>
internal static class TestDrivers
{
    public static CudaDriver Initialized(string persona = "h100", int devices = 1, string? visible = null)
    {
        var driver = new CudaDriver(new DriverOptions
        {
            Persona = PersonaCatalog.BuiltIn(persona),
            DeviceCount = devices,
            VisibleDevices = visible,
        });
        driver.Init(0).ShouldBe(CuResult.Success);
        return driver;
    }
}
