using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Emulator.Kernels.Blas;

/// <summary>
/// The blocked, multi-core GEMM behind every public entry point.
/// </summary>
/// <remarks>
/// <para>C is cut into tiles; a tile is computed by one worker over the whole k range, with op(A) and op(B)
/// packed (and converted to binary32) in KC-deep panels and a register-blocked 16×6 micro-kernel. The
/// accumulator of a tile lives in a binary32 buffer between panels, so every element of C sees exactly the
/// sequence <c>acc = fma(a[i,p], b[p,j], acc)</c> for p = 0, 1, …, k−1 starting from +0: the result does not
/// depend on tile sizes, panel depth or the number of workers, and equals the plain triple loop that performs
/// the same fused multiply-adds in the same order bit for bit.</para>
/// <para>With binary16 accumulation every partial sum is rounded to binary16 after its fused multiply-add.</para>
/// <para>Epilogue (binary32 accumulation): <c>C = beta == 0 ? alpha·acc : fma(alpha, acc, beta·C)</c>, rounded
/// once to C's type. Epilogue (binary16 accumulation, alpha/beta binary16): <c>t = h(alpha·acc)</c>, then
/// <c>C = beta == 0 ? t : h(fma(beta, C, t))</c> where h rounds to binary16. With beta == 0, C is never read.</para>
/// </remarks>
internal static unsafe class GemmEngine
{
    // Hot loops carry AggressiveOptimization: they run once per call for seconds, so tiered compilation would
    // spend the first calls in unoptimised code and on-stack replacement.
    private const int MicroRows = 16;
    private const int MicroCols = 6;
    private const int PanelDepth = 256;
    private const int TileRows = 128;
    private const int TileCols = 192;

    public static int ElementSize(BlasDataType type) => type == BlasDataType.R32F ? 4 : 2;

    /// <summary>Runs <paramref name="entries"/> (one GEMM each) with the shared <paramref name="descriptor"/>.</summary>
    public static void Run(in GemmDescriptor descriptor, GemmOperands[] entries, BlasExecution execution)
    {
        if (descriptor.M == 0 || descriptor.N == 0 || entries.Length == 0)
            return;
        if (descriptor.K == 0 || descriptor.Alpha == 0f)
        {
            foreach (GemmOperands entry in entries)
                ScaleOnly(descriptor, entry.C);
            return;
        }

        int workers = Math.Max(1, execution.WorkerCount);
        var tiling = Tiling.Choose(descriptor.M, descriptor.N, entries.Length, workers);
        int taskCount = tiling.TilesPerEntry * entries.Length;
        GemmDescriptor shared = descriptor;

        if (workers == 1 || taskCount == 1)
        {
            using var scratch = new Scratch(tiling);
            for (int task = 0; task < taskCount; task++)
                RunTask(shared, entries, tiling, task, scratch);
            return;
        }

        Parallel.For(
            0,
            taskCount,
            new ParallelOptions { MaxDegreeOfParallelism = workers },
            () => new Scratch(tiling),
            (task, _, scratch) =>
            {
                RunTask(shared, entries, tiling, task, scratch);
                return scratch;
            },
            scratch => scratch.Dispose());
    }

    /// <summary>Tile sizes for one call: smaller tiles when a call would otherwise leave workers idle.</summary>
    private readonly record struct Tiling(int Rows, int Cols, int TilesDown, int TilesAcross)
    {
        public int TilesPerEntry => TilesDown * TilesAcross;

        public static Tiling Choose(int m, int n, int entryCount, int workers)
        {
            int rows = Math.Min(TileRows, RoundUp(m, MicroRows));
            int cols = Math.Min(TileCols, RoundUp(n, MicroCols));
            // Tile shape never changes results (see the class remarks), so it is free to serve load balance.
            while ((long)CeilDiv(m, rows) * CeilDiv(n, cols) * entryCount < 2L * workers)
            {
                if (rows >= cols && rows > MicroRows)
                    rows = RoundUp(rows / 2, MicroRows);
                else if (cols > MicroCols)
                    cols = RoundUp(cols / 2, MicroCols);
                else if (rows > MicroRows)
                    rows = RoundUp(rows / 2, MicroRows);
                else
                    break;
            }
            return new Tiling(rows, cols, CeilDiv(m, rows), CeilDiv(n, cols));
        }
    }

