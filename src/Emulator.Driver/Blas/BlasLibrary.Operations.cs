using Emulator.Driver.Personas;
using Emulator.Driver.Streams;
using Emulator.Driver.Timing;
using Emulator.Kernels.Blas;
using Emulator.Memory;

namespace Emulator.Driver.Blas;

/// <summary>
/// The level-3 operations. Each runs in three steps, as on a GPU: argument checks on the host (INVALID_VALUE /
/// NOT_SUPPORTED, nothing enqueued), then one "kernel" on the handle's stream that reads device-mode alpha/beta and
/// batched pointer arrays and checks every operand range against the driver's memory before touching it. An
/// operand outside accessible memory is what it would be on a GPU — a faulting kernel: the context gets
/// <c>CUDA_ERROR_ILLEGAL_ADDRESS</c> as its sticky error and the call answers <c>CUBLAS_STATUS_EXECUTION_FAILED</c>,
/// as does every later operation on that context.
/// </summary>
public sealed unsafe partial class BlasLibrary
{
    /// <summary>Modelled FP32 throughput: 128 FMA lanes (256 flops) per SM per cycle, as the driver's launch model assumes.</summary>
    private const int FlopsPerSmPerCycle = 256;

    private enum Batching
    {
        Single,
        PointerArrays,
        Strided,
    }

    /// <summary>One GEMM request as the C API describes it; <see cref="A"/>, <see cref="B"/>, <see cref="C"/> are
    /// matrices, or device arrays of matrix pointers when <see cref="Layout"/> is <see cref="Batching.PointerArrays"/>.</summary>
    private readonly struct GemmCall(Batching layout, int transA, int transB, int m, int n, int k, void* alpha, void* a, BlasDataType aType, int lda, long strideA, void* b, BlasDataType bType, int ldb, long strideB, void* beta, void* c, BlasDataType cType, int ldc, long strideC, int batchCount, BlasComputeType computeType, int algorithm)
    {
        public readonly Batching Layout = layout;
        public readonly int TransA = transA;
        public readonly int TransB = transB;
        public readonly int M = m;
        public readonly int N = n;
        public readonly int K = k;
        public readonly void* Alpha = alpha;
        public readonly void* A = a;
        public readonly BlasDataType AType = aType;
        public readonly int Lda = lda;
        public readonly long StrideA = strideA;
        public readonly void* B = b;
        public readonly BlasDataType BType = bType;
        public readonly int Ldb = ldb;
        public readonly long StrideB = strideB;
        public readonly void* Beta = beta;
        public readonly void* C = c;
        public readonly BlasDataType CType = cType;
        public readonly int Ldc = ldc;
        public readonly long StrideC = strideC;
        public readonly int BatchCount = batchCount;
        public readonly BlasComputeType ComputeType = computeType;
        public readonly int Algorithm = algorithm;
    }

    public CublasStatus Sgemm(nint handle, int transA, int transB, int m, int n, int k, float* alpha, float* a, int lda,
        float* b, int ldb, float* beta, float* c, int ldc) =>
        RunGemm(handle, new GemmCall(Batching.Single, transA, transB, m, n, k, alpha, a, BlasDataType.R32F, lda, 0,
            b, BlasDataType.R32F, ldb, 0, beta, c, BlasDataType.R32F, ldc, 0, 1, BlasComputeType.Compute32F, Gemm.DefaultAlgorithm));

    public CublasStatus GemmEx(nint handle, int transA, int transB, int m, int n, int k, void* alpha,
        void* a, int aType, int lda, void* b, int bType, int ldb, void* beta, void* c, int cType, int ldc,
        int computeType, int algorithm) =>
        RunGemm(handle, new GemmCall(Batching.Single, transA, transB, m, n, k, alpha, a, (BlasDataType)aType, lda, 0,
            b, (BlasDataType)bType, ldb, 0, beta, c, (BlasDataType)cType, ldc, 0, 1, (BlasComputeType)computeType, algorithm));

