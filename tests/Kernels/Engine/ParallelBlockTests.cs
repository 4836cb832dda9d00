using System.Collections.Concurrent;
using Emulator.Kernels.Engine;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Scheduling;
using Emulator.Kernels.Ptx;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>
/// Blocks on several workers give exactly the serial engine's results: memory bit for bit, status, fault
/// block/thread/line/message, thread-instruction count and printf lines. Each scenario runs on a fresh
/// harness per worker count; workers = 1 is the serial engine (blocks one after another on the calling thread).
/// </summary>
public class ParallelBlockTests
{
    static readonly int[] WorkerCounts = [1, 2, 3, 8];

    /// <summary>Everything a launch can be observed by.</summary>
    sealed record Outcome(LaunchResult Result, string[] Printed, byte[][] Memory)
    {
        public void ShouldEqual(Outcome serial, string label)
        {
            Result.Status.ShouldBe(serial.Result.Status, label);
            Result.ThreadInstructions.ShouldBe(serial.Result.ThreadInstructions, label);
            Result.FaultBlock.ShouldBe(serial.Result.FaultBlock, label);
            Result.FaultThread.ShouldBe(serial.Result.FaultThread, label);
            Result.FaultLine.ShouldBe(serial.Result.FaultLine, label);
            Result.Message.ShouldBe(serial.Result.Message, label);
            Printed.ShouldBe(serial.Printed, label);
            Memory.Length.ShouldBe(serial.Memory.Length, label);
            for (int i = 0; i < Memory.Length; i++)
                Memory[i].AsSpan().SequenceEqual(serial.Memory[i]).ShouldBeTrue($"{label}: buffer {i} differs");
        }
    }

    /// <summary>Allocates and fills a scenario's buffers; returns the kernel arguments and the buffers to compare.</summary>
    delegate (object[] Arguments, (ulong Address, int Bytes)[] Buffers) Setup(TestDeviceMemory memory);

    /// <summary>
    /// Runs the scenario once per tier and worker count on one harness (so addresses, which fault messages quote,
    /// are the same), restoring the compared buffers before each run, and checks each run against the serial
    /// reference run (reference tier, 1 worker). Returns that outcome.
    /// </summary>
    static Outcome SameForEveryWorkerCount(string file, string kernel, LaunchExtent grid, LaunchExtent block, Setup setup)
    {
        using var harness = new PtxHarness(PtxHarness.CaseFile(file));
        var (arguments, buffers) = setup(harness.Memory);
        var initial = buffers.Select(b => harness.Memory.Download<byte>(b.Address, b.Bytes)).ToArray();
        Outcome? serial = null;
        foreach (var tier in new[] { EngineTier.Reference, EngineTier.Compiled })
        foreach (int workers in WorkerCounts)
        {
            for (int i = 0; i < buffers.Length; i++) harness.Memory.Write(buffers[i].Address, initial[i]);
            harness.Printed.Clear();
            harness.Workers = workers;
            harness.Tier = tier;
            var result = harness.Launch(kernel, grid, block, arguments);
            var outcome = new Outcome(result, harness.Printed.ToArray(), buffers.Select(b => harness.Memory.Download<byte>(b.Address, b.Bytes)).ToArray());
            if (serial is null) serial = outcome;
            else outcome.ShouldEqual(serial, $"{kernel} on the {tier} tier with {workers} workers");
        }
        return serial!;
    }

    static (ulong, int) Buffer(TestDeviceMemory memory, int bytes) => (memory.Allocate(bytes), bytes);

    [Fact]
    public void Vector_add_over_many_blocks()
    {
        const int n = 40_000;
        var outcome = SameForEveryWorkerCount("vector_add.ptx", "vector_add", new LaunchExtent((n + 255) / 256), new LaunchExtent(256), memory =>
        {
            ulong a = memory.Upload(Enumerable.Range(0, n).Select(i => i * 0.37f).ToArray());
            ulong b = memory.Upload(Enumerable.Range(0, n).Select(i => 5f - i * 1.3f).ToArray());
            var c = Buffer(memory, n * 4);
            return ([a, b, c.Item1, n], [c]);
        });
        outcome.Result.Status.ShouldBe(LaunchStatus.Success);
        var c = MemoryMarshalFloats(outcome.Memory[0]);
        for (int i = 0; i < n; i++) c[i].ShouldBe(i * 0.37f + (5f - i * 1.3f));
    }

