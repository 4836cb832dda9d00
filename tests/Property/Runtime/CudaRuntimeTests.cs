using System.Runtime.InteropServices;
using Emulator.Driver;
using Emulator.Driver.Personas;
using Emulator.Driver.Runtime;
using Emulator.Driver.Runtime.Graphs;

namespace Emulator.Tests.Property.Runtime;

/// <summary>The runtime model over a private driver (H100 persona), driven the way ggml drives libcudart.</summary>
public sealed unsafe class CudaRuntimeTests : IDisposable
{
    private const nint PerThread = 0x2;
    private readonly CudaDriver _driver;
    private readonly CudaRuntime _runtime;

    public CudaRuntimeTests() : this(1) { }

    private CudaRuntimeTests(int devices)
    {
        _driver = new CudaDriver(new DriverOptions { Persona = PersonaCatalog.BuiltIn("h100"), DeviceCount = devices });
        _runtime = new CudaRuntime(_driver);
    }

    public void Dispose() => _driver.Dispose();

    private static Persona H100 => PersonaCatalog.BuiltIn("h100");

    [Fact]
    public void DiscoveryAnswersWhatGgmlReads()
    {
        _runtime.GetDeviceCount(out var count).ShouldBe(CudaError.Success);
        count.ShouldBe(1);
        var prop = new CudaDeviceProp13();
        _runtime.GetDeviceProperties(ref prop, 0).ShouldBe(CudaError.Success);
        new string((sbyte*)prop.name).ShouldBe(H100.Name);
        ((ulong)prop.totalGlobalMem).ShouldBe((ulong)H100.TotalMemoryBytes);
        prop.multiProcessorCount.ShouldBe(H100[DeviceAttribute.MultiprocessorCount]);
        (prop.major, prop.minor).ShouldBe((9, 0));
        prop.warpSize.ShouldBe(32);
        ((ulong)prop.sharedMemPerBlockOptin).ShouldBe((ulong)H100[DeviceAttribute.MaxSharedMemoryPerBlockOptin]);
        prop.integrated.ShouldBe(0);
        new ReadOnlySpan<byte>(prop.uuid, 16).ToArray().ShouldBe(_driver.Devices[0].Uuid.ToArray());

        _runtime.DeviceGetAttribute(out var cooperative, RuntimeDeviceAttributes.CooperativeLaunch, 0).ShouldBe(CudaError.Success);
        cooperative.ShouldBe(H100[DeviceAttribute.CooperativeLaunch]);
        _runtime.DeviceGetAttribute(out _, 102, 0).ShouldBe(CudaError.InvalidValue); // driver-only (VMM)
        _runtime.DeviceGetAttribute(out _, 16, 3).ShouldBe(CudaError.InvalidDevice);
        _runtime.DeviceGetPciBusId(out var bus, 64, 0).ShouldBe(CudaError.Success);
        bus.ShouldBe(_driver.Devices[0].PciBusIdString);
        _runtime.MemGetInfo(out var free, out var total).ShouldBe(CudaError.Success);
        total.ShouldBe((ulong)H100.TotalMemoryBytes);
        free.ShouldBeLessThanOrEqualTo(total);
    }

    [Fact]
    public void TheCuda12AndCuda11LayoutsCarryTheSameDevice()
    {
        var v12 = new CudaDeviceProp12();
        var v11 = new CudaDeviceProp11();
        _runtime.GetDeviceProperties(ref v12, 0).ShouldBe(CudaError.Success);
        _runtime.GetDeviceProperties(ref v11, 0).ShouldBe(CudaError.Success);
        v12.multiProcessorCount.ShouldBe(132);
        v11.multiProcessorCount.ShouldBe(132);
        v12.clockRate.ShouldBe(H100[DeviceAttribute.ClockRate]);
        _runtime.GetDeviceProperties(ref v12, 1).ShouldBe(CudaError.InvalidDevice);
    }

