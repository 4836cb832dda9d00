using Emulator.Kernels.Blas;

namespace Emulator.Tests.Kernels.Blas;

public unsafe class GemmTests
{
    /// <summary>Every (A/B type, C type, compute type) row of cuBLAS's GemmEx table the library runs.</summary>
    public static readonly (BlasDataType Input, BlasDataType Output, BlasComputeType Compute)[] SupportedCombinations =
    [
        (BlasDataType.R16F, BlasDataType.R16F, BlasComputeType.Compute16F),
        (BlasDataType.R16F, BlasDataType.R16F, BlasComputeType.Compute16FPedantic),
        (BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute32F),
        (BlasDataType.R16F, BlasDataType.R16F, BlasComputeType.Compute32F),
        (BlasDataType.R16F, BlasDataType.R32F, BlasComputeType.Compute32F),
        (BlasDataType.R16BF, BlasDataType.R16BF, BlasComputeType.Compute32F),
        (BlasDataType.R16BF, BlasDataType.R32F, BlasComputeType.Compute32F),
        (BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute32FPedantic),
        (BlasDataType.R16F, BlasDataType.R32F, BlasComputeType.Compute32FPedantic),
        (BlasDataType.R16BF, BlasDataType.R16BF, BlasComputeType.Compute32FPedantic),
        (BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute32FFastTF32),
        (BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute32FFast16F),
        (BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute32FFast16BF),
    ];

    private static readonly BlasOperation[] Operations = [BlasOperation.None, BlasOperation.Transpose, BlasOperation.ConjugateTranspose];

    public static TheoryData<BlasDataType, BlasDataType, BlasComputeType, BlasOperation, BlasOperation> EveryCombination()
    {
        var data = new TheoryData<BlasDataType, BlasDataType, BlasComputeType, BlasOperation, BlasOperation>();
        foreach (var (input, output, compute) in SupportedCombinations)
            foreach (BlasOperation transA in Operations)
                foreach (BlasOperation transB in Operations)
                    data.Add(input, output, compute, transA, transB);
        return data;
    }

    public static TheoryData<int, int, int, BlasComputeType> OddSizes()
    {
        var data = new TheoryData<int, int, int, BlasComputeType>();
        int[] sizes = [1, 7, 33, 129];
        foreach (int m in sizes)
            foreach (int n in sizes)
                foreach (int k in sizes)
                    if ((m * 7 + n * 3 + k) % 3 == 0 || m == n && n == k)
                        data.Add(m, n, k, k % 2 == 0 ? BlasComputeType.Compute16F : BlasComputeType.Compute32F);
        return data;
    }

    /// <summary>
    /// One GEMM through the library against both references: bit-identical to the same-operations loop
    /// (padding of C untouched), and within the documented tolerance of the binary64 product.
    /// </summary>
    private static void CheckGemm(BlasDataType input, BlasDataType output, BlasComputeType compute,
        BlasOperation opA, BlasOperation opB, int m, int n, int k, float alpha, float beta, int seed, int workers = 2)
    {
        var random = new Random(seed);
        bool transA = opA != BlasOperation.None, transB = opB != BlasOperation.None;
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        BlasMatrix a = BlasMatrix.Random(input, aRows, aCols, aRows + 3, random);
        BlasMatrix b = BlasMatrix.Random(input, bRows, bCols, bRows + 1, random);
        BlasMatrix c = BlasMatrix.Random(output, m, n, m + 2, random, padding: 1234.5f);
        if (beta == 0f)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i++)
                    c[i, j] = float.NaN;

        BlasMatrix expected = c.Clone();
        GemmReference.SameOperations(compute, transA, transB, m, n, k, alpha, a, b, beta, expected);
        var (exact, magnitude) = GemmReference.ExactProduct(transA, transB, m, n, k,
            GemmReference.HalfAccumulate(compute) ? (double)(Half)alpha : alpha, a, b,
            GemmReference.HalfAccumulate(compute) ? (double)(Half)beta : beta, c);

        BlasStatus status;
        fixed (byte* pa = a.Storage, pb = b.Storage, pc = c.Storage)
        {
            status = Gemm.GemmEx(opA, opB, m, n, k, alpha, pa, input, a.Ld, pb, input, b.Ld, beta, pc, output, c.Ld,
                compute, Gemm.DefaultAlgorithm, new BlasExecution(workers));
        }

