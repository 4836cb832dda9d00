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