    [Fact]
    public void FailedCallsBecomeTheThreadsLastError()
    {
        _runtime.SetDevice(7).ShouldBe(CudaError.InvalidDevice);
        _runtime.SetDevice(0).ShouldBe(CudaError.Success);
        _runtime.PeekAtLastError().ShouldBe(CudaError.InvalidDevice);
        _runtime.GetLastError().ShouldBe(CudaError.InvalidDevice);
        _runtime.GetLastError().ShouldBe(CudaError.Success);
        _runtime.GetDevice(out var device).ShouldBe(CudaError.Success);
        device.ShouldBe(0);
    }

    [Fact]
    public void MemoryRoundTripsThroughThePerThreadStream()
    {
        const int size = 1 << 20;
        _runtime.Malloc(out var device, size).ShouldBe(CudaError.Success);
        _runtime.MemGetInfo(out var free, out var total);
        (total - free).ShouldBeGreaterThanOrEqualTo((ulong)size);
        _runtime.MemsetAsync(device, 0x1A7, size, PerThread).ShouldBe(CudaError.Success);
        var host = new byte[size];
        fixed (byte* h = host)
        {
            _runtime.MemcpyAsync((ulong)h, device + 16, 64, MemcpyKind.DeviceToHost, PerThread).ShouldBe(CudaError.Success);
            _runtime.StreamSynchronize(PerThread).ShouldBe(CudaError.Success);
            host.AsSpan(0, 64).ToArray().ShouldAllBe(b => b == 0xA7);
            host[64].ShouldBe((byte)0);

            // 2D: rows of 8 bytes out of a 32-byte pitch, gathered into a packed host buffer.
            var rows = new byte[4 * 8];
            fixed (byte* r = rows)
            {
                for (var i = 0; i < 4 * 32; i++) h[i] = (byte)i;
                _runtime.Memcpy((ulong)device, (ulong)h, 4 * 32, MemcpyKind.HostToDevice).ShouldBe(CudaError.Success);
                _runtime.Memcpy2D((ulong)r, 8, device, 32, 8, 4, MemcpyKind.DeviceToHost).ShouldBe(CudaError.Success);
                _runtime.Memcpy2D((ulong)r, 8, device, 32, 16, 4, MemcpyKind.DeviceToHost).ShouldBe(CudaError.InvalidPitchValue);
            }
            rows.ShouldBe(Enumerable.Range(0, 4).SelectMany(row => Enumerable.Range(row * 32, 8).Select(i => (byte)i)).ToArray());
        }
        _runtime.MemcpyAsync(device, device, 1, (MemcpyKind)9, PerThread).ShouldBe(CudaError.InvalidMemcpyDirection);
        _runtime.Free(device + 8).ShouldBe(CudaError.InvalidValue);
        _runtime.Free(device).ShouldBe(CudaError.Success);
        _runtime.Free(0).ShouldBe(CudaError.Success);
    }

    [Fact]
    public void PinnedAndManagedMemoryAreUsableAsDevicePointers()
    {
        _runtime.MallocHost(out var pinned, 4096).ShouldBe(CudaError.Success);
        _runtime.HostGetDevicePointer(out var mapped, pinned, 0).ShouldBe(CudaError.Success);
        mapped.ShouldBe(pinned);
        _runtime.HostGetDevicePointer(out _, pinned, 1).ShouldBe(CudaError.InvalidValue);
        _runtime.MallocManaged(out var managed, 4096, 1).ShouldBe(CudaError.Success);
        _runtime.MallocManaged(out _, 0, 1).ShouldBe(CudaError.InvalidValue);
        _runtime.Memset(managed, 5, 4096).ShouldBe(CudaError.Success);
        ((byte*)managed)[4095].ShouldBe((byte)5);
        _runtime.Memcpy(pinned, managed, 4096, MemcpyKind.Default).ShouldBe(CudaError.Success);
        ((byte*)pinned)[100].ShouldBe((byte)5);
        _runtime.FreeHost(pinned).ShouldBe(CudaError.Success);
        _runtime.Free(managed).ShouldBe(CudaError.Success);
    }

