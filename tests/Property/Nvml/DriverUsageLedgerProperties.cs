using Emulator.Driver;
using Emulator.Driver.Devices;
using Emulator.Driver.Nvml;
using Emulator.Driver.Personas;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Nvml;

/// <summary>
/// The driver's hook into the cross-process ledger (<see cref="DriverOptions.UsageLedger"/>): what it publishes
/// and what <c>cuMemGetInfo</c> answers, against a model that just adds up the live allocations.
/// </summary>
public sealed class DriverUsageLedgerProperties : IDisposable
{
    private const ulong MiB = 1024 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("cuemu-usage-ledger-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Remembers the last total published per device and answers a fixed use by "other processes".</summary>
    private sealed class RecordingLedger(IReadOnlyDictionary<string, ulong> others) : IDeviceUsageLedger
    {
        public Dictionary<string, ulong> Published { get; } = new();
        public int PublishCount { get; private set; }

        public void Publish(Device device, ulong bytesInUse)
        {
            Published[device.UuidString] = bytesInUse;
            PublishCount++;
        }

        public ulong UsedByOtherProcesses(Device device) => others.GetValueOrDefault(device.UuidString);

        public IReadOnlyList<LedgerProcess> Processes(Device device) => throw new NotSupportedException("the driver never lists processes");
    }

    private sealed class FailingLedger : IDeviceUsageLedger
    {
        public void Publish(Device device, ulong bytesInUse) => throw new IOException("read-only file system");
        public ulong UsedByOtherProcesses(Device device) => throw new UnauthorizedAccessException("no access");
        public IReadOnlyList<LedgerProcess> Processes(Device device) => throw new IOException("read-only file system");
    }

    private static CudaDriver Driver(IDeviceUsageLedger ledger, int devices = 2, Action<string>? log = null)
    {
        var driver = new CudaDriver(new DriverOptions
        {
            Persona = PersonaCatalog.BuiltIn("t4"), DeviceCount = devices, UsageLedger = ledger, Log = log,
        });
        driver.Init(0).ShouldBe(CuResult.Success);
        return driver;
    }

    private static void MakeCurrent(CudaDriver driver, int ordinal)
    {
        driver.RetainPrimaryContext(ordinal, out var context).ShouldBe(CuResult.Success);
        driver.SetCurrentContext(context).ShouldBe(CuResult.Success);
    }

    private enum Op { Allocate, Free, ResetDevice }

    [Fact]
    public void Published_totals_and_free_memory_follow_every_allocation_free_and_reset()
    {
        var steps = Gen.Choose(0, 2).Zip(Gen.Choose(0, 1)).Zip(Gen.Choose(1, 64))
            .Select(t => ((Op)t.Item1.Item1, t.Item1.Item2, t.Item2)).ListOf().Select(l => l.ToArray());
        var othersGen = Gen.Choose(0, 4096).Zip(Gen.Choose(0, 4096)).Select(t => ((ulong)t.Item1 * MiB, (ulong)t.Item2 * MiB));
        Prop.ForAll(steps.ToArbitrary(), othersGen.ToArbitrary(), (sequence, othersMiB) =>
        {
            var probe = new[] { new Device(PersonaCatalog.BuiltIn("t4"), 0, 0), new Device(PersonaCatalog.BuiltIn("t4"), 1, 1) };
            var others = new Dictionary<string, ulong> { [probe[0].UuidString] = othersMiB.Item1, [probe[1].UuidString] = othersMiB.Item2 };
            var ledger = new RecordingLedger(others);
            using var driver = Driver(ledger);
            var live = new List<(int Device, ulong Address, ulong Bytes)>();
            foreach (var (op, device, size) in sequence)
            {
                MakeCurrent(driver, device);
                switch (op)
                {
                    case Op.Allocate:
                        var bytes = (ulong)size * MiB;
                        if (driver.MemAlloc(bytes, out var address) == CuResult.Success) live.Add((device, address, bytes));
                        break;
                    case Op.Free when live.Count > 0:
                        var victim = live[size % live.Count];
                        MakeCurrent(driver, victim.Device);
                        if (driver.MemFree(victim.Address) != CuResult.Success) return false.Label("free failed");
                        live.Remove(victim);
                        break;
                    case Op.ResetDevice:
                        driver.ResetPrimaryContext(device).ShouldBe(CuResult.Success);
                        live.RemoveAll(a => a.Device == device);
                        break;
                }
                for (var ordinal = 0; ordinal < 2; ordinal++)
                {
                    var uuid = driver.Devices[ordinal].UuidString;
                    var mine = live.Where(a => a.Device == ordinal).Aggregate(0UL, (sum, a) => sum + a.Bytes);
                    if (ledger.Published.GetValueOrDefault(uuid) != mine)
                        return false.Label($"{op}: device {ordinal} published {ledger.Published.GetValueOrDefault(uuid)}, model {mine}");
                    MakeCurrent(driver, ordinal);
                    driver.MemGetInfo(out var free, out var total).ShouldBe(CuResult.Success);
                    var expectedFree = total - Math.Min(total, mine + others[uuid]);
                    if (free != expectedFree) return false.Label($"{op}: device {ordinal} free {free}, model {expectedFree}");
                }
            }
            return true.ToProperty();
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Unchanged_totals_are_not_published_again()
    {
        var ledger = new RecordingLedger(new Dictionary<string, ulong>());
        using var driver = Driver(ledger, devices: 1);
        MakeCurrent(driver, 0);
        driver.MemAlloc(MiB, out var address).ShouldBe(CuResult.Success);
        ledger.PublishCount.ShouldBe(1);
        driver.MemGetInfo(out _, out _).ShouldBe(CuResult.Success);
        driver.ResetPrimaryContext(0).ShouldBe(CuResult.Success);
        ledger.PublishCount.ShouldBe(2);
        ledger.Published[driver.Devices[0].UuidString].ShouldBe(0UL);
        driver.MemFree(address).ShouldNotBe(CuResult.Success);
        ledger.PublishCount.ShouldBe(2);
    }

    [Fact]
    public void A_broken_ledger_is_logged_once_and_the_driver_keeps_its_own_view()
    {
        var log = new List<string>();
        using var driver = Driver(new FailingLedger(), devices: 1, log: log.Add);
        MakeCurrent(driver, 0);
        driver.MemAlloc(8 * MiB, out var address).ShouldBe(CuResult.Success);
        driver.MemGetInfo(out var free, out var total).ShouldBe(CuResult.Success);
        free.ShouldBe(total - 8 * MiB);
        driver.MemFree(address).ShouldBe(CuResult.Success);
        log.Count(line => line.Contains("ledger is unavailable")).ShouldBe(1);
    }

    /// <summary>Two drivers as two processes on one real ledger folder: each sees the other's use until it dies.</summary>
    [Fact]
    public void Two_drivers_share_use_through_the_real_ledger_and_a_dead_one_stops_counting()
    {
        var processes = new SwitchableProcessTable();
        var first = new ProcessIdentity(1001, 7);
        var second = new ProcessIdentity(1002, 9);
        processes.Alive.Add(first);
        processes.Alive.Add(second);
        var firstLedger = new SharedDeviceUsageLedger(new MemoryLedger(_root, first, processes), first);
        var secondLedger = new SharedDeviceUsageLedger(new MemoryLedger(_root, second, processes), second);
        using var firstDriver = Driver(firstLedger, devices: 1);
        using var secondDriver = Driver(secondLedger, devices: 1);
        MakeCurrent(firstDriver, 0);
        MakeCurrent(secondDriver, 0);

        firstDriver.MemAlloc(96 * MiB, out _).ShouldBe(CuResult.Success);
        secondDriver.MemAlloc(32 * MiB, out var secondBlock).ShouldBe(CuResult.Success);
        firstDriver.MemGetInfo(out var firstFree, out var total).ShouldBe(CuResult.Success);
        secondDriver.MemGetInfo(out var secondFree, out _).ShouldBe(CuResult.Success);
        firstFree.ShouldBe(total - 128 * MiB);
        secondFree.ShouldBe(firstFree);
        var device = secondDriver.Devices[0];
        secondLedger.Processes(device).ShouldBe([new LedgerProcess(1001, 7, 96 * MiB), new LedgerProcess(1002, 9, 32 * MiB)]);

        processes.Alive.Remove(first); // killed: it never freed its 96 MiB
        secondDriver.MemGetInfo(out secondFree, out _).ShouldBe(CuResult.Success);
        secondFree.ShouldBe(total - 32 * MiB);
        secondDriver.MemFree(secondBlock).ShouldBe(CuResult.Success);
        secondLedger.Processes(device).ShouldBeEmpty();
    }

    private sealed class SwitchableProcessTable : IProcessTable
    {
        public HashSet<ProcessIdentity> Alive { get; } = [];
        public ProcessIdentity? Find(int pid) => Alive.Where(p => p.Pid == pid).Select(p => (ProcessIdentity?)p).FirstOrDefault();
    }
}
