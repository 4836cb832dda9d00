using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Emulator.Kernels.Engine;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Ptx;

namespace Emulator.Bench.Kernels;

/// <summary>
/// Kernel throughput of both engine tiers on the three kernels of tests/Kernels/Engine/Cases, each set against the
/// plain single-threaded C# loop computing the same result, in the same run (the loop is each category's baseline,
/// so the Ratio column is emulated time / loop time). One benchmark operation is one launch. Every launch's output is
/// checked against the loop's once at setup, so a fast tier cannot be a wrong one.
/// <para>
/// The reference tier interprets at roughly 10⁷ thread-instructions/s, so it gets smaller problems than the compiled
/// tier (see <see cref="Problem"/>); the thread-instructions/s column is comparable across sizes, the Ratio column
/// only within one row group. Run:
/// <c>dotnet run -c Release --project bench -- --filter '*EngineBenchmarks*'</c>
/// (add e.g. <c>'*EngineBenchmarks.VectorAdd*'</c> for one category).
/// </para>
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public unsafe class EngineBenchmarks
{
    sealed class Config : ManualConfig
    {
        public Config()
        {
            // Reference-tier launches take seconds each on a loaded 2-core machine: a few measured launches. In-process,
            // because the columns read the thread-instruction counts the setup records (and the repository-wide
            // artifacts layout breaks BenchmarkDotNet's generated per-run project).
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1)
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)));
            AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams);
            AddColumn(CategoriesColumn.Default, new ProblemColumn(), new ThreadInstructionsColumn(perSecond: false),
                new ThreadInstructionsColumn(perSecond: true));
        }
    }

    /// <summary>The tier and the number of threads that run blocks (Workers = every core is the default of a launch).</summary>
    public sealed record EngineCase(EngineTier Tier, int Workers)
    {
        public override string ToString() => $"{Tier}, {Workers} worker{(Workers == 1 ? "" : "s")}";
    }

    public static IEnumerable<EngineCase> Engines()
    {
        foreach (var tier in new[] { EngineTier.Reference, EngineTier.Compiled })
            foreach (int workers in new[] { 1, Environment.ProcessorCount }.Distinct())
                yield return new EngineCase(tier, workers);
    }

    [ParamsSource(nameof(Engines))]
    public EngineCase Engine { get; set; } = new(EngineTier.Compiled, 1);

    /// <summary>Problem sizes: the issue's 16M-float vector add on the compiled tier, 16× smaller on the reference tier.</summary>
    public static class Problem
    {
        public static int VectorElements(EngineTier tier) => tier == EngineTier.Reference ? 1 << 20 : 1 << 24;
        public static int ReduceElements(EngineTier tier) => tier == EngineTier.Reference ? 1 << 20 : 1 << 24;
        public static int MatrixSize(EngineTier tier) => tier == EngineTier.Reference ? 128 : 256;
    }

    /// <summary>What one benchmark case computes and (for a kernel) how many thread-instructions one launch executes.</summary>
    internal sealed record Measurement(string Problem, long ThreadInstructions);

    // Written by the setups, read by the columns after the run (both in this process: in-process toolchain).
    internal static readonly Dictionary<(string Method, EngineCase Engine), Measurement> Measurements = [];

    sealed record Prepared(ExecutableKernel Kernel, LaunchExtent Grid, LaunchExtent Block, byte[] Parameters);

    BenchDeviceMemory memory = null!;
    LaunchServices services = null!;
    Prepared kernel = null!;

    // Vector add
    float* x, y, sum;
    int vectorElements;

    // Block reduce
    uint* values, reduceOut;
    int reduceElements;

    // Tiled matmul (row-major m×k · k×n, square here)
    float* a, b, c;
    int matrixSize;

    static string CaseFile(string name, [CallerFilePath] string thisFile = "")
        => File.ReadAllText(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "tests", "Kernels", "Engine", "Cases", name));

    static Prepared Prepare(string file, string kernelName, LaunchExtent grid, LaunchExtent block, params object[] arguments)
    {
        var module = PtxLowering.ParseAndLower(CaseFile(file));
        var function = module.FindKernel(kernelName) ?? throw new InvalidOperationException($"{kernelName} not in {file}");
        var parameters = new byte[function.ParameterBufferSize];
        for (int i = 0; i < arguments.Length; i++)
        {
            byte[] bytes = arguments[i] switch
            {
                ulong address => BitConverter.GetBytes(address),
                int value => BitConverter.GetBytes(value),
                var other => throw new ArgumentException($"unsupported kernel argument {other.GetType()}"),
            };
            bytes.CopyTo(parameters, (int)function.Parameters[i].Offset);
        }
        return new Prepared(PtxEngine.Prepare(module, function), grid, block, parameters);
    }

    LaunchResult Launch()
    {
        var result = PtxEngine.Launch(kernel.Kernel, kernel.Grid, kernel.Block, 0, kernel.Parameters, services);
        return result.Succeeded ? result : throw new InvalidOperationException(result.ToString());
    }

    void CreateMemory(ulong bytes)
    {
        memory = new BenchDeviceMemory(bytes + (64UL << 20));
        services = new LaunchServices { GlobalMemory = memory, Tier = Engine.Tier, Workers = Engine.Workers };
    }

    /// <summary>Launches once (compiling where the tier compiles), checks the output, records the count.</summary>
    void Measure(string method, string problem, Func<string?> mismatch)
    {
        long threadInstructions = Launch().ThreadInstructions;
        if (mismatch() is { } error) throw new InvalidOperationException($"{method} on {Engine}: wrong result: {error}");
        Measurements[(method, Engine)] = new Measurement(problem, threadInstructions);
        Console.WriteLine($"// {method} on {Engine}: {problem}, {threadInstructions:N0} thread-instructions per launch, output checked");
    }

    // ------------------------------------------------------------------ vector add

    void AllocateVectorAdd()
    {
        vectorElements = Problem.VectorElements(Engine.Tier);
        CreateMemory(3UL * 4 * (ulong)vectorElements);
        var xs = memory.Allocate<float>(vectorElements, out ulong xAddress);
        var ys = memory.Allocate<float>(vectorElements, out ulong yAddress);
        memory.Allocate<float>(vectorElements, out ulong sumAddress);
        for (int i = 0; i < vectorElements; i++)
        {
            xs[i] = i * 0.25f;
            ys[i] = (i % 1000) - 500.5f;
        }
        x = (float*)xAddress;
        y = (float*)yAddress;
        sum = (float*)sumAddress;
        // As nvcc emits it for one thread per element: 256-thread blocks, the last one partly idle when n is not a multiple.
        kernel = Prepare("vector_add.ptx", "vector_add", new LaunchExtent((uint)((vectorElements + 255) / 256)), new LaunchExtent(256),
            xAddress, yAddress, sumAddress, vectorElements);
    }

    string VectorProblem => $"{vectorElements:N0} f32";

    [GlobalSetup(Target = nameof(VectorAddLoop))]
    public void SetupVectorAddLoop()
    {
        AllocateVectorAdd();
        Measurements[(nameof(VectorAddLoop), Engine)] = new Measurement(VectorProblem, 0);
    }

    [GlobalSetup(Target = nameof(VectorAdd))]
    public void SetupVectorAdd()
    {
        AllocateVectorAdd();
        Measure(nameof(VectorAdd), VectorProblem, () =>
        {
            for (int i = 0; i < vectorElements; i++)
                if (BitConverter.SingleToInt32Bits(sum[i]) != BitConverter.SingleToInt32Bits(x[i] + y[i]))
                    return $"element {i}: {sum[i]} instead of {x[i] + y[i]}";
            return null;
        });
    }

    /// <summary>The plain C# loop: c[i] = a[i] + b[i] over the same device buffers, one thread.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("VectorAdd")]
    public void VectorAddLoop()
    {
        for (int i = 0; i < vectorElements; i++) sum[i] = x[i] + y[i];
    }

    /// <summary>vector_add.ptx: one thread per element, 256-thread blocks.</summary>
    [Benchmark, BenchmarkCategory("VectorAdd")]
    public long VectorAdd() => Launch().ThreadInstructions;

    // ------------------------------------------------------------------ block reduce

    void AllocateReduce()
    {
        reduceElements = Problem.ReduceElements(Engine.Tier);
        int blocks = (reduceElements + 255) / 256;
        CreateMemory(4UL * (ulong)(reduceElements + blocks + 1));
        var input = memory.Allocate<uint>(reduceElements, out ulong valuesAddress);
        memory.Allocate<uint>(blocks + 1, out ulong outAddress);
        for (int i = 0; i < reduceElements; i++) input[i] = unchecked((uint)i * 2654435761u) >> 8;
        values = (uint*)valuesAddress;
        reduceOut = (uint*)outAddress;
        kernel = Prepare("block_reduce.ptx", "block_reduce", new LaunchExtent((uint)blocks), new LaunchExtent(256),
            valuesAddress, outAddress, reduceElements);
    }

    string ReduceProblem => $"{reduceElements:N0} u32";

    uint LoopSum()
    {
        uint total = 0;
        for (int i = 0; i < reduceElements; i++) total += values[i];
        return total;
    }

    [GlobalSetup(Target = nameof(BlockReduceLoop))]
    public void SetupBlockReduceLoop()
    {
        AllocateReduce();
        Measurements[(nameof(BlockReduceLoop), Engine)] = new Measurement(ReduceProblem, 0);
    }

    [GlobalSetup(Target = nameof(BlockReduce))]
    public void SetupBlockReduce()
    {
        AllocateReduce();
        // out[0] accumulates every block's atomic add; it starts at 0 here, so after one launch it is the sum (mod 2³²).
        Measure(nameof(BlockReduce), ReduceProblem, () => reduceOut[0] == LoopSum() ? null : $"sum {reduceOut[0]} instead of {LoopSum()}");
    }

    /// <summary>The plain C# loop: a wrapping u32 sum, one thread.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("BlockReduce")]
    public uint BlockReduceLoop() => LoopSum();

    /// <summary>block_reduce.ptx: shuffles, a shared-memory exchange across warps, bar.sync, one atomic per block.</summary>
    [Benchmark, BenchmarkCategory("BlockReduce")]
    public long BlockReduce() => Launch().ThreadInstructions;

    // ------------------------------------------------------------------ tiled matmul

    void AllocateMatmul()
    {
        matrixSize = Problem.MatrixSize(Engine.Tier);
        int elements = matrixSize * matrixSize;
        CreateMemory(3UL * 4 * (ulong)elements);
        var left = memory.Allocate<float>(elements, out ulong aAddress);
        var right = memory.Allocate<float>(elements, out ulong bAddress);
        memory.Allocate<float>(elements, out ulong cAddress);
        // Small integers: every product and partial sum is exact, so any summation order gives the same bits.
        for (int i = 0; i < elements; i++)
        {
            left[i] = i % 7;
            right[i] = i % 5 - 2;
        }
        a = (float*)aAddress;
        b = (float*)bAddress;
        c = (float*)cAddress;
        uint tiles = (uint)(matrixSize / 16);
        kernel = Prepare("tiled_matmul.ptx", "tiled_matmul", new LaunchExtent(tiles, tiles), new LaunchExtent(16, 16),
            aAddress, bAddress, cAddress, matrixSize, matrixSize, matrixSize);
    }

    string MatmulProblem => $"{matrixSize}×{matrixSize}×{matrixSize} f32";

    [GlobalSetup(Target = nameof(TiledMatmulLoop))]
    public void SetupTiledMatmulLoop()
    {
        AllocateMatmul();
        Measurements[(nameof(TiledMatmulLoop), Engine)] = new Measurement(MatmulProblem, 0);
    }

    [GlobalSetup(Target = nameof(TiledMatmul))]
    public void SetupTiledMatmul()
    {
        AllocateMatmul();
        Measure(nameof(TiledMatmul), MatmulProblem, () =>
        {
            var expected = new float[matrixSize * matrixSize];
            MatmulInto(expected);
            for (int i = 0; i < expected.Length; i++)
                if (BitConverter.SingleToInt32Bits(c[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                    return $"C[{i / matrixSize},{i % matrixSize}] = {c[i]} instead of {expected[i]}";
            return null;
        });
    }

    /// <summary>The plain C# loop (i, p, j order so both inner reads are contiguous), one thread.</summary>
    void MatmulInto(Span<float> output)
    {
        int n = matrixSize;
        output.Clear();
        for (int i = 0; i < n; i++)
            for (int p = 0; p < n; p++)
            {
                float left = a[i * n + p];
                for (int j = 0; j < n; j++) output[i * n + j] = MathF.FusedMultiplyAdd(left, b[p * n + j], output[i * n + j]);
            }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("TiledMatmul")]
    public void TiledMatmulLoop() => MatmulInto(new Span<float>(c, matrixSize * matrixSize));

    /// <summary>tiled_matmul.ptx: 16×16 shared-memory tiles, two bar.sync per tile, one thread per output element.</summary>
    [Benchmark, BenchmarkCategory("TiledMatmul")]
    public long TiledMatmul() => Launch().ThreadInstructions;

    [GlobalCleanup]
    public void Cleanup() => memory.Dispose();

    // ------------------------------------------------------------------ columns

    static Measurement? Find(BenchmarkCase benchmarkCase)
    {
        var engine = (EngineCase)benchmarkCase.Parameters[nameof(Engine)];
        return Measurements.GetValueOrDefault((benchmarkCase.Descriptor.WorkloadMethod.Name, engine));
    }

    abstract class CustomColumn(string name, string legend) : IColumn
    {
        public string Id => GetType().Name + ColumnName;
        public string ColumnName => name;
        public string Legend => legend;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
        public abstract string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style);
    }

    sealed class ProblemColumn() : CustomColumn("Problem", "What one operation computes")
    {
        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => Find(benchmarkCase)?.Problem ?? "?";
    }

    /// <summary>Thread-instructions of one launch (deterministic), or per second of the mean time; "-" for the C# loops.</summary>
    sealed class ThreadInstructionsColumn(bool perSecond)
        : CustomColumn(perSecond ? "Thread-instr/s" : "Thread-instr",
            perSecond ? "Thread-instructions executed per second of the mean launch time" : "Thread-instructions one launch executes")
    {
        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (Find(benchmarkCase) is not { ThreadInstructions: > 0 } measurement) return "-";
            if (!perSecond) return measurement.ThreadInstructions.ToString("N0");
            if (summary[benchmarkCase]?.ResultStatistics is not { } statistics) return "?";
            double perSecondValue = measurement.ThreadInstructions / (statistics.Mean / 1e9);
            return $"{perSecondValue / 1e6:N1} M";
        }
    }
}