    [Fact]
    public void CapturedCopiesReplayOnEveryGraphLaunch()
    {
        _runtime.StreamCreate(out var stream, 0x1, 0).ShouldBe(CudaError.Success);
        _runtime.Malloc(out var device, 256).ShouldBe(CudaError.Success);
        var host = new byte[256];
        var hostCalls = new List<int>();
        fixed (byte* h = host)
        {
            _runtime.StreamBeginCapture(stream, CaptureMode.Relaxed).ShouldBe(CudaError.Success);
            _runtime.StreamIsCapturing(stream, out var status).ShouldBe(CudaError.Success);
            status.ShouldBe(CaptureStatus.Active);
            _runtime.StreamGetCaptureInfo(stream, out status, out var captureId).ShouldBe(CudaError.Success);
            (status, captureId).ShouldBe((CaptureStatus.Active, 1UL));
            _runtime.MemsetAsync(device, 7, 256, stream).ShouldBe(CudaError.Success);
            _runtime.MemcpyAsync((ulong)h, device, 256, MemcpyKind.DeviceToHost, stream).ShouldBe(CudaError.Success);
            _runtime.LaunchHostFunc(stream, () => hostCalls.Add(hostCalls.Count)).ShouldBe(CudaError.Success);
            host[0].ShouldBe((byte)0); // captured, not run
            hostCalls.ShouldBeEmpty();
            _runtime.StreamEndCapture(stream, out var graph).ShouldBe(CudaError.Success);
            _runtime.GraphGetNodeCount(graph, out var nodes).ShouldBe(CudaError.Success);
            nodes.ShouldBe(3);

            _runtime.GraphInstantiate(out var exec, graph, 0).ShouldBe(CudaError.Success);
            _runtime.GraphLaunch(exec, stream).ShouldBe(CudaError.Success);
            host.ShouldAllBe(b => b == 7);
            Array.Clear(host);
            _runtime.GraphLaunch(exec, PerThread).ShouldBe(CudaError.Success);
            host.ShouldAllBe(b => b == 7);
            hostCalls.ShouldBe([0, 1]);

            _runtime.GraphExecUpdate(exec, graph, out var update).ShouldBe(CudaError.Success);
            update.ShouldBe(GraphExecUpdateResult.Success);
            _runtime.GraphExecDestroy(exec).ShouldBe(CudaError.Success);
            _runtime.GraphLaunch(exec, stream).ShouldBe(CudaError.InvalidValue);
            _runtime.GraphDestroy(graph).ShouldBe(CudaError.Success);
        }
        _runtime.StreamDestroy(stream).ShouldBe(CudaError.Success);
    }

    [Fact]
    public void AllocatingDuringAGlobalCaptureInvalidatesIt()
    {
        _runtime.StreamCreate(out var stream, 0x1, 0);
        _runtime.StreamBeginCapture(stream, CaptureMode.Global).ShouldBe(CudaError.Success);
        _runtime.Malloc(out _, 64).ShouldBe(CudaError.StreamCaptureUnsupported);
        _runtime.StreamEndCapture(stream, out var graph).ShouldBe(CudaError.StreamCaptureInvalidated);
        graph.ShouldBe(0);
        _runtime.GetLastError().ShouldBe(CudaError.StreamCaptureInvalidated);
        _runtime.StreamBeginCapture(0, CaptureMode.Global).ShouldBe(CudaError.StreamCaptureUnsupported);
    }

