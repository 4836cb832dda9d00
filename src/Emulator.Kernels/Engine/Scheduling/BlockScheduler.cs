using System.Runtime.ExceptionServices;
using Emulator.Kernels.Engine.Compiled;
using Emulator.Kernels.Engine.Interpreter;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Scheduling;

/// <summary>
/// Runs the blocks of one launch and reports exactly what running them one after another in linear block order
/// (x fastest) reports: the same memory, status, fault (the lowest-numbered faulting block, with its thread, line
/// and message), thread-instruction count and printf text in the same order.
/// <para>
/// Blocks of an <see cref="BlockOrdering.Independent"/> kernel run on several workers: the calling thread plus
/// thread-pool helpers, each with its own <see cref="BlockExecutor"/>, taking block indices in increasing order
/// from one shared counter. Because no block can observe another, each block computes what it would have
/// computed serially; what remains order-dependent is only the bookkeeping, which is merged in block order:
/// printf text is kept per block and delivered sorted by block; instruction counts are summed over the blocks
/// before the first failure; after a failure no further block is handed out.
/// </para>
/// </summary>
sealed class BlockScheduler
{
    /// <summary>How often (in completed blocks) a worker folds the counts it knows to be final into one sum.</summary>
    const int SettleInterval = 64;

    readonly ExecutableKernel kernel;
    readonly CompiledKernel? compiled;
    readonly LaunchContext launch;
    readonly Action<string> printfSink;
    readonly ulong blockCount;

    // Shared by the workers of a concurrent launch.
    ulong nextBlock;
    ulong lowestFailedBlock = ulong.MaxValue;
    Worker[] workers = [];
    /// <summary>Helpers inside <see cref="Worker.Work"/> (low bits) and <see cref="Closed"/> once the caller finished.</summary>
    int helperState;
    const int Closed = 1 << 30;
    ManualResetEventSlim? helpersLeft;

    BlockScheduler(ExecutableKernel kernel, LaunchContext launch, CompiledKernel? compiled, Action<string> printfSink)
    {
        this.kernel = kernel;
        this.compiled = compiled;
        this.launch = launch;
        this.printfSink = printfSink;
        blockCount = launch.Grid.Count;
    }

    /// <summary>
    /// Runs every block of the launch. <paramref name="workerCount"/> threads (the caller included) share the
    /// blocks when the kernel's blocks are independent, there is no instruction budget (a launch-wide count that
    /// only an in-order run can charge exactly) and there is more than one block; otherwise the blocks run on
    /// the calling thread alone, without any thread hand-off.
    /// </summary>
    public static LaunchResult Run(ExecutableKernel kernel, LaunchContext launch, CompiledKernel? compiled, Action<string> printfSink, int workerCount)
    {
        var scheduler = new BlockScheduler(kernel, launch, compiled, printfSink);
        bool concurrent = workerCount > 1 && scheduler.blockCount > 1 && launch.InstructionBudget == 0
                          && kernel.BlockOrdering == BlockOrdering.Independent;
        return concurrent
            ? scheduler.RunConcurrently((int)Math.Min((ulong)workerCount, scheduler.blockCount))
            : scheduler.RunInOrder();
    }

    LaunchResult RunInOrder()
    {
        var executor = new BlockExecutor(kernel, launch, compiled);
        long budget = launch.InstructionBudget;
        long executed = 0;
        for (ulong index = 0; index < blockCount; index++)
        {
            var failure = RunBlock(executor, index, budget > 0 ? budget - executed : long.MaxValue);
            Deliver(executor.PrintedText);
            if (failure is not null) return Report(failure, executed);
            executed += executor.ThreadInstructions;
        }
        return new LaunchResult(LaunchStatus.Success, executed, kernel.Name);
    }

    LaunchResult RunConcurrently(int workerCount)
    {
        workers = new Worker[workerCount];
        helpersLeft = new ManualResetEventSlim(false);
        for (int i = 0; i < workerCount; i++) workers[i] = new Worker(this);
        for (int i = 1; i < workerCount; i++) ThreadPool.UnsafeQueueUserWorkItem(workers[i], preferLocal: false);
        workers[0].Work();
        // Helpers that have not started by now find the launch closed and return at once; the caller waits only
        // for those already running, so a busy thread pool delays nothing.
        // (Not disposed: a helper may still be inside Set when Wait returns; without a wait handle it holds no OS resource.)
        if (Interlocked.Or(ref helperState, Closed) != 0) helpersLeft.Wait();
        return Merge();
    }

