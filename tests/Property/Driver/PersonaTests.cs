using Emulator.Driver;
using Emulator.Driver.Personas;

namespace Emulator.Tests.Property.Driver;

public sealed class PersonaTests
{
    public static TheoryData<string> BuiltIns => new(PersonaCatalog.BuiltInKeys);

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Every_attribute_is_answered_and_unknown_ones_are_invalid(string key)
    {
        using var driver = TestDrivers.Initialized(key);
        for (var attribute = 1; attribute <= 147; attribute++)
            driver.GetAttribute(attribute, 0, out _).ShouldBe(CuResult.Success, $"attribute {attribute}");
        driver.GetAttribute(0, 0, out _).ShouldBe(CuResult.InvalidValue);
        driver.GetAttribute(148, 0, out _).ShouldBe(CuResult.InvalidValue);
        driver.GetAttribute(1, 1, out _).ShouldBe(CuResult.InvalidDevice);
    }

    // Values from NVIDIA's published specifications and deviceQuery output for each GPU.
    [Theory]
    [InlineData("h100", "NVIDIA H100 80GB HBM3", 9, 0, 132, 232448, 233472, 2048, 81559L)]
    [InlineData("a100", "NVIDIA A100-SXM4-80GB", 8, 0, 108, 166912, 167936, 2048, 81920L)]
    [InlineData("t4", "Tesla T4", 7, 5, 40, 65536, 65536, 1024, 15360L)]
    [InlineData("p40", "Tesla P40", 6, 1, 30, 49152, 98304, 2048, 24576L)]
    public void Personas_report_their_gpu(string key, string name, int major, int minor, int sms, int smemOptin,
        int smemPerSm, int threadsPerSm, long mebibytes)
    {
        using var driver = TestDrivers.Initialized(key);
        var device = driver.Devices[0];
        device.Name.ShouldBe(name);
        device.GetAttribute(DeviceAttribute.ComputeCapabilityMajor).ShouldBe(major);
        device.GetAttribute(DeviceAttribute.ComputeCapabilityMinor).ShouldBe(minor);
        device.GetAttribute(DeviceAttribute.MultiprocessorCount).ShouldBe(sms);
        device.GetAttribute(DeviceAttribute.MaxSharedMemoryPerBlockOptin).ShouldBe(smemOptin);
        device.GetAttribute(DeviceAttribute.MaxSharedMemoryPerMultiprocessor).ShouldBe(smemPerSm);
        device.GetAttribute(DeviceAttribute.MaxThreadsPerMultiprocessor).ShouldBe(threadsPerSm);
        device.GetAttribute(DeviceAttribute.WarpSize).ShouldBe(32);
        device.GetAttribute(DeviceAttribute.MaxThreadsPerBlock).ShouldBe(1024);
        device.GetAttribute(DeviceAttribute.VirtualMemoryManagementSupported).ShouldBe(1);
        device.GetAttribute(DeviceAttribute.Integrated).ShouldBe(0);
        device.GetAttribute(DeviceAttribute.UnifiedAddressing).ShouldBe(1);
        device.TotalMemoryBytes.ShouldBe(mebibytes << 20);
        driver.GetDriverVersion(out var version).ShouldBe(CuResult.Success);
        version.ShouldBeGreaterThanOrEqualTo(12080);
    }

    // cooperative_groups::grid_group::sync needs every block co-resident and a grid workspace in %envreg1/2; the
    // engine runs blocks one after another and provides neither, so advertising cooperative launches would send
    // ggml's soft_max_f32_parallelize_cols into a trap. ggml reads this attribute and takes its per-row kernel.
    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Built_in_personas_do_not_offer_cooperative_launches(string key)
    {
        using var driver = TestDrivers.Initialized(key);
        driver.GetAttribute((int)DeviceAttribute.CooperativeLaunch, 0, out var cooperative).ShouldBe(CuResult.Success);
        cooperative.ShouldBe(0);
        driver.GetAttribute((int)DeviceAttribute.CooperativeMultiDeviceLaunch, 0, out var multiDevice).ShouldBe(CuResult.Success);
        multiDevice.ShouldBe(0);
    }

