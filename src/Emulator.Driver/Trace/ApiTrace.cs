namespace Emulator.Driver.Trace;

/// <summary>
/// The process-wide API trace: every exported call, recorded by the generated wrappers when <c>CUEMU_TRACE</c> is
/// <c>stderr</c> or a file path. Lines are deterministic (see <see cref="ApiTraceRecorder"/>).
/// </summary>
public static class ApiTrace
{
    /// <summary>The environment variable that switches the trace on: <c>stderr</c> or a file path (truncated).</summary>
    public const string EnvironmentVariable = "CUEMU_TRACE";

    private static readonly ApiTraceRecorder? Recorder = FromEnvironment();

    /// <summary>Read once: a static readonly the JIT folds, so an untraced call pays nothing.</summary>
    public static readonly bool IsEnabled = Recorder is not null;

    /// <summary>Starts the line of one call; only valid when <see cref="IsEnabled"/>.</summary>
    public static TraceCall Begin(string name) =>
        (Recorder ?? throw new InvalidOperationException("the API trace is off")).Begin(name);

    private static ApiTraceRecorder? FromEnvironment()
    {
        var target = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(target)) return null;
        TextWriter writer = target == "stderr"
            ? Console.Error
            : new StreamWriter(new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        return new ApiTraceRecorder(writer);
    }
}
