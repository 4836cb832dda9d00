using Emulator.Kernels.Blas;

namespace Emulator.Tests.Kernels.Blas;

/// <summary>Batched and strided-batched GEMMs equal one reference GEMM per entry.</summary>
public unsafe class BatchedGemmTests
{
    [Theory]
    [InlineData(BlasDataType.R16F, BlasDataType.R16F, BlasComputeType.Compute16F)]
    [InlineData(BlasDataType.R16F, BlasDataType.R32F, BlasComputeType.Compute32F)]
    [InlineData(BlasDataType.R16BF, BlasDataType.R16BF, BlasComputeType.Compute32F)]
    [InlineData(BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute32F)]
    public void Pointer_array_batches_match_per_entry_references(BlasDataType input, BlasDataType output, BlasComputeType compute)
    {
        const int m = 13, n = 9, k = 21, batch = 5;
        var random = new Random(7);
        var a = Enumerable.Range(0, batch).Select(_ => BlasMatrix.Random(input, k, m, k + 2, random)).ToArray(); // op T
        var b = Enumerable.Range(0, batch).Select(_ => BlasMatrix.Random(input, k, n, k, random)).ToArray();
        var c = Enumerable.Range(0, batch).Select(_ => BlasMatrix.Random(output, m, n, m + 1, random)).ToArray();
        var expected = c.Select(x => x.Clone()).ToArray();
        for (int i = 0; i < batch; i++)
            GemmReference.SameOperations(compute, true, false, m, n, k, 0.5f, a[i], b[i], 1.5f, expected[i]);

        var handles = a.Concat(b).Concat(c).Select(x => System.Runtime.InteropServices.GCHandle.Alloc(x.Storage, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            nint[] pointers = handles.Select(h => h.AddrOfPinnedObject()).ToArray();
            fixed (nint* pinned = pointers)
            {
                void** all = (void**)pinned;
                Gemm.GemmBatchedEx(BlasOperation.Transpose, BlasOperation.None, m, n, k, 0.5f, all, input, k + 2, all + batch, input, k,
                    1.5f, all + 2 * batch, output, m + 1, batch, compute, 99, new BlasExecution(3)).ShouldBe(BlasStatus.Success);
            }
        }
        finally
        {
            foreach (var handle in handles) handle.Free();
        }
        for (int i = 0; i < batch; i++)
            c[i].ShouldBeBitIdenticalTo(expected[i], $"entry {i}");
    }

    [Fact]
    public void Strided_batches_match_per_entry_references_including_a_shared_operand()
    {
        const int m = 17, n = 6, k = 10, batch = 4, lda = 17, ldb = 10, ldc = 19;
        const long strideA = 0, strideB = ldb * n + 3, strideC = ldc * n;
        var random = new Random(9);
        foreach (var (input, output, compute) in GemmTests.SupportedCombinations)
        {
            // One storage per operand holding all entries at the stride; A is shared (stride 0), as ggml does
            // for broadcast weights.
            var a = BlasMatrix.Random(input, m, k, lda, random);
            var bAll = BlasMatrix.Random(input, (int)strideB, batch, (int)strideB, random);
            var cAll = BlasMatrix.Random(output, (int)strideC, batch, (int)strideC, random);
            var expectedAll = cAll.Clone();
            for (int i = 0; i < batch; i++)
            {
                var bi = Slice(bAll, i * strideB, k, n, ldb);
                var ci = Slice(expectedAll, i * strideC, m, n, ldc);
                GemmReference.SameOperations(compute, false, false, m, n, k, 1f, a, bi, -1f, ci);
                WriteBack(ci, expectedAll, i * strideC);
            }
            fixed (byte* pa = a.Storage, pb = bAll.Storage, pc = cAll.Storage)
            {
                Gemm.GemmStridedBatchedEx(BlasOperation.None, BlasOperation.None, m, n, k, 1f, pa, input, lda, strideA,
                    pb, input, ldb, strideB, -1f, pc, output, ldc, strideC, batch, compute).ShouldBe(BlasStatus.Success);
            }
            cAll.ShouldBeBitIdenticalTo(expectedAll, $"{input}/{output}/{compute}");
        }
    }

    [Fact]
    public void Sgemm_strided_batched_equals_separate_sgemm_calls()
    {
        const int m = 31, n = 33, k = 7, batch = 3;
        var random = new Random(4);
        float[] a = Enumerable.Range(0, m * k * batch).Select(_ => (float)random.NextDouble()).ToArray();
        float[] b = Enumerable.Range(0, k * n * batch).Select(_ => (float)random.NextDouble()).ToArray();
        float[] batched = new float[m * n * batch], separate = new float[m * n * batch];
        fixed (float* pa = a, pb = b, pc = batched, ps = separate)
        {
            Gemm.SgemmStridedBatched(BlasOperation.None, BlasOperation.None, m, n, k, 1f, pa, m, m * k, pb, k, k * n, 0f, pc, m, m * n, batch)
                .ShouldBe(BlasStatus.Success);
            for (int i = 0; i < batch; i++)
                Gemm.Sgemm(BlasOperation.None, BlasOperation.None, m, n, k, 1f, pa + i * m * k, m, pb + i * k * n, k, 0f, ps + i * m * n, m)
                    .ShouldBe(BlasStatus.Success);
        }
        batched.ShouldBe(separate);
        batched.ShouldNotContain(0f);
    }

    private static BlasMatrix Slice(BlasMatrix all, long offset, int rows, int cols, int ld)
    {
        var slice = new BlasMatrix(all.Type, rows, cols, ld);
        for (long index = 0; index < (long)ld * cols; index++)
            slice.SetRaw(index, all.GetRaw(offset + index));
        return slice;
    }

    private static void WriteBack(BlasMatrix slice, BlasMatrix all, long offset)
    {
        for (long index = 0; index < (long)slice.Ld * slice.Cols; index++)
            all.SetRaw(offset + index, slice.GetRaw(index));
    }
}