    [Fact]
    public void Tiled_matmul_on_a_two_dimensional_grid()
    {
        const int m = 53, n = 41, k = 37;
        var random = new Random(7);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var outcome = SameForEveryWorkerCount("tiled_matmul.ptx", "tiled_matmul", new LaunchExtent((n + 15) / 16, (m + 15) / 16), new LaunchExtent(16, 16), memory =>
        {
            var c = Buffer(memory, m * n * 4);
            return ([memory.Upload(a), memory.Upload(b), c.Item1, m, n, k], [c]);
        });
        outcome.Result.Status.ShouldBe(LaunchStatus.Success);
    }

    [Fact]
    public void Block_mix_with_uneven_block_lengths_matches_a_plain_loop()
    {
        const int rounds = 40, threads = 96;
        var grid = new LaunchExtent(7, 5);
        int total = (int)grid.Count * threads;
        var outcome = SameForEveryWorkerCount("parallel_blocks.ptx", "block_mix", grid, new LaunchExtent(threads), memory =>
        {
            var output = Buffer(memory, total * 8);
            return ([output.Item1, rounds], [output]);
        });
        outcome.Result.Status.ShouldBe(LaunchStatus.Success);
        var words = MemoryMarshalUints(outcome.Memory[0]);
        uint State(int gid)
        {
            uint state = (uint)gid;
            int steps = rounds * (1 + gid / threads % 5);
            for (int i = 0; i < steps; i++) state = state * 1664525u + 1013904223u;
            return state;
        }
        for (int gid = 0; gid < total; gid++)
        {
            int blockStart = gid / threads * threads;
            uint own = State(gid), next = State(blockStart + (gid - blockStart + 1) % threads);
            words[2 * gid].ShouldBe(own, $"state of thread {gid}");
            BitConverter.UInt32BitsToSingle(words[2 * gid + 1]).ShouldBe(MathF.FusedMultiplyAdd(own, 0.001f, next), $"mix of thread {gid}");
        }
    }

    [Fact]
    public void Printf_from_many_blocks_arrives_in_block_order()
    {
        var grid = new LaunchExtent(9, 4);
        var outcome = SameForEveryWorkerCount("parallel_blocks.ptx", "print_blocks", grid, new LaunchExtent(64), _ => ([], []));
        outcome.Result.Status.ShouldBe(LaunchStatus.Success);
        outcome.Printed.ShouldBe(Enumerable.Range(0, (int)grid.Count).SelectMany(b => new[] { $"block {b} thread 0\n", $"block {b} thread 1\n" }));
    }

    [Theory]
    [InlineData(3, 30, 20_000)]   // a slow early fault: the late block faults first in time
    [InlineData(0, 1, 0)]          // faults in the first two blocks
    [InlineData(45, 12, 50)]       // the later-numbered fault is the slow one
    public void The_lowest_faulting_block_is_reported_with_its_printf_and_instruction_count(int early, int late, int spin)
    {
        const int blocks = 48, threads = 64;
        var outcome = SameForEveryWorkerCount("parallel_blocks.ptx", "fault_in_blocks", new LaunchExtent(blocks), new LaunchExtent(threads), memory =>
        {
            var output = Buffer(memory, blocks * threads * 4);
            return ([output.Item1, early, late, spin], []);
        });
        int first = Math.Min(early, late);
        outcome.Result.Status.ShouldBe(first == early ? LaunchStatus.MisalignedAddress : LaunchStatus.IllegalAddress);
        outcome.Result.FaultBlock.ShouldBe(new LaunchExtent((uint)first, 0, 0));
        outcome.Result.FaultThread.ShouldBe(new LaunchExtent(first == early ? 5u : 3u, 0, 0));
        outcome.Printed.ShouldBe(Enumerable.Range(0, first + 1).Select(b => $"block {b} starts\n"));
    }

