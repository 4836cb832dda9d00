using Emulator.Kernels.Blas;

namespace Emulator.Tests.Kernels.Blas;

/// <summary>StrsmBatched against substitution in binary64 written from the definition, and against the residual.</summary>
public unsafe class TrsmTests
{
    public static TheoryData<BlasSide, BlasFillMode, BlasOperation, BlasDiagonal> EveryMode()
    {
        var data = new TheoryData<BlasSide, BlasFillMode, BlasOperation, BlasDiagonal>();
        foreach (BlasSide side in new[] { BlasSide.Left, BlasSide.Right })
            foreach (BlasFillMode uplo in new[] { BlasFillMode.Lower, BlasFillMode.Upper })
                foreach (BlasOperation trans in new[] { BlasOperation.None, BlasOperation.Transpose, BlasOperation.ConjugateTranspose })
                    foreach (BlasDiagonal diag in new[] { BlasDiagonal.NonUnit, BlasDiagonal.Unit })
                        data.Add(side, uplo, trans, diag);
        return data;
    }

    /// <summary>
    /// A well-conditioned triangular A: the named triangle random in [-0.5, 0.5) with a diagonal of 2..3; the
    /// other triangle (and, for a unit diagonal, the diagonal) NaN, so reading it would poison the result.
    /// </summary>
    private static double[] MakeA(int order, int lda, BlasFillMode uplo, BlasDiagonal diag, Random random)
    {
        var a = new double[lda * order];
        Array.Fill(a, double.NaN);
        for (int col = 0; col < order; col++)
        {
            for (int row = 0; row < order; row++)
            {
                bool stored = uplo == BlasFillMode.Lower ? row > col : row < col;
                if (stored)
                    a[row + col * lda] = (float)(random.NextDouble() - 0.5);
                else if (row == col && diag == BlasDiagonal.NonUnit)
                    a[row + col * lda] = (float)(2 + random.NextDouble());
            }
        }
        return a;
    }

    /// <summary>op(A)(i, j) as the triangular matrix it denotes (zeros off the triangle, ones on a unit diagonal).</summary>
    private static double OpA(double[] a, int lda, BlasFillMode uplo, BlasOperation trans, BlasDiagonal diag, int i, int j)
    {
        int row = trans == BlasOperation.None ? i : j;
        int col = trans == BlasOperation.None ? j : i;
        if (row == col)
            return diag == BlasDiagonal.Unit ? 1 : a[row + col * lda];
        bool stored = uplo == BlasFillMode.Lower ? row > col : row < col;
        return stored ? a[row + col * lda] : 0;
    }

    /// <summary>Dense Gaussian elimination with op(A) materialised: independent of the triangular bookkeeping.</summary>
    private static double[,] Solve(double[,] system, double[,] rightHandSides)
    {
        int order = system.GetLength(0), count = rightHandSides.GetLength(1);
        var m = (double[,])system.Clone();
        var x = (double[,])rightHandSides.Clone();
        for (int pivot = 0; pivot < order; pivot++)
        {
            for (int row = 0; row < order; row++)
            {
                if (row == pivot) continue;
                double factor = m[row, pivot] / m[pivot, pivot];
                if (factor == 0) continue;
                for (int col = 0; col < order; col++) m[row, col] -= factor * m[pivot, col];
                for (int col = 0; col < count; col++) x[row, col] -= factor * x[pivot, col];
            }
        }
        for (int row = 0; row < order; row++)
            for (int col = 0; col < count; col++)
                x[row, col] /= m[row, row];
        return x;
    }

    [Theory]
    [MemberData(nameof(EveryMode))]
    public void Every_mode_matches_dense_elimination(BlasSide side, BlasFillMode uplo, BlasOperation trans, BlasDiagonal diag)
    {
        const int m = 33, n = 7, batch = 3, ldb = 35;
        const float alpha = 1.5f;
        bool left = side == BlasSide.Left;
        int order = left ? m : n, lda = order + 2;
        var random = new Random((int)side * 100 + (int)uplo * 10 + (int)trans * 3 + (int)diag);

        var aValues = Enumerable.Range(0, batch).Select(_ => MakeA(order, lda, uplo, diag, random)).ToArray();
        var bValues = Enumerable.Range(0, batch).Select(_ =>
        {
            var b = new float[ldb * n];
            for (int i = 0; i < b.Length; i++) b[i] = i % ldb < m ? (float)(random.NextDouble() * 2 - 1) : 777f;
            return b;
        }).ToArray();
        var expected = new double[batch][,];
        for (int t = 0; t < batch; t++)
        {
            // Left: op(A)·X = alpha·B. Right: X·op(A) = alpha·B ⇔ op(A)ᵀ·Xᵀ = alpha·Bᵀ.
            var system = new double[order, order];
            for (int i = 0; i < order; i++)
                for (int j = 0; j < order; j++)
                    system[i, j] = left ? OpA(aValues[t], lda, uplo, trans, diag, i, j) : OpA(aValues[t], lda, uplo, trans, diag, j, i);
            var rhs = left ? new double[m, n] : new double[n, m];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    if (left) rhs[i, j] = alpha * bValues[t][i + j * ldb]; else rhs[j, i] = alpha * bValues[t][i + j * ldb];
            var solution = Solve(system, rhs);
            expected[t] = new double[m, n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    expected[t][i, j] = left ? solution[i, j] : solution[j, i];
        }

        var aFloats = aValues.Select(a => a.Select(v => (float)v).ToArray()).ToArray();
        var handles = aFloats.Cast<object>().Concat(bValues).Select(x => System.Runtime.InteropServices.GCHandle.Alloc(x, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            nint[] pointers = handles.Select(h => h.AddrOfPinnedObject()).ToArray();
            fixed (nint* all = pointers)
            {
                Trsm.StrsmBatched(side, uplo, trans, diag, m, n, alpha, (float**)all, lda, (float**)all + batch, ldb, batch, new BlasExecution(2))
                    .ShouldBe(BlasStatus.Success);
            }
        }
        finally
        {
            foreach (var handle in handles) handle.Free();
        }

        for (int t = 0; t < batch; t++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < ldb; i++)
                {
                    float actual = bValues[t][i + j * ldb];
                    if (i >= m)
                    {
                        actual.ShouldBe(777f, "rows beyond m are ldb padding and must stay untouched");
                        continue;
                    }
                    double error = Math.Abs(actual - expected[t][i, j]);
                    (error <= 1e-5 * (1 + Math.Abs(expected[t][i, j]))).ShouldBeTrue($"batch {t} X[{i},{j}] = {actual}, expected {expected[t][i, j]}");
                }
            }
        }
    }

