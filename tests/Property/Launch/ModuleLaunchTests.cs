using System.Runtime.InteropServices;
using System.Text;
using Emulator.Driver;
using Emulator.Driver.Personas;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Launch;

/// <summary>
/// The driver's module and launch layer end to end: PTX text → module → function → launch on a stream → device
/// memory, with results computed independently in C#. Faults, limits and attributes follow NVIDIA's documented rules.
/// </summary>
public sealed unsafe class ModuleLaunchTests : IDisposable
{
    private const string VectorAdd = """
        .version 8.4
        .target sm_80
        .address_size 64

        .visible .entry vadd(
        	.param .u64 vadd_param_0,
        	.param .u64 vadd_param_1,
        	.param .u64 vadd_param_2,
        	.param .u32 vadd_param_3
        )
        {
        	.reg .pred 	%p<2>;
        	.reg .b32 	%r<6>;
        	.reg .f32 	%f<4>;
        	.reg .b64 	%rd<11>;

        	ld.param.u64 	%rd1, [vadd_param_0];
        	ld.param.u64 	%rd2, [vadd_param_1];
        	ld.param.u64 	%rd3, [vadd_param_2];
        	ld.param.u32 	%r2, [vadd_param_3];
        	mov.u32 	%r3, %ctaid.x;
        	mov.u32 	%r4, %ntid.x;
        	mov.u32 	%r5, %tid.x;
        	mad.lo.s32 	%r1, %r3, %r4, %r5;
        	setp.ge.s32 	%p1, %r1, %r2;
        	@%p1 bra 	$L__BB0_2;
        	cvta.to.global.u64 	%rd4, %rd1;
        	mul.wide.s32 	%rd5, %r1, 4;
        	add.s64 	%rd6, %rd4, %rd5;
        	cvta.to.global.u64 	%rd7, %rd2;
        	add.s64 	%rd8, %rd7, %rd5;
        	ld.global.f32 	%f1, [%rd8];
        	ld.global.f32 	%f2, [%rd6];
        	add.f32 	%f3, %f2, %f1;
        	cvta.to.global.u64 	%rd9, %rd3;
        	add.s64 	%rd10, %rd9, %rd5;
        	st.global.f32 	[%rd10], %f3;
        $L__BB0_2:
        	ret;
        }
        """;

    private const string Misc = """
        .version 8.4
        .target sm_80
        .address_size 64

        .global .align 4 .b8 table[16] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0};
        .extern .shared .align 16 .b8 dynamic_smem[];

        .visible .entry read_table(.param .u64 out)
        {
        	.reg .b32 %r<3>;
        	.reg .b64 %rd<7>;
        	ld.param.u64 %rd1, [out];
        	mov.u32 %r1, %tid.x;
        	mov.u64 %rd2, table;
        	cvta.global.u64 %rd2, %rd2;
        	mul.wide.u32 %rd3, %r1, 4;
        	add.s64 %rd4, %rd2, %rd3;
        	ld.u32 %r2, [%rd4];
        	cvta.to.global.u64 %rd5, %rd1;
        	add.s64 %rd6, %rd5, %rd3;
        	st.global.u32 [%rd6], %r2;
        	ret;
        }

        .visible .entry store_to_null_page(.param .u32 value)
        {
        	.reg .b32 %r<2>;
        	.reg .b64 %rd<2>;
        	ld.param.u32 %r1, [value];
        	mov.u64 %rd1, 8;
        	st.global.u32 [%rd1], %r1;
        	ret;
        }

        .visible .entry always_trap()
        {
        	trap;
        	ret;
        }

        .visible .entry touch_dynamic_shared(.param .u32 last_word_offset, .param .u64 out)
        {
        	.reg .b32 %r<4>;
        	.reg .b64 %rd<3>;
        	ld.param.u32 %r1, [last_word_offset];
        	ld.param.u64 %rd1, [out];
        	mov.u32 %r2, dynamic_smem;
        	add.s32 %r2, %r2, %r1;
        	mov.u32 %r3, 12345;
        	st.shared.u32 [%r2], %r3;
        	bar.sync 0;
        	ld.shared.u32 %r3, [%r2];
        	cvta.to.global.u64 %rd2, %rd1;
        	st.global.u32 [%rd2], %r3;
        	ret;
        }
        """;