        status.ShouldBe(BlasStatus.Success);
        string context = $"{input}/{output}/{compute} {opA}{opB} m={m} n={n} k={k}";
        c.ShouldBeBitIdenticalTo(expected, context);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double error = Math.Abs(c[i, j] - exact[i, j]);
                double tolerance = GemmReference.Tolerance(compute, output, k, magnitude[i, j], exact[i, j]);
                if (!(error <= tolerance))
                    throw new Xunit.Sdk.XunitException($"{context}: C[{i},{j}] = {c[i, j]}, exact {exact[i, j]}, error {error} > {tolerance}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void Every_type_compute_and_transpose_combination_matches_the_references(
        BlasDataType input, BlasDataType output, BlasComputeType compute, BlasOperation opA, BlasOperation opB)
    {
        CheckGemm(input, output, compute, opA, opB, m: 33, n: 7, k: 129, alpha: 0.75f, beta: -0.5f, seed: (int)compute + (int)opA * 3 + (int)opB);
        CheckGemm(input, output, compute, opA, opB, m: 7, n: 33, k: 33, alpha: 1.25f, beta: 0f, seed: 17);
    }

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Odd_sizes_match_the_references(int m, int n, int k, BlasComputeType compute)
    {
        BlasDataType type = compute == BlasComputeType.Compute16F ? BlasDataType.R16F : BlasDataType.R32F;
        CheckGemm(type, type, compute, BlasOperation.None, BlasOperation.Transpose, m, n, k, alpha: 1f, beta: 0.5f, seed: m * 1000 + n * 10 + k);
    }

    [Fact]
    public void Several_tiles_and_panels_match_the_references()
    {
        // 300×200 spans several 128×192 tiles, k = 600 spans three 256-deep panels.
        CheckGemm(BlasDataType.R32F, BlasDataType.R32F, BlasComputeType.Compute32F, BlasOperation.Transpose, BlasOperation.None,
            300, 200, 600, alpha: 0.5f, beta: 2f, seed: 5);
        CheckGemm(BlasDataType.R16F, BlasDataType.R16F, BlasComputeType.Compute16F, BlasOperation.None, BlasOperation.None,
            150, 130, 300, alpha: 1f, beta: 1f, seed: 6);
    }

    [Fact]
    public void Beta_zero_never_reads_C_so_NaN_in_C_does_not_propagate()
    {
        foreach (var (input, output, compute) in SupportedCombinations)
            CheckGemm(input, output, compute, BlasOperation.None, BlasOperation.None, 9, 5, 4, alpha: 1f, beta: 0f, seed: 3);
    }

    [Fact]
    public void Alpha_zero_and_k_zero_scale_C_without_reading_A_or_B()
    {
        var c = new float[] { 1, 2, 3, 4 };
        var nanA = new float[] { float.NaN, float.NaN, float.NaN, float.NaN };
        fixed (float* pc = c, pa = nanA)
        {
            Gemm.Sgemm(BlasOperation.None, BlasOperation.None, 2, 2, 2, 0f, pa, 2, pa, 2, 3f, pc, 2).ShouldBe(BlasStatus.Success);
            c.ShouldBe([3f, 6f, 9f, 12f]);
            Gemm.Sgemm(BlasOperation.None, BlasOperation.None, 2, 2, 0, 1f, null, 2, null, 1, 0.5f, pc, 2).ShouldBe(BlasStatus.Success);
            c.ShouldBe([1.5f, 3f, 4.5f, 6f]);
            c[0] = float.NaN;
            Gemm.Sgemm(BlasOperation.None, BlasOperation.None, 2, 2, 2, 0f, pa, 2, pa, 2, 0f, pc, 2).ShouldBe(BlasStatus.Success);
            c.ShouldBe([0f, 0f, 0f, 0f]);
        }
    }

    [Fact]
    public void Sgemm_computes_a_hand_checked_product()
    {
        // A = [1 2; 3 4] and B = [5 6; 7 8] column-major; A·B = [19 22; 43 50]; C = 2·A·B + 1·C.
        float[] a = [1, 3, 2, 4], b = [5, 7, 6, 8], c = [1, 1, 1, 1];
        fixed (float* pa = a, pb = b, pc = c)
            Gemm.Sgemm(BlasOperation.None, BlasOperation.None, 2, 2, 2, 2f, pa, 2, pb, 2, 1f, pc, 2).ShouldBe(BlasStatus.Success);
        c.ShouldBe([39f, 87f, 45f, 101f]);
        // Aᵀ·B = [1 3; 2 4]·B = [26 30; 38 44].
        c = [0, 0, 0, 0];
        fixed (float* pa = a, pb = b, pc = c)
            Gemm.Sgemm(BlasOperation.Transpose, BlasOperation.None, 2, 2, 2, 1f, pa, 2, pb, 2, 0f, pc, 2).ShouldBe(BlasStatus.Success);
        c.ShouldBe([26f, 38f, 30f, 44f]);
    }

    [Fact]
    public void Half_accumulation_rounds_every_partial_sum()
    {
        // 2048 + 1 is not a binary16 number (ulp 2 at 2048): a binary16 accumulator stays at 2048 for each +1,
        // a binary32 accumulator reaches 2048 + 4.
        ushort one = BitConverter.HalfToUInt16Bits((Half)1f);
        ushort big = BitConverter.HalfToUInt16Bits((Half)2048f);
        ushort[] a = [big, one, one, one, one];
        ushort[] b = [one, one, one, one, one];
        ushort[] c = [0];
        fixed (ushort* pa = a, pb = b, pc = c)
        {
            Gemm.GemmEx(BlasOperation.None, BlasOperation.None, 1, 1, 5, 1f, pa, BlasDataType.R16F, 1, pb, BlasDataType.R16F, 5,
                0f, pc, BlasDataType.R16F, 1, BlasComputeType.Compute16F).ShouldBe(BlasStatus.Success);
            ((float)BitConverter.UInt16BitsToHalf(c[0])).ShouldBe(2048f);
            Gemm.GemmEx(BlasOperation.None, BlasOperation.None, 1, 1, 5, 1f, pa, BlasDataType.R16F, 1, pb, BlasDataType.R16F, 5,
                0f, pc, BlasDataType.R16F, 1, BlasComputeType.Compute32F).ShouldBe(BlasStatus.Success);
            ((float)BitConverter.UInt16BitsToHalf(c[0])).ShouldBe(2052f);
        }
    }