    /// <summary>One worker's packing and accumulator buffers, 64-byte aligned.</summary>
    private sealed class Scratch : IDisposable
    {
        public readonly float* PackedA;
        public readonly float* PackedB;
        public readonly float* Accumulator;

        public Scratch(Tiling tiling)
        {
            PackedA = Allocate((long)tiling.Rows * PanelDepth);
            PackedB = Allocate((long)tiling.Cols * PanelDepth);
            Accumulator = Allocate((long)tiling.Rows * tiling.Cols);
        }

        private static float* Allocate(long floats) => (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);

        public void Dispose()
        {
            NativeMemory.AlignedFree(PackedA);
            NativeMemory.AlignedFree(PackedB);
            NativeMemory.AlignedFree(Accumulator);
        }
    }

    private static void RunTask(in GemmDescriptor d, GemmOperands[] entries, Tiling tiling, int task, Scratch scratch)
    {
        GemmOperands entry = entries[task / tiling.TilesPerEntry];
        int tile = task % tiling.TilesPerEntry;
        int row0 = tile % tiling.TilesDown * tiling.Rows;
        int col0 = tile / tiling.TilesDown * tiling.Cols;
        int rows = Math.Min(tiling.Rows, d.M - row0);
        int cols = Math.Min(tiling.Cols, d.N - col0);
        int paddedRows = RoundUp(rows, MicroRows);
        int paddedCols = RoundUp(cols, MicroCols);

        for (int p0 = 0; p0 < d.K; p0 += PanelDepth)
        {
            int depth = Math.Min(PanelDepth, d.K - p0);
            PackA(d, entry.A, row0, rows, paddedRows, p0, depth, scratch.PackedA);
            PackB(d, entry.B, col0, cols, paddedCols, p0, depth, scratch.PackedB);
            bool accumulate = p0 > 0;
            for (int jr = 0; jr < paddedCols; jr += MicroCols)
            {
                float* bPanel = scratch.PackedB + (long)jr * depth;
                for (int ir = 0; ir < paddedRows; ir += MicroRows)
                {
                    float* aPanel = scratch.PackedA + (long)ir * depth;
                    float* acc = scratch.Accumulator + (long)jr * paddedRows + ir;
                    if (d.Accumulation == Accumulation.Half)
                        MicroKernelHalf(depth, aPanel, bPanel, acc, paddedRows, accumulate);
                    else
                        MicroKernelSingle(depth, aPanel, bPanel, acc, paddedRows, accumulate);
                }
            }
        }
        Epilogue(d, entry.C, row0, rows, col0, cols, scratch.Accumulator, paddedRows);
    }

    // ---- packing: op(A) rows [row0, row0+rows) × depth into MicroRows-wide slivers, zero padded ----

