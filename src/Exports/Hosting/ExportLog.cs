namespace Emulator.Exports.Hosting;

/// <summary>
/// cuemu's own log (unsupported calls, exceptions at the export boundary, binding problems): <c>CUEMU_LOG</c> is
/// <c>stderr</c> (default) or a file path. Messages keyed "once" are written once per process.
/// </summary>
public static class ExportLog
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Written = new(StringComparer.Ordinal);
    private static readonly TextWriter Writer = Open();

    public static void Write(string message)
    {
        lock (Gate)
        {
            Writer.WriteLine("cuemu: " + message);
            Writer.Flush();
        }
    }

    public static void WriteOnce(string key, string message)
    {
        lock (Gate)
        {
            if (!Written.Add(key)) return;
        }
        Write(message);
    }

    private static TextWriter Open()
    {
        var target = Environment.GetEnvironmentVariable("CUEMU_LOG");
        if (string.IsNullOrEmpty(target) || target == "stderr") return Console.Error;
        return new StreamWriter(new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
    }
}