    /// <summary>Called by a helper as it starts: false once the caller has closed the launch.</summary>
    bool TryJoin()
    {
        while (true)
        {
            int state = Volatile.Read(ref helperState);
            if ((state & Closed) != 0) return false;
            if (Interlocked.CompareExchange(ref helperState, state + 1, state) == state) return true;
        }
    }

    void Leave()
    {
        if (Interlocked.Decrement(ref helperState) == Closed) helpersLeft!.Set();
    }

    void RecordFailure(ulong index)
    {
        ulong known = Volatile.Read(ref lowestFailedBlock);
        while (index < known)
        {
            ulong seen = Interlocked.CompareExchange(ref lowestFailedBlock, index, known);
            if (seen == known) return;
            known = seen;
        }
    }

    /// <summary>
    /// Every block below the returned index has finished (and, had it failed, recorded its failure): the block
    /// counter read first bounds the blocks handed out, and each worker publishes a lower bound of its block
    /// before taking it.
    /// </summary>
    ulong FinishedBelow()
    {
        ulong bound = Volatile.Read(ref nextBlock);
        foreach (var worker in workers) bound = Math.Min(bound, Volatile.Read(ref worker.ClaimFloor));
        return bound;
    }

    LaunchResult Merge()
    {
        ulong failedBlock = lowestFailedBlock;
        long executed = 0;
        var printed = new List<(ulong Block, string[] Lines)>();
        BlockFailure? failure = null;
        foreach (var worker in workers)
        {
            executed += worker.SettledInstructions;
            foreach (var (block, instructions) in worker.Unsettled)
                if (block < failedBlock) executed += instructions;
            foreach (var entry in worker.Printed)
                if (entry.Block <= failedBlock) printed.Add(entry);
            if (worker.Failure?.Block == failedBlock) failure = worker.Failure;
        }
        // Block indices are unique, so this order is total and the same for every schedule.
        printed.Sort((a, b) => a.Block.CompareTo(b.Block));
        foreach (var (_, lines) in printed) Deliver(lines);
        return failure is null ? new LaunchResult(LaunchStatus.Success, executed, kernel.Name) : Report(failure, executed);
    }

    void Deliver(IReadOnlyList<string> lines)
    {
        for (int i = 0; i < lines.Count; i++) printfSink(lines[i]);
    }

    LaunchExtent Coordinates(ulong index)
    {
        var grid = launch.Grid;
        return new LaunchExtent((uint)(index % grid.X), (uint)(index / grid.X % grid.Y), (uint)(index / grid.X / grid.Y));
    }

    /// <summary>Runs one block on <paramref name="executor"/>; null when it completed, else how it failed.</summary>
    BlockFailure? RunBlock(BlockExecutor executor, ulong index, long allowance)
    {
        var block = Coordinates(index);
        try
        {
            executor.Run((block.X, block.Y, block.Z), allowance);
            return null;
        }
        catch (KernelFault fault)
        {
            var thread = executor.FaultThread;
            return new BlockFailure(index, block, executor.ThreadInstructions, fault.Status,
                new LaunchExtent(thread.X, thread.Y, thread.Z), executor.FaultLine, $"{fault.Message} [{executor.FaultText}]");
        }
        catch (Exception unexpected) when (unexpected is IndexOutOfRangeException or NullReferenceException or InvalidOperationException
                                               or ArgumentException or OverflowException or InvalidCastException)
        {
            // An operand shape the decoder let through but the executor cannot handle: report it as an
            // illegal instruction of this launch instead of letting it escape into the host.
            return new BlockFailure(index, block, executor.ThreadInstructions, LaunchStatus.IllegalInstruction, null, 0,
                $"engine could not execute an instruction: {unexpected.GetType().Name}: {unexpected.Message}");
        }
        catch (Exception escaped)
        {
            // Not a kernel's behaviour (e.g. out of host memory): it propagates to the launcher as it would from a
            // serial run, from the calling thread and only if no earlier block failed.
            return new BlockFailure(index, block, executor.ThreadInstructions, LaunchStatus.LaunchFailed, null, 0, escaped.Message,
                ExceptionDispatchInfo.Capture(escaped));
        }
    }

