using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>State spaces, generic addressing, atomics order, cp.async, device printf and faults.</summary>
public class MemoryAndFaultTests
{
    [Fact]
    public void Local_generic_global_symbol_shared_atomic_and_cp_async()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("memory_and_faults.ptx"));
        const int threads = 32;
        var source = Enumerable.Range(0, threads * 4).Select(i => (uint)(i * 7 + 3)).ToArray();
        ulong output = harness.Memory.Allocate(threads * 32);
        ulong src = harness.Memory.Upload(source);
        var result = harness.Launch("memory_spaces", new LaunchExtent(1), new LaunchExtent(threads), output, src);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, threads * 8);
        for (int t = 0; t < threads; t++)
        {
            o[t * 8 + 0].ShouldBe((uint)(t + t + 100), $"local round trip, thread {t}");
            o[t * 8 + 1].ShouldBe((uint)(t % 4 + 1), "lookup_table[t % 4]");
            o[t * 8 + 2].ShouldBe((uint)(1000 + t), "atom.shared.add returns the old value in lane order");
            o[t * 8 + 3].ShouldBe((uint)(1000 + threads));
            o[t * 8 + 4].ShouldBe(source[t * 4] + source[t * 4 + 3], "cp.async staged words 0 and 3");
            o[t * 8 + 5].ShouldBe(source[t * 4 + 1]);
        }
    }

    [Fact]
    public void Vprintf_formats_like_the_device_and_trap_fails_the_launch()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("memory_and_faults.ptx"));
        var ok = harness.Launch("print_and_trap", new LaunchExtent(1), new LaunchExtent(3), 3);
        ok.Status.ShouldBe(LaunchStatus.Success, ok.ToString());
        harness.Printed.ShouldBe(["thread 0 value 0.000000 hex 3\n", "thread 1 value 1.000000 hex 3\n", "thread 2 value 2.000000 hex 3\n"]);

        harness.Printed.Clear();
        var trapped = harness.Launch("print_and_trap", new LaunchExtent(1), new LaunchExtent(4), 2);
        trapped.Status.ShouldBe(LaunchStatus.LaunchFailed);
        trapped.FaultThread.ShouldBe(new LaunchExtent(2, 0, 0));
        trapped.Message.ShouldContain("trap");
        harness.Printed.Count.ShouldBe(4); // every thread printed before the trap
    }

    [Fact]
    public void Misaligned_and_out_of_range_accesses_fault_without_touching_memory()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("memory_and_faults.ptx"));
        ulong buffer = harness.Memory.Allocate(64);
        var misaligned = harness.Launch("misaligned", new LaunchExtent(1), new LaunchExtent(1), buffer);
        misaligned.Status.ShouldBe(LaunchStatus.MisalignedAddress);
        misaligned.FaultLine.ShouldBeGreaterThan(0);

        var shared = harness.Launch("shared_out_of_range", new LaunchExtent(2), new LaunchExtent(1));
        shared.Status.ShouldBe(LaunchStatus.IllegalAddress);
        shared.FaultBlock.ShouldBe(new LaunchExtent(0, 0, 0));

        // The kernel reads [p + 2]: 0xffe + 2 is aligned but belongs to no allocation.
        var unmapped = harness.Launch("misaligned", new LaunchExtent(1), new LaunchExtent(1), 0xffeUL);
        unmapped.Status.ShouldBe(LaunchStatus.IllegalAddress);
    }

    [Fact]
    public void Launches_are_deterministic_and_count_thread_instructions()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("vector_add.ptx"));
        ulong a = harness.Memory.Allocate(400), b = harness.Memory.Allocate(400), c = harness.Memory.Allocate(400);
        var first = harness.Launch("vector_add", new LaunchExtent(2), new LaunchExtent(64), a, b, c, 100);
        var second = harness.Launch("vector_add", new LaunchExtent(2), new LaunchExtent(64), a, b, c, 100);
        first.ThreadInstructions.ShouldBe(second.ThreadInstructions);
        // 128 threads run the 10 instructions up to and including the bounds-check branch; the 100 in range
        // run the 11 of the body; all 128 execute ret.
        first.ThreadInstructions.ShouldBe(128 * 10 + 100 * 11 + 128);
    }

    [Fact]
    public void An_endless_kernel_stops_at_the_instruction_budget()
    {
        const string spin = """
            .version 8.4
            .target sm_80
            .address_size 64
            .visible .entry spin()
            {
            	.reg .pred %p1;
            	.reg .b32 %r1;
            	mov.u32 %r1, 0;
            $L__again:
            	add.s32 %r1, %r1, 1;
            	setp.ne.s32 %p1, %r1, -5;
            	@%p1 bra $L__again;
            	ret;
            }
            """;
        using var harness = new PtxHarness(spin) { InstructionBudget = 1_000_000 };
        var result = harness.Launch("spin", new LaunchExtent(1), new LaunchExtent(64));
        result.Status.ShouldBe(LaunchStatus.LaunchTimeout);
        result.ThreadInstructions.ShouldBeGreaterThan(1_000_000);
        result.ThreadInstructions.ShouldBeLessThan(1_000_100);
    }

    [Fact]
    public void Bad_configurations_are_rejected_before_running()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("vector_add.ptx"));
        harness.Launch("vector_add", new LaunchExtent(1), new LaunchExtent(2048), 0UL, 0UL, 0UL, 0).Status.ShouldBe(LaunchStatus.InvalidConfiguration);
        harness.Launch("vector_add", new LaunchExtent(0), new LaunchExtent(32), 0UL, 0UL, 0UL, 0).Status.ShouldBe(LaunchStatus.InvalidConfiguration);
        harness.LaunchWithShared("vector_add", new LaunchExtent(1), new LaunchExtent(32), int.MaxValue, 0UL, 0UL, 0UL, 0).Status.ShouldBe(LaunchStatus.InvalidConfiguration);
    }
}

public class OrderingFormTests
{
    [Fact]
    public void Ordering_and_cache_qualifiers_behave_as_plain_accesses()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("ordering_forms.ptx"));
        ulong output = harness.Memory.Allocate(64);
        var pair = new byte[12];
        BitConverter.GetBytes(11u).CopyTo(pair, 0);
        BitConverter.GetBytes(31u).CopyTo(pair, 4);
        BitConverter.GetBytes(0x0102_0304u).CopyTo(pair, 8);
        const int threads = 64;
        var result = harness.Launch("ordering_forms", new LaunchExtent(1), new LaunchExtent(threads), output, pair);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, 16);
        o[0].ShouldBe((uint)(threads * (threads - 1) / 2), "red.global.add of every tid");
        o[1].ShouldBe((uint)threads, "atom.add.release.gpu once per thread");
        (o[2], o[3]).ShouldBe((11u, 31u), "st.relaxed.gpu.v2.u32 of the by-value struct's first two words");
        o[4].ShouldBe(42u);
        o[5].ShouldBe(0x0102_0304u);
        o[6].ShouldBe((uint)(2 * threads), "red.shared.add after barrier.sync");
        o[7].ShouldBe(42u);
        (o[8], o[9], o[10], o[11]).ShouldBe((11u, 0u, 31u, 0u));
        o[12].ShouldBe(4u, "ld.global.nc.v4.u8: byte 0 of 0x01020304");
    }
}
