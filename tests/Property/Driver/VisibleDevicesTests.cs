using Emulator.Driver;
using Emulator.Driver.Devices;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Driver;

public sealed class VisibleDevicesTests
{
    private static readonly string[] Uuids =
    [
        "GPU-3f2a0000-0000-4000-8000-000000000000",
        "GPU-3f2b0000-0000-4000-8000-000000000001",
        "GPU-77000000-0000-4000-8000-000000000002",
        "GPU-a1000000-0000-4000-8000-000000000003",
    ];

    [Theory]
    [InlineData(null, new[] { 0, 1, 2, 3 })]
    [InlineData("", new int[0])]
    [InlineData("2", new[] { 2 })]
    [InlineData("3,1", new[] { 3, 1 })]
    [InlineData(" 1 , 0 ", new[] { 1, 0 })]
    [InlineData("0,7,1", new[] { 0 })]      // an index past the last device ends the list
    [InlineData("1,1,2", new[] { 1 })]      // so does a repeat
    [InlineData("-1,0", new int[0])]
    [InlineData("0,,1", new[] { 0 })]
    [InlineData("GPU-77", new[] { 2 })]
    [InlineData("gpu-a1,0", new[] { 3, 0 })]
    [InlineData("GPU-3f2,0", new int[0])]    // ambiguous prefix
    [InlineData("GPU-ffff", new int[0])]
    [InlineData("MIG-1234", new int[0])]
    public void Parses_like_nvidias_driver(string? setting, int[] expected)
    {
        VisibleDevices.Select(setting, Uuids).ShouldBe(expected);
    }

    /// <summary>Model: walk the entries, stop at the first that is not a fresh in-range index.</summary>
    [Fact]
    public void Index_lists_select_the_valid_prefix_in_order()
    {
        var entries = Gen.Choose(-1, 5).ListOf().Select(list => list.ToArray());
        Prop.ForAll(entries.ToArbitrary(), list =>
        {
            var expected = new List<int>();
            foreach (var index in list)
            {
                if (index < 0 || index >= Uuids.Length || expected.Contains(index)) break;
                expected.Add(index);
            }
            return VisibleDevices.Select(string.Join(",", list), Uuids).SequenceEqual(expected);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Hidden_devices_renumber_ordinals_but_keep_identity()
    {
        using var all = TestDrivers.Initialized("t4", devices: 4);
        using var some = TestDrivers.Initialized("t4", devices: 4, visible: $"3,{all.Devices[1].UuidString[..10]}");
        some.GetDeviceCount(out var count).ShouldBe(CuResult.Success);
        count.ShouldBe(2);
        some.Devices[0].UuidString.ShouldBe(all.Devices[3].UuidString);
        some.Devices[0].PciBusIdString.ShouldBe(all.Devices[3].PciBusIdString);
        some.Devices[1].UuidString.ShouldBe(all.Devices[1].UuidString);
        some.GetDevice(2, out _).ShouldBe(CuResult.InvalidDevice);
    }

    [Fact]
    public void No_visible_device_makes_cuInit_report_no_device()
    {
        using var driver = new CudaDriver(new DriverOptions { VisibleDevices = "" });
        driver.Init(0).ShouldBe(CuResult.NoDevice);
        driver.GetDeviceCount(out _).ShouldBe(CuResult.NotInitialized);
    }
}
