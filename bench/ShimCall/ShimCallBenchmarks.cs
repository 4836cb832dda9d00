using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Emulator.Bench.ShimCall;

/// <summary>In-process: the native loops live beside this assembly (the toolchain's generated project lacks them).</summary>
internal sealed class InProcessShortRun : ManualConfig
{
    public InProcessShortRun() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}

/// <summary>
/// A trivial CUDA call through the native shim (cuDriverGetVersion: C export → libcuemu entry table →
/// [UnmanagedCallersOnly] wrapper → DriverApi) against an empty exported C function, both called from the same
/// native loop (shim_call.c), so one P/Invoke is amortised over <see cref="Calls"/> calls.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class ShimCallBenchmarks
{
    private const int Calls = 1_000_000;

    [DllImport("shim_call")]
    private static extern long bench_shim_loop(long iterations);

    [DllImport("shim_call")]
    private static extern long bench_empty_loop(long iterations);

    [GlobalSetup]
    public void Setup()
    {
        // Starts the runtime inside the shim (once per process) and checks the call really reaches the driver model.
        if (bench_shim_loop(1) != 13000) throw new InvalidOperationException("cuDriverGetVersion did not succeed through the shim");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public long EmptyCFunction() => bench_empty_loop(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public long CuDriverGetVersionThroughShim() => bench_shim_loop(Calls);
}
