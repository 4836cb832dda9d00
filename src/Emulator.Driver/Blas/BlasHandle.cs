using Emulator.Driver.Contexts;

namespace Emulator.Driver.Blas;

/// <summary><c>cublasPointerMode_t</c>: where alpha and beta live.</summary>
public enum BlasPointerMode
{
    Host = 0,
    Device = 1,
}

/// <summary><c>cublasMath_t</c> values a handle's math mode is made of.</summary>
public static class BlasMathMode
{
    public const int Default = 0;
    public const int TensorOp = 1;
    public const int Pedantic = 2;
    public const int Tf32TensorOp = 3;

    /// <summary>A flag that may be or-ed into any mode; it forbids reduced-precision reductions, which this library never uses.</summary>
    public const int DisallowReducedPrecisionReduction = 16;

    public static bool IsValid(int mode) => (mode & ~DisallowReducedPrecisionReduction) is >= Default and <= Tf32TensorOp;
}

/// <summary>
/// A <c>cublasHandle_t</c>: the context current when it was created (its operations run there), the stream they
/// are issued on, and the math, pointer-mode and workspace settings. Fresh handles use the legacy default stream,
/// default math and host pointer mode, as cuBLAS documents.
/// </summary>
public sealed class BlasHandle
{
    internal BlasHandle(Context context) => Context = context;

    public Context Context { get; }

    /// <summary>The <c>cudaStream_t</c> as the program set it; 0 is the legacy default stream of <see cref="Context"/>.</summary>
    public nint Stream { get; internal set; }

    public int MathMode { get; internal set; } = BlasMathMode.Default;

    public BlasPointerMode PointerMode { get; internal set; } = BlasPointerMode.Host;

    /// <summary>The user-supplied workspace (0 when none). The managed GEMM needs none; it is kept to answer truthfully.</summary>
    public ulong Workspace { get; internal set; }

    public ulong WorkspaceBytes { get; internal set; }

    /// <summary>Whether binary32 GEMMs may use TF32 tensor cores (<c>CUBLAS_TF32_TENSOR_OP_MATH</c>).</summary>
    public bool AllowsTf32 => (MathMode & ~BlasMathMode.DisallowReducedPrecisionReduction) == BlasMathMode.Tf32TensorOp;
}