    [Fact]
    public void RegistrationIndexesKernelsAndLaunchChecksComeBeforeExecution()
    {
        using var fatbin = new SyntheticFatbin(StoreThreadIndexKernel, 75, 80, 90, 120);
        var handle = _runtime.RegisterFatBinary(fatbin.Wrapper);
        var stub = (nint)0x7000_1000;
        _runtime.RegisterFunction(handle, stub, "_Z6kernelPf");
        _runtime.RegisterFatBinaryEnd(handle);
        _runtime.Registry.FatbinCount.ShouldBe(1);
        _runtime.Registry.FunctionCount.ShouldBe(1);

        _runtime.GetKernel(out var kernel, stub).ShouldBe(CudaError.Success);
        _runtime.GetKernel(out var again, stub).ShouldBe(CudaError.Success);
        again.ShouldBe(kernel);
        _runtime.GetKernel(out _, 0x1234).ShouldBe(CudaError.InvalidDeviceFunction);

        _runtime.FuncGetAttributes(out var attributes, stub).ShouldBe(CudaError.Success);
        attributes.PtxVersion.ShouldBe(90); // highest compute_XX ≤ 9.0: not 120
        attributes.BinaryVersion.ShouldBe(90);
        attributes.MaxDynamicSharedSizeBytes.ShouldBe(48 * 1024);
        _runtime.FuncSetAttribute(kernel, (int)FunctionAttribute.MaxDynamicSharedMemorySize, 100_000).ShouldBe(CudaError.Success);
        _runtime.FuncSetAttribute(stub, (int)FunctionAttribute.MaxDynamicSharedMemorySize, 1 << 20).ShouldBe(CudaError.InvalidValue);
        _runtime.FuncGetAttributes(out attributes, kernel).ShouldBe(CudaError.Success);
        attributes.MaxDynamicSharedSizeBytes.ShouldBe(100_000);

        _runtime.OccupancyMaxActiveBlocksPerMultiprocessor(out var blocks, stub, 256, 0, 0).ShouldBe(CudaError.Success);
        blocks.ShouldBe(8);

        _runtime.PopCallConfiguration(out _).ShouldBe(CudaError.MissingConfiguration);
        _runtime.PushCallConfiguration(new Dim3(4, 1, 1), new Dim3(128, 1, 1), 0, 0);
        _runtime.PopCallConfiguration(out var configuration).ShouldBe(CudaError.Success);
        configuration.Block.ShouldBe(new Dim3(128, 1, 1));

        _runtime.LaunchKernel(stub, new Dim3(1, 1, 1), new Dim3(2048, 1, 1), 0, 0, 0).ShouldBe(CudaError.InvalidConfiguration);
        _runtime.LaunchKernel(stub, new Dim3(0, 1, 1), new Dim3(32, 1, 1), 0, 0, 0).ShouldBe(CudaError.InvalidConfiguration);
        _runtime.LaunchKernel(kernel, new Dim3(1, 1, 1), new Dim3(32, 1, 1), 0, 200_000, 0).ShouldBe(CudaError.InvalidValue);
        _runtime.LaunchKernelEx(stub, new Dim3(1, 1, 1), new Dim3(32, 1, 1), 0, 0, 0, [new LaunchAttribute(99, 1)])
            .ShouldBe(CudaError.InvalidValue);
        // The engine has no grid-wide synchronisation, so no built-in persona offers cooperative launches.
        _runtime.LaunchCooperativeKernel(stub, new Dim3(1, 1, 1), new Dim3(32, 1, 1), 0, 0, 0)
            .ShouldBe(CudaError.NotSupported);
        // Every runtime check passed: the kernel runs on the driver, its argument packed by the PTX layout.
        _runtime.Malloc(out var output, 4 * 32).ShouldBe(CudaError.Success);
        var argument = output;
        var arguments = stackalloc nint[] { (nint)(&argument) };
        _runtime.LaunchKernelEx(stub, new Dim3(1, 1, 1), new Dim3(32, 1, 1), (nint)arguments, 0, PerThread,
            [new LaunchAttribute(CudaRuntime.LaunchAttributeIds.ProgrammaticStreamSerialization, 1)]).ShouldBe(CudaError.Success);
        var written = new uint[32];
        fixed (uint* w = written)
            _runtime.Memcpy((ulong)w, output, 4 * 32, MemcpyKind.DeviceToHost).ShouldBe(CudaError.Success);
        written.ShouldBe(Enumerable.Range(0, 32).Select(i => (uint)i).ToArray());
        _runtime.Free(output).ShouldBe(CudaError.Success);

        _runtime.UnregisterFatBinary(handle);
        _runtime.Registry.FatbinCount.ShouldBe(0);
        _runtime.FuncGetAttributes(out _, stub).ShouldBe(CudaError.InvalidDeviceFunction);
        _runtime.FuncGetAttributes(out _, kernel).ShouldBe(CudaError.InvalidDeviceFunction);
    }

