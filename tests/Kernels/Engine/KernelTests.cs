using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>Whole kernels checked against plain C# computations of the same result.</summary>
public class KernelTests
{
    [Fact]
    public void Vector_add_with_a_partial_last_block()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("vector_add.ptx"));
        const int n = 1000;
        var a = Enumerable.Range(0, n).Select(i => i * 0.5f).ToArray();
        var b = Enumerable.Range(0, n).Select(i => 1000f - i * 0.25f).ToArray();
        ulong da = harness.Memory.Upload(a), db = harness.Memory.Upload(b), dc = harness.Memory.Allocate(n * 4);
        var result = harness.Launch("vector_add", new LaunchExtent(4), new LaunchExtent(256), da, db, dc, n);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var c = harness.Memory.Download<float>(dc, n);
        for (int i = 0; i < n; i++) c[i].ShouldBe(a[i] + b[i]);
        result.ThreadInstructions.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Out_of_bounds_store_ends_the_launch_with_illegal_address()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("vector_add.ptx"));
        const int n = 64;
        ulong da = harness.Memory.Allocate(n * 4), db = harness.Memory.Allocate(n * 4), dc = harness.Memory.Allocate(32 * 4);
        var result = harness.Launch("vector_add", new LaunchExtent(1), new LaunchExtent(64), da, db, dc, n);
        result.Status.ShouldBe(LaunchStatus.IllegalAddress);
        result.FaultThread.ShouldBe(new LaunchExtent(32, 0, 0));
        result.FaultBlock.ShouldBe(new LaunchExtent(0, 0, 0));
        result.FaultLine.ShouldBe(37); // the st.global.f32 line of vector_add.ptx
    }
}
