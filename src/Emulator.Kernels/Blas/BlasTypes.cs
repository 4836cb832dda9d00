namespace Emulator.Kernels.Blas;

// The enums below carry the numeric values of NVIDIA's cublas_api.h / library_types.h so an adapter can cast
// the C arguments straight through. Emulator.Kernels cannot see Emulator.Driver's CublasStatus (the dependency
// points the other way), so the library reports its own BlasStatus with the same numbers.

/// <summary>Result of a BLAS call; values equal <c>cublasStatus_t</c>.</summary>
public enum BlasStatus
{
    Success = 0,
    InvalidValue = 7,
    NotSupported = 15,
}

/// <summary><c>cublasOperation_t</c>. <see cref="ConjugateTranspose"/> equals <see cref="Transpose"/> for real types.</summary>
public enum BlasOperation
{
    None = 0,
    Transpose = 1,
    ConjugateTranspose = 2,
}

/// <summary>The <c>cudaDataType_t</c> values the GEMM library understands (others are NOT_SUPPORTED).</summary>
public enum BlasDataType
{
    R32F = 0,
    R64F = 1,
    R16F = 2,
    R8I = 3,
    R16BF = 14,
}

/// <summary><c>cublasComputeType_t</c>.</summary>
public enum BlasComputeType
{
    Compute16F = 64,
    Compute16FPedantic = 65,
    Compute32F = 68,
    Compute32FPedantic = 69,
    Compute64F = 70,
    Compute64FPedantic = 71,
    Compute32I = 72,
    Compute32IPedantic = 73,
    Compute32FFast16F = 74,
    Compute32FFast16BF = 75,
    Compute32FFastTF32 = 77,
}

/// <summary><c>cublasSideMode_t</c>.</summary>
public enum BlasSide
{
    Left = 0,
    Right = 1,
}

/// <summary><c>cublasFillMode_t</c>.</summary>
public enum BlasFillMode
{
    Lower = 0,
    Upper = 1,
    Full = 2,
}

/// <summary><c>cublasDiagType_t</c>.</summary>
public enum BlasDiagonal
{
    NonUnit = 0,
    Unit = 1,
}

/// <summary>How the multi-core GEMM may use the machine.</summary>
/// <param name="WorkerCount">Upper bound on threads working on one call. Results do not depend on it.</param>
public sealed record BlasExecution(int WorkerCount)
{
    /// <summary>One worker per logical processor.</summary>
    public static BlasExecution Default { get; } = new(Environment.ProcessorCount);
}
