using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine.Differential;

/// <summary>The harness's two runs: each starts from the same bytes at the same addresses, and the caller sees the reference run.</summary>
public class DifferentialHarnessTests
{
    // Every thread adds its tid to a global counter (the old value goes to its slot) and stores the address of
    // its own slot next to it: a second run on unrestored memory would see the first run's counter, and a run
    // at other addresses would store other pointers.
    const string CounterPtx = """
        .version 8.4
        .target sm_80
        .address_size 64
        .visible .entry count_and_point(.param .u64 counter_param, .param .u64 slots_param)
        {
        	.reg .b32 %tid, %old;
        	.reg .b64 %rd<6>;
        	ld.param.u64 %rd1, [counter_param];
        	ld.param.u64 %rd2, [slots_param];
        	mov.u32 %tid, %tid.x;
        	atom.global.add.u32 %old, [%rd1], %tid;
        	mul.wide.u32 %rd3, %tid, 16;
        	add.s64 %rd4, %rd2, %rd3;
        	st.global.u32 [%rd4], %old;
        	st.global.u64 [%rd4+8], %rd4;
        	ret;
        }
        """;

    [Fact]
    public void Both_tiers_start_from_the_initial_bytes_and_the_caller_sees_one_application()
    {
        using var harness = new PtxHarness(CounterPtx);
        ulong counter = harness.Memory.Upload([1000u], "counter");
        ulong slots = harness.Memory.Allocate(64 * 16, "slots");
        var result = harness.Launch("count_and_point", new LaunchExtent(1), new LaunchExtent(64), counter, slots);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());

        harness.Memory.Download<uint>(counter, 1)[0].ShouldBe(1000u + 63 * 64 / 2, "the counter was advanced by one launch, not two");
        var words = harness.Memory.Download<ulong>(slots, 64 * 2);
        uint running = 1000;
        for (uint tid = 0; tid < 64; tid++)
        {
            ((uint)words[2 * tid]).ShouldBe(running, $"thread {tid}'s old counter value (lanes in order)");
            words[2 * tid + 1].ShouldBe(slots + tid * 16, $"thread {tid}'s own slot address");
            running += tid;
        }

        if (!DifferentialSettings.Enabled)
        {
            harness.LastCompiledOutcome.ShouldBeNull();
            return;
        }
        var compiled = harness.LastCompiledOutcome.ShouldNotBeNull();
        compiled.Tier.ShouldBe(EngineTier.Compiled);
        compiled.Result.ThreadInstructions.ShouldBe(result.ThreadInstructions);
        compiled.Memory.Select(s => s.Allocation).ShouldBe(harness.Memory.Allocations);
        for (int i = 0; i < compiled.Memory.Count; i++)
            compiled.Memory[i].Bytes.ShouldBe(harness.Memory.Snapshot()[i].Bytes, $"{compiled.Memory[i].Allocation} after the compiled run");
    }

    [Fact]
    public void A_faulting_launch_leaves_the_reference_runs_printf_output_only()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("memory_and_faults.ptx"));
        var trapped = harness.Launch("print_and_trap", new LaunchExtent(1), new LaunchExtent(4), 2);
        trapped.Status.ShouldBe(LaunchStatus.LaunchFailed);
        harness.Printed.Count.ShouldBe(4, "one run's output, not both tiers'");
    }
}

/// <summary>
/// The harness with a compiled run that is made to go wrong on purpose (it sees a falsified memory): the launch must
/// throw a <see cref="DifferentialMismatchException"/> that says what differs, where and for which kernel.
/// </summary>
public class DifferentialHarnessDetectionTests
{
    /// <summary>Redirects accesses to one allocation into another of the same size.</summary>
    sealed class RedirectedMemory(TestDeviceMemory memory, ulong from, ulong to, int size) : IGlobalMemory
    {
        public bool TryTranslate(ulong address, ulong bytes, bool isWrite, out nint host)
        {
            bool redirected = address >= from && address - from < (ulong)size;
            return memory.TryTranslate(redirected ? address - from + to : address, bytes, isWrite, out host);
        }
    }