    /// <summary><c>__global__ void kernel(unsigned* p) { p[threadIdx.x] = threadIdx.x; }</c></summary>
    private const string StoreThreadIndexKernel =
        ".visible .entry _Z6kernelPf(.param .u64 p)\n{\n  .reg .b32 %r<2>; .reg .b64 %rd<4>;\n"
        + "  ld.param.u64 %rd1, [p]; mov.u32 %r1, %tid.x; mul.wide.u32 %rd2, %r1, 4; add.s64 %rd3, %rd1, %rd2;\n"
        + "  st.global.u32 [%rd3], %r1;\n  ret;\n}\n";

    /// <summary><c>__device__ unsigned counter = 40; __global__ void count() { atomicAdd(&counter, 1); }</c></summary>
    private const string CountingKernel =
        ".global .align 4 .u32 counter = 40;\n"
        + ".visible .entry _Z5countv()\n{\n  .reg .b32 %r<2>;\n  atom.global.add.u32 %r1, [counter], 1;\n  ret;\n}\n";

    [Fact]
    public void AFatbinIsLoadedOncePerContextAndAgainAfterADeviceReset()
    {
        using var fatbin = new SyntheticFatbin(CountingKernel, 80);
        var handle = _runtime.RegisterFatBinary(fatbin.Wrapper);
        nint stub = 0x7000_3000, shadow = 0x7000_4000;
        _runtime.RegisterFunction(handle, stub, "_Z5countv");
        _runtime.RegisterVariable(handle, shadow, "counter", 4, isConstant: false, isExtern: false);
        _runtime.RegisterFatBinaryEnd(handle);

        uint ReadCounter()
        {
            uint value;
            _runtime.MemcpyFromSymbol((ulong)&value, shadow, 4, 0, MemcpyKind.DeviceToHost, 0, synchronous: true).ShouldBe(CudaError.Success);
            return value;
        }

        _runtime.GetSymbolAddress(shadow, out var address, out var size).ShouldBe(CudaError.Success);
        size.ShouldBe(4UL);
        for (var launch = 0; launch < 3; launch++)
            _runtime.LaunchKernel(stub, new Dim3(2, 1, 1), new Dim3(32, 1, 1), 0, 0, 0).ShouldBe(CudaError.Success);
        // Launches and symbol look-ups share one module: its initialiser plus 3 launches of 64 threads.
        ReadCounter().ShouldBe(40u + 3 * 64);
        _runtime.GetSymbolAddress(shadow, out var again, out _).ShouldBe(CudaError.Success);
        again.ShouldBe(address);
        _runtime.MemcpyToSymbol(shadow, (ulong)&size, 8, 0, MemcpyKind.HostToDevice, 0, synchronous: true).ShouldBe(CudaError.InvalidValue);
        _runtime.GetSymbolAddress(0x7000_5000, out _, out _).ShouldBe(CudaError.InvalidSymbol);

        // A device reset releases the context's modules; the next use loads a fresh one with the initialiser.
        _runtime.DeviceReset().ShouldBe(CudaError.Success);
        ReadCounter().ShouldBe(40u);
        _runtime.LaunchKernel(stub, new Dim3(1, 1, 1), new Dim3(1, 1, 1), 0, 0, 0).ShouldBe(CudaError.Success);
        ReadCounter().ShouldBe(41u);

        _runtime.UnregisterFatBinary(handle);
        _runtime.GetSymbolAddress(shadow, out _, out _).ShouldBe(CudaError.InvalidSymbol);
    }