    [Fact]
    public void Results_do_not_depend_on_the_worker_count()
    {
        const int m = 64, n = 50;
        var random = new Random(3);
        float[] a = MakeA(m, m, BlasFillMode.Upper, BlasDiagonal.NonUnit, random).Select(v => double.IsNaN(v) ? 0f : (float)v).ToArray();
        float[] original = Enumerable.Range(0, m * n).Select(_ => (float)random.NextDouble()).ToArray();
        float[]? first = null;
        foreach (int workers in new[] { 1, 2, 5 })
        {
            float[] b = (float[])original.Clone();
            fixed (float* pa = a, pb = b)
            {
                float*[] aArray = [pa], bArray = [pb];
                fixed (float** ppa = aArray, ppb = bArray)
                    Trsm.StrsmBatched(BlasSide.Left, BlasFillMode.Upper, BlasOperation.Transpose, BlasDiagonal.NonUnit, m, n, 1f,
                        ppa, m, ppb, m, 1, new BlasExecution(workers)).ShouldBe(BlasStatus.Success);
            }
            if (first is null) first = b; else b.ShouldBe(first);
        }
    }

    [Fact]
    public void Alpha_zero_sets_B_to_zero_without_reading_A()
    {
        float[] b = [1, 2, 3, 4];
        fixed (float* pb = b)
        {
            float*[] aArray = [null], bArray = [pb];
            fixed (float** ppa = aArray, ppb = bArray)
                Trsm.StrsmBatched(BlasSide.Left, BlasFillMode.Lower, BlasOperation.None, BlasDiagonal.NonUnit, 2, 2, 0f, ppa, 2, ppb, 2, 1)
                    .ShouldBe(BlasStatus.Success);
        }
        b.ShouldBe([0f, 0f, 0f, 0f]);
    }

    [Fact]
    public void Bad_arguments_are_invalid_and_write_nothing()
    {
        float[] a = [2, 0, 0, 2], b = [1, 2, 3, 4];
        fixed (float* pa = a, pb = b)
        {
            float*[] aArray = [pa], bArray = [pb];
            fixed (float** pinnedA = aArray, pinnedB = bArray)
            {
                float** ppa = pinnedA, ppb = pinnedB;
                BlasStatus Call(int side = 0, int uplo = 0, int trans = 0, int diag = 0, int m = 2, int n = 2, int lda = 2, int ldb = 2, int count = 1, bool nullArrays = false) =>
                    Trsm.StrsmBatched((BlasSide)side, (BlasFillMode)uplo, (BlasOperation)trans, (BlasDiagonal)diag, m, n, 1f,
                        nullArrays ? null : ppa, lda, nullArrays ? null : ppb, ldb, count);

                Call(side: 2).ShouldBe(BlasStatus.InvalidValue);
                Call(uplo: (int)BlasFillMode.Full).ShouldBe(BlasStatus.InvalidValue);
                Call(trans: 3).ShouldBe(BlasStatus.InvalidValue);
                Call(diag: 2).ShouldBe(BlasStatus.InvalidValue);
                Call(m: -1).ShouldBe(BlasStatus.InvalidValue);
                Call(n: -1).ShouldBe(BlasStatus.InvalidValue);
                Call(count: -1).ShouldBe(BlasStatus.InvalidValue);
                Call(lda: 1).ShouldBe(BlasStatus.InvalidValue);                      // left: lda ≥ m
                Call(side: 1, m: 2, n: 3, lda: 2, ldb: 2).ShouldBe(BlasStatus.InvalidValue); // right: lda ≥ n
                Call(ldb: 1).ShouldBe(BlasStatus.InvalidValue);                      // ldb ≥ m
                Call(nullArrays: true).ShouldBe(BlasStatus.InvalidValue);
                Call(count: 0, nullArrays: true).ShouldBe(BlasStatus.Success);
                b.ShouldBe([1f, 2f, 3f, 4f]);

                Call().ShouldBe(BlasStatus.Success);
                b.ShouldBe([0.5f, 1f, 1.5f, 2f]);
            }
        }
    }
}
