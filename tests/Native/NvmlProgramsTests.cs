using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Emulator.Tests.Native;

/// <summary>
/// libnvidia-ml.so.1 from C (programs/nvml/): NVML against the driver and runtime in one process, and the
/// machine-wide memory ledger seen from a second process. Every run gets a private ledger folder
/// (<c>CUEMU_LEDGER_DIR</c>), so tests running in parallel never see each other's memory.
/// </summary>
public sealed partial class NvmlProgramsTests : IDisposable
{
    private const ulong MiB = 1024 * 1024;
    private readonly string _ledger = Directory.CreateTempSubdirectory("cuemu-nvml-ledger-").FullName;

    public void Dispose() => Directory.Delete(_ledger, recursive: true);

    private Dictionary<string, string?> Environment(int devices, string? visible = null) => new()
    {
        ["CUEMU_LEDGER_DIR"] = _ledger,
        ["CUEMU_DEVICES"] = devices.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CUDA_VISIBLE_DEVICES"] = visible,
        ["CUEMU_PERSONA"] = null,
    };

    /// <summary>The runtime checks run wherever libcudart's entries are implemented in this build.</summary>
    private static bool RuntimeImplemented =>
        typeof(Emulator.Exports.NvmlApi).Assembly.GetType("Emulator.Exports.RuntimeApi") is { } runtime
        && runtime.GetMethod("cudaMemGetInfo") is not null && runtime.GetMethod("cudaGetDeviceProperties_v13") is not null;

    private static string CompileSideBySide() =>
        NativeTool.CompileLinked("nvml_vs_driver", Path.Combine("nvml", "nvml_vs_driver.c"), "nvidia-ml", "cuda", ":libcudart.so.13");

    [Fact]
    public void NVML_and_the_driver_describe_the_same_device_and_the_same_memory()
    {
        var program = CompileSideBySide();
        string[] args = RuntimeImplemented ? ["1", "1", "runtime"] : ["1", "1"];
        var result = NativeTool.RunChecked(program, Environment(devices: 1), null, args);
        result.Stdout.ShouldContain("CUDA device 0 is NVML device 0");
        result.Stdout.ShouldContain("nvml_vs_driver: 0 failures");
    }

    [Fact]
    public void NVML_lists_every_emulated_device_while_CUDA_sees_only_the_visible_ones()
    {
        var program = CompileSideBySide();
        var result = NativeTool.RunChecked(program, Environment(devices: 3, visible: "2"), null, "3", "1");
        // CUDA's device 0 is the third GPU: NVML finds it by UUID and PCI id at NVML index 2.
        result.Stdout.ShouldContain("CUDA device 0 is NVML device 2");
        result.Stdout.ShouldContain("nvml_vs_driver: 0 failures");
    }

    [Fact]
    public void A_broken_configuration_is_NVML_ERROR_DRIVER_NOT_LOADED_and_leaves_NVML_uninitialised()
    {
        var program = NativeTool.CompileLinked("nvml_init_status", Path.Combine("nvml", "init_status.c"), "nvidia-ml");
        var broken = Environment(devices: 1);
        broken["CUEMU_PERSONA"] = "no-such-persona";
        NativeTool.RunChecked(program, broken).Stdout.ShouldContain("init=9 (Driver Not Loaded) count=1 devices=0");
        NativeTool.RunChecked(program, Environment(devices: 2)).Stdout.ShouldContain("init=0 (Success) count=0 devices=2");
    }

