using Emulator.Driver;
using Emulator.Driver.Blas;

namespace Emulator.Exports;

/// <summary>
/// libcublas.so.12 / .13 entry points, one method per C symbol. They forward to the process-wide
/// <see cref="BlasLibrary"/>, which sits on the same driver as libcuda and libcudart, so cuBLAS handles use the
/// runtime's contexts, the program's streams and the same device memory. NULL out-pointers are INVALID_VALUE.
/// Entries not written here are exported anyway and answer CUBLAS_STATUS_NOT_SUPPORTED.
/// </summary>
public static unsafe partial class BlasApi
{
    private static readonly Lazy<BlasLibrary> ProcessLibrary =
        new(() => new BlasLibrary(DriverApi.Driver) { Runtime = RuntimeApi.Runtime }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<BlasVersion> LoadedVersion = new(DetectLoadedVersion);

    public static BlasLibrary Library => ProcessLibrary.Value;

    /// <summary>The cuBLAS release each soname stands for, paired with the CUDA runtime our libcudart of that major reports.</summary>
    private sealed record BlasVersion(int Major, int Minor, int Patch, int CudartVersion)
    {
        public int Number => Major * 10000 + Minor * 100 + Patch;
    }

    private static readonly BlasVersion Cublas12 = new(12, 9, 0, 12090);
    private static readonly BlasVersion Cublas13 = new(13, 0, 0, 13000);

    /// <summary>One managed method serves both sonames; the one the process mapped decides the version (none: 13).</summary>
    private static BlasVersion DetectLoadedVersion()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                if (line.EndsWith("/libcublas.so.12", StringComparison.Ordinal)) return Cublas12;
                if (line.EndsWith("/libcublas.so.13", StringComparison.Ordinal)) return Cublas13;
            }
        }
        catch (IOException)
        {
            // No /proc: fall through to the newest library.
        }
        return Cublas13;
    }

    // ---- handle and configuration -----------------------------------------------------------------------------

    /// <summary>
    /// <c>cublasCreate</c>: like libcublas, it first makes the CUDA runtime initialise and bind the thread's
    /// primary context (unless a context is current already); without a usable device that fails with
    /// NOT_INITIALIZED. The handle then belongs to that context.
    /// </summary>
    public static CublasStatus cublasCreate_v2(nint* handle)
    {
        if (handle == null) return CublasStatus.InvalidValue;
        // Any runtime call that needs a context triggers the runtime's lazy initialisation; this one has no other effect.
        if (RuntimeApi.Runtime.MemGetInfo(out _, out _) != CudaError.Success) return CublasStatus.NotInitialized;
        if (DriverApi.Driver.GetCurrentContext(out var context) != CuResult.Success) return CublasStatus.NotInitialized;
        var status = Library.Create(context, out var created);
        if (status == CublasStatus.Success) *handle = created;
        return status;
    }

    public static CublasStatus cublasDestroy_v2(nint handle) => Library.Destroy(handle);

    /// <summary>cuBLAS answers the version whatever the handle (it may be NULL).</summary>
    public static CublasStatus cublasGetVersion_v2(nint handle, int* version)
    {
        if (version == null) return CublasStatus.InvalidValue;
        *version = LoadedVersion.Value.Number;
        return CublasStatus.Success;
    }

    public static CublasStatus cublasGetProperty(int type, int* value)
    {
        if (value == null) return CublasStatus.InvalidValue;
        var version = LoadedVersion.Value;
        switch (type)
        {
            case 0: *value = version.Major; return CublasStatus.Success;
            case 1: *value = version.Minor; return CublasStatus.Success;
            case 2: *value = version.Patch; return CublasStatus.Success;
            default: return CublasStatus.InvalidValue;
        }
    }

    public static nuint cublasGetCudartVersion() => (nuint)LoadedVersion.Value.CudartVersion;

    public static CublasStatus cublasSetStream_v2(nint handle, nint streamId) => Library.SetStream(handle, streamId);

    public static CublasStatus cublasGetStream_v2(nint handle, nint* streamId)
    {
        if (streamId == null) return CublasStatus.InvalidValue;
        var status = Library.GetStream(handle, out var stream);
        if (status == CublasStatus.Success) *streamId = stream;
        return status;
    }

    public static CublasStatus cublasSetWorkspace_v2(nint handle, void* workspace, nuint workspaceSizeInBytes) =>
        Library.SetWorkspace(handle, (ulong)workspace, workspaceSizeInBytes);

    public static CublasStatus cublasSetMathMode(nint handle, int mode) => Library.SetMathMode(handle, mode);

    public static CublasStatus cublasGetMathMode(nint handle, int* mode)
    {
        if (mode == null) return CublasStatus.InvalidValue;
        var status = Library.GetMathMode(handle, out var value);
        if (status == CublasStatus.Success) *mode = value;
        return status;
    }

    public static CublasStatus cublasSetPointerMode_v2(nint handle, int mode) => Library.SetPointerMode(handle, mode);

    public static CublasStatus cublasGetPointerMode_v2(nint handle, int* mode)
    {
        if (mode == null) return CublasStatus.InvalidValue;
        var status = Library.GetPointerMode(handle, out var value);
        if (status == CublasStatus.Success) *mode = value;
        return status;
    }

    public static byte* cublasGetStatusString(CublasStatus status) => BlasStatusText.TextPointer(status);

    public static byte* cublasGetStatusName(CublasStatus status) => BlasStatusText.NamePointer(status);

    public static CublasStatus cublasLoggerConfigure(int logIsOn, int logToStdOut, int logToStdErr, byte* logFileName) =>
        BlasCallLog.Configure(logIsOn != 0, logToStdOut != 0, logToStdErr != 0,
            logFileName == null ? null : new string((sbyte*)logFileName));

    // ---- level 3 ----------------------------------------------------------------------------------------------

    public static CublasStatus cublasSgemm_v2(nint handle, int transa, int transb, int m, int n, int k, float* alpha,
        float* A, int lda, float* B, int ldb, float* beta, float* C, int ldc) =>
        BlasCallLog.Record("cublasSgemm_v2", $"transa={transa} transb={transb} m={m} n={n} k={k} lda={lda} ldb={ldb} ldc={ldc}",
            Library.Sgemm(handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc));

    public static CublasStatus cublasGemmEx(nint handle, int transa, int transb, int m, int n, int k, void* alpha,
        void* A, int Atype, int lda, void* B, int Btype, int ldb, void* beta, void* C, int Ctype, int ldc,
        int computeType, int algo) =>
        BlasCallLog.Record("cublasGemmEx",
            $"transa={transa} transb={transb} m={m} n={n} k={k} Atype={Atype} Btype={Btype} Ctype={Ctype} computeType={computeType} algo={algo}",
            Library.GemmEx(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc,
                computeType, algo));

    public static CublasStatus cublasGemmBatchedEx(nint handle, int transa, int transb, int m, int n, int k, void* alpha,
        void** Aarray, int Atype, int lda, void** Barray, int Btype, int ldb, void* beta, void** Carray, int Ctype,
        int ldc, int batchCount, int computeType, int algo) =>
        BlasCallLog.Record("cublasGemmBatchedEx",
            $"transa={transa} transb={transb} m={m} n={n} k={k} Atype={Atype} Ctype={Ctype} batchCount={batchCount} computeType={computeType}",
            Library.GemmBatchedEx(handle, transa, transb, m, n, k, alpha, Aarray, Atype, lda, Barray, Btype, ldb, beta,
                Carray, Ctype, ldc, batchCount, computeType, algo));

    public static CublasStatus cublasGemmStridedBatchedEx(nint handle, int transa, int transb, int m, int n, int k,
        void* alpha, void* A, int Atype, int lda, long strideA, void* B, int Btype, int ldb, long strideB, void* beta,
        void* C, int Ctype, int ldc, long strideC, int batchCount, int computeType, int algo) =>
        BlasCallLog.Record("cublasGemmStridedBatchedEx",
            $"transa={transa} transb={transb} m={m} n={n} k={k} Atype={Atype} Ctype={Ctype} batchCount={batchCount} computeType={computeType}",
            Library.GemmStridedBatchedEx(handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb,
                strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType, algo));

    public static CublasStatus cublasSgemmBatched(nint handle, int transa, int transb, int m, int n, int k, float* alpha,
        float** Aarray, int lda, float** Barray, int ldb, float* beta, float** Carray, int ldc, int batchCount) =>
        BlasCallLog.Record("cublasSgemmBatched", $"transa={transa} transb={transb} m={m} n={n} k={k} batchCount={batchCount}",
            Library.SgemmBatched(handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc,
                batchCount));

    public static CublasStatus cublasSgemmStridedBatched(nint handle, int transa, int transb, int m, int n, int k,
        float* alpha, float* A, int lda, long strideA, float* B, int ldb, long strideB, float* beta, float* C, int ldc,
        long strideC, int batchCount) =>
        BlasCallLog.Record("cublasSgemmStridedBatched", $"transa={transa} transb={transb} m={m} n={n} k={k} batchCount={batchCount}",
            Library.SgemmStridedBatched(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta,
                C, ldc, strideC, batchCount));

    public static CublasStatus cublasStrsmBatched(nint handle, int side, int uplo, int trans, int diag, int m, int n,
        float* alpha, float** A, int lda, float** B, int ldb, int batchCount) =>
        BlasCallLog.Record("cublasStrsmBatched", $"side={side} uplo={uplo} trans={trans} diag={diag} m={m} n={n} batchCount={batchCount}",
            Library.StrsmBatched(handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount));
}
