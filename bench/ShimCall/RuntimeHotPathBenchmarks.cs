using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace Emulator.Bench.ShimCall;

/// <summary>
/// The libcudart calls ggml makes around every op (cudaGetLastError after each launch, cudaGetDevice in
/// ggml_cuda_set_device, cudaStreamIsCapturing, the launch itself), each called from a native loop in
/// runtime_calls.c through cuemu's libcudart.so.13, against the empty exported C function of
/// <see cref="ShimCallBenchmarks"/> in the same run, so one P/Invoke is amortised over many calls.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class RuntimeHotPathBenchmarks
{
    private const int Calls = 1_000_000;

    /// <summary>Launches run an (empty) kernel each, so fewer of them keep an iteration short.</summary>
    private const int Launches = 20_000;

    [DllImport("shim_call")] private static extern long bench_empty_loop(long iterations);
    [DllImport("shim_call")] private static extern int bench_runtime_setup();
    [DllImport("shim_call")] private static extern long bench_get_last_error_loop(long iterations);
    [DllImport("shim_call")] private static extern long bench_peek_at_last_error_loop(long iterations);
    [DllImport("shim_call")] private static extern long bench_get_device_loop(long iterations);
    [DllImport("shim_call")] private static extern long bench_set_device_loop(long iterations);
    [DllImport("shim_call")] private static extern long bench_stream_is_capturing_loop(long iterations);
    [DllImport("shim_call")] private static extern long bench_launch_loop(long iterations);

    [GlobalSetup]
    public void Setup()
    {
        var setup = bench_runtime_setup();
        if (setup != 0) throw new InvalidOperationException($"runtime set-up through the shims failed ({setup})");
        // Every loop sums the results; anything but cudaSuccess (and device 0, status None) would show.
        if (bench_get_last_error_loop(10) != 0 || bench_get_device_loop(10) != 0 || bench_set_device_loop(10) != 0
            || bench_stream_is_capturing_loop(10) != 0 || bench_launch_loop(10) != 0)
            throw new InvalidOperationException("a runtime call did not succeed through the shims");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public long EmptyCFunction() => bench_empty_loop(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public long CudaGetLastError() => bench_get_last_error_loop(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public long CudaPeekAtLastError() => bench_peek_at_last_error_loop(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public long CudaGetDevice() => bench_get_device_loop(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public long CudaSetDeviceSameDevice() => bench_set_device_loop(Calls);

    [Benchmark(OperationsPerInvoke = Calls)]
    public long CudaStreamIsCapturing() => bench_stream_is_capturing_loop(Calls);

    [Benchmark(OperationsPerInvoke = Launches)]
    public long CudaLaunchKernelThenGetLastError() => bench_launch_loop(Launches);
}
