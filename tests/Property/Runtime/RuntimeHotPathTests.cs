using Emulator.Driver;
using Emulator.Driver.Personas;
using Emulator.Driver.Runtime;
using Emulator.Driver.Runtime.Graphs;

namespace Emulator.Tests.Property.Runtime;

/// <summary>
/// The calls ggml makes around every op answer from per-kernel and per-thread state instead of locks and name
/// look-ups (a launch reuses the driver function resolved before, cudaSetDevice of the current device changes
/// nothing, "is it capturing?" needs no lock while nothing captures). These tests prove that the shortcuts give
/// the answers the full path gives whenever what they remember has changed underneath.
/// </summary>
public sealed unsafe class RuntimeHotPathTests : IDisposable
{
    private readonly CudaDriver _driver =
        new(new DriverOptions { Persona = PersonaCatalog.BuiltIn("h100"), DeviceCount = 2 });
    private readonly CudaRuntime _runtime;

    public RuntimeHotPathTests() => _runtime = new CudaRuntime(_driver);

    public void Dispose() => _driver.Dispose();

    /// <summary><c>__global__ void kernel(unsigned* p) { p[threadIdx.x] = threadIdx.x + add; }</c>, add a parameter.</summary>
    private const string StoreKernel =
        ".visible .entry _Z5storePjj(.param .u64 p, .param .u32 add)\n{\n  .reg .b32 %r<4>; .reg .b64 %rd<4>;\n"
        + "  ld.param.u64 %rd1, [p]; ld.param.u32 %r2, [add]; mov.u32 %r1, %tid.x; add.u32 %r3, %r1, %r2;\n"
        + "  mul.wide.u32 %rd2, %r1, 4; add.s64 %rd3, %rd1, %rd2;\n"
        + "  st.global.u32 [%rd3], %r3;\n  ret;\n}\n";

    private const nint Stub = 0x7100_1000;

    private nint RegisterStoreKernel(SyntheticFatbin fatbin)
    {
        var handle = _runtime.RegisterFatBinary(fatbin.Wrapper);
        _runtime.RegisterFunction(handle, Stub, "_Z5storePjj");
        _runtime.RegisterFatBinaryEnd(handle);
        return handle;
    }

    /// <summary>Launches the store kernel (32 threads) into fresh memory of the current device and reads it back.</summary>
    private uint[] LaunchStore(nint stubOrKernel, uint add, ulong sharedBytes = 0, nint stream = 0)
    {
        _runtime.Malloc(out var output, 4 * 32).ShouldBe(CudaError.Success);
        var pointer = output;
        var arguments = stackalloc nint[] { (nint)(&pointer), (nint)(&add) };
        _runtime.LaunchKernel(stubOrKernel, new Dim3(1, 1, 1), new Dim3(32, 1, 1), (nint)arguments, sharedBytes, stream)
            .ShouldBe(CudaError.Success);
        var written = new uint[32];
        fixed (uint* w = written)
            _runtime.Memcpy((ulong)w, output, 4 * 32, MemcpyKind.DeviceToHost).ShouldBe(CudaError.Success);
        _runtime.Free(output).ShouldBe(CudaError.Success);
        return written;
    }

    private static uint[] Expected(uint add) => Enumerable.Range(0, 32).Select(i => (uint)i + add).ToArray();

    [Fact]
    public void A_launch_after_cudaFuncSetAttribute_runs_with_the_new_limit_not_the_remembered_function()
    {
        using var fatbin = new SyntheticFatbin(StoreKernel, 80);
        RegisterStoreKernel(fatbin);
        LaunchStore(Stub, 1).ShouldBe(Expected(1)); // resolves and remembers the driver function

        // 60 000 bytes exceed the 48 KiB default; the driver checks the function's own limit too.
        var pointer = 0UL;
        var add = 0u;
        var arguments = stackalloc nint[] { (nint)(&pointer), (nint)(&add) };
        _runtime.LaunchKernel(Stub, new Dim3(1, 1, 1), new Dim3(32, 1, 1), (nint)arguments, 60_000, 0).ShouldBe(CudaError.InvalidValue);
        _runtime.GetLastError().ShouldBe(CudaError.InvalidValue);

        _runtime.FuncSetAttribute(Stub, (int)FunctionAttribute.MaxDynamicSharedMemorySize, 64 * 1024).ShouldBe(CudaError.Success);
        // Had the launch kept the function resolved before the change, the driver would refuse 60 000 bytes.
        LaunchStore(Stub, 2, sharedBytes: 60_000).ShouldBe(Expected(2));
        _runtime.FuncGetAttributes(out var attributes, Stub).ShouldBe(CudaError.Success);
        attributes.MaxDynamicSharedSizeBytes.ShouldBe(64 * 1024);
    }

    [Fact]
    public void A_kernel_launched_on_two_devices_in_turn_runs_on_each_devices_own_module()
    {
        using var fatbin = new SyntheticFatbin(StoreKernel, 80);
        RegisterStoreKernel(fatbin);
        _runtime.GetKernel(out var kernel, Stub).ShouldBe(CudaError.Success);
        for (uint round = 0; round < 3; round++)
        {
            for (var device = 0; device < 2; device++)
            {
                _runtime.SetDevice(device).ShouldBe(CudaError.Success);
                LaunchStore(round % 2 == 0 ? Stub : kernel, round * 10 + (uint)device).ShouldBe(Expected(round * 10 + (uint)device));
            }
        }
        // Each device's context holds one module of the fatbin, whichever handle launched it.
        _driver.GetCurrentContext(out var onDevice1).ShouldBe(CuResult.Success);
        onDevice1.Device.Ordinal.ShouldBe(1);
    }