    private static void PackA(in GemmDescriptor d, byte* a, int row0, int rows, int paddedRows, int p0, int depth, float* packed)
    {
        switch (d.AType)
        {
            case BlasDataType.R32F: PackA<Float32Reader>(d, a, row0, rows, paddedRows, p0, depth, packed); break;
            case BlasDataType.R16F: PackA<Float16Reader>(d, a, row0, rows, paddedRows, p0, depth, packed); break;
            default: PackA<BFloat16Reader>(d, a, row0, rows, paddedRows, p0, depth, packed); break;
        }
        ApplyInputRounding(d.Rounding, packed, (long)paddedRows * depth);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA<TReader>(in GemmDescriptor d, byte* a, int row0, int rows, int paddedRows, int p0, int depth, float* packed)
        where TReader : struct, IElementReader
    {
        long lda = d.Lda;
        for (int ir = 0; ir < paddedRows; ir += MicroRows)
        {
            float* sliver = packed + (long)ir * depth;
            int live = Math.Clamp(rows - ir, 0, MicroRows);
            if (live < MicroRows)
                new Span<float>(sliver, MicroRows * depth).Clear();
            for (int r = 0; r < live; r++)
            {
                long i = row0 + ir + r;
                if (d.TransposeA)
                {
                    // op(A)(i, p) = A[p + i·lda]: contiguous along p.
                    long start = p0 + i * lda;
                    for (int p = 0; p < depth; p++)
                        sliver[p * MicroRows + r] = TReader.Read(a, start + p);
                }
                else
                {
                    // op(A)(i, p) = A[i + p·lda].
                    long start = i + (long)p0 * lda;
                    for (int p = 0; p < depth; p++)
                        sliver[p * MicroRows + r] = TReader.Read(a, start + p * lda);
                }
            }
        }
    }

    // ---- packing: op(B) depth × columns [col0, col0+cols) into MicroCols-wide slivers, zero padded ----

    private static void PackB(in GemmDescriptor d, byte* b, int col0, int cols, int paddedCols, int p0, int depth, float* packed)
    {
        switch (d.BType)
        {
            case BlasDataType.R32F: PackB<Float32Reader>(d, b, col0, cols, paddedCols, p0, depth, packed); break;
            case BlasDataType.R16F: PackB<Float16Reader>(d, b, col0, cols, paddedCols, p0, depth, packed); break;
            default: PackB<BFloat16Reader>(d, b, col0, cols, paddedCols, p0, depth, packed); break;
        }
        ApplyInputRounding(d.Rounding, packed, (long)paddedCols * depth);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<TReader>(in GemmDescriptor d, byte* b, int col0, int cols, int paddedCols, int p0, int depth, float* packed)
        where TReader : struct, IElementReader
    {
        long ldb = d.Ldb;
        for (int jr = 0; jr < paddedCols; jr += MicroCols)
        {
            float* sliver = packed + (long)jr * depth;
            int live = Math.Clamp(cols - jr, 0, MicroCols);
            if (live < MicroCols)
                new Span<float>(sliver, MicroCols * depth).Clear();
            for (int c = 0; c < live; c++)
            {
                long j = col0 + jr + c;
                if (d.TransposeB)
                {
                    // op(B)(p, j) = B[j + p·ldb].
                    long start = j + (long)p0 * ldb;
                    for (int p = 0; p < depth; p++)
                        sliver[p * MicroCols + c] = TReader.Read(b, start + p * ldb);
                }
                else
                {
                    // op(B)(p, j) = B[p + j·ldb]: contiguous along p.
                    long start = p0 + j * ldb;
                    for (int p = 0; p < depth; p++)
                        sliver[p * MicroCols + c] = TReader.Read(b, start + p);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyInputRounding(InputRounding rounding, float* values, long count)
    {
        switch (rounding)
        {
            case InputRounding.Tf32:
                for (long i = 0; i < count; i++) values[i] = Rounding.RoundToTf32(values[i]);
                break;
            case InputRounding.Half:
                for (long i = 0; i < count; i++) values[i] = Rounding.RoundToHalf(values[i]);
                break;
            case InputRounding.BFloat16:
                for (long i = 0; i < count; i++) values[i] = Rounding.RoundToBFloat16(values[i]);
                break;
        }
    }

    // ---- micro-kernels: acc[16×6] (column-major, leading dimension ldAcc) += aSliver · bSliver ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernelSingle(int depth, float* a, float* b, float* acc, int ldAcc, bool accumulate)
    {
        if (!Vector256.IsHardwareAccelerated || !System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            MicroKernelScalar(depth, a, b, acc, ldAcc, accumulate, roundToHalf: false);
            return;
        }

        float* c0 = acc, c1 = acc + ldAcc, c2 = acc + 2 * ldAcc, c3 = acc + 3 * ldAcc, c4 = acc + 4 * ldAcc, c5 = acc + 5 * ldAcc;
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = Vector256.Load(c0); c01 = Vector256.Load(c0 + 8);
            c10 = Vector256.Load(c1); c11 = Vector256.Load(c1 + 8);
            c20 = Vector256.Load(c2); c21 = Vector256.Load(c2 + 8);
            c30 = Vector256.Load(c3); c31 = Vector256.Load(c3 + 8);
            c40 = Vector256.Load(c4); c41 = Vector256.Load(c4 + 8);
            c50 = Vector256.Load(c5); c51 = Vector256.Load(c5 + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        for (int p = 0; p < depth; p++)
        {
            Vector256<float> a0 = Vector256.Load(a);
            Vector256<float> a1 = Vector256.Load(a + 8);
            Vector256<float> bj = Vector256.Create(b[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, bj, c00); c01 = Vector256.FusedMultiplyAdd(a1, bj, c01);
            bj = Vector256.Create(b[1]);
            c10 = Vector256.FusedMultiplyAdd(a0, bj, c10); c11 = Vector256.FusedMultiplyAdd(a1, bj, c11);
            bj = Vector256.Create(b[2]);
            c20 = Vector256.FusedMultiplyAdd(a0, bj, c20); c21 = Vector256.FusedMultiplyAdd(a1, bj, c21);
            bj = Vector256.Create(b[3]);
            c30 = Vector256.FusedMultiplyAdd(a0, bj, c30); c31 = Vector256.FusedMultiplyAdd(a1, bj, c31);
            bj = Vector256.Create(b[4]);
            c40 = Vector256.FusedMultiplyAdd(a0, bj, c40); c41 = Vector256.FusedMultiplyAdd(a1, bj, c41);
            bj = Vector256.Create(b[5]);
            c50 = Vector256.FusedMultiplyAdd(a0, bj, c50); c51 = Vector256.FusedMultiplyAdd(a1, bj, c51);
            a += MicroRows;
            b += MicroCols;
        }

        c00.Store(c0); c01.Store(c0 + 8);
        c10.Store(c1); c11.Store(c1 + 8);
        c20.Store(c2); c21.Store(c2 + 8);
        c30.Store(c3); c31.Store(c3 + 8);
        c40.Store(c4); c41.Store(c4 + 8);
        c50.Store(c5); c51.Store(c5 + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernelHalf(int depth, float* a, float* b, float* acc, int ldAcc, bool accumulate)
    {
        if (!Vector256.IsHardwareAccelerated || !System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            MicroKernelScalar(depth, a, b, acc, ldAcc, accumulate, roundToHalf: true);
            return;
        }

        // Twelve accumulators plus the rounding constants do not fit in 16 registers, so this kernel walks the
        // six columns in two passes of three. Each pass first assumes every partial sum stays below 2¹⁵, where
        // rounding is a few operations; if any lane reached it the pass is recomputed from the untouched
        // accumulator with the full rounding (same results either way).
        for (int first = 0; first < MicroCols; first += 3)
        {
            float* column = acc + first * ldAcc;
            if (!TryHalfPassBelowOverflow(depth, a, b + first, column, ldAcc, accumulate))
                HalfPassFullRounding(depth, a, b + first, column, ldAcc, accumulate);
        }
    }

    /// <summary>Three columns of the binary16-accumulating kernel; false (nothing stored) when some partial sum
    /// reached 2¹⁵ in magnitude or was not finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryHalfPassBelowOverflow(int depth, float* a, float* b, float* c0, int ldAcc, bool accumulate)
    {
        float* c1 = c0 + ldAcc, c2 = c1 + ldAcc;
        Vector256<float> c00, c01, c10, c11, c20, c21;
        if (accumulate)
        {
            c00 = Vector256.Load(c0); c01 = Vector256.Load(c0 + 8);
            c10 = Vector256.Load(c1); c11 = Vector256.Load(c1 + 8);
            c20 = Vector256.Load(c2); c21 = Vector256.Load(c2 + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = Vector256<float>.Zero;
        }

        Vector256<uint> largestExponent = Vector256<uint>.Zero;
        for (int p = 0; p < depth; p++)
        {
            Vector256<float> a0 = Vector256.Load(a);
            Vector256<float> a1 = Vector256.Load(a + 8);
            Vector256<float> bj = Vector256.Create(b[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, bj, c00); c01 = Vector256.FusedMultiplyAdd(a1, bj, c01);
            bj = Vector256.Create(b[1]);
            c10 = Vector256.FusedMultiplyAdd(a0, bj, c10); c11 = Vector256.FusedMultiplyAdd(a1, bj, c11);
            bj = Vector256.Create(b[2]);
            c20 = Vector256.FusedMultiplyAdd(a0, bj, c20); c21 = Vector256.FusedMultiplyAdd(a1, bj, c21);

            Vector256<uint> e00 = ExponentBits(c00), e01 = ExponentBits(c01), e10 = ExponentBits(c10);
            Vector256<uint> e11 = ExponentBits(c11), e20 = ExponentBits(c20), e21 = ExponentBits(c21);
            largestExponent = Vector256.Max(largestExponent,
                Vector256.Max(Vector256.Max(e00, e01), Vector256.Max(Vector256.Max(e10, e11), Vector256.Max(e20, e21))));
            c00 = RoundToHalfBelowOverflow(c00, e00); c01 = RoundToHalfBelowOverflow(c01, e01);
            c10 = RoundToHalfBelowOverflow(c10, e10); c11 = RoundToHalfBelowOverflow(c11, e11);
            c20 = RoundToHalfBelowOverflow(c20, e20); c21 = RoundToHalfBelowOverflow(c21, e21);
            a += MicroRows;
            b += MicroCols;
        }

        if (Vector256.GreaterThanOrEqualAny(largestExponent, Vector256.Create(OverflowRiskExponentBits)))
            return false;

        c00.Store(c0); c01.Store(c0 + 8);
        c10.Store(c1); c11.Store(c1 + 8);
        c20.Store(c2); c21.Store(c2 + 8);
        return true;
    }

    /// <summary>Exponent field of 2¹⁵: from here on a partial sum may round to ∞, which the fast rounding does not model.</summary>
    private const uint OverflowRiskExponentBits = (127 + 15) << 23;

    /// <summary>Exponent field of 2⁻¹⁴, binary16's smallest normal: below it binary16's spacing stays 2⁻²⁴.</summary>
    private const uint SmallestNormalHalfExponentBits = (127 - 14) << 23;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> ExponentBits(Vector256<float> value) => value.AsUInt32() & Vector256.Create(0x7F80_0000u);

    /// <summary>
    /// Round to binary16 (nearest even) for magnitudes below 2¹⁵, subnormals included, by adding and removing
    /// M = 1.5·2^(e+13), e = max(exponent, −14): x + M stays in M's binade, whose spacing is binary16's spacing
    /// at x, so the binary32 addition rounds exactly as binary16 would. The sign is restored for results of zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> RoundToHalfBelowOverflow(Vector256<float> value, Vector256<uint> exponentBits)
    {
        Vector256<uint> magicExponent = Vector256.Max(exponentBits, Vector256.Create(SmallestNormalHalfExponentBits)) + Vector256.Create(13u << 23);
        Vector256<float> magic = (magicExponent | Vector256.Create(0x0040_0000u)).AsSingle();
        Vector256<float> rounded = (value + magic) - magic;
        return (rounded.AsUInt32() | (value.AsUInt32() & Vector256.Create(0x8000_0000u))).AsSingle();
    }

    /// <summary>Three columns of the binary16-accumulating kernel with <see cref="Rounding.RoundToHalf(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalfPassFullRounding(int depth, float* a, float* b, float* c0, int ldAcc, bool accumulate)
    {
        float* c1 = c0 + ldAcc, c2 = c1 + ldAcc;
        Vector256<float> c00, c01, c10, c11, c20, c21;
        if (accumulate)
        {
            c00 = Vector256.Load(c0); c01 = Vector256.Load(c0 + 8);
            c10 = Vector256.Load(c1); c11 = Vector256.Load(c1 + 8);
            c20 = Vector256.Load(c2); c21 = Vector256.Load(c2 + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = Vector256<float>.Zero;
        }

        for (int p = 0; p < depth; p++)
        {
            Vector256<float> a0 = Vector256.Load(a);
            Vector256<float> a1 = Vector256.Load(a + 8);
            Vector256<float> bj = Vector256.Create(b[0]);
            c00 = Rounding.RoundToHalf(Vector256.FusedMultiplyAdd(a0, bj, c00));
            c01 = Rounding.RoundToHalf(Vector256.FusedMultiplyAdd(a1, bj, c01));
            bj = Vector256.Create(b[1]);
            c10 = Rounding.RoundToHalf(Vector256.FusedMultiplyAdd(a0, bj, c10));
            c11 = Rounding.RoundToHalf(Vector256.FusedMultiplyAdd(a1, bj, c11));
            bj = Vector256.Create(b[2]);
            c20 = Rounding.RoundToHalf(Vector256.FusedMultiplyAdd(a0, bj, c20));
            c21 = Rounding.RoundToHalf(Vector256.FusedMultiplyAdd(a1, bj, c21));
            a += MicroRows;
            b += MicroCols;
        }

        c00.Store(c0); c01.Store(c0 + 8);
        c10.Store(c1); c11.Store(c1 + 8);
        c20.Store(c2); c21.Store(c2 + 8);
    }

    /// <summary>The portable kernel: same operations in the same order as the vector kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernelScalar(int depth, float* a, float* b, float* acc, int ldAcc, bool accumulate, bool roundToHalf)
    {
        for (int j = 0; j < MicroCols; j++)
        {
            float* column = acc + (long)j * ldAcc;
            for (int i = 0; i < MicroRows; i++)
            {
                float sum = accumulate ? column[i] : 0f;
                for (int p = 0; p < depth; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[p * MicroRows + i], b[p * MicroCols + j], sum);
                    if (roundToHalf)
                        sum = Rounding.RoundToHalf(sum);
                }
                column[i] = sum;
            }
        }
    }

    // ---- epilogue: scale, add beta·C, convert to C's type ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Epilogue(in GemmDescriptor d, byte* c, int row0, int rows, int col0, int cols, float* acc, int ldAcc)
    {
        int size = ElementSize(d.CType);
        for (int j = 0; j < cols; j++)
        {
            byte* column = c + ((col0 + j) * d.Ldc + row0) * size;
            float* sums = acc + (long)j * ldAcc;
            for (int i = 0; i < rows; i++)
            {
                float result = d.Accumulation == Accumulation.Half
                    ? HalfEpilogue(d, sums[i], column, i)
                    : SingleEpilogue(d, sums[i], column, i);
                Store(d.CType, column, i, result);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SingleEpilogue(in GemmDescriptor d, float sum, byte* column, int i) =>
        d.Beta == 0f ? d.Alpha * sum : MathF.FusedMultiplyAdd(d.Alpha, sum, d.Beta * Load(d.CType, column, i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HalfEpilogue(in GemmDescriptor d, float sum, byte* column, int i)
    {
        float scaled = Rounding.RoundToHalf(d.Alpha * sum);
        return d.Beta == 0f ? scaled : Rounding.RoundToHalf(MathF.FusedMultiplyAdd(d.Beta, Load(d.CType, column, i), scaled));
    }

    /// <summary>alpha == 0 or k == 0: C = beta·C (C = 0 when beta == 0, without reading C).</summary>
    private static void ScaleOnly(in GemmDescriptor d, byte* c)
    {
        int size = ElementSize(d.CType);
        for (int j = 0; j < d.N; j++)
        {
            byte* column = c + j * d.Ldc * size;
            for (int i = 0; i < d.M; i++)
            {
                float result = 0f;
                if (d.Beta != 0f)
                {
                    result = d.Beta * Load(d.CType, column, i);
                    if (d.Accumulation == Accumulation.Half)
                        result = Rounding.RoundToHalf(result);
                }
                Store(d.CType, column, i, result);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Load(BlasDataType type, byte* column, long i) => type switch
    {
        BlasDataType.R32F => ((float*)column)[i],
        BlasDataType.R16F => Rounding.HalfBitsToSingle(((ushort*)column)[i]),
        _ => Rounding.BFloat16BitsToSingle(((ushort*)column)[i]),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(BlasDataType type, byte* column, long i, float value)
    {
        switch (type)
        {
            case BlasDataType.R32F: ((float*)column)[i] = value; break;
            case BlasDataType.R16F: ((ushort*)column)[i] = Rounding.SingleToHalfBits(value); break;
            default: ((ushort*)column)[i] = Rounding.SingleToBFloat16Bits(value); break;
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

    // ---- element readers: one specialised packing loop per storage type ----

    private interface IElementReader
    {
        static abstract float Read(byte* matrix, long index);
    }

    private struct Float32Reader : IElementReader
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Read(byte* matrix, long index) => ((float*)matrix)[index];
    }

    private struct Float16Reader : IElementReader
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Read(byte* matrix, long index) => Rounding.HalfBitsToSingle(((ushort*)matrix)[index]);
    }

    private struct BFloat16Reader : IElementReader
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Read(byte* matrix, long index) => Rounding.BFloat16BitsToSingle(((ushort*)matrix)[index]);
    }
}