    [Fact]
    public void AKernelWithoutPtxForTheDeviceHasNoImage()
    {
        using var fatbin = new SyntheticFatbin(100, 120);
        var handle = _runtime.RegisterFatBinary(fatbin.Wrapper);
        _runtime.RegisterFunction(handle, 0x7000_2000, "_Z9blackwellv");
        _runtime.FuncGetAttributes(out _, 0x7000_2000).ShouldBe(CudaError.NoKernelImageForDevice);
    }

    [Fact]
    public void PeerAccessFollowsTheDocumentedErrors()
    {
        using var driver = new CudaDriver(new DriverOptions { Persona = H100, DeviceCount = 2 });
        var runtime = new CudaRuntime(driver);
        runtime.DeviceCanAccessPeer(out var can, 0, 1).ShouldBe(CudaError.Success);
        can.ShouldBe(1);
        runtime.DeviceCanAccessPeer(out can, 1, 1).ShouldBe(CudaError.Success);
        can.ShouldBe(0);
        runtime.DeviceCanAccessPeer(out _, 0, 2).ShouldBe(CudaError.InvalidDevice);
        runtime.DeviceEnablePeerAccess(0, 0).ShouldBe(CudaError.InvalidDevice);
        runtime.DeviceEnablePeerAccess(1, 1).ShouldBe(CudaError.InvalidValue);
        runtime.DeviceDisablePeerAccess(1).ShouldBe(CudaError.PeerAccessNotEnabled);
        runtime.DeviceEnablePeerAccess(1, 0).ShouldBe(CudaError.Success);
        runtime.DeviceEnablePeerAccess(1, 0).ShouldBe(CudaError.PeerAccessAlreadyEnabled);

        runtime.SetDevice(1).ShouldBe(CudaError.Success);
        runtime.Malloc(out var onOne, 64).ShouldBe(CudaError.Success);
        runtime.SetDevice(0).ShouldBe(CudaError.Success);
        runtime.Malloc(out var onZero, 64).ShouldBe(CudaError.Success);
        runtime.Memset(onZero, 9, 64).ShouldBe(CudaError.Success);
        runtime.MemcpyPeerAsync(onOne, 1, onZero, 0, 64, PerThread).ShouldBe(CudaError.Success);
        ((byte*)onOne)[63].ShouldBe((byte)9);
        runtime.DeviceDisablePeerAccess(1).ShouldBe(CudaError.Success);
    }

    [Fact]
    public void AKernelFaultIsStickyUntilDeviceReset()
    {
        _runtime.MemGetInfo(out var freeAtStart, out _).ShouldBe(CudaError.Success);
        _runtime.Malloc(out var before, 64).ShouldBe(CudaError.Success);
        // A stream operation that faults, as a kernel reading out of bounds does: the driver makes it sticky.
        _driver.ResolveStream(0, false, out var legacy).ShouldBe(CuResult.Success);
        _driver.Enqueue(legacy, 0, () => CuResult.IllegalAddress).ShouldBe(CuResult.IllegalAddress);

        _runtime.GetLastError().ShouldBe(CudaError.IllegalAddress);
        _runtime.GetLastError().ShouldBe(CudaError.IllegalAddress); // sticky: cannot be reset
        _runtime.DeviceSynchronize().ShouldBe(CudaError.IllegalAddress);
        _runtime.MemsetAsync(before, 0, 64, PerThread).ShouldBe(CudaError.IllegalAddress);

        _runtime.DeviceReset().ShouldBe(CudaError.Success);
        _runtime.GetLastError().ShouldBe(CudaError.IllegalAddress); // the last error recorded by the memset above
        _runtime.GetLastError().ShouldBe(CudaError.Success);
        _runtime.DeviceSynchronize().ShouldBe(CudaError.Success);
        _runtime.MemGetInfo(out var freeAfterReset, out _).ShouldBe(CudaError.Success);
        freeAfterReset.ShouldBe(freeAtStart); // the reset freed everything of the old context
    }