    public CublasStatus GemmBatchedEx(nint handle, int transA, int transB, int m, int n, int k, void* alpha,
        void** aArray, int aType, int lda, void** bArray, int bType, int ldb, void* beta, void** cArray, int cType, int ldc,
        int batchCount, int computeType, int algorithm) =>
        RunGemm(handle, new GemmCall(Batching.PointerArrays, transA, transB, m, n, k, alpha, aArray, (BlasDataType)aType, lda, 0,
            bArray, (BlasDataType)bType, ldb, 0, beta, cArray, (BlasDataType)cType, ldc, 0, batchCount,
            (BlasComputeType)computeType, algorithm));

    public CublasStatus GemmStridedBatchedEx(nint handle, int transA, int transB, int m, int n, int k, void* alpha,
        void* a, int aType, int lda, long strideA, void* b, int bType, int ldb, long strideB, void* beta,
        void* c, int cType, int ldc, long strideC, int batchCount, int computeType, int algorithm) =>
        RunGemm(handle, new GemmCall(Batching.Strided, transA, transB, m, n, k, alpha, a, (BlasDataType)aType, lda, strideA,
            b, (BlasDataType)bType, ldb, strideB, beta, c, (BlasDataType)cType, ldc, strideC, batchCount,
            (BlasComputeType)computeType, algorithm));

    public CublasStatus SgemmBatched(nint handle, int transA, int transB, int m, int n, int k, float* alpha,
        float** aArray, int lda, float** bArray, int ldb, float* beta, float** cArray, int ldc, int batchCount) =>
        RunGemm(handle, new GemmCall(Batching.PointerArrays, transA, transB, m, n, k, alpha, aArray, BlasDataType.R32F, lda, 0,
            bArray, BlasDataType.R32F, ldb, 0, beta, cArray, BlasDataType.R32F, ldc, 0, batchCount,
            BlasComputeType.Compute32F, Gemm.DefaultAlgorithm));

    public CublasStatus SgemmStridedBatched(nint handle, int transA, int transB, int m, int n, int k, float* alpha,
        float* a, int lda, long strideA, float* b, int ldb, long strideB, float* beta, float* c, int ldc, long strideC,
        int batchCount) =>
        RunGemm(handle, new GemmCall(Batching.Strided, transA, transB, m, n, k, alpha, a, BlasDataType.R32F, lda, strideA,
            b, BlasDataType.R32F, ldb, strideB, beta, c, BlasDataType.R32F, ldc, strideC, batchCount,
            BlasComputeType.Compute32F, Gemm.DefaultAlgorithm));

    /// <summary><c>cublasStrsmBatched</c>: arrays of device pointers to A (triangular) and B (overwritten by X).</summary>
    public CublasStatus StrsmBatched(nint handle, int side, int uplo, int trans, int diag, int m, int n, float* alpha,
        float** aArray, int lda, float** bArray, int ldb, int batchCount)
    {
        var status = Get(handle, out var blas);
        if (status != CublasStatus.Success) return status;
        bool left = side == (int)BlasSide.Left;
        if (side is not ((int)BlasSide.Left or (int)BlasSide.Right)
            || uplo is not ((int)BlasFillMode.Lower or (int)BlasFillMode.Upper)
            || !IsOperation(trans) || diag is not ((int)BlasDiagonal.NonUnit or (int)BlasDiagonal.Unit)
            || m < 0 || n < 0 || batchCount < 0
            || lda < Math.Max(1, left ? m : n) || ldb < Math.Max(1, m) || alpha == null)
            return CublasStatus.InvalidValue;
        float hostAlpha = 0;
        if (blas.PointerMode == BlasPointerMode.Host) hostAlpha = *alpha;
        if (m == 0 || n == 0 || batchCount == 0) return CublasStatus.Success;
        if (aArray == null || bArray == null) return CublasStatus.InvalidValue;

        status = ResolveStream(blas, out var stream);
        if (status != CublasStatus.Success) return status;
        int order = left ? m : n;
        double flops = (double)order * order * (left ? n : m) * batchCount;
        long bytes = ((long)order * order + 2L * m * n) * sizeof(float) * batchCount;
        var outcome = BlasStatus.Success;
        var result = Submit(blas, stream, "cublasStrsmBatched", target => Driver.Enqueue(target, ModelledCost(target, flops, bytes), () =>
        {
            var device = target.Context.Device.Ordinal;
            float value = hostAlpha;
            if (blas.PointerMode == BlasPointerMode.Device)
            {
                if (!Accessible(alpha, sizeof(float), AccessKind.Read, device)) return CuResult.IllegalAddress;
                value = *alpha;
            }
            long arrayBytes = (long)batchCount * sizeof(void*);
            if (!Accessible(aArray, arrayBytes, AccessKind.Read, device) || !Accessible(bArray, arrayBytes, AccessKind.Read, device))
                return CuResult.IllegalAddress;
            long aBytes = Gemm.OperandBytes(order, order, lda, BlasDataType.R32F);
            long bBytes = Gemm.OperandBytes(m, n, ldb, BlasDataType.R32F);
            for (int i = 0; i < batchCount; i++)
            {
                // A null pointer is the library's argument error (INVALID_VALUE), not a fault.
                if (bArray[i] == null || (value != 0f && aArray[i] == null)) continue;
                if (!Accessible(bArray[i], bBytes, AccessKind.ReadWrite, device)) return CuResult.IllegalAddress;
                if (value != 0f && !Accessible(aArray[i], aBytes, AccessKind.Read, device)) return CuResult.IllegalAddress;
            }
            outcome = Trsm.StrsmBatched((BlasSide)side, (BlasFillMode)uplo, (BlasOperation)trans, (BlasDiagonal)diag,
                m, n, value, aArray, lda, bArray, ldb, batchCount);
            return CuResult.Success;
        }));
        return result == CuResult.Success ? (CublasStatus)outcome : CublasStatus.ExecutionFailed;
    }