    [Fact]
    public void A_faulting_launch_counts_the_instructions_of_the_blocks_before_the_fault()
    {
        const int blocks = 20, threads = 64;
        using var harness = new PtxHarness(PtxHarness.CaseFile("parallel_blocks.ptx"));
        ulong output = harness.Memory.Allocate(blocks * threads * 4);
        LaunchResult Launch(int early, int workers, int gridBlocks)
        {
            harness.Workers = workers;
            return harness.Launch("fault_in_blocks", new LaunchExtent((uint)gridBlocks), new LaunchExtent(threads), output, early, 1000, 0);
        }
        // Without a fault (early/late beyond the grid) every block runs the same path, so a launch of block 0 alone
        // gives the per-block count; with a fault in block 12 the count is 12 such blocks plus part of block 12.
        long perBlock = Launch(1000, 1, 1).ThreadInstructions;
        var serial = Launch(12, 1, blocks);
        serial.Status.ShouldBe(LaunchStatus.MisalignedAddress);
        long faultingBlockPart = serial.ThreadInstructions - 12 * perBlock;
        faultingBlockPart.ShouldBeGreaterThan(0);
        faultingBlockPart.ShouldBeLessThan(perBlock);
        foreach (int workers in WorkerCounts)
        {
            Launch(1000, workers, blocks).ThreadInstructions.ShouldBe(perBlock * blocks, $"{workers} workers, no fault");
            Launch(12, workers, blocks).ShouldBe(serial, $"{workers} workers");
        }
    }

