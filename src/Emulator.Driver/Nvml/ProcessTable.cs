using System.Globalization;
using System.Runtime.InteropServices;

namespace Emulator.Driver.Nvml;

/// <summary>
/// A process as the ledger knows it: pid plus the kernel's start time, so a pid the kernel hands out again
/// after its owner died is a different process.
/// </summary>
/// <param name="Pid">Operating-system process id.</param>
/// <param name="StartTime">Start time after boot in clock ticks (<c>/proc/&lt;pid&gt;/stat</c> field 22).</param>
public readonly record struct ProcessIdentity(int Pid, ulong StartTime);

/// <summary>Answers which processes are alive; the ledger drops records of any other.</summary>
public interface IProcessTable
{
    /// <summary>The identity of the live process with <paramref name="pid"/>, or null when there is none.</summary>
    ProcessIdentity? Find(int pid);
}

/// <summary>The machine's processes, read from procfs.</summary>
public sealed partial class ProcfsProcessTable : IProcessTable
{
    public static ProcfsProcessTable Instance { get; } = new();

    /// <summary>This process's identity.</summary>
    public static ProcessIdentity Current { get; } =
        Instance.Find(Environment.ProcessId) ?? new ProcessIdentity(Environment.ProcessId, 0);

    public ProcessIdentity? Find(int pid)
    {
        if (pid <= 0)
            return null;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // procfs mounted with hidepid hides other users' processes: existence is still visible to kill(pid, 0)
            // (EPERM), but the start time is not, so such a process is reported with an unknowable start time.
            return ExistsBySignal(pid) ? new ProcessIdentity(pid, UnknownStartTime) : null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0)
            return null;
        string[] fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int StateField = 0, StartTimeField = 19;
        if (fields.Length <= StartTimeField)
            return null;
        // A zombie (or a dead task still listed) holds no device memory any more.
        if (fields[StateField] is "Z" or "X" or "x")
            return null;
        return ulong.TryParse(fields[StartTimeField], NumberStyles.None, CultureInfo.InvariantCulture, out ulong start)
            ? new ProcessIdentity(pid, start)
            : null;
    }

    /// <summary>Start time reported for a process whose procfs entry cannot be read; matches any record of that pid.</summary>
    public const ulong UnknownStartTime = ulong.MaxValue;

    private static bool ExistsBySignal(int pid)
    {
        const int EPERM = 1;
        return Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == EPERM;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
