using Emulator.Driver;
using Emulator.Driver.Blas;
using Emulator.Driver.Personas;
using Emulator.Driver.Runtime;
using Emulator.Driver.Runtime.Graphs;

namespace Emulator.Tests.Property.Blas;

/// <summary>
/// cuBLAS calls on a capturing stream are recorded into the graph, as NVIDIA's cuBLAS kernels are, and run when the
/// graph is launched (ggml captures its whole compute graph, GEMMs included, with cudaStreamBeginCapture). Before
/// this, the GEMM ran at capture time on not-yet-computed inputs and was missing from the replay: test-llama-archs'
/// tensor-split ("Meta") configuration on CUDA0 got logits with NMSE 0.66 against the CPU.
/// </summary>
public sealed unsafe class BlasCaptureTests : IDisposable
{
    private readonly CudaDriver _driver;
    private readonly CudaRuntime _runtime;
    private readonly BlasLibrary _blas;

    public BlasCaptureTests()
    {
        _driver = new CudaDriver(new DriverOptions { Persona = PersonaCatalog.BuiltIn("h100") });
        _runtime = new CudaRuntime(_driver);
        _blas = new BlasLibrary(_driver) { Runtime = _runtime };
    }

    public void Dispose() => _driver.Dispose();

    private ulong Upload(float[] values)
    {
        _runtime.Malloc(out var address, (ulong)(values.Length * sizeof(float))).ShouldBe(CudaError.Success);
        fixed (float* source = values)
            _runtime.Memcpy(address, (ulong)source, (ulong)(values.Length * sizeof(float)), MemcpyKind.HostToDevice).ShouldBe(CudaError.Success);
        return address;
    }

    private float[] Download(ulong address, int count)
    {
        var values = new float[count];
        fixed (float* target = values)
            _runtime.Memcpy((ulong)target, address, (ulong)(count * sizeof(float)), MemcpyKind.DeviceToHost).ShouldBe(CudaError.Success);
        return values;
    }

    [Fact]
    public void A_gemm_on_a_capturing_stream_runs_when_the_graph_is_launched_and_reads_its_inputs_then()
    {
        // Column-major 2×2: C = A·B with A = [1 3; 2 4], B = [5 7; 6 8] (columns listed), by hand:
        // C = [1·5+3·6  1·7+3·8; 2·5+4·6  2·7+4·8] = [23 31; 34 46].
        var a = Upload([1, 2, 3, 4]);
        var b = Upload([5, 6, 7, 8]);
        var c = Upload([0, 0, 0, 0]);
        _runtime.StreamCreate(out var stream, 0x1, 0).ShouldBe(CudaError.Success);
        _driver.GetCurrentContext(out var context).ShouldBe(CuResult.Success);
        _blas.Create(context, out var handle).ShouldBe(CublasStatus.Success);
        _blas.SetStream(handle, stream).ShouldBe(CublasStatus.Success);

        float alpha = 1, beta = 0;
        _runtime.StreamBeginCapture(stream, CaptureMode.Relaxed).ShouldBe(CudaError.Success);
        _blas.Sgemm(handle, 0, 0, 2, 2, 2, &alpha, (float*)a, 2, (float*)b, 2, &beta, (float*)c, 2).ShouldBe(CublasStatus.Success);
        alpha = 100; // host-mode scalars are read at the call, not at the launch
        _runtime.StreamEndCapture(stream, out var graph).ShouldBe(CudaError.Success);
        Download(c, 4).ShouldBe([0f, 0f, 0f, 0f]); // captured, not run
        _runtime.GraphGetNodeCount(graph, out var nodes).ShouldBe(CudaError.Success);
        nodes.ShouldBe(1);

        _runtime.GraphInstantiate(out var exec, graph, 0).ShouldBe(CudaError.Success);
        _runtime.GraphLaunch(exec, stream).ShouldBe(CudaError.Success);
        Download(c, 4).ShouldBe([23f, 34f, 31f, 46f]);

        // A replay reads the operands as they are at the launch: A = identity gives C = B.
        fixed (float* identity = new float[] { 1, 0, 0, 1 })
            _runtime.Memcpy(a, (ulong)identity, 16, MemcpyKind.HostToDevice).ShouldBe(CudaError.Success);
        _runtime.GraphLaunch(exec, stream).ShouldBe(CudaError.Success);
        Download(c, 4).ShouldBe([5f, 6f, 7f, 8f]);

        // Outside a capture the same call still runs at once.
        alpha = 2;
        _blas.Sgemm(handle, 0, 0, 2, 2, 2, &alpha, (float*)a, 2, (float*)b, 2, &beta, (float*)c, 2).ShouldBe(CublasStatus.Success);
        Download(c, 4).ShouldBe([10f, 12f, 14f, 16f]);
    }
}
