namespace Emulator.Kernels.Blas;

/// <summary>How input elements are rounded while they are packed (the FAST_* compute types).</summary>
internal enum InputRounding
{
    None,
    Tf32,
    Half,
    BFloat16,
}

/// <summary>The precision partial sums are kept in.</summary>
internal enum Accumulation
{
    /// <summary>binary32 accumulator, one fused multiply-add per k step.</summary>
    Single,

    /// <summary>binary16 accumulator: every partial sum is rounded to binary16 after its fused multiply-add.</summary>
    Half,
}

/// <summary>Everything about one GEMM call except the matrix addresses (which differ per batch entry).</summary>
internal readonly record struct GemmDescriptor(
    int M,
    int N,
    int K,
    bool TransposeA,
    bool TransposeB,
    BlasDataType AType,
    BlasDataType BType,
    BlasDataType CType,
    long Lda,
    long Ldb,
    long Ldc,
    float Alpha,
    float Beta,
    InputRounding Rounding,
    Accumulation Accumulation);

/// <summary>The matrices of one batch entry.</summary>
internal readonly unsafe struct GemmOperands(byte* a, byte* b, byte* c)
{
    public readonly byte* A = a;
    public readonly byte* B = b;
    public readonly byte* C = c;
}
