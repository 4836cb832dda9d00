namespace Emulator.Kernels.Blas;

/// <summary>
/// cuBLAS GEMM semantics over raw host-addressable pointers: column-major
/// <c>C = alpha·op(A)·op(B) + beta·C</c>, op(A) m×k, op(B) k×n, C m×n.
/// </summary>
/// <remarks>
/// <para>Argument checks follow the cuBLAS documentation: INVALID_VALUE when m, n, k or batchCount is negative,
/// a transpose argument is not N/T/C, <c>lda &lt; max(1, transa == N ? m : k)</c>,
/// <c>ldb &lt; max(1, transb == N ? k : n)</c>, <c>ldc &lt; max(1, m)</c>, or a matrix that has to be read or
/// written is a null pointer; NOT_SUPPORTED when the type/compute combination is outside cuBLAS's table for
/// GemmEx or the algorithm is not a <c>cublasGemmAlgo_t</c>. Nothing is written when a check fails.</para>
/// <para>alpha and beta arrive as values: the adapter reads them (host or device pointer mode) in the type
/// <see cref="ScaleType"/> names. The caller is responsible for A, B and C being addressable over the
/// extents <see cref="OperandBytes"/> gives. Numerics and determinism: see <see cref="GemmEngine"/>.</para>
/// </remarks>
public static unsafe class Gemm
{
    /// <summary><c>cublasSgemm</c>: binary32 throughout (GemmEx with R_32F and COMPUTE_32F).</summary>
    public static BlasStatus Sgemm(
        BlasOperation transA, BlasOperation transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc,
        BlasExecution? execution = null) =>
        GemmEx(transA, transB, m, n, k, alpha, a, BlasDataType.R32F, lda, b, BlasDataType.R32F, ldb,
            beta, c, BlasDataType.R32F, ldc, BlasComputeType.Compute32F, DefaultAlgorithm, execution);

    /// <summary><c>cublasGemmEx</c>.</summary>
    public static BlasStatus GemmEx(
        BlasOperation transA, BlasOperation transB, int m, int n, int k,
        float alpha, void* a, BlasDataType aType, int lda, void* b, BlasDataType bType, int ldb,
        float beta, void* c, BlasDataType cType, int ldc, BlasComputeType computeType, int algorithm = DefaultAlgorithm,
        BlasExecution? execution = null)
    {
        BlasStatus status = Prepare(transA, transB, m, n, k, alpha, aType, lda, bType, ldb, beta, cType, ldc,
            computeType, algorithm, batchCount: 1, out GemmDescriptor descriptor);
        if (status != BlasStatus.Success)
            return status;
        var entry = new GemmOperands((byte*)a, (byte*)b, (byte*)c);
        if (!OperandsPresent(descriptor, entry))
            return BlasStatus.InvalidValue;
        GemmEngine.Run(descriptor, [entry], execution ?? BlasExecution.Default);
        return BlasStatus.Success;
    }

    /// <summary><c>cublasGemmBatchedEx</c>: arrays of <paramref name="batchCount"/> matrix pointers.</summary>
    public static BlasStatus GemmBatchedEx(
        BlasOperation transA, BlasOperation transB, int m, int n, int k,
        float alpha, void** aArray, BlasDataType aType, int lda, void** bArray, BlasDataType bType, int ldb,
        float beta, void** cArray, BlasDataType cType, int ldc, int batchCount, BlasComputeType computeType,
        int algorithm = DefaultAlgorithm, BlasExecution? execution = null)
    {
        BlasStatus status = Prepare(transA, transB, m, n, k, alpha, aType, lda, bType, ldb, beta, cType, ldc,
            computeType, algorithm, batchCount, out GemmDescriptor descriptor);
        if (status != BlasStatus.Success)
            return status;
        if (batchCount > 0 && (aArray == null || bArray == null || cArray == null))
            return BlasStatus.InvalidValue;
        var entries = new GemmOperands[batchCount];
        for (int i = 0; i < batchCount; i++)
        {
            entries[i] = new GemmOperands((byte*)aArray[i], (byte*)bArray[i], (byte*)cArray[i]);
            if (!OperandsPresent(descriptor, entries[i]))
                return BlasStatus.InvalidValue;
        }
        GemmEngine.Run(descriptor, entries, execution ?? BlasExecution.Default);
        return BlasStatus.Success;
    }

