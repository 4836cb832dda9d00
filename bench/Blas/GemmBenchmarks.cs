using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Emulator.Kernels.Blas;
using System.Runtime.InteropServices;

namespace Emulator.Bench.Blas;

/// <summary>
/// The blocked SIMD multi-core GEMM against the straightforward triple loop, on ggml's layout
/// (op(A) = Aᵀ, op(B) = B, column-major, so both loops read A and B contiguously along k).
/// Run: <c>dotnet run -c Release --project bench -- --filter '*GemmBenchmarks*'</c>.
/// </summary>
[Config(typeof(Config))]
public unsafe class GemmBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Large shapes take seconds per call on the naive side: a few measured calls are enough. In-process:
            // the repository-wide artifacts layout breaks BenchmarkDotNet's generated per-run project.
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1)
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(20), logOutput: true)));
            AddColumn(new GflopsColumn());
        }
    }

    public enum Precision
    {
        /// <summary>Sgemm: binary32 in, binary32 out, COMPUTE_32F.</summary>
        F32,

        /// <summary>GemmEx: binary16 in and out, COMPUTE_16F (binary16 accumulation), as ggml calls it.</summary>
        F16,
    }

    /// <summary>
    /// Shapes as m×n×k. The binary16 naive loop (a conversion and a rounding per step) is about ten times slower
    /// than the binary32 one, so its large shape is smaller to keep a run within minutes on a shared machine.
    /// </summary>
    public static IEnumerable<string> CaseNames() =>
        ["F32 512x512x512", "F16 512x512x512", "F32 1024x1024x4096", "F16 512x512x2048"];

    [ParamsSource(nameof(CaseNames))]
    public string Case { get; set; } = "F32 512x512x512";

    private Precision Type => Enum.Parse<Precision>(Case.Split(' ')[0]);

    private string Shape => Case.Split(' ')[1];

    private int _m, _n, _k;
    private void* _a, _b, _c;

    [GlobalSetup]
    public void Setup()
    {
        int[] dims = Shape.Split('x').Select(int.Parse).ToArray();
        (_m, _n, _k) = (dims[0], dims[1], dims[2]);
        int size = Type == Precision.F32 ? 4 : 2;
        _a = NativeMemory.AlignedAlloc((nuint)((long)_k * _m * size), 64);
        _b = NativeMemory.AlignedAlloc((nuint)((long)_k * _n * size), 64);
        _c = NativeMemory.AlignedAlloc((nuint)((long)_m * _n * size), 64);
        var random = new Random(1);
        Fill(_a, (long)_k * _m, random);
        Fill(_b, (long)_k * _n, random);
        Fill(_c, (long)_m * _n, random);
    }

    private void Fill(void* target, long count, Random random)
    {
        for (long i = 0; i < count; i++)
        {
            float value = (float)(random.NextDouble() - 0.5);
            if (Type == Precision.F32) ((float*)target)[i] = value;
            else ((Half*)target)[i] = (Half)value;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
        NativeMemory.AlignedFree(_c);
    }

    [Benchmark(Baseline = true)]
    public void NaiveLoop()
    {
        if (Type == Precision.F32)
            NaiveGemm.SingleTransposedA(_m, _n, _k, (float*)_a, (float*)_b, (float*)_c);
        else
            NaiveGemm.HalfTransposedA(_m, _n, _k, (Half*)_a, (Half*)_b, (Half*)_c);
    }

    [Benchmark]
    public BlasStatus Blocked() => Type == Precision.F32
        ? Gemm.Sgemm(BlasOperation.Transpose, BlasOperation.None, _m, _n, _k, 1f, (float*)_a, _k, (float*)_b, _k, 0f, (float*)_c, _m)
        : Gemm.GemmEx(BlasOperation.Transpose, BlasOperation.None, _m, _n, _k, 1f, _a, BlasDataType.R16F, _k, _b, BlasDataType.R16F, _k,
            0f, _c, BlasDataType.R16F, _m, BlasComputeType.Compute16F);

    /// <summary>GFLOP/s = 2·m·n·k / mean time, from the shape in the Case parameter.</summary>
    private sealed class GflopsColumn : IColumn
    {
        public string Id => nameof(GflopsColumn);
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "2·m·n·k floating-point operations per second, in billions";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is null)
                return "-";
            string shape = ((string)benchmarkCase.Parameters[nameof(Case)]).Split(' ')[1];
            double flops = 2.0 * shape.Split('x').Select(double.Parse).Aggregate(1.0, (x, y) => x * y);
            return (flops / report.ResultStatistics.Mean).ToString("F2");
        }
    }
}

/// <summary>The straightforward loop: one dot product per element of C, in binary32 (or binary16 accumulation).</summary>
internal static unsafe class NaiveGemm
{
    public static void SingleTransposedA(int m, int n, int k, float* a, float* b, float* c)
    {
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                float* row = a + (long)i * k;
                float* column = b + (long)j * k;
                float acc = 0f;
                for (int p = 0; p < k; p++)
                    acc = MathF.FusedMultiplyAdd(row[p], column[p], acc);
                c[i + (long)j * m] = acc;
            }
        }
    }

    public static void HalfTransposedA(int m, int n, int k, Half* a, Half* b, Half* c)
    {
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                Half* row = a + (long)i * k;
                Half* column = b + (long)j * k;
                float acc = 0f;
                for (int p = 0; p < k; p++)
                    acc = (float)(Half)MathF.FusedMultiplyAdd((float)row[p], (float)column[p], acc);
                c[i + (long)j * m] = (Half)acc;
            }
        }
    }
}
