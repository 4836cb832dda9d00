namespace Emulator.Kernels.Engine;

/// <summary>Which execution tier runs a launch.</summary>
public enum EngineTier
{
    /// <summary>The reference SIMT interpreter: the semantic oracle.</summary>
    Reference,
    /// <summary>Kernels compiled from the IR to .NET code (checked against the reference tier).</summary>
    Compiled,
}

/// <summary>
/// Process-wide defaults for launches that do not name a tier or worker count, read once from the environment:
/// <c>CUEMU_ENGINE</c> = <c>reference</c> | <c>compiled</c> (default compiled) and <c>CUEMU_ENGINE_WORKERS</c> = the
/// number of threads that run blocks (default: every core). Results do not depend on either setting.
/// </summary>
public static class EngineSelection
{
    public const string TierVariable = "CUEMU_ENGINE";
    public const string WorkersVariable = "CUEMU_ENGINE_WORKERS";

    static readonly Lazy<EngineTier> defaultTier = new(() => ParseTier(Environment.GetEnvironmentVariable(TierVariable)) ?? EngineTier.Compiled);
    static readonly Lazy<int> defaultWorkers = new(() => ParseWorkers(Environment.GetEnvironmentVariable(WorkersVariable)) ?? Environment.ProcessorCount);

    public static EngineTier DefaultTier => defaultTier.Value;
    public static int DefaultWorkers => defaultWorkers.Value;

    /// <summary>The tier named by <paramref name="text"/>, or null when it names none (the default then applies).</summary>
    public static EngineTier? ParseTier(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "reference" or "interpreter" => EngineTier.Reference,
        "compiled" => EngineTier.Compiled,
        _ => null,
    };

    /// <summary>Most threads one launch uses, whatever is asked for.</summary>
    public const int MaxWorkers = 1024;

    public static int? ParseWorkers(string? text) => int.TryParse(text, out int workers) && workers > 0 ? Math.Min(workers, MaxWorkers) : null;
}
