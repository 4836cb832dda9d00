using Emulator.Driver.Nvml;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Nvml;

/// <summary>
/// Several simulated processes (each its own <see cref="MemoryLedger"/> over one folder) report, release, die
/// and have their pids reused; an observer process must always see exactly what a plain dictionary model of
/// the live processes says, and dead processes' records must disappear from the folder.
/// </summary>
public sealed class MemoryLedgerProperties : IDisposable
{
    private static readonly string[] Devices = ["GPU-11111111-2222-3333-4444-555555555555", "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cuemu-ledger-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    private enum Kind { Spawn, Report, Kill, Release, Observe }

    private sealed record Step(Kind Kind, int Pid, int Device, ulong Bytes)
    {
        public override string ToString() => $"{Kind}(pid {Pid}, device {Device}, {Bytes} B)";
    }

    /// <summary>The processes the simulated kernel considers alive: pid → start time.</summary>
    private sealed class FakeProcessTable : IProcessTable
    {
        public Dictionary<int, ulong> Alive { get; } = [];

        public ProcessIdentity? Find(int pid) => Alive.TryGetValue(pid, out ulong start) ? new ProcessIdentity(pid, start) : null;
    }

    private static readonly Gen<Step> Steps =
        from kind in Gen.Frequency((2, Gen.Constant(Kind.Spawn)), (5, Gen.Constant(Kind.Report)), (1, Gen.Constant(Kind.Kill)), (1, Gen.Constant(Kind.Release)), (2, Gen.Constant(Kind.Observe)))
        from pid in Gen.Choose(100, 104)
        from device in Gen.Choose(0, Devices.Length - 1)
        from bytes in Gen.Elements(0UL, 1UL, 4096UL, 1UL << 30, 80UL << 30, ulong.MaxValue / 8)
        select new Step(kind, pid, device, bytes);

    [Fact]
    public void Observers_see_exactly_the_live_processes_usage()
    {
        Prop.ForAll(Arb.From(Gen.ListOf(Steps)), (Func<List<Step>, bool>)(steps => Run(steps))).QuickCheckThrowOnFailure();
    }

    private bool Run(List<Step> steps)
    {
        string root = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        var table = new FakeProcessTable();
        var ledgers = new Dictionary<int, MemoryLedger>();
        var model = new Dictionary<(int Pid, ulong Start), Dictionary<int, ulong>>();
        ulong clock = 0;
        // The observer never reports; its pid is outside the simulated range.
        var observer = new MemoryLedger(root, new ProcessIdentity(1, 1), table);

        // Observation happens only at Observe steps (and at the end), so a crashed process's record can still be
        // on disk when its pid is handed to a new process.
        foreach (Step step in steps.Append(new Step(Kind.Observe, 0, 0, 0)))
        {
            bool alive = table.Alive.TryGetValue(step.Pid, out ulong start);
            switch (step.Kind)
            {
                case Kind.Spawn when !alive:
                    start = ++clock;
                    table.Alive[step.Pid] = start;
                    ledgers[step.Pid] = new MemoryLedger(root, new ProcessIdentity(step.Pid, start), table);
                    model[(step.Pid, start)] = [];
                    break;
                case Kind.Report when alive:
                    ledgers[step.Pid].ReportUsage(Devices[step.Device], step.Bytes);
                    model[(step.Pid, start)][step.Device] = step.Bytes;
                    break;
                case Kind.Release when alive:
                    ledgers[step.Pid].Release(Devices[step.Device]);
                    model[(step.Pid, start)].Remove(step.Device);
                    break;
                case Kind.Kill when alive:
                    // A crash: the record stays on disk, the process is gone.
                    table.Alive.Remove(step.Pid);
                    ledgers.Remove(step.Pid);
                    model.Remove((step.Pid, start));
                    break;
            }

            if (step.Kind != Kind.Observe)
                continue;
            for (int device = 0; device < Devices.Length; device++)
            {
                var expected = model
                    .Where(entry => entry.Value.ContainsKey(device))
                    .Select(entry => new LedgerProcess(entry.Key.Pid, entry.Key.Start, entry.Value[device]))
                    .OrderBy(process => process.Pid).ThenBy(process => process.StartTime)
                    .ToList();
                observer.Processes(Devices[device]).ShouldBe(expected, $"device {device} after {string.Join(", ", steps)}");
                observer.TotalUsed(Devices[device]).ShouldBe(expected.Aggregate(0UL, (sum, process) => sum + process.UsedBytes));
                string folder = Path.Combine(root, Devices[device]);
                int filesLeft = Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0;
                filesLeft.ShouldBe(expected.Count, "records of dead processes are removed once observed");
            }
        }
        return true;
    }
}
