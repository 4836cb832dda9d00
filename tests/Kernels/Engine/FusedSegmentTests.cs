using System.Runtime.Intrinsics.X86;
using Emulator.Kernels.Engine;
using Emulator.Kernels.Engine.Compiled;
using Emulator.Kernels.Ptx;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>
/// Fused segments of the compiled tier (straight-line code run lane by lane with registers in locals): each kernel is
/// checked against hand-computed values, and — like every harness launch — against the reference tier bit for bit,
/// including where a segment gives up (a faulting lane) and the one-by-one path must produce the interpreter's fault.
/// </summary>
public class FusedSegmentTests
{
    static readonly string Source = PtxHarness.CaseFile("fused_segments.ptx");

    static int FusedInstructions(string kernel)
    {
        var module = PtxLowering.ParseAndLower(Source);
        return KernelCompiler.Compile(PtxEngine.Prepare(module, module.FindKernel(kernel)!)).FusedInstructions;
    }

    [Fact]
    public void Every_lane_form_of_a_segment_computes_the_documented_values()
    {
        FusedInstructions("fused_mix").ShouldBeGreaterThan(30, "the kernel's straight-line code must actually run fused");
        using var harness = new PtxHarness(Source);
        const int threads = 64;
        var a = Enumerable.Range(0, threads).Select(i => (uint)(i * 11 + 5)).ToArray();
        var b = Enumerable.Range(0, threads).Select(i => (uint)(0x0003_0000 + i * 13)).ToArray();
        ulong aAddress = harness.Memory.Upload(a), bAddress = harness.Memory.Upload(b);
        ulong output = harness.Memory.Allocate(threads * 32);
        var result = harness.Launch("fused_mix", new LaunchExtent(1), new LaunchExtent(threads), output, aAddress, bAddress);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, threads * 8);
        for (uint t = 0; t < threads; t++)
        {
            bool even = t % 2 == 0;
            uint loaded = (even ? a[t] : b[t]) + (t < 20 ? 1000u : 0);
            uint neighbour = (t ^ 1) * 3 + 1;
            uint flags = (neighbour > 10 && even ? 1u : 0) + (neighbour <= 10 && even ? 2u : 0);
            var row = o.AsSpan((int)t * 8, 8).ToArray();
            row.ShouldBe(
            [
                loaded, neighbour, flags, (t & 0xffff) | (neighbour << 16),
                (loaded & 0xffff) + (loaded >> 16), loaded, a[t / 2 * 2], a[t / 2 * 2 + 1],
            ], $"thread {t}");
        }
    }

    [Fact]
    public void A_faulting_store_in_a_segment_leaves_exactly_the_earlier_lanes_stores()
    {
        FusedInstructions("fused_store_fault").ShouldBeGreaterThan(5);
        using var harness = new PtxHarness(Source);
        ulong output = harness.Memory.Allocate(32 * 4);
        var result = harness.Launch("fused_store_fault", new LaunchExtent(1), new LaunchExtent(32), output, 5u);
        result.Status.ShouldBe(LaunchStatus.IllegalAddress);
        result.FaultThread.ShouldBe(new LaunchExtent(5, 0, 0));
        var o = harness.Memory.Download<uint>(output, 32);
        for (uint t = 0; t < 32; t++) o[t].ShouldBe(t < 5 ? t + 7 : 0u, $"thread {t}");

        var clean = harness.Launch("fused_store_fault", new LaunchExtent(1), new LaunchExtent(32), output, 99u);
        clean.Status.ShouldBe(LaunchStatus.Success, clean.ToString());
        harness.Memory.Download<uint>(output, 32).ShouldBe(Enumerable.Range(0, 32).Select(t => (uint)t + 7).ToArray());
    }

    [Fact]
    public void A_faulting_load_in_a_segment_reports_the_interpreters_lane_and_stores_nothing()
    {
        FusedInstructions("fused_load_fault").ShouldBeGreaterThan(5);
        using var harness = new PtxHarness(Source);
        var input = Enumerable.Range(0, 32).Select(i => (uint)(i * 3)).ToArray();
        ulong inAddress = harness.Memory.Upload(input);
        ulong output = harness.Memory.Allocate(32 * 4);
        var result = harness.Launch("fused_load_fault", new LaunchExtent(1), new LaunchExtent(32), output, inAddress, 9u);
        result.Status.ShouldBe(LaunchStatus.IllegalAddress);
        result.FaultThread.ShouldBe(new LaunchExtent(9, 0, 0));
        harness.Memory.Download<uint>(output, 32).ShouldAllBe(v => v == 0u);

        var clean = harness.Launch("fused_load_fault", new LaunchExtent(1), new LaunchExtent(32), output, inAddress, 99u);
        clean.Status.ShouldBe(LaunchStatus.Success, clean.ToString());
        harness.Memory.Download<uint>(output, 32).ShouldBe(input.Select(v => v * 2 + 1).ToArray());
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(13u)]
    [InlineData(31u)]
    public void A_vector_segment_gives_up_at_a_faulting_lane_in_any_group_of_four(uint bad)
    {
        // Every step of this kernel's segment has a four-lane form, so a full warp takes the vector path first; a
        // lane outside memory in the first, a middle or the last group must end as the interpreter's fault.
        var module = PtxLowering.ParseAndLower(Source);
        var compiled = KernelCompiler.Compile(PtxEngine.Prepare(module, module.FindKernel("fused_load_fault")!));
        // (Vector forms need AVX2; without it the same launch checks the lane-by-lane path.)
        if (Avx2.IsSupported) compiled.VectorInstructions.ShouldBeGreaterThan(10);
        using var harness = new PtxHarness(Source);
        var input = Enumerable.Range(0, 32).Select(i => (uint)(i * 5 + 1)).ToArray();
        ulong inAddress = harness.Memory.Upload(input);
        ulong output = harness.Memory.Allocate(32 * 4);
        var result = harness.Launch("fused_load_fault", new LaunchExtent(1), new LaunchExtent(32), output, inAddress, bad);
        result.Status.ShouldBe(LaunchStatus.IllegalAddress);
        result.FaultThread.ShouldBe(new LaunchExtent(bad, 0, 0));
        harness.Memory.Download<uint>(output, 32).ShouldAllBe(v => v == 0u);
    }

    [Theory]
    [InlineData("strided_loads", 0)]
    [InlineData("strided_loads", 16)]
    [InlineData("strided_loads_long", 0)]
    [InlineData("strided_loads_long", 16)]
    public void Loads_eight_bytes_apart_or_at_one_address_read_every_width_and_sign(string kernel, int shift)
    {
        // Lanes eight bytes apart are read as one 32-byte load per four lanes — except where those 32 bytes would
        // cross a 4 KiB page (shift 16 puts some groups across one) — and lanes at one address as one read. The long
        // kernel's run is split into several vector parts.
        var source = PtxHarness.CaseFile("vector_loads.ptx");
        var module = PtxLowering.ParseAndLower(source);
        var compiled = KernelCompiler.Compile(PtxEngine.Prepare(module, module.FindKernel(kernel)!));
        if (Avx2.IsSupported) compiled.VectorInstructions.ShouldBeGreaterThan(kernel == "strided_loads" ? 30 : 90);
        using var harness = new PtxHarness(source);
        const int threads = 1024;
        var data = new byte[threads * 8 + 64];
        new Random(20261122).NextBytes(data);
        ulong input = harness.Memory.Upload(data);
        (input % 32).ShouldBe(0UL, "the page-crossing case assumes 32-byte aligned allocations");
        ulong output = harness.Memory.Allocate(threads * 8);
        var result = harness.Launch(kernel, new LaunchExtent(threads / 256), new LaunchExtent(256), output, input, (ulong)shift);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<ulong>(output, threads);
        ulong[][] multipliers = kernel == "strided_loads"
            ? [[3, 5, 7, 11, 13, 17, 19, 23]]
            : [[3, 5, 7, 11, 13, 17, 19, 23], [29, 31, 37, 41, 43, 47, 53, 59], [61, 67, 71, 73, 79, 83, 89, 97]];
        for (int t = 0; t < threads; t++)
        {
            int p = shift + 8 * t;
            ulong expected = 0;
            foreach (var m in multipliers)
            {
                ulong mix = unchecked(data[p + 1]
                    + (ulong)(long)(sbyte)data[p + 3] * m[0]
                    + BitConverter.ToUInt16(data, p + 2) * m[1]
                    + (ulong)(long)BitConverter.ToInt16(data, p + 6) * m[2]
                    + BitConverter.ToUInt32(data, p) * m[3]
                    + (ulong)(long)BitConverter.ToInt32(data, p + 4) * m[4]
                    + BitConverter.ToUInt64(data, p) * m[5]
                    + (ulong)(long)BitConverter.ToInt16(data, shift + 2) * m[6]
                    + BitConverter.ToUInt32(data, shift + 4) * m[7]);
                expected = multipliers.Length == 1 ? mix : unchecked(expected * 31 + mix);
            }
            o[t].ShouldBe(expected, $"thread {t}");
        }
    }

    [Fact]
    public void A_register_read_before_its_first_write_starts_at_zero_in_every_block()
    {
        // One worker: one executor runs the blocks in order, so block 1 starts with what block 0 left in the registers.
        using var harness = new PtxHarness(Source) { Workers = 1 };
        ulong output = harness.Memory.Allocate(4 * 32 * 4);
        harness.Launch("read_before_write", new LaunchExtent(4), new LaunchExtent(32), output, 16u).Status.ShouldBe(LaunchStatus.Success);
        var o = harness.Memory.Download<uint>(output, 4 * 32);
        for (int i = 0; i < o.Length; i++) o[i].ShouldBe(i < 32 || i % 32 < 16 ? (uint)(i % 32) + 7 : 0u, $"element {i}");
    }

    [Fact]
    public void Lanes_exchanging_values_through_shared_memory_see_the_interpreters_instruction_order()
    {
        using var harness = new PtxHarness(Source);
        ulong output = harness.Memory.Allocate(32 * 4);
        harness.Launch("neighbour_exchange", new LaunchExtent(1), new LaunchExtent(32), output).Status.ShouldBe(LaunchStatus.Success);
        var o = harness.Memory.Download<uint>(output, 32);
        // Every lane stored before any lane loaded; the last lane reads the never-written slot 32 (shared starts zeroed).
        for (uint t = 0; t < 32; t++) o[t].ShouldBe(t < 31 ? t + 101 : 0u, $"thread {t}");
    }

    [Fact]
    public void Stores_in_one_segment_land_in_the_interpreters_instruction_order()
    {
        FusedInstructions("store_order").ShouldBeGreaterThan(5);
        using var harness = new PtxHarness(Source);
        ulong output = harness.Memory.Allocate(32 * 4);
        harness.Launch("store_order", new LaunchExtent(1), new LaunchExtent(32), output).Status.ShouldBe(LaunchStatus.Success);
        var o = harness.Memory.Download<uint>(output, 32);
        for (uint t = 0; t < 32; t++) o[t].ShouldBe(t == 0 ? 0u : t - 1 + 100, $"slot {t}");
    }

    [Fact]
    public void Shuffles_with_constant_registers_follow_the_isa_lane_rule()
    {
        using var harness = new PtxHarness(Source);
        ulong output = harness.Memory.Allocate(32 * 12);
        harness.Launch("constant_shuffles", new LaunchExtent(1), new LaunchExtent(32), output).Status.ShouldBe(LaunchStatus.Success);
        var o = harness.Memory.Download<uint>(output, 32 * 3);
        for (uint t = 0; t < 32; t++)
        {
            o[t * 3].ShouldBe((t ^ 8) * 3, $"bfly, lane {t}");
            o[t * 3 + 1].ShouldBe(t + 3 <= 31 ? (t + 3) * 3 : t * 3, $"down, lane {t}");
            o[t * 3 + 2].ShouldBe(t + 3 <= 31 ? 1u : 0u, $"down's predicate, lane {t}");
        }
    }
}
