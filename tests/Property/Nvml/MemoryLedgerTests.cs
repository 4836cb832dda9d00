using System.Diagnostics;
using Emulator.Driver.Nvml;

namespace Emulator.Tests.Property.Nvml;

/// <summary>The ledger against real processes and procfs.</summary>
public sealed class MemoryLedgerTests : IDisposable
{
    private const string Device = "GPU-00000000-0000-0000-0000-000000000001";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cuemu-ledger-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void A_real_child_process_counts_while_alive_and_leaks_nothing_when_killed()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            ProcessIdentity identity = ProcfsProcessTable.Instance.Find(child.Id)
                ?? throw new Xunit.Sdk.XunitException("the child must be visible in procfs");
            var childLedger = new MemoryLedger(_root, identity, ProcfsProcessTable.Instance);
            var self = new MemoryLedger(_root, ProcfsProcessTable.Current, ProcfsProcessTable.Instance);

            childLedger.ReportUsage(Device, 3000);
            self.ReportUsage(Device, 500);
            self.TotalUsed(Device).ShouldBe(3500UL);
            self.Processes(Device).Select(p => p.Pid).ShouldBe(new[] { Environment.ProcessId, child.Id }.Order());
            self.FreeBytes(Device, 10_000).ShouldBe(6500UL);

            child.Kill();
            child.WaitForExit();

            self.TotalUsed(Device).ShouldBe(500UL);
            self.Processes(Device).ShouldBe([new LedgerProcess(Environment.ProcessId, ProcfsProcessTable.Current.StartTime, 500)]);
            Directory.GetFiles(Path.Combine(_root, Device)).Length.ShouldBe(1);
        }
        finally
        {
            if (!child.HasExited)
                child.Kill();
        }
    }

    [Fact]
    public void A_record_whose_pid_was_reused_does_not_count()
    {
        ProcessIdentity me = ProcfsProcessTable.Current;
        me.StartTime.ShouldBeGreaterThan(0UL);
        // An earlier process that had this pid (it started before us, so its start time is smaller).
        var previousOwner = new MemoryLedger(_root, me with { StartTime = me.StartTime - 1 }, ProcfsProcessTable.Instance);
        previousOwner.ReportUsage(Device, 1 << 20);
        new MemoryLedger(_root, me, ProcfsProcessTable.Instance).TotalUsed(Device).ShouldBe(0UL);
    }

    [Fact]
    public void Procfs_sees_this_process_and_not_a_free_pid()
    {
        ProcfsProcessTable.Instance.Find(Environment.ProcessId).ShouldBe(ProcfsProcessTable.Current);
        ProcfsProcessTable.Instance.Find(0).ShouldBeNull();
        ProcfsProcessTable.Instance.Find(int.MaxValue).ShouldBeNull();
    }

    [Fact]
    public void Usage_is_a_total_that_replaces_the_previous_one_and_release_removes_it()
    {
        var ledger = new MemoryLedger(_root, ProcfsProcessTable.Current, ProcfsProcessTable.Instance);
        ledger.TotalUsed(Device).ShouldBe(0UL);
        ledger.ReportUsage(Device, 10);
        ledger.ReportUsage(Device, 7);
        ledger.TotalUsed(Device).ShouldBe(7UL);
        ledger.Release(Device);
        ledger.Processes(Device).ShouldBeEmpty();
        ledger.Release("GPU-never-used");
    }

    [Fact]
    public void Device_uuids_that_are_not_folder_names_are_rejected()
    {
        var ledger = new MemoryLedger(_root, ProcfsProcessTable.Current, ProcfsProcessTable.Instance);
        Should.Throw<ArgumentException>(() => ledger.ReportUsage("../escape", 1));
        Should.Throw<ArgumentException>(() => ledger.TotalUsed(""));
    }

    [Fact]
    public void The_root_comes_from_CUEMU_LEDGER_DIR()
    {
        string? previous = Environment.GetEnvironmentVariable("CUEMU_LEDGER_DIR");
        try
        {
            Environment.SetEnvironmentVariable("CUEMU_LEDGER_DIR", _root);
            MemoryLedger.DefaultRoot().ShouldBe(_root);
            MemoryLedger.ForCurrentProcess().Root.ShouldBe(_root);
            Environment.SetEnvironmentVariable("CUEMU_LEDGER_DIR", null);
            MemoryLedger.DefaultRoot().ShouldBe(Directory.Exists("/dev/shm") ? "/dev/shm/cuemu-ledger" : Path.Combine(Path.GetTempPath(), "cuemu-ledger"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CUEMU_LEDGER_DIR", previous);
        }
    }
}