    /// <summary>Refuses every write.</summary>
    sealed class ReadOnlyMemory(TestDeviceMemory memory) : IGlobalMemory
    {
        public bool TryTranslate(ulong address, ulong bytes, bool isWrite, out nint host)
        {
            host = 0;
            return !isWrite && memory.TryTranslate(address, bytes, isWrite, out host);
        }
    }

    [Fact]
    public void Stores_that_land_elsewhere_are_reported_with_the_allocation_and_first_byte()
    {
        if (!DifferentialSettings.Enabled) return; // nothing is compared
        using var harness = new PtxHarness(PtxHarness.CaseFile("vector_add.ptx"));
        const int n = 40;
        ulong a = harness.Memory.Upload(Enumerable.Range(1, n).Select(i => (float)i).ToArray(), "a");
        ulong b = harness.Memory.Upload(Enumerable.Repeat(0.5f, n).ToArray(), "b");
        ulong c = harness.Memory.Allocate(n * 4, "c");
        ulong elsewhere = harness.Memory.Allocate(n * 4, "elsewhere");
        harness.CompiledRunMemory = memory => new RedirectedMemory(memory, c, elsewhere, n * 4);

        var mismatch = Should.Throw<DifferentialMismatchException>(() => harness.Launch("vector_add", new LaunchExtent(1), new LaunchExtent(64), a, b, c, n));
        mismatch.Message.ShouldContain("kernel 'vector_add'");
        mismatch.Message.ShouldContain("grid (1,1,1) block (64,1,1)");
        // c[0] = 1.5f = 0x3fc00000, c[1] = 2.5f = 0x40200000 in the reference; the compiled run left c zero and wrote 'elsewhere'.
        mismatch.Message.ShouldContain($"allocation #2 'c' at 0x{c:x} (160 bytes): ");
        mismatch.Message.ShouldContain("first at byte 2: reference 0xc0, compiled 0x00");
        mismatch.Message.ShouldContain("word at byte 0: reference 0x402000003fc00000, compiled 0x0000000000000000");
        mismatch.Message.ShouldContain("allocation #3 'elsewhere'");
    }

    [Fact]
    public void A_fault_on_one_side_only_is_a_status_mismatch()
    {
        if (!DifferentialSettings.Enabled) return;
        using var harness = new PtxHarness(PtxHarness.CaseFile("vector_add.ptx"));
        ulong a = harness.Memory.Allocate(128, "a"), b = harness.Memory.Allocate(128, "b"), c = harness.Memory.Allocate(128, "c");
        harness.CompiledRunMemory = memory => new ReadOnlyMemory(memory);

        var mismatch = Should.Throw<DifferentialMismatchException>(() => harness.Launch("vector_add", new LaunchExtent(1), new LaunchExtent(32), a, b, c, 32));
        mismatch.Message.ShouldContain("status: reference Success, compiled IllegalAddress");
        mismatch.Message.ShouldContain("PTX line 37"); // the st.global.f32 of vector_add.ptx
    }

    [Fact]
    public void An_instruction_case_mismatch_names_the_instruction_thread_and_operands()
    {
        if (!DifferentialSettings.Enabled) return;
        using var prepared = new InstructionCase.Prepared("add.s32 %d, %a, %b;", "s32", "s32", 4);
        ulong elsewhere = prepared.Harness.Memory.Allocate(4 * 8, "elsewhere");
        prepared.Harness.CompiledRunMemory = memory => new RedirectedMemory(memory, prepared.Output, elsewhere, 4 * 8);

        var mismatch = Should.Throw<DifferentialMismatchException>(() => prepared.Run([(5, 7, 0), (0, 0, 9)]));
        mismatch.Message.ShouldContain("[add.s32 %d, %a, %b; (d .s32, a/b .s32, c .s32)]");
        mismatch.Message.ShouldContain("'output (d per thread)'");
        mismatch.Message.ShouldContain("first at byte 0 (thread 0: a=0x5, b=0x7, c=0x0): reference 0x0c, compiled 0x00");
    }
}
