using System.Text.Json;
using System.Text.Json.Nodes;

namespace Emulator.Driver.Personas;

/// <summary>
/// Reads and writes persona JSON. A document may name a <c>base</c> persona (built-in key) and override only some
/// fields and attributes; every other field must be present. Attribute keys are the C names without the
/// <c>CU_DEVICE_ATTRIBUTE_</c> prefix (the prefix is accepted too).
/// </summary>
public static class PersonaJson
{
    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    public static Persona Parse(string json, Func<string, Persona>? resolveBase = null)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: ReadOptions) as JsonObject
                   ?? throw new PersonaException("a persona must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new PersonaException($"persona JSON is malformed: {e.Message}", e);
        }

        Persona? basePersona = null;
        if (root["base"] is JsonNode baseNode)
        {
            var baseKey = ReadString(baseNode, "base");
            basePersona = (resolveBase ?? PersonaCatalog.BuiltIn)(baseKey);
        }

        var key = OptionalString(root, "key") ?? basePersona?.Key ?? throw Missing("key");
        var pci = root["pci"] is JsonObject pciNode
            ? new PciLocation(ReadInt(pciNode["domain"], "domain"), ReadInt(pciNode["firstBus"], "firstBus"), ReadInt(pciNode["busStride"], "busStride"), ReadInt(pciNode["device"], "device"))
            : basePersona?.Pci ?? throw Missing("pci");
        var cost = root["costModel"] is JsonObject costNode
            ? new CostModel(
                ReadLong(costNode["deviceMemoryBytesPerSecond"], "deviceMemoryBytesPerSecond"),
                ReadLong(costNode["hostLinkBytesPerSecond"], "hostLinkBytesPerSecond"),
                ReadLong(costNode["launchOverheadNanoseconds"], "launchOverheadNanoseconds"),
                ReadLong(costNode["operationOverheadNanoseconds"], "operationOverheadNanoseconds"))
            : basePersona?.CostModel ?? throw Missing("costModel");

        var attributes = basePersona is null
            ? new Dictionary<DeviceAttribute, int>()
            : new Dictionary<DeviceAttribute, int>(basePersona.Attributes);
        if (root["attributes"] is JsonObject attributeNode)
        {
            foreach (var (name, value) in attributeNode)
            {
                if (!DeviceAttributes.TryParseCName(name, out var attribute))
                    throw new PersonaException($"persona '{key}': unknown attribute '{name}'");
                if (DeviceAttributes.IsPerDevice(attribute))
                    throw new PersonaException($"persona '{key}': attribute '{name}' follows from the device's PCI location; set \"pci\" instead");
                attributes[attribute] = ReadInt(value, name);
            }
        }
        else if (basePersona is null)
        {
            throw Missing("attributes");
        }

        return new Persona(
            key,
            OptionalString(root, "name") ?? basePersona?.Name ?? throw Missing("name"),
            root["totalMemoryBytes"] is JsonNode memory ? ReadLong(memory, "totalMemoryBytes") : basePersona?.TotalMemoryBytes ?? throw Missing("totalMemoryBytes"),
            OptionalString(root, "driverVersion") ?? basePersona?.DriverVersion ?? throw Missing("driverVersion"),
            root["cudaDriverVersion"] is JsonNode version ? ReadInt(version, "cudaDriverVersion") : basePersona?.CudaDriverVersion ?? throw Missing("cudaDriverVersion"),
            pci,
            root["greatestStreamPriority"] is JsonNode priority ? ReadInt(priority, "greatestStreamPriority") : basePersona?.GreatestStreamPriority ?? throw Missing("greatestStreamPriority"),
            cost,
            attributes);
    }

    /// <summary>The complete document (no <c>base</c>), attributes in numeric order: <see cref="Parse"/> reads it back unchanged.</summary>
    public static string Write(Persona persona)
    {
        var attributes = new JsonObject();
        foreach (var attribute in DeviceAttributes.All.Where(a => !DeviceAttributes.IsPerDevice(a)))
            attributes[DeviceAttributes.CName(attribute)] = persona[attribute];

        var root = new JsonObject
        {
            ["key"] = persona.Key,
            ["name"] = persona.Name,
            ["totalMemoryBytes"] = persona.TotalMemoryBytes,
            ["driverVersion"] = persona.DriverVersion,
            ["cudaDriverVersion"] = persona.CudaDriverVersion,
            ["pci"] = new JsonObject
            {
                ["domain"] = persona.Pci.Domain,
                ["firstBus"] = persona.Pci.FirstBus,
                ["busStride"] = persona.Pci.BusStride,
                ["device"] = persona.Pci.Device,
            },
            ["greatestStreamPriority"] = persona.GreatestStreamPriority,
            ["costModel"] = new JsonObject
            {
                ["deviceMemoryBytesPerSecond"] = persona.CostModel.DeviceMemoryBytesPerSecond,
                ["hostLinkBytesPerSecond"] = persona.CostModel.HostLinkBytesPerSecond,
                ["launchOverheadNanoseconds"] = persona.CostModel.LaunchOverheadNanoseconds,
                ["operationOverheadNanoseconds"] = persona.CostModel.OperationOverheadNanoseconds,
            },
            ["attributes"] = attributes,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static PersonaException Missing(string field) => new($"persona JSON lacks \"{field}\" (and names no \"base\" persona to take it from)");

    private static string? OptionalString(JsonObject node, string field) => node[field] is JsonNode value ? ReadString(value, field) : null;

    private static string ReadString(JsonNode node, string field) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw new PersonaException($"\"{field}\" must be a string");

    private static int ReadInt(JsonNode? node, string field) =>
        node is JsonValue value && value.TryGetValue<int>(out var number) ? number
        : node is JsonValue hex && hex.TryGetValue<string>(out var text) && TryParseHex(text, out var parsed) ? parsed
        : throw new PersonaException($"\"{field}\" must be a 32-bit integer (or a \"0x…\" string)");

    private static long ReadLong(JsonNode? node, string field) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number : throw new PersonaException($"\"{field}\" must be an integer");

    private static bool TryParseHex(string text, out int value)
    {
        value = 0;
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return false;
        if (!uint.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out var unsigned)) return false;
        value = unchecked((int)unsigned);
        return true;
    }
}
