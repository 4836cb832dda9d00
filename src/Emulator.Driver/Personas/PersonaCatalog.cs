namespace Emulator.Driver.Personas;

/// <summary>The built-in personas (embedded JSON) and the rule that turns <c>CUEMU_PERSONA</c> into a persona.</summary>
public static class PersonaCatalog
{
    public const string DefaultKey = "h100";

    /// <summary>Built-in keys in a fixed order.</summary>
    public static IReadOnlyList<string> BuiltInKeys { get; } = ["h100", "a100", "t4", "p40"];

    private static readonly Lazy<IReadOnlyDictionary<string, Persona>> BuiltIns = new(LoadBuiltIns);

    public static Persona Default => BuiltIn(DefaultKey);

    /// <summary>A built-in persona by key (case-insensitive) or by its exact device name.</summary>
    public static Persona BuiltIn(string keyOrName)
    {
        var key = keyOrName.Trim().ToLowerInvariant();
        if (BuiltIns.Value.TryGetValue(key, out var persona)) return persona;
        foreach (var candidateKey in BuiltInKeys)
        {
            if (string.Equals(BuiltIns.Value[candidateKey].Name, keyOrName.Trim(), StringComparison.OrdinalIgnoreCase))
                return BuiltIns.Value[candidateKey];
        }
        throw new PersonaException($"no built-in persona '{keyOrName}' (built-ins: {string.Join(", ", BuiltInKeys)}; or give a path to a JSON file)");
    }

    /// <summary>
    /// Resolves a <c>CUEMU_PERSONA</c> value: empty → default; a value naming an existing file, or ending in
    /// <c>.json</c>, is read as persona JSON; anything else is a built-in key or name.
    /// </summary>
    public static Persona Resolve(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting)) return Default;
        var looksLikePath = setting.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || setting.Contains('/');
        if (File.Exists(setting) || looksLikePath)
        {
            string text;
            try
            {
                text = File.ReadAllText(setting);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PersonaException($"cannot read persona file '{setting}': {e.Message}", e);
            }
            return PersonaJson.Parse(text);
        }
        return BuiltIn(setting);
    }

    private static IReadOnlyDictionary<string, Persona> LoadBuiltIns()
    {
        var assembly = typeof(PersonaCatalog).Assembly;
        var personas = new Dictionary<string, Persona>(StringComparer.Ordinal);
        foreach (var key in BuiltInKeys)
        {
            using var stream = assembly.GetManifestResourceStream($"Emulator.Driver.Personas.Builtin.{key}.json")
                               ?? throw new PersonaException($"built-in persona resource '{key}' is missing from the assembly");
            using var reader = new StreamReader(stream);
            personas[key] = PersonaJson.Parse(reader.ReadToEnd(), _ => throw new PersonaException("built-in personas are complete and name no base"));
        }
        return personas;
    }
}
