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

    [Fact]
    public void Block_reduction_with_shuffles_shared_memory_and_atomics()
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("block_reduce.ptx"));
        const int n = 5000, blockSize = 256, blocks = (n + blockSize - 1) / blockSize;
        var values = Enumerable.Range(0, n).Select(i => (uint)(i * 2654435761u % 1000)).ToArray();
        ulong input = harness.Memory.Upload(values);
        ulong output = harness.Memory.Allocate((blocks + 1) * 4);
        var result = harness.Launch("block_reduce", new LaunchExtent(blocks), new LaunchExtent(blockSize), input, output, n);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var downloaded = harness.Memory.Download<uint>(output, blocks + 1);
        downloaded[0].ShouldBe((uint)values.Sum(v => (long)v));
        // Blocks run in order, so block b's atomic sees the sum of blocks 0..b-1.
        uint running = 0;
        for (int b = 0; b < blocks; b++)
        {
            downloaded[b + 1].ShouldBe(running);
            running += (uint)values.Skip(b * blockSize).Take(blockSize).Sum(v => (long)v);
        }
    }

    [Theory]
    [InlineData(16, 16, 16)]
    [InlineData(37, 21, 45)]
    public void Tiled_matrix_multiply_matches_a_sequential_fma_loop(int m, int n, int k)
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile("tiled_matmul.ptx"));
        var random = new Random(m * 1000 + n);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        ulong da = harness.Memory.Upload(a), db = harness.Memory.Upload(b), dc = harness.Memory.Allocate(m * n * 4);
        var grid = new LaunchExtent((uint)((n + 15) / 16), (uint)((m + 15) / 16));
        var result = harness.Launch("tiled_matmul", grid, new LaunchExtent(16, 16), da, db, dc, m, n, k);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var c = harness.Memory.Download<float>(dc, m * n);
        int paddedK = (k + 15) / 16 * 16;
        for (int row = 0; row < m; row++)
        for (int col = 0; col < n; col++)
        {
            float acc = 0;
            for (int x = 0; x < paddedK; x++)
                acc = MathF.FusedMultiplyAdd(x < k ? a[row * k + x] : 0f, x < k ? b[x * n + col] : 0f, acc);
            c[row * n + col].ShouldBe(acc, $"C[{row},{col}]");
        }
    }
}