    [Fact]
    public void Float_atomic_adds_from_many_blocks_follow_block_order()
    {
        const int blocks = 40, threads = 64, n = blocks * threads;
        var random = new Random(11);
        // Magnitudes from 1e-3 to 1e6 so that the rounding of every partial sum depends on the order of the adds.
        var values = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-3, 7)))).ToArray();
        var outcome = SameForEveryWorkerCount("parallel_blocks.ptx", "float_atomics", new LaunchExtent(blocks), new LaunchExtent(threads), memory =>
        {
            var sum = Buffer(memory, 4);
            var olds = Buffer(memory, n * 4);
            return ([sum.Item1, olds.Item1, memory.Upload(values)], [sum, olds]);
        });
        outcome.Result.Status.ShouldBe(LaunchStatus.Success);
        // Oracle: one float accumulator updated in block, warp and lane order.
        var returned = MemoryMarshalFloats(outcome.Memory[1]);
        float running = 0;
        for (int i = 0; i < n; i++)
        {
            returned[i].ShouldBe(running, $"value returned to thread {i}");
            running += values[i];
        }
        MemoryMarshalFloats(outcome.Memory[0])[0].ShouldBe(running);
    }

    [Fact]
    public void Block_reduce_with_global_atomics_keeps_the_serial_returned_values()
    {
        const int n = 9000, blockSize = 128, blocks = (n + blockSize - 1) / blockSize;
        var values = Enumerable.Range(0, n).Select(i => (uint)(i * 2654435761u % 1000)).ToArray();
        SameForEveryWorkerCount("block_reduce.ptx", "block_reduce", new LaunchExtent(blocks), new LaunchExtent(blockSize), memory =>
        {
            var output = Buffer(memory, (blocks + 1) * 4);
            return ([memory.Upload(values), output.Item1, n], [output]);
        }).Result.Status.ShouldBe(LaunchStatus.Success);
    }

    [Fact]
    public void Warp_and_memory_cases_on_several_blocks()
    {
        SameForEveryWorkerCount("warp_ops.ptx", "barrier_reductions", new LaunchExtent(6), new LaunchExtent(96),
            memory => { var o = Buffer(memory, 12); return ([o.Item1, 37], [o]); }).Result.Status.ShouldBe(LaunchStatus.Success);
        SameForEveryWorkerCount("warp_ops.ptx", "divergence", new LaunchExtent(5), new LaunchExtent(64),
            memory => { var o = Buffer(memory, 128 * 4); return ([o.Item1], [o]); }).Result.Status.ShouldBe(LaunchStatus.Success);
        SameForEveryWorkerCount("warp_ops.ptx", "shuffles", new LaunchExtent(4), new LaunchExtent(32),
            memory => { var v = Buffer(memory, 8 * 32 * 4); var p = Buffer(memory, 8 * 32 * 4); return ([v.Item1, p.Item1], [v, p]); }).Result.Status.ShouldBe(LaunchStatus.Success);
        SameForEveryWorkerCount("warp_ops.ptx", "votes", new LaunchExtent(4), new LaunchExtent(32),
            memory => { var o = Buffer(memory, 5 * 32 * 4); return ([o.Item1], [o]); }).Result.Status.ShouldBe(LaunchStatus.Success);
        SameForEveryWorkerCount("memory_and_faults.ptx", "memory_spaces", new LaunchExtent(3), new LaunchExtent(32), memory =>
        {
            var o = Buffer(memory, 32 * 32);
            return ([o.Item1, memory.Upload(Enumerable.Range(0, 32 * 4).Select(i => (uint)(i * 7 + 3)).ToArray())], [o]);
        }).Result.Status.ShouldBe(LaunchStatus.Success);
        // Every block prints three lines, then its thread 2 traps: block 0's lines and fault are the result.
        var trapped = SameForEveryWorkerCount("memory_and_faults.ptx", "print_and_trap", new LaunchExtent(6), new LaunchExtent(4), _ => ([2], []));
        trapped.Result.Status.ShouldBe(LaunchStatus.LaunchFailed);
        trapped.Result.FaultBlock.ShouldBe(new LaunchExtent(0, 0, 0));
        trapped.Printed.Length.ShouldBe(4);
        SameForEveryWorkerCount("ordering_forms.ptx", "ordering_forms", new LaunchExtent(3), new LaunchExtent(64), memory =>
        {
            var o = Buffer(memory, 64);
            return ([o.Item1, new byte[] { 11, 0, 0, 0, 31, 0, 0, 0, 4, 3, 2, 1 }], [o]);
        });
    }

    [Fact]
    public void A_budgeted_launch_times_out_at_the_same_instruction_with_any_worker_count()
    {
        LaunchResult Launch(int workers)
        {
            using var harness = new PtxHarness(PtxHarness.CaseFile("parallel_blocks.ptx")) { Workers = workers, InstructionBudget = 25_000 };
            return harness.Launch("block_mix", new LaunchExtent(12), new LaunchExtent(32), harness.Memory.Allocate(12 * 32 * 8), 30);
        }
        var serial = Launch(1);
        serial.Status.ShouldBe(LaunchStatus.LaunchTimeout);
        // One full warp per block and no divergence: the timeout is raised by the warp instruction that crosses the budget.
        serial.ThreadInstructions.ShouldBe((25_000 / 32 + 1) * 32);
        foreach (int workers in WorkerCounts.Skip(1))
            Launch(workers).ShouldBe(serial, $"{workers} workers");
    }

    // ---- which kernels run their blocks concurrently

    [Theory]
    [InlineData("ld.global.u32 %r1, [%rd1];", BlockOrdering.Independent)]
    [InlineData("st.global.u32 [%rd1], %r1;", BlockOrdering.Independent)]
    [InlineData("atom.shared.add.u32 %r1, [%rd1], 1;", BlockOrdering.Independent)]
    [InlineData("red.shared.add.u32 [%rd1], 1;", BlockOrdering.Independent)]
    [InlineData("ld.volatile.shared.u32 %r1, [%rd1];", BlockOrdering.Independent)]
    [InlineData("ld.relaxed.cta.global.u32 %r1, [%rd1];", BlockOrdering.Independent)]
    [InlineData("membar.cta;", BlockOrdering.Independent)]
    [InlineData("fence.acq_rel.cta;", BlockOrdering.Independent)]
    [InlineData("atom.global.add.u32 %r1, [%rd1], 1;", BlockOrdering.InOrder)]
    [InlineData("atom.add.u32 %r1, [%rd1], 1;", BlockOrdering.InOrder)]
    [InlineData("red.global.add.u32 [%rd1], 1;", BlockOrdering.InOrder)]
    [InlineData("atom.global.add.f32 %f1, [%rd1], %f1;", BlockOrdering.InOrder)]
    [InlineData("atom.add.release.gpu.u32 %r1, [%rd1], 1;", BlockOrdering.InOrder)]
    [InlineData("ld.volatile.global.u32 %r1, [%rd1];", BlockOrdering.InOrder)]
    [InlineData("ld.volatile.u32 %r1, [%rd1];", BlockOrdering.InOrder)]
    [InlineData("ld.acquire.gpu.u32 %r1, [%rd1];", BlockOrdering.InOrder)]
    [InlineData("ld.relaxed.gpu.global.u32 %r1, [%rd1];", BlockOrdering.InOrder)]
    [InlineData("st.relaxed.gpu.global.u32 [%rd1], %r1;", BlockOrdering.InOrder)]
    [InlineData("st.volatile.global.u32 [%rd1], %r1;", BlockOrdering.InOrder)]
    [InlineData("membar.gl;", BlockOrdering.InOrder)]
    [InlineData("membar.sys;", BlockOrdering.InOrder)]
    [InlineData("fence.sc.gpu;", BlockOrdering.InOrder)]
    public void Kernels_that_can_observe_other_blocks_run_in_block_order(string instruction, BlockOrdering expected)
    {
        string ptx = $$"""
            .version 8.4
            .target sm_80
            .address_size 64
            .visible .entry probe(.param .u64 probe_p)
            {
                .reg .b32 %r<3>;
                .reg .f32 %f<3>;
                .reg .b64 %rd<3>;
                ld.param.u64 %rd1, [probe_p];
                mov.u32 %r1, 1;
                {{instruction}}
                ret;
            }
            """;
        var module = PtxLowering.ParseAndLower(ptx);
        var kernel = module.FindKernel("probe")!;
        BlockOrderingAnalysis.Classify(kernel).ShouldBe(expected);
        KernelDecoder.Decode(module, kernel).BlockOrdering.ShouldBe(expected);
    }

    /// <summary>Records which threads touched global memory; a block on the calling thread can hold its first access until another thread has made one.</summary>
    sealed class ThreadRecordingMemory(IGlobalMemory inner, bool waitForAnotherThread) : IGlobalMemory
    {
        readonly int caller = Environment.CurrentManagedThreadId;
        readonly ManualResetEventSlim otherThreadSeen = new(false);
        public ConcurrentDictionary<int, bool> Threads { get; } = new();

        public bool TryTranslate(ulong address, ulong size, bool isWrite, out nint host)
        {
            int thread = Environment.CurrentManagedThreadId;
            Threads.TryAdd(thread, true);
            if (thread != caller) otherThreadSeen.Set();
            else if (waitForAnotherThread) otherThreadSeen.Wait(TimeSpan.FromSeconds(30));
            return inner.TryTranslate(address, size, isWrite, out host);
        }
    }

    static (LaunchResult Result, ThreadRecordingMemory Memory) LaunchRecorded(string source, string kernelName, int workers, bool waitForAnotherThread, Func<TestDeviceMemory, object[]> arguments)
    {
        using var harness = new PtxHarness(source);
        var module = PtxLowering.ParseAndLower(source);
        var executable = KernelDecoder.Decode(module, module.FindKernel(kernelName)!);
        var memory = new ThreadRecordingMemory(harness.Memory, waitForAnotherThread);
        var services = new LaunchServices { GlobalMemory = memory, Workers = workers };
        var result = PtxEngine.Launch(executable, new LaunchExtent(16), new LaunchExtent(64), 0, harness.Pack(kernelName, arguments(harness.Memory)), services);
        return (result, memory);
    }

    [Fact]
    public void Independent_blocks_really_run_at_the_same_time()
    {
        // The calling thread's first block cannot finish its first access until a helper has made one, so success
        // (and not a 30 s stall) with two threads recorded shows blocks running concurrently.
        var (result, memory) = LaunchRecorded(PtxHarness.CaseFile("parallel_blocks.ptx"), "block_mix", 2, waitForAnotherThread: true,
            m => [m.Allocate(16 * 64 * 8), 5]);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        memory.Threads.Count.ShouldBe(2);
    }

    [Fact]
    public void Blocks_with_global_atomics_and_single_worker_launches_stay_on_the_calling_thread()
    {
        var (atomics, atomicsMemory) = LaunchRecorded(PtxHarness.CaseFile("parallel_blocks.ptx"), "float_atomics", 8, waitForAnotherThread: false,
            m => [m.Allocate(4), m.Allocate(16 * 64 * 4), m.Allocate(16 * 64 * 4)]);
        atomics.Status.ShouldBe(LaunchStatus.Success, atomics.ToString());
        atomicsMemory.Threads.Keys.ShouldBe([Environment.CurrentManagedThreadId]);

        var (single, singleMemory) = LaunchRecorded(PtxHarness.CaseFile("parallel_blocks.ptx"), "block_mix", 1, waitForAnotherThread: false,
            m => [m.Allocate(16 * 64 * 8), 5]);
        single.Status.ShouldBe(LaunchStatus.Success, single.ToString());
        singleMemory.Threads.Keys.ShouldBe([Environment.CurrentManagedThreadId]);
    }

    static float[] MemoryMarshalFloats(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    static uint[] MemoryMarshalUints(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bytes).ToArray();
}
