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

    /// <summary>
    /// <c>%p</c> in a path becomes the process id, so a traced program's child processes do not overwrite its trace.
    /// A trace that cannot be opened is reported once on stderr and left off: tracing never breaks a call.
    /// </summary>
    private static ApiTraceRecorder? FromEnvironment()
    {
        var target = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(target)) return null;
        if (target == "stderr") return new ApiTraceRecorder(Console.Error);
        var path = target.Replace("%p", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        try
        {
            var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
            return new ApiTraceRecorder(new StreamWriter(stream) { AutoFlush = true });
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"cuemu: cannot write the API trace to {path} ({error.Message}); tracing is off");
            return null;
        }
    }
}