    private readonly CudaDriver _driver;
    private readonly nint _context;

    public ModuleLaunchTests()
    {
        _driver = new CudaDriver(new DriverOptions { Persona = PersonaCatalog.BuiltIn("h100") });
        _driver.Init(0).ShouldBe(CuResult.Success);
        _driver.CreateContext(0, 0, out _context).ShouldBe(CuResult.Success);
    }

    public void Dispose() => _driver.Dispose();

    private nint Load(string ptx)
    {
        _driver.ModuleLoadData(Encoding.ASCII.GetBytes(ptx), out var module).ShouldBe(CuResult.Success);
        return module;
    }

    private nint Function(nint module, string name)
    {
        _driver.ModuleGetFunction(module, name, out var function).ShouldBe(CuResult.Success);
        return function;
    }

    private ulong Alloc(ulong bytes)
    {
        _driver.MemAlloc(bytes, out var address).ShouldBe(CuResult.Success);
        return address;
    }

    private static byte[] Pack(params object[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var field = value switch
            {
                ulong u64 => BitConverter.GetBytes(u64),
                uint u32 => BitConverter.GetBytes(u32),
                int i32 => BitConverter.GetBytes(i32),
                _ => throw new ArgumentException(value.GetType().Name),
            };
            while (bytes.Count % field.Length != 0) bytes.Add(0);
            bytes.AddRange(field);
        }
        return bytes.ToArray();
    }

    private CuResult Launch(nint function, Dim3 grid, Dim3 block, byte[] parameters, uint shared = 0) =>
        _driver.LaunchKernel(function, grid, block, shared, 0, false, parameters);

