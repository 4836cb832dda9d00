using Emulator.Kernels.Blas;

namespace Emulator.Tests.Kernels.Blas;

/// <summary>cuBLAS's documented INVALID_VALUE / NOT_SUPPORTED conditions; a failed call writes nothing.</summary>
public unsafe class GemmArgumentTests
{
    private static BlasStatus Call(BlasOperation transA = BlasOperation.None, BlasOperation transB = BlasOperation.None,
        int m = 4, int n = 3, int k = 2, int lda = 4, int ldb = 2, int ldc = 4,
        BlasDataType aType = BlasDataType.R32F, BlasDataType bType = BlasDataType.R32F, BlasDataType cType = BlasDataType.R32F,
        BlasComputeType compute = BlasComputeType.Compute32F, int algorithm = Gemm.DefaultAlgorithm,
        bool nullA = false, bool nullB = false, bool nullC = false, float alpha = 1f)
    {
        var a = new float[64];
        var b = new float[64];
        var c = new float[64];
        Array.Fill(c, 42f);
        Array.Fill(a, 1f);
        Array.Fill(b, 1f);
        BlasStatus status;
        fixed (float* pa = a, pb = b, pc = c)
        {
            status = Gemm.GemmEx(transA, transB, m, n, k, alpha, nullA ? null : pa, aType, lda, nullB ? null : pb, bType, ldb,
                0f, nullC ? null : pc, cType, ldc, compute, algorithm);
        }
        if (status != BlasStatus.Success)
            c.ShouldAllBe(value => value == 42f, "a rejected call must not write C");
        return status;
    }

    [Fact]
    public void A_valid_call_succeeds() => Call().ShouldBe(BlasStatus.Success);

    [Theory]
    [InlineData(-1, 3, 2)]
    [InlineData(4, -1, 2)]
    [InlineData(4, 3, -1)]
    public void Negative_dimensions_are_invalid(int m, int n, int k) => Call(m: m, n: n, k: k).ShouldBe(BlasStatus.InvalidValue);

    [Theory]
    [InlineData(3, 0)]
    [InlineData(0, 3)]
    [InlineData(-1, 0)]
    public void Transpose_arguments_outside_N_T_C_are_invalid(int transA, int transB) =>
        Call(transA: (BlasOperation)transA, transB: (BlasOperation)transB).ShouldBe(BlasStatus.InvalidValue);

    [Fact]
    public void Leading_dimensions_follow_the_documented_minimums()
    {
        Call(lda: 3).ShouldBe(BlasStatus.InvalidValue);                                    // N: lda ≥ m = 4
        Call(transA: BlasOperation.Transpose, lda: 2).ShouldBe(BlasStatus.Success);        // T: lda ≥ k = 2
        Call(transA: BlasOperation.Transpose, lda: 1).ShouldBe(BlasStatus.InvalidValue);
        Call(ldb: 1).ShouldBe(BlasStatus.InvalidValue);                                    // N: ldb ≥ k = 2
        Call(transB: BlasOperation.ConjugateTranspose, ldb: 3).ShouldBe(BlasStatus.Success); // T/C: ldb ≥ n = 3
        Call(transB: BlasOperation.Transpose, ldb: 2).ShouldBe(BlasStatus.InvalidValue);
        Call(ldc: 3).ShouldBe(BlasStatus.InvalidValue);                                    // ldc ≥ m = 4
        Call(m: 0, n: 0, k: 0, lda: 0, ldb: 1, ldc: 1).ShouldBe(BlasStatus.InvalidValue);    // max(1, 0): 0 is invalid
        Call(m: 0, n: 0, k: 0, lda: 1, ldb: 1, ldc: 1).ShouldBe(BlasStatus.Success);
    }

    [Fact]
    public void Null_matrices_are_invalid_only_when_they_are_needed()
    {
        Call(nullC: true).ShouldBe(BlasStatus.InvalidValue);
        Call(nullA: true).ShouldBe(BlasStatus.InvalidValue);
        Call(nullB: true).ShouldBe(BlasStatus.InvalidValue);
        Call(nullA: true, nullB: true, alpha: 0f).ShouldBe(BlasStatus.Success);
        Call(nullA: true, nullB: true, k: 0).ShouldBe(BlasStatus.Success);
        Call(nullA: true, nullB: true, nullC: true, m: 0).ShouldBe(BlasStatus.Success);
    }

