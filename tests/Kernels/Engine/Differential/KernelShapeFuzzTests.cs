using Emulator.Kernels.Engine;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Kernels.Engine.Differential;

/// <summary>
/// The sample kernels (<c>Engine/Cases</c>) under random launch shapes and data, through both tiers: partial blocks
/// and warps, blocks of 1 to 1024 threads, several blocks, divergent exits, barriers, shuffles over partial warps,
/// atomics, device printf, and launches that fault (out of range, misaligned, trap). Every launch is differential
/// (see <see cref="PtxHarness"/>); the assertions here only check that each shape did what it was chosen for, so
/// the fuzzing cannot silently degenerate into launches that are all rejected.
/// </summary>
public class KernelShapeFuzzTests
{
    const int Cases = 25;

    static Config Seeded(ulong seed) => Config.QuickThrowOnFailure.WithReplay(seed, 2 * seed + 1).WithMaxTest(Cases);

    static readonly Gen<uint> BlockSizes = Gen.Elements(1u, 7u, 32u, 33u, 64u, 100u, 256u, 1024u);

    static float[] Floats(ulong[] bits) => bits.Select(b => BitConverter.UInt32BitsToSingle((uint)b)).ToArray();

    [Fact]
    public void Vector_add_with_random_sizes_blocks_and_short_outputs()
    {
        var shapes = from n in Gen.Choose(1, 1500)
                     from block in BlockSizes
                     from extraBlock in Gen.Choose(0, 1)
                     from shortBy in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(1, n)))
                     from values in Gen.ArrayOf(InstructionFuzzing.Float32, 2 * n)
                     select (n, block, extraBlock, shortBy, values);
        Check.One(Seeded(1), Prop.ForAll(shapes.ToArbitrary(), shape =>
        {
            var (n, block, extraBlock, shortBy, values) = shape;
            using var harness = new PtxHarness(PtxHarness.CaseFile("vector_add.ptx"));
            var floats = Floats(values);
            ulong a = harness.Memory.Upload(floats.AsSpan(0, n), "a"), b = harness.Memory.Upload(floats.AsSpan(n), "b");
            ulong c = harness.Memory.Allocate((n - shortBy) * 4, "c");
            uint grid = (uint)((n + block - 1) / block) + (uint)extraBlock;
            var result = harness.Launch("vector_add", new LaunchExtent(grid), new LaunchExtent(block), a, b, c, n);
            result.Status.ShouldBe(shortBy == 0 ? LaunchStatus.Success : LaunchStatus.IllegalAddress, result.ToString());
        }));
    }

    [Fact]
    public void Block_reduce_with_random_sizes_and_partial_warps()
    {
        var shapes = from n in Gen.Choose(1, 3000)
                     from block in BlockSizes
                     from values in Gen.ArrayOf(InstructionFuzzing.Integer, n)
                     select (n, block, values);
        Check.One(Seeded(2), Prop.ForAll(shapes.ToArbitrary(), shape =>
        {
            var (n, block, values) = shape;
            using var harness = new PtxHarness(PtxHarness.CaseFile("block_reduce.ptx"));
            uint grid = (uint)((n + block - 1) / block);
            ulong input = harness.Memory.Upload(values.Select(v => (uint)v).ToArray(), "input");
            ulong output = harness.Memory.Allocate(((int)grid + 1) * 4, "output (sum, then each block's old value)");
            var result = harness.Launch("block_reduce", new LaunchExtent(grid), new LaunchExtent(block), input, output, n);
            result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        }));
    }

    [Fact]
    public void Tiled_matmul_with_random_shapes()
    {
        var shapes = from m in Gen.Choose(1, 40)
                     from n in Gen.Choose(1, 40)
                     from k in Gen.Choose(1, 40)
                     from values in Gen.ArrayOf(InstructionFuzzing.Float32, m * k + k * n)
                     select (m, n, k, values);
        Check.One(Seeded(3), Prop.ForAll(shapes.ToArbitrary(), shape =>
        {
            var (m, n, k, values) = shape;
            using var harness = new PtxHarness(PtxHarness.CaseFile("tiled_matmul.ptx"));
            var floats = Floats(values);
            ulong a = harness.Memory.Upload(floats.AsSpan(0, m * k), "A"), b = harness.Memory.Upload(floats.AsSpan(m * k), "B");
            ulong c = harness.Memory.Allocate(m * n * 4, "C");
            var grid = new LaunchExtent((uint)((n + 15) / 16), (uint)((m + 15) / 16));
            var result = harness.Launch("tiled_matmul", grid, new LaunchExtent(16, 16), a, b, c, m, n, k);
            result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        }));
    }

    [Fact]
    public void Barrier_reductions_with_random_blocks_and_thresholds()
    {
        var shapes = Gen.Zip(Gen.Choose(38, 1024), Gen.Choose(0, 1100));
        Check.One(Seeded(4), Prop.ForAll(shapes.ToArbitrary(), shape =>
        {
            var (block, n) = shape;
            using var harness = new PtxHarness(PtxHarness.CaseFile("warp_ops.ptx"));
            ulong output = harness.Memory.Allocate(12, "output");
            var result = harness.Launch("barrier_reductions", new LaunchExtent(1), new LaunchExtent((uint)block), output, (uint)n);
            result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        }));
    }

    [Fact]
    public void Printf_and_trap_with_random_blocks_and_trap_thresholds()
    {
        var shapes = from grid in Gen.Choose(1, 3)
                     from block in Gen.Choose(1, 80)
                     from n in Gen.Choose(0, 90)
                     select (grid, block, n);
        Check.One(Seeded(5), Prop.ForAll(shapes.ToArbitrary(), shape =>
        {
            var (grid, block, n) = shape;
            using var harness = new PtxHarness(PtxHarness.CaseFile("memory_and_faults.ptx"));
            var result = harness.Launch("print_and_trap", new LaunchExtent((uint)grid), new LaunchExtent((uint)block), n);
            result.Status.ShouldBe(block <= n ? LaunchStatus.Success : LaunchStatus.LaunchFailed, result.ToString());
        }));
    }

    [Fact]
    public void Loads_at_random_offsets_succeed_misalign_or_leave_the_allocation()
    {
        Check.One(Seeded(6), Prop.ForAll(Gen.Choose(-16, 80).ToArbitrary(), offset =>
        {
            using var harness = new PtxHarness(PtxHarness.CaseFile("memory_and_faults.ptx"));
            ulong buffer = harness.Memory.Allocate(64, "buffer");
            // The kernel loads a u32 at p + 2 (the buffer is 256-aligned); alignment is checked before bounds.
            long address = offset + 2;
            var expected = (address & 3) != 0 ? LaunchStatus.MisalignedAddress
                : address < 0 || address + 4 > 64 ? LaunchStatus.IllegalAddress : LaunchStatus.Success;
            var result = harness.Launch("misaligned", new LaunchExtent(1), new LaunchExtent(1), (ulong)((long)buffer + offset));
            result.Status.ShouldBe(expected, result.ToString());
        }));
    }
}