    [Fact]
    public void Vector_add_matches_a_plain_loop_for_any_length_and_block_size()
    {
        var function = Function(Load(VectorAdd), "vadd");
        Prop.ForAll(Gen.Choose(1, 3000).ToArbitrary(), Gen.Choose(1, 32).Select(w => w * 32).ToArbitrary(), (n, blockSize) =>
        {
            var random = new Random(n * 7919 + blockSize);
            var a = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 200 - 100)).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 200 - 100)).ToArray();
            var bytes = (ulong)n * 4;
            ulong da = Alloc(bytes), db = Alloc(bytes), dc = Alloc(bytes);
            try
            {
                a.CopyTo(new Span<float>((void*)da, n));
                b.CopyTo(new Span<float>((void*)db, n));
                var grid = (uint)((n + blockSize - 1) / blockSize);
                Launch(function, new Dim3(grid, 1, 1), new Dim3((uint)blockSize, 1, 1), Pack(da, db, dc, n)).ShouldBe(CuResult.Success);
                var c = new Span<float>((void*)dc, n).ToArray();
                for (var i = 0; i < n; i++) c[i].ShouldBe(a[i] + b[i]);
            }
            finally
            {
                _driver.MemFree(da); _driver.MemFree(db); _driver.MemFree(dc);
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Parameters_pack_from_kernelParams_pointers_and_from_an_extra_buffer_alike()
    {
        var function = Function(Load(VectorAdd), "vadd");
        _driver.GetFunction(function, out var f).ShouldBe(CuResult.Success);
        ulong a = Alloc(16), b = Alloc(16), c = Alloc(16);
        new Span<float>((void*)a, 4).Fill(1.5f);
        new Span<float>((void*)b, 4).Fill(2.25f);
        var n = 4;
        void** pointers = stackalloc void*[4] { &a, &b, &c, &n };
        _driver.PackParameters(f, pointers, null, out var fromPointers).ShouldBe(CuResult.Success);
        fromPointers.ShouldBe(Pack(a, b, c, 4));

        var buffer = Pack(a, b, c, 4);
        fixed (byte* data = buffer)
        {
            var size = (ulong)buffer.Length;
            void** extra = stackalloc void*[5] { (void*)1, data, (void*)2, &size, null };
            _driver.PackParameters(f, null, extra, out var fromExtra).ShouldBe(CuResult.Success);
            fromExtra.ShouldBe(buffer);
            _driver.PackParameters(f, pointers, extra, out _).ShouldBe(CuResult.InvalidValue);
        }
        _driver.PackParameters(f, null, null, out _).ShouldBe(CuResult.InvalidValue);
        Launch(function, new Dim3(1, 1, 1), new Dim3(4, 1, 1), fromPointers).ShouldBe(CuResult.Success);
        new Span<float>((void*)c, 4).ToArray().ShouldAllBe(x => x == 3.75f);
    }

    [Fact]
    public void Module_globals_live_in_device_memory_with_their_PTX_initialisers()
    {
        var module = Load(Misc);
        _driver.ModuleGetGlobal(module, "table", out var address, out var size).ShouldBe(CuResult.Success);
        size.ShouldBe(16UL);
        new Span<int>((void*)address, 4).ToArray().ShouldBe([1, 2, 3, 4]);
        _driver.ModuleGetGlobal(module, "missing", out _, out _).ShouldBe(CuResult.NotFound);

        new Span<int>((void*)address, 4)[2] = 30; // the host writes through, as cuMemcpyHtoD to the symbol would
        var output = Alloc(16);
        Launch(Function(module, "read_table"), new Dim3(1, 1, 1), new Dim3(4, 1, 1), Pack(output)).ShouldBe(CuResult.Success);
        new Span<int>((void*)output, 4).ToArray().ShouldBe([1, 2, 30, 4]);
    }

    [Fact]
    public void An_out_of_bounds_store_is_an_illegal_address_that_stays_sticky_on_the_context()
    {
        var module = Load(Misc);
        Launch(Function(module, "store_to_null_page"), new Dim3(1, 1, 1), new Dim3(1, 1, 1), Pack(7u)).ShouldBe(CuResult.IllegalAddress);
        var output = Alloc(16);
        Launch(Function(module, "read_table"), new Dim3(1, 1, 1), new Dim3(4, 1, 1), Pack(output)).ShouldBe(CuResult.IllegalAddress);
        _driver.SynchronizeContext().ShouldBe(CuResult.IllegalAddress);
    }

    [Fact]
    public void A_trap_fails_the_launch()
    {
        Launch(Function(Load(Misc), "always_trap"), new Dim3(2, 1, 1), new Dim3(32, 1, 1), []).ShouldBe(CuResult.LaunchFailed);
    }

    [Fact]
    public void Launch_limits_come_from_the_persona_and_do_not_poison_the_context()
    {
        var module = Load(Misc);
        var touch = Function(module, "touch_dynamic_shared");
        var output = Alloc(4);
        Launch(touch, new Dim3(1, 1, 1), new Dim3(1025, 1, 1), Pack(0u, output), 64).ShouldBe(CuResult.InvalidValue);
        Launch(touch, new Dim3(1, 1, 1), new Dim3(1, 1, 65), Pack(0u, output), 64).ShouldBe(CuResult.InvalidValue);
        Launch(touch, new Dim3(0, 1, 1), new Dim3(1, 1, 1), Pack(0u, output), 64).ShouldBe(CuResult.InvalidValue);
        Launch(touch, new Dim3(1, 65536, 1), new Dim3(1, 1, 1), Pack(0u, output), 64).ShouldBe(CuResult.InvalidValue);

        // Above 48 KiB of dynamic shared memory a kernel must opt in, and never beyond the device's opt-in limit.
        const uint big = 100 * 1024;
        Launch(touch, new Dim3(1, 1, 1), new Dim3(32, 1, 1), Pack(big - 4, output), big).ShouldBe(CuResult.InvalidValue);
        var optin = PersonaCatalog.BuiltIn("h100")[DeviceAttribute.MaxSharedMemoryPerBlockOptin];
        _driver.FuncSetAttribute(touch, 8, optin + 1).ShouldBe(CuResult.InvalidValue);
        _driver.FuncSetAttribute(touch, 8, (int)big).ShouldBe(CuResult.Success);
        _driver.FuncGetAttribute(8, touch, out var granted).ShouldBe(CuResult.Success);
        granted.ShouldBe((int)big);
        Launch(touch, new Dim3(1, 1, 1), new Dim3(32, 1, 1), Pack(big - 4, output), big).ShouldBe(CuResult.Success);
        (*(uint*)output).ShouldBe(12345u);
        _driver.SynchronizeContext().ShouldBe(CuResult.Success);
    }

    [Fact]
    public void Function_attributes_describe_the_kernel()
    {
        var function = Function(Load(VectorAdd), "vadd");
        _driver.FuncGetAttribute(0, function, out var maxThreads).ShouldBe(CuResult.Success);
        maxThreads.ShouldBe(1024);
        _driver.FuncGetAttribute(5, function, out var ptx).ShouldBe(CuResult.Success);
        ptx.ShouldBe(80); // the .target of the PTX that was loaded
        _driver.FuncGetAttribute(6, function, out var binary).ShouldBe(CuResult.Success);
        binary.ShouldBe(90); // "compiled" for the H100 it runs on
        _driver.FuncGetAttribute(1, function, out var shared).ShouldBe(CuResult.Success);
        shared.ShouldBe(0);
        _driver.FuncGetAttribute(99, function, out _).ShouldBe(CuResult.InvalidValue);
        _driver.FuncSetAttribute(function, 0, 1).ShouldBe(CuResult.InvalidValue); // read-only
        _driver.FuncSetCacheConfig(function, 4).ShouldBe(CuResult.InvalidValue);
        _driver.FuncSetCacheConfig(function, 1).ShouldBe(CuResult.Success);
    }

    [Fact]
    public void Occupancy_matches_the_hand_computed_H100_limits()
    {
        var function = Function(Load(VectorAdd), "vadd");
        _driver.GetFunction(function, out var f).ShouldBe(CuResult.Success);
        f.RegistersPerThread.ShouldBe(32); // %r<6> + %f<4> + 2 × %rd<11>
        // 256 threads = 8 warps; threads: 2048/256 = 8 blocks; registers: 32×32 = 1024 per warp → 64 warps → 8 blocks;
        // shared: (0 + 1 KiB reserved) per block → 228; block limit 32. The minimum is 8.
        _driver.OccupancyMaxActiveBlocksPerMultiprocessor(function, 256, 0, 0, out var blocks).ShouldBe(CuResult.Success);
        blocks.ShouldBe(8);
        // 48 KiB dynamic shared each: (48 KiB + 1 KiB) per block → floor(233 472 / 50 176) = 4 blocks.
        _driver.OccupancyMaxActiveBlocksPerMultiprocessor(function, 256, 48 * 1024, 0, out blocks).ShouldBe(CuResult.Success);
        blocks.ShouldBe(4);
        _driver.OccupancyMaxActiveBlocksPerMultiprocessor(function, 256, 0, 2, out _).ShouldBe(CuResult.InvalidValue);
        _driver.OccupancyMaxPotentialBlockSize(function, null, 0, 0, out var minGrid, out var blockSize).ShouldBe(CuResult.Success);
        blockSize.ShouldBe(1024); // 2 blocks of 1024 fill the SM; ties go to the larger block
        minGrid.ShouldBe(2 * 132);
    }

    [Fact]
    public void Bad_images_get_the_documented_errors()
    {
        _driver.ModuleLoadData(Encoding.ASCII.GetBytes(".version 8.4\n.target sm_80\n.address_size 64\n.visible .entry k() { frobnicate.u32 %r1; }"), out _)
            .ShouldBe(CuResult.InvalidPtx);
        _driver.ModuleLoadData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, out _).ShouldBe(CuResult.InvalidImage);
        var elf = new byte[64];
        "\u007fELF"u8.CopyTo(elf);
        elf[4] = 2; // ELFCLASS64
        _driver.ModuleLoadData(elf, out _).ShouldBe(CuResult.NoBinaryForGpu);
        _driver.ModuleLoadData(Encoding.ASCII.GetBytes(VectorAdd.Replace("sm_80", "sm_100")), out _).ShouldBe(CuResult.InvalidPtx);
        _driver.ModuleLoad("/nonexistent/kernel.ptx", out _).ShouldBe(CuResult.FileNotFound);
    }

    [Fact]
    public void Unloading_a_module_retires_its_functions_and_frees_its_globals()
    {
        var module = Load(Misc);
        var function = Function(module, "read_table");
        _driver.ModuleGetGlobal(module, "table", out var table, out _).ShouldBe(CuResult.Success);
        _driver.ModuleGetFunction(module, "no_such_kernel", out _).ShouldBe(CuResult.NotFound);
        _driver.ModuleUnload(module).ShouldBe(CuResult.Success);
        _driver.ModuleUnload(module).ShouldBe(CuResult.InvalidHandle);
        _driver.FuncGetAttribute(0, function, out _).ShouldBe(CuResult.InvalidHandle);
        _driver.MemGetAddressRange(table, out _, out _).ShouldNotBe(CuResult.Success);
    }

    [Fact]
    public void Library_kernels_resolve_to_functions_in_the_current_context()
    {
        _driver.LibraryLoadData(Encoding.ASCII.GetBytes(Misc), out var library).ShouldBe(CuResult.Success);
        _driver.LibraryGetKernel(library, "read_table", out var kernel).ShouldBe(CuResult.Success);
        _driver.LibraryGetKernel(library, "absent", out _).ShouldBe(CuResult.NotFound);
        _driver.KernelGetFunction(kernel, out var function).ShouldBe(CuResult.Success);
        _driver.LibraryGetModule(library, out var module).ShouldBe(CuResult.Success);
        function.Module.Handle.ShouldBe(module);

        var output = Alloc(16);
        // A CUkernel is accepted wherever a CUfunction is, resolved in the current context.
        Launch(kernel, new Dim3(1, 1, 1), new Dim3(4, 1, 1), Pack(output)).ShouldBe(CuResult.Success);
        new Span<int>((void*)output, 4).ToArray().ShouldBe([1, 2, 3, 4]);
        _driver.LibraryUnload(library).ShouldBe(CuResult.Success);
        _driver.KernelGetFunction(kernel, out _).ShouldBe(CuResult.InvalidHandle);
    }

    [Fact]
    public void Launches_advance_the_virtual_clock_deterministically()
    {
        static long Run()
        {
            using var driver = new CudaDriver(new DriverOptions { Persona = PersonaCatalog.BuiltIn("h100") });
            driver.Init(0);
            driver.CreateContext(0, 0, out _);
            driver.ModuleLoadData(Encoding.ASCII.GetBytes(VectorAdd), out var module);
            driver.ModuleGetFunction(module, "vadd", out var function);
            driver.MemAlloc(4096, out var buffer);
            var before = driver.Devices[0].Clock.Now;
            driver.LaunchKernel(function, new Dim3(4, 1, 1), new Dim3(256, 1, 1), 0, 0, false, Pack(buffer, buffer, buffer, 1024))
                .ShouldBe(CuResult.Success);
            return driver.Devices[0].Clock.Now - before;
        }
        var first = Run();
        first.ShouldBeGreaterThan(0);
        Run().ShouldBe(first);
    }

    [Fact]
    public void Launch_log_names_each_launch_with_its_thread_instructions_only_when_asked()
    {
        foreach (var asked in new[] { true, false })
        {
            var lines = new List<string>();
            using var driver = new CudaDriver(new DriverOptions { Persona = PersonaCatalog.BuiltIn("h100"), LogLaunches = asked, Log = lines.Add });
            driver.Init(0).ShouldBe(CuResult.Success);
            driver.CreateContext(0, 0, out _).ShouldBe(CuResult.Success);
            driver.ModuleLoadData(Encoding.ASCII.GetBytes(VectorAdd), out var module).ShouldBe(CuResult.Success);
            driver.ModuleGetFunction(module, "vadd", out var function).ShouldBe(CuResult.Success);
            driver.MemAlloc(3 * 64 * 4, out var buffer).ShouldBe(CuResult.Success);
            driver.LaunchKernel(function, new Dim3(2, 1, 1), new Dim3(32, 1, 1), 0, 0, false,
                Pack(buffer, buffer + 256, buffer + 512, 64)).ShouldBe(CuResult.Success);
            // Every one of the 64 threads is in range and runs the whole body: 10 instructions up to the branch,
            // 11 of the addition and the ret (counted by hand from the PTX above).
            if (asked) lines.ShouldBe(["launch grid (2,1,1) block (32,1,1): vadd: ok, 1408 thread-instructions"]);
            else lines.ShouldBeEmpty();
        }
    }
}