    [Theory]
    [InlineData(BlasDataType.R16F, BlasDataType.R16F, BlasDataType.R32F, BlasComputeType.Compute16F)]     // 16F compute writes only R_16F
    [InlineData(BlasDataType.R32F, BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute16F)]
    [InlineData(BlasDataType.R16F, BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute32F)]     // A and B types differ
    [InlineData(BlasDataType.R32F, BlasDataType.R32F, BlasDataType.R16F, BlasComputeType.Compute32F)]
    [InlineData(BlasDataType.R16BF, BlasDataType.R16BF, BlasDataType.R16F, BlasComputeType.Compute32F)]
    [InlineData(BlasDataType.R16F, BlasDataType.R16F, BlasDataType.R16F, BlasComputeType.Compute32FFastTF32)] // FAST_* need R_32F
    [InlineData(BlasDataType.R16BF, BlasDataType.R16BF, BlasDataType.R32F, BlasComputeType.Compute32FFast16BF)]
    [InlineData(BlasDataType.R64F, BlasDataType.R64F, BlasDataType.R64F, BlasComputeType.Compute64F)]
    [InlineData(BlasDataType.R8I, BlasDataType.R8I, BlasDataType.R32F, BlasComputeType.Compute32I)]
    [InlineData(BlasDataType.R32F, BlasDataType.R32F, BlasDataType.R32F, (BlasComputeType)0)]              // a cudaDataType is not a compute type
    public void Combinations_outside_the_table_are_not_supported(BlasDataType aType, BlasDataType bType, BlasDataType cType, BlasComputeType compute) =>
        Call(aType: aType, bType: bType, cType: cType, compute: compute).ShouldBe(BlasStatus.NotSupported);

    [Theory]
    [InlineData(-1, BlasStatus.Success)]
    [InlineData(0, BlasStatus.Success)]
    [InlineData(23, BlasStatus.Success)]
    [InlineData(99, BlasStatus.Success)]
    [InlineData(115, BlasStatus.Success)]
    [InlineData(24, BlasStatus.NotSupported)]
    [InlineData(116, BlasStatus.NotSupported)]
    [InlineData(-2, BlasStatus.NotSupported)]
    public void Algorithms_are_the_cublasGemmAlgo_t_values(int algorithm, BlasStatus expected) =>
        Call(algorithm: algorithm).ShouldBe(expected);

    [Fact]
    public void Batched_calls_validate_batch_count_and_pointer_arrays()
    {
        float[] a = new float[16], b = new float[16], c = new float[16];
        fixed (float* pa = a, pb = b, pc = c)
        {
            float*[] aArray = [pa], bArray = [pb], cArray = [pc];
            fixed (float** ppa = aArray, ppb = bArray, ppc = cArray)
            {
                Gemm.SgemmBatched(BlasOperation.None, BlasOperation.None, 2, 2, 2, 1f, ppa, 2, ppb, 2, 0f, ppc, 2, -1).ShouldBe(BlasStatus.InvalidValue);
                Gemm.SgemmBatched(BlasOperation.None, BlasOperation.None, 2, 2, 2, 1f, null, 2, ppb, 2, 0f, ppc, 2, 1).ShouldBe(BlasStatus.InvalidValue);
                Gemm.SgemmBatched(BlasOperation.None, BlasOperation.None, 2, 2, 2, 1f, null, 2, null, 2, 0f, null, 2, 0).ShouldBe(BlasStatus.Success);
                Gemm.SgemmBatched(BlasOperation.None, BlasOperation.None, 2, 2, 2, 1f, ppa, 2, ppb, 2, 0f, ppc, 2, 1).ShouldBe(BlasStatus.Success);
                aArray[0] = null;
                Gemm.SgemmBatched(BlasOperation.None, BlasOperation.None, 2, 2, 2, 1f, ppa, 2, ppb, 2, 0f, ppc, 2, 1).ShouldBe(BlasStatus.InvalidValue);
            }
            Gemm.SgemmStridedBatched(BlasOperation.None, BlasOperation.None, 2, 2, 2, 1f, pa, 2, 4, pb, 2, 4, 0f, pc, 2, 4, -3).ShouldBe(BlasStatus.InvalidValue);
            Gemm.SgemmStridedBatched(BlasOperation.None, BlasOperation.None, 2, 2, 2, 1f, pa, 1, 4, pb, 2, 4, 0f, pc, 2, 4, 2).ShouldBe(BlasStatus.InvalidValue);
        }
    }

    [Fact]
    public void Helpers_describe_scale_types_math_mode_and_extents()
    {
        Gemm.ScaleType(BlasComputeType.Compute16F).ShouldBe(BlasDataType.R16F);
        Gemm.ScaleType(BlasComputeType.Compute32F).ShouldBe(BlasDataType.R32F);
        Gemm.ApplyTf32MathMode(BlasComputeType.Compute32F, BlasDataType.R32F, true).ShouldBe(BlasComputeType.Compute32FFastTF32);
        Gemm.ApplyTf32MathMode(BlasComputeType.Compute32F, BlasDataType.R16F, true).ShouldBe(BlasComputeType.Compute32F);
        Gemm.ApplyTf32MathMode(BlasComputeType.Compute32FPedantic, BlasDataType.R32F, true).ShouldBe(BlasComputeType.Compute32FPedantic);
        Gemm.ApplyTf32MathMode(BlasComputeType.Compute32F, BlasDataType.R32F, false).ShouldBe(BlasComputeType.Compute32F);
        Gemm.OperandBytes(3, 2, 5, BlasDataType.R16F).ShouldBe((5 + 3) * 2);
        Gemm.OperandBytes(0, 2, 5, BlasDataType.R32F).ShouldBe(0);
    }
}
