using Emulator.Driver;
using Emulator.Driver.Launch;

namespace Emulator.Tests.Property.Driver;

public sealed class LaunchTests
{
    private static readonly KernelResources Small = new(StaticSharedMemoryBytes: 1024, MaxDynamicSharedMemoryBytes: 48 * 1024 - 1024,
        RegistersPerThread: 32, MaxThreadsPerBlock: 1024);

    [Theory]
    [InlineData(1u, 1u, 1u, 256u, 1u, 1u, 0u, CuResult.Success)]
    [InlineData(0u, 1u, 1u, 256u, 1u, 1u, 0u, CuResult.InvalidValue)]         // empty grid
    [InlineData(1u, 1u, 1u, 0u, 1u, 1u, 0u, CuResult.InvalidValue)]           // empty block
    [InlineData(2147483647u, 65535u, 65535u, 1u, 1u, 1u, 0u, CuResult.Success)]
    [InlineData(1u, 65536u, 1u, 1u, 1u, 1u, 0u, CuResult.InvalidValue)]       // grid y past 65535
    [InlineData(1u, 1u, 1u, 1u, 1u, 65u, 0u, CuResult.InvalidValue)]          // block z past 64
    [InlineData(1u, 1u, 1u, 32u, 32u, 2u, 0u, CuResult.InvalidValue)]         // 2048 threads
    [InlineData(1u, 1u, 1u, 128u, 1u, 1u, 48128u, CuResult.Success)]          // all the default dynamic shared memory
    [InlineData(1u, 1u, 1u, 128u, 1u, 1u, 48129u, CuResult.InvalidValue)]     // one byte past it
    public void Launch_configurations_are_checked_against_the_device(uint gx, uint gy, uint gz, uint bx, uint by, uint bz,
        uint dynamicShared, CuResult expected)
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out var context).ShouldBe(CuResult.Success);
        var ran = false;
        driver.LaunchKernel(0, false, new LaunchConfiguration(new Dim3(gx, gy, gz), new Dim3(bx, by, bz), dynamicShared), Small, 500,
            () => { ran = true; return CuResult.Success; }).ShouldBe(expected);
        ran.ShouldBe(expected == CuResult.Success);
        driver.DestroyContext(context).ShouldBe(CuResult.Success);
    }

    [Fact]
    public void Opt_in_shared_memory_and_registers_follow_the_persona()
    {
        using var driver = TestDrivers.Initialized("a100");
        driver.CreateContext(0, 0, out var context).ShouldBe(CuResult.Success);
        var optedIn = Small with { StaticSharedMemoryBytes = 0, MaxDynamicSharedMemoryBytes = 166912 };
        var launch = new LaunchConfiguration(new Dim3(1, 1, 1), new Dim3(256, 1, 1), 166912);
        driver.LaunchKernel(0, false, launch, optedIn, 0, () => CuResult.Success).ShouldBe(CuResult.Success);
        driver.LaunchKernel(0, false, launch with { DynamicSharedMemoryBytes = 166913 }, optedIn with { MaxDynamicSharedMemoryBytes = 200000 }, 0,
            () => CuResult.Success).ShouldBe(CuResult.InvalidValue);
        driver.LaunchKernel(0, false, launch with { DynamicSharedMemoryBytes = 0, Block = new Dim3(1024, 1, 1) }, Small with { RegistersPerThread = 255 }, 0,
            () => CuResult.Success).ShouldBe(CuResult.LaunchOutOfResources);

        var before = driver.Devices[0].Clock.Now;
        driver.LaunchKernel(0, false, launch with { DynamicSharedMemoryBytes = 0 }, Small, 10_000, () => CuResult.Success).ShouldBe(CuResult.Success);
        (driver.Devices[0].Clock.Now - before).ShouldBe(10_000 + driver.Devices[0].Persona.CostModel.LaunchOverheadNanoseconds);
        driver.LaunchKernel(0, false, launch with { DynamicSharedMemoryBytes = 0 }, Small, 0, () => CuResult.IllegalAddress).ShouldBe(CuResult.IllegalAddress);
        driver.SynchronizeContext().ShouldBe(CuResult.IllegalAddress);
        driver.DestroyContext(context).ShouldBe(CuResult.Success);
    }
}