    /// <summary><c>cublasGemmStridedBatchedEx</c>: entry i uses A + i·strideA elements (likewise B and C).</summary>
    public static BlasStatus GemmStridedBatchedEx(
        BlasOperation transA, BlasOperation transB, int m, int n, int k,
        float alpha, void* a, BlasDataType aType, int lda, long strideA,
        void* b, BlasDataType bType, int ldb, long strideB,
        float beta, void* c, BlasDataType cType, int ldc, long strideC, int batchCount,
        BlasComputeType computeType, int algorithm = DefaultAlgorithm, BlasExecution? execution = null)
    {
        BlasStatus status = Prepare(transA, transB, m, n, k, alpha, aType, lda, bType, ldb, beta, cType, ldc,
            computeType, algorithm, batchCount, out GemmDescriptor descriptor);
        if (status != BlasStatus.Success)
            return status;
        var entries = new GemmOperands[batchCount];
        long aStep = strideA * GemmEngine.ElementSize(aType);
        long bStep = strideB * GemmEngine.ElementSize(bType);
        long cStep = strideC * GemmEngine.ElementSize(cType);
        for (int i = 0; i < batchCount; i++)
            entries[i] = new GemmOperands((byte*)a + i * aStep, (byte*)b + i * bStep, (byte*)c + i * cStep);
        if (batchCount > 0 && !OperandsPresent(descriptor, new GemmOperands((byte*)a, (byte*)b, (byte*)c)))
            return BlasStatus.InvalidValue;
        GemmEngine.Run(descriptor, entries, execution ?? BlasExecution.Default);
        return BlasStatus.Success;
    }

    /// <summary><c>cublasSgemmBatched</c>.</summary>
    public static BlasStatus SgemmBatched(
        BlasOperation transA, BlasOperation transB, int m, int n, int k,
        float alpha, float** aArray, int lda, float** bArray, int ldb, float beta, float** cArray, int ldc,
        int batchCount, BlasExecution? execution = null) =>
        GemmBatchedEx(transA, transB, m, n, k, alpha, (void**)aArray, BlasDataType.R32F, lda, (void**)bArray,
            BlasDataType.R32F, ldb, beta, (void**)cArray, BlasDataType.R32F, ldc, batchCount,
            BlasComputeType.Compute32F, DefaultAlgorithm, execution);

    /// <summary><c>cublasSgemmStridedBatched</c>.</summary>
    public static BlasStatus SgemmStridedBatched(
        BlasOperation transA, BlasOperation transB, int m, int n, int k,
        float alpha, float* a, int lda, long strideA, float* b, int ldb, long strideB,
        float beta, float* c, int ldc, long strideC, int batchCount, BlasExecution? execution = null) =>
        GemmStridedBatchedEx(transA, transB, m, n, k, alpha, a, BlasDataType.R32F, lda, strideA,
            b, BlasDataType.R32F, ldb, strideB, beta, c, BlasDataType.R32F, ldc, strideC, batchCount,
            BlasComputeType.Compute32F, DefaultAlgorithm, execution);

    /// <summary><c>CUBLAS_GEMM_DEFAULT</c>.</summary>
    public const int DefaultAlgorithm = -1;

    /// <summary>
    /// The type alpha and beta are given in for <paramref name="computeType"/> (cuBLAS's scaleType):
    /// binary16 for the 16F compute types, binary32 otherwise.
    /// </summary>
    public static BlasDataType ScaleType(BlasComputeType computeType) =>
        computeType is BlasComputeType.Compute16F or BlasComputeType.Compute16FPedantic ? BlasDataType.R16F : BlasDataType.R32F;

    /// <summary>
    /// The compute type a handle's math mode turns <paramref name="computeType"/> into:
    /// under <c>CUBLAS_TF32_TENSOR_OP_MATH</c>, binary32 GEMMs with binary32 inputs (Sgemm and GemmEx with
    /// COMPUTE_32F) may use TF32 tensor cores, which this library models as COMPUTE_32F_FAST_TF32.
    /// PEDANTIC compute types are never changed.
    /// </summary>
    public static BlasComputeType ApplyTf32MathMode(BlasComputeType computeType, BlasDataType inputType, bool tf32TensorOpMath) =>
        tf32TensorOpMath && computeType == BlasComputeType.Compute32F && inputType == BlasDataType.R32F
            ? BlasComputeType.Compute32FFastTF32
            : computeType;