    [Theory]
    [InlineData(1e-6f, 1f)]     // A holds binary16 subnormals: partial sums stay below 2⁻¹⁴
    [InlineData(100f, 300f)]    // products up to 3e4: partial sums overflow to ±∞ (the kernel's exact fallback)
    [InlineData(1f, 1f)]        // ordinary magnitudes
    public void Half_accumulation_matches_the_reference_through_subnormal_and_overflowing_sums(float scaleA, float scaleB)
    {
        const int m = 40, n = 14, k = 70;
        var random = new Random(21);
        BlasMatrix a = BlasMatrix.Random(BlasDataType.R16F, m, k, m, random);
        BlasMatrix b = BlasMatrix.Random(BlasDataType.R16F, k, n, k, random);
        for (int p = 0; p < k; p++)
        {
            for (int i = 0; i < m; i++) a[i, p] *= scaleA;
            for (int j = 0; j < n; j++) b[p, j] *= scaleB;
        }
        // Only some tiles go out of range, so both kernel paths run in one call.
        for (int p = 0; p < k; p++)
            for (int i = 0; i < m / 2; i++)
                a[i, p] = a[i, p] / scaleA;
        BlasMatrix c = BlasMatrix.Random(BlasDataType.R16F, m, n, m, random);
        BlasMatrix expected = c.Clone();
        // beta = 0: a C term would swamp tiny sums in the final rounding and hide their accumulation.
        GemmReference.SameOperations(BlasComputeType.Compute16F, false, false, m, n, k, 1f, a, b, 0f, expected);
        fixed (byte* pa = a.Storage, pb = b.Storage, pc = c.Storage)
        {
            Gemm.GemmEx(BlasOperation.None, BlasOperation.None, m, n, k, 1f, pa, BlasDataType.R16F, m, pb, BlasDataType.R16F, k,
                0f, pc, BlasDataType.R16F, m, BlasComputeType.Compute16F).ShouldBe(BlasStatus.Success);
        }
        c.ShouldBeBitIdenticalTo(expected, $"scales {scaleA}, {scaleB}");
    }

    [Fact]
    public void Tf32_compute_rounds_inputs_to_ten_mantissa_bits()
    {
        float x = 1f + MathF.Pow(2, -12);   // lost in TF32, kept in binary32
        float[] a = [x], b = [1f], c = [0f];
        fixed (float* pa = a, pb = b, pc = c)
        {
            Gemm.GemmEx(BlasOperation.None, BlasOperation.None, 1, 1, 1, 1f, pa, BlasDataType.R32F, 1, pb, BlasDataType.R32F, 1,
                0f, pc, BlasDataType.R32F, 1, BlasComputeType.Compute32FFastTF32).ShouldBe(BlasStatus.Success);
            c[0].ShouldBe(1f);
            Gemm.GemmEx(BlasOperation.None, BlasOperation.None, 1, 1, 1, 1f, pa, BlasDataType.R32F, 1, pb, BlasDataType.R32F, 1,
                0f, pc, BlasDataType.R32F, 1, BlasComputeType.Compute32F).ShouldBe(BlasStatus.Success);
            c[0].ShouldBe(x);
        }
    }

    [Fact]
    public void Results_are_bit_identical_for_any_worker_count_and_run()
    {
        foreach (BlasComputeType compute in new[] { BlasComputeType.Compute32F, BlasComputeType.Compute16F })
        {
            BlasDataType type = compute == BlasComputeType.Compute16F ? BlasDataType.R16F : BlasDataType.R32F;
            var random = new Random(11);
            BlasMatrix a = BlasMatrix.Random(type, 257, 513, 260, random);
            BlasMatrix b = BlasMatrix.Random(type, 513, 199, 513, random);
            BlasMatrix first = null!;
            foreach (int workers in new[] { 1, 2, 3, 8, 1 })
            {
                BlasMatrix c = BlasMatrix.Random(type, 257, 199, 257, new Random(2));
                fixed (byte* pa = a.Storage, pb = b.Storage, pc = c.Storage)
                {
                    Gemm.GemmEx(BlasOperation.None, BlasOperation.None, 257, 199, 513, 1f, pa, type, a.Ld, pb, type, b.Ld,
                        0.5f, pc, type, c.Ld, compute, Gemm.DefaultAlgorithm, new BlasExecution(workers)).ShouldBe(BlasStatus.Success);
                }
                if (first is null)
                    first = c;
                else
                    c.ShouldBeBitIdenticalTo(first, $"{compute} with {workers} workers");
            }
        }
    }
}