    [Fact]
    public void ContextSettingsGoThroughThePrimaryContext()
    {
        const int stackSize = 0, mallocHeapSize = 2;
        _runtime.DeviceSetLimit(mallocHeapSize, 64 << 20).ShouldBe(CudaError.Success);
        _runtime.DeviceGetLimit(out var heap, mallocHeapSize).ShouldBe(CudaError.Success);
        heap.ShouldBe(64UL << 20);
        _runtime.DeviceGetLimit(out var stack, stackSize).ShouldBe(CudaError.Success);
        stack.ShouldBeGreaterThan(0UL);
        _runtime.DeviceGetLimit(out _, 99).ShouldBe(CudaError.InvalidValue);
        _runtime.DeviceGetStreamPriorityRange(out var least, out var greatest).ShouldBe(CudaError.Success);
        least.ShouldBe(0);
        greatest.ShouldBe(H100.GreatestStreamPriority);
        _runtime.StreamCreate(out var stream, 0x1, greatest).ShouldBe(CudaError.Success);
        _runtime.StreamGetPriority(stream, out var priority).ShouldBe(CudaError.Success);
        priority.ShouldBe(greatest);
        _runtime.StreamGetId(PerThread, out var id).ShouldBe(CudaError.Success);
        id.ShouldBe(2UL);
        _runtime.DeviceSetCacheConfig(7).ShouldBe(CudaError.InvalidValue);

        _runtime.Malloc(out var device, 4 * 64).ShouldBe(CudaError.Success);
        _runtime.Memset(device, 0, 4 * 64);
        _runtime.Memset2D(device, 64, 0xEE, 16, 4).ShouldBe(CudaError.Success);
        ((byte*)device)[64 + 15].ShouldBe((byte)0xEE);
        ((byte*)device)[64 + 16].ShouldBe((byte)0);
        _runtime.Memset2D(device, 8, 1, 16, 4).ShouldBe(CudaError.InvalidPitchValue);

        _runtime.GraphCreate(out var graph, 0).ShouldBe(CudaError.Success);
        _runtime.GraphInstantiate(out var exec, graph, 0).ShouldBe(CudaError.Success);
        _runtime.GraphUpload(exec, stream).ShouldBe(CudaError.Success);
        _runtime.GraphUpload(exec + 1, stream).ShouldBe(CudaError.InvalidValue);
        _runtime.GraphInstantiate(out _, graph, 4 /* device launch */).ShouldBe(CudaError.NotSupported);
    }

    [Fact]
    public void EventsAndStreamsAreTheDriversObjects()
    {
        _runtime.StreamCreate(out var stream, 0, 0).ShouldBe(CudaError.Success);
        _runtime.EventCreate(out var start, 0).ShouldBe(CudaError.Success);
        _runtime.EventCreate(out var end, 0).ShouldBe(CudaError.Success);
        _runtime.EventRecord(start, stream, 0).ShouldBe(CudaError.Success);
        _runtime.Malloc(out var device, 1 << 20);
        _runtime.MemsetAsync(device, 1, 1 << 20, stream).ShouldBe(CudaError.Success);
        _runtime.EventRecord(end, stream, 0).ShouldBe(CudaError.Success);
        _runtime.EventSynchronize(end).ShouldBe(CudaError.Success);
        _runtime.EventElapsedTime(out var ms, start, end).ShouldBe(CudaError.Success);
        ms.ShouldBeGreaterThan(0f); // the virtual clock advanced by the fill's modelled cost
        _driver.ResolveStream(stream, false, out _).ShouldBe(CuResult.Success); // a cudaStream_t is a CUstream
        _runtime.StreamDestroy(stream).ShouldBe(CudaError.Success);
        _runtime.StreamDestroy(stream).ShouldBe(CudaError.InvalidResourceHandle);
        _runtime.StreamDestroy(0).ShouldBe(CudaError.InvalidResourceHandle);
    }
}
