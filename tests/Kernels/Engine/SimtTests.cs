using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>Warp semantics: shuffles at warp and segment edges, votes, redux, divergence and barriers.</summary>
public class SimtTests
{
    // The ISA's shfl pseudo-code, written out independently: c = clamp | (segment mask << 8).
    static (uint Value, bool InRange) Shuffle(string mode, int lane, int b, int c, Func<int, uint> value)
    {
        int clamp = c & 0x1f, segmentMask = (c >> 8) & 0x1f;
        int maxLane = (lane & segmentMask) | (clamp & ~segmentMask);
        int minLane = lane & segmentMask;
        (int j, bool ok) = mode switch
        {
            "up" => (lane - b, lane - b >= maxLane),
            "down" => (lane + b, lane + b <= maxLane),
            "bfly" => (lane ^ b, (lane ^ b) <= maxLane),
            _ => (minLane | (b & ~segmentMask), (minLane | (b & ~segmentMask)) <= maxLane),
        };
        return (value(ok ? j : lane), ok);
    }

    [Fact]
    public void Shuffles_at_warp_and_segment_edges()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("warp_ops.ptx"));
        ulong values = harness.Memory.Allocate(8 * 32 * 4), predicates = harness.Memory.Allocate(8 * 32 * 4);
        var result = harness.Launch("shuffles", new LaunchExtent(1), new LaunchExtent(32), values, predicates);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var v = harness.Memory.Download<uint>(values, 256);
        var p = harness.Memory.Download<uint>(predicates, 256);
        var forms = new (string Mode, Func<int, int> B, int C)[]
        {
            ("up", _ => 1, 0), ("down", _ => 3, 31), ("bfly", _ => 5, 31), ("idx", lane => lane ^ 7, 31),
            ("down", _ => 2, 6175), ("up", _ => 2, 6144), ("idx", _ => 3, 6175), ("down", _ => 4, 15),
        };
        for (int form = 0; form < forms.Length; form++)
        for (int lane = 0; lane < 32; lane++)
        {
            var (mode, b, c) = forms[form];
            var (expected, inRange) = Shuffle(mode, lane, b(lane), c, source => (uint)(source * 10 + 1));
            v[form * 32 + lane].ShouldBe(expected, $"form {form} lane {lane}");
            p[form * 32 + lane].ShouldBe(inRange ? 1u : 0u, $"form {form} lane {lane} predicate");
        }
    }

    [Fact]
    public void Votes_and_redux_over_full_and_partial_warps()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("warp_ops.ptx"));
        ulong output = harness.Memory.Allocate(5 * 32 * 4);
        var result = harness.Launch("votes", new LaunchExtent(1), new LaunchExtent(32), output);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, 160);
        uint multiplesOfThree = 0;
        for (int lane = 0; lane < 32; lane += 3) multiplesOfThree |= 1u << lane;
        for (int lane = 0; lane < 32; lane++)
        {
            o[lane].ShouldBe(multiplesOfThree);
            o[32 + lane].ShouldBe(1u); // all(true) = 1, all(lane % 3 == 0) = 0
            o[64 + lane].ShouldBe(1u); // any(lane % 3 == 0) = 1, any(!true) = 0
            o[96 + lane].ShouldBe((uint)(31 * 32 / 2));
            o[128 + lane].ShouldBe(lane % 2 == 1 ? 0xaaaaaaaau : 0u); // only the odd lanes vote
        }
    }

    [Fact]
    public void Divergent_branches_and_loops_reconverge_before_the_shuffle()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("warp_ops.ptx"));
        ulong output = harness.Memory.Allocate(128 * 4);
        var result = harness.Launch("divergence", new LaunchExtent(1), new LaunchExtent(64), output);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, 128);
        static uint Value(int tid) => (uint)((tid % 4) switch { 0 => 100, 1 => 200, _ => 300 } + tid * (tid - 1) / 2);
        for (int tid = 0; tid < 64; tid++)
        {
            o[tid].ShouldBe(Value(tid) + Value(tid / 32 * 32), $"thread {tid}");
            o[64 + tid].ShouldBe(tid <= 40 ? (uint)tid : 0u, $"thread {tid} after exit");
        }
    }

    [Theory]
    [InlineData(96u)]
    [InlineData(37u)]
    public void Barrier_reductions_combine_the_whole_block(uint n)
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("warp_ops.ptx"));
        ulong output = harness.Memory.Allocate(12);
        var result = harness.Launch("barrier_reductions", new LaunchExtent(1), new LaunchExtent(96), output, n);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, 3);
        o[0].ShouldBe(n >= 96 ? 1u : 0u);
        o[1].ShouldBe(n < 96 ? 1u : 0u);
        o[2].ShouldBe(48u);
    }
}