    [Fact]
    public void Memory_another_process_holds_shows_in_NVML_and_cuMemGetInfo_and_vanishes_when_it_is_killed()
    {
        var holderProgram = NativeTool.CompileLinked("nvml_memory_holder", Path.Combine("nvml", "memory_holder.c"), "cuda");
        var observerProgram = NativeTool.CompileLinked("nvml_memory_observer", Path.Combine("nvml", "memory_observer.c"), "nvidia-ml", "cuda");
        var environment = Environment(devices: 1);

        using var observer = Interactive.Start(observerProgram, environment);
        observer.ReadLine().ShouldBe("ready");
        var idle = Query(observer);
        idle.Used.ShouldBe(0UL);
        idle.Free.ShouldBe(idle.Total);
        idle.CudaFree.ShouldBe(idle.Total);
        idle.Processes.ShouldBeEmpty();

        using var first = Interactive.Start(holderProgram, environment, "256");
        first.ReadLine().ShouldBe($"holding {256 * MiB} pid {first.Pid}");
        using var second = Interactive.Start(holderProgram, environment, "64");
        second.ReadLine().ShouldBe($"holding {64 * MiB} pid {second.Pid}");

        var busy = Query(observer);
        busy.Used.ShouldBe(320 * MiB);
        busy.Free.ShouldBe(busy.Total - 320 * MiB);
        busy.CudaFree.ShouldBe(busy.Free);
        busy.Processes.ShouldBe(new[] { (first.Pid, 256 * MiB), (second.Pid, 64 * MiB) }.OrderBy(p => p.Item1).ToArray());

        // A process that frees its memory and exits is gone at once.
        second.WriteLine("release");
        second.ReadLine().ShouldBe("released 0");
        second.WaitForExit().ShouldBe(0);
        var afterRelease = Query(observer);
        afterRelease.Used.ShouldBe(256 * MiB);
        afterRelease.Processes.ShouldBe([(first.Pid, 256 * MiB)]);

        // A killed process never frees anything: its record is dropped (and deleted) because the process is dead.
        first.Kill();
        var afterKill = Query(observer);
        afterKill.Used.ShouldBe(0UL);
        afterKill.CudaFree.ShouldBe(afterKill.Total);
        afterKill.Processes.ShouldBeEmpty();
        Directory.GetFiles(_ledger, "*.usage", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    private sealed record Snapshot(ulong Used, ulong Free, ulong Total, ulong CudaFree, (int Pid, ulong Bytes)[] Processes);

    private static Snapshot Query(Interactive observer)
    {
        observer.WriteLine("query");
        var line = observer.ReadLine();
        var match = SnapshotLine().Match(line);
        match.Success.ShouldBeTrue(line);
        var processes = match.Groups["process"].Captures
            .Select(c => c.Value.Trim().Split(':'))
            .Select(p => (int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        int.Parse(match.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(processes.Length);
        return new Snapshot(ulong.Parse(match.Groups["used"].Value), ulong.Parse(match.Groups["free"].Value),
            ulong.Parse(match.Groups["total"].Value), ulong.Parse(match.Groups["cuda"].Value), processes);
    }

    [GeneratedRegex(@"^used=(?<used>\d+) free=(?<free>\d+) total=(?<total>\d+) cuda_free=(?<cuda>\d+) processes=(?<count>\d+)(?<process> \d+:\d+)*$")]
    private static partial Regex SnapshotLine();

    /// <summary>A C program driven line by line; killed (with its output shown) if it outlives the test.</summary>
    private sealed class Interactive : IDisposable
    {
        private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);
        private readonly Process _process;

        private Interactive(Process process) => _process = process;

        public int Pid => _process.Id;

        public static Interactive Start(string program, IReadOnlyDictionary<string, string?> environment, params string[] args)
        {
            var info = new ProcessStartInfo(program)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var arg in args) info.ArgumentList.Add(arg);
            foreach (var name in new[] { "CUEMU_TRACE", "CUEMU_LOG", "LD_PRELOAD" }) info.Environment.Remove(name);
            foreach (var (key, value) in environment)
            {
                if (value is null) info.Environment.Remove(key);
                else info.Environment[key] = value;
            }
            var process = Process.Start(info)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            return new Interactive(process);
        }

        public string ReadLine()
        {
            var read = _process.StandardOutput.ReadLineAsync();
            read.Wait(LineTimeout).ShouldBeTrue($"{_process.StartInfo.FileName} wrote no line in {LineTimeout}");
            return read.Result ?? throw new ShouldAssertException($"{_process.StartInfo.FileName} ended its output");
        }

        public void WriteLine(string line)
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }

        public int WaitForExit()
        {
            _process.WaitForExit((int)LineTimeout.TotalMilliseconds).ShouldBeTrue();
            return _process.ExitCode;
        }

        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
            _process.Dispose();
        }
    }
}
