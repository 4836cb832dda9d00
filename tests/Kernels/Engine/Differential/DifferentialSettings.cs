namespace Emulator.Tests.Kernels.Engine.Differential;

/// <summary>
/// Whether engine-test launches also run on the compiled tier and are compared with the reference interpreter.
/// <c>CUEMU_DIFFERENTIAL=0</c> (or <c>off</c>/<c>false</c>) runs the reference tier alone; it exists for debugging a
/// reference-side test in isolation and must not be set in CI. Read once per test process.
/// </summary>
public static class DifferentialSettings
{
    public const string Variable = "CUEMU_DIFFERENTIAL";

    static readonly Lazy<bool> enabled = new(() => Parse(Environment.GetEnvironmentVariable(Variable)));

    public static bool Enabled => enabled.Value;

    /// <summary>Off only when <paramref name="text"/> says so explicitly; anything else (including unset) keeps it on.</summary>
    public static bool Parse(string? text) => text?.Trim().ToLowerInvariant() is not ("0" or "off" or "false" or "no");
}

/// <summary>The compiled tier's outcome of a launch differs from the reference interpreter's.</summary>
public sealed class DifferentialMismatchException(string message) : Xunit.Sdk.XunitException(message);
