namespace Emulator.Kernels.Blas;

/// <summary>
/// cuBLAS triangular solves, column-major: <c>op(A)·X = alpha·B</c> (side left, A m×m) or
/// <c>X·op(A) = alpha·B</c> (side right, A n×n); X overwrites B (m×n). Only the triangle <c>uplo</c> names is
/// read; with a unit diagonal the diagonal is not read either. A singular A yields ±∞/NaN as on the GPU;
/// cuBLAS does not check for it.
/// </summary>
/// <remarks>
/// Each column (side left) or row (side right) of B is an independent system, solved by substitution in a
/// fixed order: <c>x[i] = (alpha·b[i] − Σ M[i,p]·x[p]) / M[i,i]</c> with the sum taken as fused multiply-subtracts
/// over the unknowns p in the order they were solved. Systems are spread over workers whole, so
/// results do not depend on the worker count.
/// </remarks>
public static unsafe class Trsm
{
    private const int SystemsPerTask = 16;

    /// <summary>
    /// <c>cublasStrsmBatched</c>. INVALID_VALUE (nothing written) when side/uplo/trans/diag is not a valid
    /// enumerator (uplo must be LOWER or UPPER), m, n or batchCount is negative,
    /// <c>lda &lt; max(1, side == LEFT ? m : n)</c>, <c>ldb &lt; max(1, m)</c>, or a needed pointer is null.
    /// </summary>
    public static BlasStatus StrsmBatched(
        BlasSide side, BlasFillMode uplo, BlasOperation trans, BlasDiagonal diag, int m, int n,
        float alpha, float** aArray, int lda, float** bArray, int ldb, int batchCount, BlasExecution? execution = null)
    {
        if (side is not (BlasSide.Left or BlasSide.Right) || uplo is not (BlasFillMode.Lower or BlasFillMode.Upper)
            || !Gemm.IsValidOperation(trans) || diag is not (BlasDiagonal.NonUnit or BlasDiagonal.Unit))
            return BlasStatus.InvalidValue;
        if (m < 0 || n < 0 || batchCount < 0)
            return BlasStatus.InvalidValue;
        bool left = side == BlasSide.Left;
        if (lda < Math.Max(1, left ? m : n) || ldb < Math.Max(1, m))
            return BlasStatus.InvalidValue;
        if (m == 0 || n == 0 || batchCount == 0)
            return BlasStatus.Success;
        if (aArray == null || bArray == null)
            return BlasStatus.InvalidValue;
        for (int i = 0; i < batchCount; i++)
        {
            if (bArray[i] == null || (alpha != 0f && aArray[i] == null))
                return BlasStatus.InvalidValue;
        }

        bool transposed = trans != BlasOperation.None;
        var problem = new Problem(
            Order: left ? m : n,
            SystemCount: left ? n : m,
            // M is op(A) for side left and op(A)ᵀ for side right; M(i, p) = A[i·RowStride + p·ColumnStride].
            RowStride: transposed == left ? lda : 1,
            ColumnStride: transposed == left ? 1 : lda,
            Lower: (uplo == BlasFillMode.Lower) ^ transposed ^ !left,
            UnitDiagonal: diag == BlasDiagonal.Unit,
            ElementStride: left ? 1 : ldb,
            SystemStride: left ? ldb : 1,
            Alpha: alpha);

        var work = new List<(nint A, nint B, int FirstSystem)>();
        for (int batch = 0; batch < batchCount; batch++)
        {
            for (int first = 0; first < problem.SystemCount; first += SystemsPerTask)
                work.Add(((nint)aArray[batch], (nint)bArray[batch], first));
        }

        int workers = Math.Max(1, (execution ?? BlasExecution.Default).WorkerCount);
        if (workers == 1 || work.Count == 1)
        {
            foreach (var item in work)
                SolveGroup(problem, (float*)item.A, (float*)item.B, item.FirstSystem);
        }
        else
        {
            Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = workers },
                index => SolveGroup(problem, (float*)work[index].A, (float*)work[index].B, work[index].FirstSystem));
        }
        return BlasStatus.Success;
    }

    private readonly record struct Problem(
        int Order, int SystemCount, long RowStride, long ColumnStride, bool Lower, bool UnitDiagonal,
        long ElementStride, long SystemStride, float Alpha);

    private static void SolveGroup(in Problem problem, float* a, float* b, int firstSystem)
    {
        int last = Math.Min(problem.SystemCount, firstSystem + SystemsPerTask);
        for (int system = firstSystem; system < last; system++)
            Solve(problem, a, b + system * problem.SystemStride);
    }

    private static void Solve(in Problem problem, float* a, float* x)
    {
        int order = problem.Order;
        long stride = problem.ElementStride;
        if (problem.Alpha == 0f)
        {
            for (int i = 0; i < order; i++)
                x[i * stride] = 0f;
            return;
        }

        for (int step = 0; step < order; step++)
        {
            int i = problem.Lower ? step : order - 1 - step;
            float sum = problem.Alpha * x[i * stride];
            for (int previous = 0; previous < step; previous++)
            {
                int p = problem.Lower ? previous : order - 1 - previous;
                sum = MathF.FusedMultiplyAdd(-a[i * problem.RowStride + p * problem.ColumnStride], x[p * stride], sum);
            }
            if (!problem.UnitDiagonal)
                sum /= a[i * problem.RowStride + i * problem.ColumnStride];
            x[i * stride] = sum;
        }
    }
}