    /// <summary>
    /// Bytes a column-major rows×cols operand with leading dimension <paramref name="ld"/> spans from its base
    /// pointer (0 for an empty operand): what an adapter must find addressable before calling in.
    /// </summary>
    public static long OperandBytes(int rows, int cols, int ld, BlasDataType type) =>
        rows <= 0 || cols <= 0 ? 0 : ((long)(cols - 1) * ld + rows) * GemmEngine.ElementSize(type);

    /// <summary>Whether (A, B, C types, compute type) is a row of cuBLAS's GemmEx table this library runs.</summary>
    public static bool IsSupported(BlasDataType aType, BlasDataType bType, BlasDataType cType, BlasComputeType computeType)
    {
        if (aType != bType)
            return false;
        return computeType switch
        {
            BlasComputeType.Compute16F or BlasComputeType.Compute16FPedantic =>
                aType == BlasDataType.R16F && cType == BlasDataType.R16F,
            BlasComputeType.Compute32F or BlasComputeType.Compute32FPedantic =>
                (aType, cType) is (BlasDataType.R32F, BlasDataType.R32F)
                    or (BlasDataType.R16F, BlasDataType.R16F) or (BlasDataType.R16F, BlasDataType.R32F)
                    or (BlasDataType.R16BF, BlasDataType.R16BF) or (BlasDataType.R16BF, BlasDataType.R32F),
            BlasComputeType.Compute32FFastTF32 or BlasComputeType.Compute32FFast16F or BlasComputeType.Compute32FFast16BF =>
                aType == BlasDataType.R32F && cType == BlasDataType.R32F,
            _ => false,
        };
    }

    /// <summary><c>cublasGemmAlgo_t</c>: DEFAULT (−1), ALGO0–23, DEFAULT_TENSOR_OP (99), ALGO0–15_TENSOR_OP (100–115).
    /// Every algorithm computes the same result here.</summary>
    public static bool IsKnownAlgorithm(int algorithm) =>
        algorithm is >= -1 and <= 23 or >= 99 and <= 115;

    internal static bool IsValidOperation(BlasOperation operation) =>
        operation is BlasOperation.None or BlasOperation.Transpose or BlasOperation.ConjugateTranspose;

    private static BlasStatus Prepare(
        BlasOperation transA, BlasOperation transB, int m, int n, int k, float alpha,
        BlasDataType aType, int lda, BlasDataType bType, int ldb, float beta, BlasDataType cType, int ldc,
        BlasComputeType computeType, int algorithm, int batchCount, out GemmDescriptor descriptor)
    {
        descriptor = default;
        if (!IsValidOperation(transA) || !IsValidOperation(transB))
            return BlasStatus.InvalidValue;
        if (m < 0 || n < 0 || k < 0 || batchCount < 0)
            return BlasStatus.InvalidValue;
        bool transposeA = transA != BlasOperation.None;
        bool transposeB = transB != BlasOperation.None;
        if (lda < Math.Max(1, transposeA ? k : m) || ldb < Math.Max(1, transposeB ? n : k) || ldc < Math.Max(1, m))
            return BlasStatus.InvalidValue;
        if (!IsSupported(aType, bType, cType, computeType) || !IsKnownAlgorithm(algorithm))
            return BlasStatus.NotSupported;

        bool halfCompute = ScaleType(computeType) == BlasDataType.R16F;
        InputRounding rounding = computeType switch
        {
            BlasComputeType.Compute32FFastTF32 => InputRounding.Tf32,
            BlasComputeType.Compute32FFast16F => InputRounding.Half,
            BlasComputeType.Compute32FFast16BF => InputRounding.BFloat16,
            _ => InputRounding.None,
        };
        // With a binary16 scale type the adapter hands over binary16 values; rounding here keeps a caller that
        // passes wider floats from getting a result no binary16 alpha could give.
        descriptor = new GemmDescriptor(m, n, k, transposeA, transposeB, aType, bType, cType, lda, ldb, ldc,
            halfCompute ? Rounding.RoundToHalf(alpha) : alpha,
            halfCompute ? Rounding.RoundToHalf(beta) : beta,
            rounding, halfCompute ? Accumulation.Half : Accumulation.Single);
        return BlasStatus.Success;
    }

    /// <summary>A and B must exist when they are read (k > 0 and alpha ≠ 0); C whenever C is non-empty.</summary>
    private static bool OperandsPresent(in GemmDescriptor d, GemmOperands entry)
    {
        if (d.M == 0 || d.N == 0)
            return true;
        if (entry.C == null)
            return false;
        bool readsInputs = d.K > 0 && d.Alpha != 0f;
        return !readsInputs || (entry.A != null && entry.B != null);
    }
}
