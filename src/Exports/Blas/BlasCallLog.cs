using Emulator.Driver;
using Emulator.Driver.Blas;

namespace Emulator.Exports;

/// <summary>
/// cuBLAS's own API log (<c>cublasLoggerConfigure</c>): when on, every level-3 call is written as one line — name,
/// arguments and status — to stdout, stderr and/or a file. Off by default, as in cuBLAS.
/// </summary>
internal static class BlasCallLog
{
    private static readonly object Gate = new();
    private static bool _on, _toStdout, _toStderr;
    private static StreamWriter? _file;

    public static CublasStatus Configure(bool on, bool toStdout, bool toStderr, string? fileName)
    {
        StreamWriter? file = null;
        if (on && !string.IsNullOrEmpty(fileName))
        {
            try
            {
                file = new StreamWriter(fileName, append: true) { AutoFlush = true };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return CublasStatus.InvalidValue;
            }
        }
        lock (Gate)
        {
            _file?.Dispose();
            (_on, _toStdout, _toStderr, _file) = (on, toStdout, toStderr, file);
        }
        return CublasStatus.Success;
    }

    /// <summary>Writes the call when logging is on and passes its status through.</summary>
    public static CublasStatus Record(string function, string arguments, CublasStatus status)
    {
        if (!Volatile.Read(ref _on)) return status;
        var line = $"cuBLAS API call: {function}({arguments}) -> {BlasStatusText.Name(status)}";
        lock (Gate)
        {
            if (!_on) return status;
            if (_toStdout) { Console.Out.WriteLine(line); Console.Out.Flush(); }
            if (_toStderr) Console.Error.WriteLine(line);
            _file?.WriteLine(line);
        }
        return status;
    }
}
