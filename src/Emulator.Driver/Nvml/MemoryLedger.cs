using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Emulator.Driver.Nvml;

/// <summary>One live process's device-memory use, as NVML lists it.</summary>
public readonly record struct LedgerProcess(int Pid, ulong StartTime, ulong UsedBytes);

/// <summary>
/// A machine-wide ledger of device memory in use, shared by every process that loads cuemu, so NVML's used
/// memory, <c>nvmlDeviceGetComputeRunningProcesses</c> and <c>cuMemGetInfo</c> agree across processes.
/// </summary>
/// <remarks>
/// <para>Layout: <c>&lt;root&gt;/&lt;device uuid&gt;/&lt;pid&gt;-&lt;start time&gt;.usage</c>, one file per process
/// and device, each holding that process's current total. A process only ever writes its own file (write to a
/// private temporary file, then rename over the record, so readers see the old or the new total, never half of
/// one). Readers sum the records whose process is alive with the recorded start time; a record of a process
/// that died (crashed or not) or whose pid was reused is ignored and deleted, so nothing leaks.</para>
/// <para>Root: <c>CUEMU_LEDGER_DIR</c> if set, else <c>/dev/shm/cuemu-ledger</c> (memory-backed, cleared at
/// boot), else the temporary folder. Directories are created world-writable with the sticky bit, like /tmp,
/// so processes of different users share one ledger without removing each other's live records.</para>
/// </remarks>
public sealed partial class MemoryLedger
{
    private const string RecordExtension = ".usage";
    private const string RecordHeader = "cuemu-ledger-v1";
    private readonly string _root;
    private readonly ProcessIdentity _self;
    private readonly IProcessTable _processes;
    private readonly Lock _writeLock = new();

    public MemoryLedger(string rootDirectory, ProcessIdentity self, IProcessTable processes)
    {
        _root = rootDirectory;
        _self = self;
        _processes = processes;
    }

    /// <summary>The ledger of this process at <see cref="DefaultRoot"/>, judged against procfs.</summary>
    public static MemoryLedger ForCurrentProcess() =>
        new(DefaultRoot(), ProcfsProcessTable.Current, ProcfsProcessTable.Instance);

    /// <summary><c>CUEMU_LEDGER_DIR</c>, else <c>/dev/shm/cuemu-ledger</c>, else <c>$TMPDIR/cuemu-ledger</c>.</summary>
    public static string DefaultRoot()
    {
        string? configured = Environment.GetEnvironmentVariable("CUEMU_LEDGER_DIR");
        if (!string.IsNullOrEmpty(configured))
            return configured;
        return Directory.Exists("/dev/shm") ? "/dev/shm/cuemu-ledger" : Path.Combine(Path.GetTempPath(), "cuemu-ledger");
    }

    public string Root => _root;

    /// <summary>
    /// Records that this process now uses <paramref name="bytes"/> on the device (its total, not a change).
    /// Throws <see cref="IOException"/> when the ledger folder cannot be written.
    /// </summary>
    public void ReportUsage(string deviceUuid, ulong bytes)
    {
        string folder = DeviceFolder(deviceUuid, create: true);
        string record = Path.Combine(folder, RecordName(_self));
        string temporary = Path.Combine(folder, "." + RecordName(_self) + ".tmp");
        string content = string.Create(CultureInfo.InvariantCulture, $"{RecordHeader} {_self.Pid} {_self.StartTime} {bytes}\n");
        lock (_writeLock)
        {
            File.WriteAllText(temporary, content, Encoding.ASCII);
            File.Move(temporary, record, overwrite: true);
        }
    }

    /// <summary>Removes this process's record for the device (it no longer has a context there).</summary>
    public void Release(string deviceUuid)
    {
        string folder = DeviceFolder(deviceUuid, create: false);
        lock (_writeLock)
        {
            if (Directory.Exists(folder))
                File.Delete(Path.Combine(folder, RecordName(_self)));
        }
    }

    /// <summary>Bytes in use on the device by all live processes.</summary>
    public ulong TotalUsed(string deviceUuid)
    {
        ulong total = 0;
        foreach (LedgerProcess process in Processes(deviceUuid))
            total += process.UsedBytes;
        return total;
    }

    /// <summary><paramref name="totalBytes"/> less what all live processes use (never negative): cuMemGetInfo's free.</summary>
    public ulong FreeBytes(string deviceUuid, ulong totalBytes) => totalBytes - Math.Min(totalBytes, TotalUsed(deviceUuid));

    /// <summary>Live processes with a record for the device, ordered by pid then start time.</summary>
    public IReadOnlyList<LedgerProcess> Processes(string deviceUuid)
    {
        string folder = DeviceFolder(deviceUuid, create: false);
        var live = new List<LedgerProcess>();
        string[] records;
        try
        {
            records = Directory.GetFiles(folder, "*" + RecordExtension);
        }
        catch (DirectoryNotFoundException)
        {
            return live;
        }

        foreach (string path in records)
        {
            if (Path.GetFileName(path).StartsWith('.') || !TryRead(path, out LedgerProcess record))
                continue;
            if (IsAlive(record))
                live.Add(record);
            else
                DeleteStale(path);
        }
        live.Sort((x, y) => x.Pid != y.Pid ? x.Pid.CompareTo(y.Pid) : x.StartTime.CompareTo(y.StartTime));
        return live;
    }

    private bool IsAlive(LedgerProcess record)
    {
        ProcessIdentity? current = _processes.Find(record.Pid);
        return current is { } process
            && (process.StartTime == record.StartTime || process.StartTime == ProcfsProcessTable.UnknownStartTime);
    }

    private static void DeleteStale(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another reader removed it first, or it belongs to another user: ignoring it is all that matters.
        }
    }

    private static bool TryRead(string path, out LedgerProcess record)
    {
        record = default;
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        string[] fields = text.Split(' ', '\n');
        if (fields.Length < 4 || fields[0] != RecordHeader
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || !ulong.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong start)
            || !ulong.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out ulong bytes))
            return false;
        record = new LedgerProcess(pid, start, bytes);
        return true;
    }

    private static string RecordName(ProcessIdentity process) =>
        string.Create(CultureInfo.InvariantCulture, $"{process.Pid}-{process.StartTime}{RecordExtension}");

    private string DeviceFolder(string deviceUuid, bool create)
    {
        if (!DeviceUuidPattern().IsMatch(deviceUuid))
            throw new ArgumentException($"'{deviceUuid}' is not a device UUID usable as a folder name", nameof(deviceUuid));
        string folder = Path.Combine(_root, deviceUuid);
        if (create && !Directory.Exists(folder))
        {
            CreateShared(_root);
            CreateShared(folder);
        }
        return folder;
    }

    private static void CreateShared(string folder)
    {
        if (Directory.Exists(folder))
            return;
        Directory.CreateDirectory(folder);
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            File.SetUnixFileMode(folder, UnixFileMode.StickyBit | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Created by another user a moment ago: its mode is theirs to set.
        }
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,96}$")]
    private static partial Regex DeviceUuidPattern();
}