    private CublasStatus RunGemm(nint handle, GemmCall call)
    {
        var status = Get(handle, out var blas);
        if (status != CublasStatus.Success) return status;
        status = CheckGemmArguments(call);
        if (status != CublasStatus.Success) return status;
        var computeType = Gemm.ApplyTf32MathMode(call.ComputeType, call.AType, blas.AllowsTf32);
        var scaleType = Gemm.ScaleType(computeType);
        float hostAlpha = 0, hostBeta = 0;
        if (blas.PointerMode == BlasPointerMode.Host)
        {
            hostAlpha = ReadScale(call.Alpha, scaleType);
            hostBeta = ReadScale(call.Beta, scaleType);
        }
        if (call.M == 0 || call.N == 0 || call.BatchCount == 0) return CublasStatus.Success;

        status = ResolveStream(blas, out var stream);
        if (status != CublasStatus.Success) return status;
        var outcome = BlasStatus.Success;
        var result = Submit(blas, stream, "cublas GEMM", target => Driver.Enqueue(target, GemmCost(target, call), () =>
        {
            var device = target.Context.Device.Ordinal;
            float alpha = hostAlpha, beta = hostBeta;
            if (blas.PointerMode == BlasPointerMode.Device)
            {
                int scaleBytes = ElementBytes(scaleType);
                if (!Accessible(call.Alpha, scaleBytes, AccessKind.Read, device) || !Accessible(call.Beta, scaleBytes, AccessKind.Read, device))
                    return CuResult.IllegalAddress;
                alpha = ReadScale(call.Alpha, scaleType);
                beta = ReadScale(call.Beta, scaleType);
            }
            if (!OperandsAccessible(call, alpha, beta, device)) return CuResult.IllegalAddress;
            outcome = Execute(call, computeType, alpha, beta);
            return CuResult.Success;
        }));
        return result == CuResult.Success ? (CublasStatus)outcome : CublasStatus.ExecutionFailed;
    }

    private static BlasStatus Execute(in GemmCall call, BlasComputeType computeType, float alpha, float beta)
    {
        var (transA, transB) = ((BlasOperation)call.TransA, (BlasOperation)call.TransB);
        return call.Layout switch
        {
            Batching.Single => Gemm.GemmEx(transA, transB, call.M, call.N, call.K, alpha, call.A, call.AType, call.Lda,
                call.B, call.BType, call.Ldb, beta, call.C, call.CType, call.Ldc, computeType, call.Algorithm),
            Batching.PointerArrays => Gemm.GemmBatchedEx(transA, transB, call.M, call.N, call.K, alpha, (void**)call.A,
                call.AType, call.Lda, (void**)call.B, call.BType, call.Ldb, beta, (void**)call.C, call.CType, call.Ldc,
                call.BatchCount, computeType, call.Algorithm),
            _ => Gemm.GemmStridedBatchedEx(transA, transB, call.M, call.N, call.K, alpha, call.A, call.AType, call.Lda,
                call.StrideA, call.B, call.BType, call.Ldb, call.StrideB, beta, call.C, call.CType, call.Ldc, call.StrideC,
                call.BatchCount, computeType, call.Algorithm),
        };
    }

