using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>
/// The order in which a block's warps run: in turns, each until it waits at a barrier, exits or takes a backward
/// branch. Race-free code gives the same result under any order; these kernels are the ones where the order shows,
/// and check the documented rule (both tiers, as every harness launch compares them bit for bit).
/// </summary>
public class WarpSchedulingTests
{
    static readonly string Source = PtxHarness.CaseFile("warp_turns.ptx");

    [Theory]
    [InlineData(2u)]
    [InlineData(5u)]
    public void A_tile_is_read_by_every_warp_before_the_next_round_overwrites_it(uint rounds)
    {
        using var harness = new PtxHarness(Source);
        ulong output = harness.Memory.Allocate((int)rounds * 64 * 4);
        var result = harness.Launch("tile_reuse", new LaunchExtent(1), new LaunchExtent(64), output, rounds);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, (int)rounds * 64);
        for (uint round = 0; round < rounds; round++)
            for (uint tid = 0; tid < 64; tid++)
                o[round * 64 + tid].ShouldBe(round * 100 + (tid + 32) % 64, $"round {round}, thread {tid}");
    }

    [Fact]
    public void A_warp_polling_shared_memory_sees_the_flag_another_warp_raises_without_a_barrier()
    {
        using var harness = new PtxHarness(Source) { InstructionBudget = 1_000_000 };
        const uint work = 40;
        ulong output = harness.Memory.Allocate(64 * 4);
        var result = harness.Launch("spin_flag", new LaunchExtent(1), new LaunchExtent(64), output, work);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, 64);
        for (int tid = 0; tid < 64; tid++) o[tid].ShouldBe(tid < 32 ? work * 3 + 1 : 7u, $"thread {tid}");
    }
}