    /// <summary>The launch's result for a failure in a block after <paramref name="executedBefore"/> thread-instructions of earlier blocks.</summary>
    LaunchResult Report(BlockFailure failure, long executedBefore)
    {
        failure.Escaped?.Throw();
        return new LaunchResult(failure.Status, executedBefore + failure.InstructionsInBlock, kernel.Name,
            failure.Coordinates, failure.Thread, failure.Line, failure.Message);
    }

    sealed record BlockFailure(ulong Block, LaunchExtent Coordinates, long InstructionsInBlock, LaunchStatus Status,
        LaunchExtent? Thread, int Line, string Message, ExceptionDispatchInfo? Escaped = null);

    /// <summary>One thread's share of a concurrent launch; everything but <see cref="ClaimFloor"/> is private to it until the merge.</summary>
    sealed class Worker(BlockScheduler scheduler) : IThreadPoolWorkItem
    {
        /// <summary>At most the index of the block this worker runs; <see cref="ulong.MaxValue"/> when it runs none.</summary>
        public ulong ClaimFloor = ulong.MaxValue;
        /// <summary>Instructions of completed blocks that precede any failure the launch can still report.</summary>
        public long SettledInstructions;
        /// <summary>Completed blocks whose counts count only if no earlier block fails.</summary>
        public readonly List<(ulong Block, long Instructions)> Unsettled = [];
        public readonly List<(ulong Block, string[] Lines)> Printed = [];
        public BlockFailure? Failure;

        void IThreadPoolWorkItem.Execute()
        {
            if (!scheduler.TryJoin()) return;
            try
            {
                Work();
            }
            finally
            {
                scheduler.Leave();
            }
        }

        public void Work()
        {
            BlockExecutor? executor = null;
            while (true)
            {
                Volatile.Write(ref ClaimFloor, Volatile.Read(ref scheduler.nextBlock));
                ulong index = Interlocked.Increment(ref scheduler.nextBlock) - 1;
                if (index >= scheduler.blockCount || index > Volatile.Read(ref scheduler.lowestFailedBlock)) break;
                BlockFailure? failure;
                try
                {
                    executor ??= new BlockExecutor(scheduler.kernel, scheduler.launch, scheduler.compiled);
                    failure = scheduler.RunBlock(executor, index, long.MaxValue);
                }
                catch (Exception escaped)
                {
                    // The executor itself could not be built (host memory): the same failure a serial run would meet.
                    failure = new BlockFailure(index, scheduler.Coordinates(index), 0, LaunchStatus.LaunchFailed, null, 0, escaped.Message,
                        ExceptionDispatchInfo.Capture(escaped));
                }
                if (executor is { PrintedText.Count: > 0 }) Printed.Add((index, executor.PrintedText.ToArray()));
                if (failure is not null)
                {
                    Failure = failure;
                    scheduler.RecordFailure(index);
                    break;
                }
                Unsettled.Add((index, executor!.ThreadInstructions));
                if (Unsettled.Count >= SettleInterval) Settle();
            }
            Volatile.Write(ref ClaimFloor, ulong.MaxValue);
        }

        /// <summary>
        /// Folds the counts of blocks that certainly come before the launch's reported failure (if any) into one
        /// sum, so a long launch keeps only a few recent counts: every block below <see cref="FinishedBelow"/> has
        /// finished, so the failure the launch reports lies at or above that bound or is already recorded.
        /// </summary>
        void Settle()
        {
            ulong bound = scheduler.FinishedBelow();
            bound = Math.Min(bound, Volatile.Read(ref scheduler.lowestFailedBlock));
            int kept = 0;
            for (int i = 0; i < Unsettled.Count; i++)
            {
                var entry = Unsettled[i];
                if (entry.Block < bound) SettledInstructions += entry.Instructions;
                else Unsettled[kept++] = entry;
            }
            Unsettled.RemoveRange(kept, Unsettled.Count - kept);
        }
    }
}
