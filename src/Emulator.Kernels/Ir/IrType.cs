namespace Emulator.Kernels.Ir;

/// <summary>A PTX fundamental or packed type as written in an instruction or declaration (<c>.u32</c>, <c>.f16x2</c>, ...).</summary>
public enum IrType : byte
{
    None,
    Pred,
    B8, B16, B32, B64, B128,
    U8, U16, U32, U64,
    S8, S16, S32, S64,
    F16, F16x2, BF16, BF16x2, TF32, F32, F64,
    E4M3, E5M2, E4M3x2, E5M2x2,
    /// <summary>Sub-byte integer element types of <c>mma</c> (<c>.u4</c>, <c>.s4</c>, <c>.b1</c>).</summary>
    U4, S4, B1,
}

public static class IrTypeInfo
{
    /// <summary>Storage size in bytes (predicates count as 1, sub-byte types as 1).</summary>
    public static int SizeInBytes(this IrType type) => type switch
    {
        IrType.None => 0,
        IrType.Pred or IrType.B8 or IrType.U8 or IrType.S8 or IrType.E4M3 or IrType.E5M2 or IrType.U4 or IrType.S4 or IrType.B1 => 1,
        IrType.B16 or IrType.U16 or IrType.S16 or IrType.F16 or IrType.BF16 or IrType.E4M3x2 or IrType.E5M2x2 => 2,
        IrType.B32 or IrType.U32 or IrType.S32 or IrType.F32 or IrType.F16x2 or IrType.BF16x2 or IrType.TF32 => 4,
        IrType.B64 or IrType.U64 or IrType.S64 or IrType.F64 => 8,
        IrType.B128 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool IsSigned(this IrType type) => type is IrType.S8 or IrType.S16 or IrType.S32 or IrType.S64 or IrType.S4;

    public static bool IsFloat(this IrType type) => type is IrType.F16 or IrType.F16x2 or IrType.BF16 or IrType.BF16x2
        or IrType.TF32 or IrType.F32 or IrType.F64 or IrType.E4M3 or IrType.E5M2 or IrType.E4M3x2 or IrType.E5M2x2;

    /// <summary>The PTX spelling without the leading dot (<c>u32</c>).</summary>
    public static string PtxName(this IrType type) => type switch
    {
        IrType.F16x2 => "f16x2",
        IrType.BF16x2 => "bf16x2",
        IrType.E4M3x2 => "e4m3x2",
        IrType.E5M2x2 => "e5m2x2",
        _ => type.ToString().ToLowerInvariant(),
    };
}