    /// <summary>The host-side checks cuBLAS makes before launching anything (the managed GEMM repeats them).</summary>
    private static CublasStatus CheckGemmArguments(in GemmCall call)
    {
        if (!IsOperation(call.TransA) || !IsOperation(call.TransB)) return CublasStatus.InvalidValue;
        if (call.M < 0 || call.N < 0 || call.K < 0 || call.BatchCount < 0) return CublasStatus.InvalidValue;
        bool transposeA = call.TransA != (int)BlasOperation.None, transposeB = call.TransB != (int)BlasOperation.None;
        if (call.Lda < Math.Max(1, transposeA ? call.K : call.M) || call.Ldb < Math.Max(1, transposeB ? call.N : call.K)
            || call.Ldc < Math.Max(1, call.M))
            return CublasStatus.InvalidValue;
        if (call.Alpha == null || call.Beta == null) return CublasStatus.InvalidValue;
        if (!Gemm.IsSupported(call.AType, call.BType, call.CType, call.ComputeType) || !Gemm.IsKnownAlgorithm(call.Algorithm))
            return CublasStatus.NotSupported;
        return CublasStatus.Success;
    }

    /// <summary>
    /// Whether every byte the GEMM will touch is accessible to the device. Null operands are left to the managed
    /// GEMM, which reports them as INVALID_VALUE like cuBLAS.
    /// </summary>
    private bool OperandsAccessible(in GemmCall call, float alpha, float beta, int device)
    {
        bool readsInputs = call.K > 0 && alpha != 0f;
        var (rowsA, colsA) = call.TransA == (int)BlasOperation.None ? (call.M, call.K) : (call.K, call.M);
        var (rowsB, colsB) = call.TransB == (int)BlasOperation.None ? (call.K, call.N) : (call.N, call.K);
        long aBytes = readsInputs ? Gemm.OperandBytes(rowsA, colsA, call.Lda, call.AType) : 0;
        long bBytes = readsInputs ? Gemm.OperandBytes(rowsB, colsB, call.Ldb, call.BType) : 0;
        long cBytes = Gemm.OperandBytes(call.M, call.N, call.Ldc, call.CType);
        var cAccess = beta != 0f ? AccessKind.ReadWrite : AccessKind.Write;

        if (call.Layout == Batching.PointerArrays)
        {
            if (call.A == null || call.B == null || call.C == null) return true;
            long arrayBytes = (long)call.BatchCount * sizeof(void*);
            if (!Accessible(call.C, arrayBytes, AccessKind.Read, device)) return false;
            if (readsInputs && (!Accessible(call.A, arrayBytes, AccessKind.Read, device) || !Accessible(call.B, arrayBytes, AccessKind.Read, device)))
                return false;
            for (int i = 0; i < call.BatchCount; i++)
            {
                if (!OperandAccessible(((void**)call.C)[i], cBytes, cAccess, device)) return false;
                if (readsInputs && (!OperandAccessible(((void**)call.A)[i], aBytes, AccessKind.Read, device)
                                    || !OperandAccessible(((void**)call.B)[i], bBytes, AccessKind.Read, device)))
                    return false;
            }
            return true;
        }

        if (call.A == null && readsInputs || call.B == null && readsInputs || call.C == null) return true;
        int batches = call.Layout == Batching.Strided ? call.BatchCount : 1;
        long aStep = call.StrideA * ElementBytes(call.AType);
        long bStep = call.StrideB * ElementBytes(call.BType);
        long cStep = call.StrideC * ElementBytes(call.CType);
        for (int i = 0; i < batches; i++)
        {
            if (!Accessible((byte*)call.C + i * cStep, cBytes, cAccess, device)) return false;
            if (readsInputs && (!Accessible((byte*)call.A + i * aStep, aBytes, AccessKind.Read, device)
                                || !Accessible((byte*)call.B + i * bStep, bBytes, AccessKind.Read, device)))
                return false;
        }
        return true;
    }