    [Fact]
    public void Only_hopper_reports_cluster_launch_and_tensor_maps()
    {
        PersonaCatalog.BuiltIn("h100")[DeviceAttribute.ClusterLaunch].ShouldBe(1);
        PersonaCatalog.BuiltIn("h100")[DeviceAttribute.TensorMapAccessSupported].ShouldBe(1);
        foreach (var key in new[] { "a100", "t4", "p40" })
        {
            PersonaCatalog.BuiltIn(key)[DeviceAttribute.ClusterLaunch].ShouldBe(0);
            PersonaCatalog.BuiltIn(key)[DeviceAttribute.TensorMapAccessSupported].ShouldBe(0);
        }
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Json_round_trip_preserves_every_field(string key)
    {
        var persona = PersonaCatalog.BuiltIn(key);
        var json = PersonaJson.Write(persona);
        var back = PersonaJson.Parse(json);
        back.Key.ShouldBe(persona.Key);
        back.Name.ShouldBe(persona.Name);
        back.TotalMemoryBytes.ShouldBe(persona.TotalMemoryBytes);
        back.DriverVersion.ShouldBe(persona.DriverVersion);
        back.CudaDriverVersion.ShouldBe(persona.CudaDriverVersion);
        back.Pci.ShouldBe(persona.Pci);
        back.CostModel.ShouldBe(persona.CostModel);
        back.GreatestStreamPriority.ShouldBe(persona.GreatestStreamPriority);
        foreach (var attribute in persona.Attributes.Keys) back[attribute].ShouldBe(persona[attribute]);
        PersonaJson.Write(back).ShouldBe(json);
    }

    [Fact]
    public void A_json_persona_can_start_from_a_built_in_and_override_attributes()
    {
        var persona = PersonaJson.Parse("""
            { "base": "a100", "key": "a100-40", "name": "NVIDIA A100-SXM4-40GB", "totalMemoryBytes": 42949672960,
              // comments are allowed
              "attributes": { "CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH": 1, "VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED": 0 } }
            """);
        persona.Name.ShouldBe("NVIDIA A100-SXM4-40GB");
        persona.TotalMemoryBytes.ShouldBe(40L << 30);
        persona[DeviceAttribute.CooperativeLaunch].ShouldBe(1);
        persona[DeviceAttribute.VirtualMemoryManagementSupported].ShouldBe(0);
        persona[DeviceAttribute.MultiprocessorCount].ShouldBe(108);
    }

    [Theory]
    [InlineData("""{ "base": "h100", "attributes": { "NO_SUCH_ATTRIBUTE": 1 } }""", "unknown attribute")]
    [InlineData("""{ "base": "h100", "attributes": { "PCI_BUS_ID": 3 } }""", "PCI location")]
    [InlineData("""{ "key": "x", "name": "X" }""", "lacks")]
    [InlineData("""{ "base": "h200" }""", "no built-in persona")]
    [InlineData("""[1, 2]""", "JSON object")]
    [InlineData("""{ "base": "h100", "attributes": { "WARP_SIZE": "thirty-two" } }""", "32-bit integer")]
    public void Bad_persona_json_is_refused_with_a_reason(string json, string reason)
    {
        Should.Throw<PersonaException>(() => PersonaJson.Parse(json)).Message.ShouldContain(reason);
    }

    [Fact]
    public void A_persona_missing_attributes_names_them()
    {
        var json = PersonaJson.Write(PersonaCatalog.BuiltIn("t4")).Replace("\"WARP_SIZE\": 32,", "");
        Should.Throw<PersonaException>(() => PersonaJson.Parse(json)).Message.ShouldContain("WARP_SIZE");
    }

    [Fact]
    public void Environment_selects_persona_by_name_or_file_and_device_count()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cuemu-persona-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "base": "p40", "key": "p40-custom", "name": "Custom P40" }""");
        try
        {
            var fromFile = DriverOptions.FromEnvironment(name => name == "CUEMU_PERSONA" ? path : null);
            fromFile.Persona.Name.ShouldBe("Custom P40");
            var byName = DriverOptions.FromEnvironment(name => name switch { "CUEMU_PERSONA" => "T4", "CUEMU_DEVICES" => "3", _ => null });
            byName.Persona.Key.ShouldBe("t4");
            byName.DeviceCount.ShouldBe(3);
            DriverOptions.FromEnvironment(_ => null).Persona.Key.ShouldBe("h100");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("CUEMU_DEVICES", "0")]
    [InlineData("CUEMU_DEVICES", "many")]
    [InlineData("CUEMU_PERSONA", "rtx9090")]
    [InlineData("CUEMU_PERSONA", "/nonexistent/persona.json")]
    public void A_bad_environment_makes_cuInit_fail_cleanly(string variable, string value)
    {
        using var driver = CudaDriver.FromEnvironment(name => name == variable ? value : null);
        driver.ConfigurationError.ShouldNotBeNull();
        driver.Init(0).ShouldBe(CuResult.SystemNotReady);
        driver.GetDeviceCount(out _).ShouldBe(CuResult.NotInitialized);
    }

    [Fact]
    public void Devices_have_distinct_stable_uuids_and_pci_locations()
    {
        using var first = TestDrivers.Initialized("h100", devices: 4);
        using var second = TestDrivers.Initialized("h100", devices: 4);
        first.Devices.Select(d => d.UuidString).ShouldBe(second.Devices.Select(d => d.UuidString));
        first.Devices.Select(d => d.UuidString).Distinct().Count().ShouldBe(4);
        first.Devices.Select(d => d.PciBusIdString).Distinct().Count().ShouldBe(4);
        first.Devices[0].UuidString.ShouldMatch("^GPU-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
        first.Devices[0].PciBusIdString.ShouldBe("0000:18:00.0");
        using var other = TestDrivers.Initialized("a100", devices: 1);
        other.Devices[0].UuidString.ShouldNotBe(first.Devices[0].UuidString);
    }

    [Fact]
    public void Pci_bus_id_lookup_accepts_nvidia_forms()
    {
        using var driver = TestDrivers.Initialized("h100", devices: 3);
        foreach (var device in driver.Devices)
        {
            driver.GetDeviceByPciBusId(device.PciBusIdString, out var ordinal).ShouldBe(CuResult.Success);
            ordinal.ShouldBe(device.Ordinal);
            driver.GetDeviceByPciBusId(device.PciBusIdString.ToUpperInvariant(), out ordinal).ShouldBe(CuResult.Success);
            driver.GetDeviceByPciBusId($"0000{device.PciBusIdString}", out ordinal).ShouldBe(CuResult.Success);
            driver.GetDeviceByPciBusId(device.PciBusIdString[5..], out ordinal).ShouldBe(CuResult.Success);
            ordinal.ShouldBe(device.Ordinal);
        }
        driver.GetDeviceByPciBusId("0000:ff:00.0", out _).ShouldBe(CuResult.InvalidDevice);
        driver.GetDeviceByPciBusId("garbage", out _).ShouldBe(CuResult.InvalidValue);
    }
}