    [Fact]
    public void After_a_device_reset_and_after_unregistering_launches_see_the_change()
    {
        using var fatbin = new SyntheticFatbin(StoreKernel, 80);
        var handle = RegisterStoreKernel(fatbin);
        _runtime.GetKernel(out var kernel, Stub).ShouldBe(CudaError.Success);
        LaunchStore(kernel, 5).ShouldBe(Expected(5));

        _runtime.DeviceReset().ShouldBe(CudaError.Success); // unloads the module the launch remembered
        LaunchStore(kernel, 6).ShouldBe(Expected(6));

        _runtime.UnregisterFatBinary(handle);
        _runtime.LaunchKernel(Stub, new Dim3(1, 1, 1), new Dim3(32, 1, 1), 0, 0, 0).ShouldBe(CudaError.InvalidDeviceFunction);
        _runtime.LaunchKernel(kernel, new Dim3(1, 1, 1), new Dim3(32, 1, 1), 0, 0, 0).ShouldBe(CudaError.InvalidDeviceFunction);
    }

    [Fact]
    public void A_launch_while_its_stream_captures_is_recorded_and_one_after_the_capture_runs_at_once()
    {
        using var fatbin = new SyntheticFatbin(StoreKernel, 80);
        RegisterStoreKernel(fatbin);
        _runtime.StreamCreate(out var stream, 0x1, 0).ShouldBe(CudaError.Success);
        _runtime.StreamIsCapturing(stream, out var status).ShouldBe(CudaError.Success);
        status.ShouldBe(CaptureStatus.None);
        LaunchStore(Stub, 1, stream: stream).ShouldBe(Expected(1));

        _runtime.Malloc(out var output, 4 * 32).ShouldBe(CudaError.Success);
        _runtime.Memset(output, 0, 4 * 32).ShouldBe(CudaError.Success);
        var pointer = output;
        var add = 7u;
        var arguments = stackalloc nint[] { (nint)(&pointer), (nint)(&add) };
        _runtime.StreamBeginCapture(stream, CaptureMode.Relaxed).ShouldBe(CudaError.Success);
        _runtime.StreamIsCapturing(stream, out status).ShouldBe(CudaError.Success);
        status.ShouldBe(CaptureStatus.Active);
        _runtime.LaunchKernel(Stub, new Dim3(1, 1, 1), new Dim3(32, 1, 1), (nint)arguments, 0, stream).ShouldBe(CudaError.Success);
        var written = new uint[32];
        fixed (uint* w = written)
        {
            _runtime.Memcpy((ulong)w, output, 4 * 32, MemcpyKind.DeviceToHost).ShouldBe(CudaError.Success);
            written.ShouldAllBe(value => value == 0u, "a captured launch does not run");
            _runtime.StreamEndCapture(stream, out var graph).ShouldBe(CudaError.Success);
            _runtime.GraphInstantiate(out var exec, graph, 0).ShouldBe(CudaError.Success);
            _runtime.GraphLaunch(exec, stream).ShouldBe(CudaError.Success);
            _runtime.Memcpy((ulong)w, output, 4 * 32, MemcpyKind.DeviceToHost).ShouldBe(CudaError.Success);
            written.ShouldBe(Expected(7));
        }
        _runtime.StreamIsCapturing(stream, out status).ShouldBe(CudaError.Success);
        status.ShouldBe(CaptureStatus.None);
        LaunchStore(Stub, 9, stream: stream).ShouldBe(Expected(9));
        _runtime.StreamIsCapturing(0x0dead0, out _).ShouldBe(CudaError.InvalidResourceHandle);
    }

    [Fact]
    public void cudaSetDevice_of_the_current_device_restores_its_primary_context_when_another_is_current()
    {
        _runtime.SetDevice(0).ShouldBe(CudaError.Success);
        _driver.GetCurrentContext(out var primary).ShouldBe(CuResult.Success);
        primary.IsPrimary.ShouldBeTrue();
        _runtime.SetDevice(0).ShouldBe(CudaError.Success);
        _driver.GetCurrentContext(out var same).ShouldBe(CuResult.Success);
        same.ShouldBeSameAs(primary);

        // A context made current through the driver API: cudaSetDevice(0) binds the primary context again.
        _driver.CreateContext(0, 0, out var created).ShouldBe(CuResult.Success);
        _driver.GetCurrentContext(out var other).ShouldBe(CuResult.Success);
        other.IsPrimary.ShouldBeFalse();
        _runtime.SetDevice(0).ShouldBe(CudaError.Success);
        _driver.GetCurrentContext(out var again).ShouldBe(CuResult.Success);
        again.ShouldBeSameAs(primary);
        _driver.DestroyContext(created).ShouldBe(CuResult.Success);

        // After cudaDeviceReset the runtime no longer holds the primary context: cudaSetDevice retains it anew.
        _runtime.DeviceReset().ShouldBe(CudaError.Success);
        _runtime.SetDevice(0).ShouldBe(CudaError.Success);
        _driver.GetCurrentContext(out var afterReset).ShouldBe(CuResult.Success);
        afterReset.IsPrimary.ShouldBeTrue();
        _runtime.Malloc(out var memory, 64).ShouldBe(CudaError.Success);
        _runtime.Free(memory).ShouldBe(CudaError.Success);
        _runtime.SetDevice(2).ShouldBe(CudaError.InvalidDevice);
        _runtime.GetLastError().ShouldBe(CudaError.InvalidDevice);
        _runtime.GetDevice(out var device).ShouldBe(CudaError.Success);
        device.ShouldBe(0);
    }
}