    /// <summary>A null entry of a pointer array is an argument error the managed GEMM reports; anything else must be mapped.</summary>
    private bool OperandAccessible(void* operand, long bytes, AccessKind kind, int device) =>
        operand == null || Accessible(operand, bytes, kind, device);

    private bool Accessible(void* address, long bytes, AccessKind kind, int device)
    {
        if (bytes <= 0) return true;
        var memory = Driver.Memory;
        return memory is not null && memory.TryResolve((ulong)address, (ulong)bytes, kind, device, out _);
    }

    /// <summary>Bytes per element of a supported GEMM type: the extent of a 1×1 operand.</summary>
    private static int ElementBytes(BlasDataType type) => (int)Gemm.OperandBytes(1, 1, 1, type);

    private static float ReadScale(void* value, BlasDataType scaleType) =>
        scaleType == BlasDataType.R16F ? Rounding.HalfBitsToSingle(*(ushort*)value) : *(float*)value;

    private static bool IsOperation(int operation) =>
        operation is (int)BlasOperation.None or (int)BlasOperation.Transpose or (int)BlasOperation.ConjugateTranspose;

    /// <summary>
    /// Enqueues one operation on the handle's (already resolved) stream. Through the runtime, a capturing stream
    /// records it instead, and a launch of the graph runs it on the launch's stream; its host-side arguments (host
    /// pointer-mode scalars, shapes, operand addresses) were read at the call, as cuBLAS reads them.
    /// </summary>
    private CuResult Submit(BlasHandle blas, Stream stream, string description, Func<Stream, CuResult> run)
    {
        if (Runtime is null) return run(stream);
        var executed = CuResult.Success;
        var error = Runtime.SubmitStreamWork(blas.Stream, description, handle =>
        {
            if (handle == blas.Stream) return executed = run(stream);
            var resolved = Driver.ResolveStream(handle, perThreadDefaultStream: false, out var target);
            return resolved != CuResult.Success ? resolved : run(target);
        });
        if (error == CudaError.Success) return CuResult.Success;
        return executed != CuResult.Success ? executed : CuResult.LaunchFailed;
    }

    /// <summary>The handle's stream: 0 is its context's legacy default stream; others are the driver's stream handles.</summary>
    private CublasStatus ResolveStream(BlasHandle blas, out Stream stream)
    {
        stream = null!;
        if (blas.Context.State != Contexts.ContextState.Active) return CublasStatus.NotInitialized;
        if (blas.Stream == 0)
        {
            stream = blas.Context.LegacyStream;
            return CublasStatus.Success;
        }
        // A stream the driver no longer knows fails the launch, which cuBLAS reports as an execution failure.
        return Driver.ResolveStream(blas.Stream, perThreadDefaultStream: false, out stream) == CuResult.Success
            ? CublasStatus.Success
            : CublasStatus.ExecutionFailed;
    }

    private static long GemmCost(Stream stream, in GemmCall call)
    {
        double batches = call.BatchCount;
        double flops = 2.0 * call.M * call.N * call.K * batches;
        long elementBytes = ElementBytes(call.AType);
        double bytes = ((double)call.M * call.K + (double)call.K * call.N) * elementBytes * batches
                       + 2.0 * call.M * call.N * ElementBytes(call.CType) * batches;
        return ModelledCost(stream, flops, bytes);
    }

    /// <summary>
    /// Launch overhead plus the longer of compute time (flops at the persona's modelled FP32 rate) and memory time
    /// (bytes over its device bandwidth). Deterministic: a function of the arguments and the persona only.
    /// </summary>
    private static long ModelledCost(Stream stream, double flops, double bytes)
    {
        Persona persona = stream.Context.Device.Persona;
        double flopsPerNanosecond = (double)persona[DeviceAttribute.MultiprocessorCount] * FlopsPerSmPerCycle
                                    * persona[DeviceAttribute.ClockRate] / 1_000_000.0; // ClockRate is in kHz
        double bytesPerNanosecond = persona.CostModel.DeviceMemoryBytesPerSecond / 1e9;
        double nanoseconds = Math.Ceiling(Math.Max(flops / flopsPerNanosecond, bytes / bytesPerNanosecond));
        long execution = nanoseconds >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)nanoseconds;
        return OperationCost.KernelLaunch(persona.CostModel, execution);
    }
}
