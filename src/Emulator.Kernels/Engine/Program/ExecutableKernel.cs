using Emulator.Kernels.Engine.Scheduling;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Program;

/// <summary>
/// The engine's executable form of one kernel: a flat instruction array with branch targets resolved to
/// indices, registers resolved to slots, symbols resolved to window offsets. Built once per kernel from the
/// shared IR by <see cref="KernelDecoder"/>; immutable, so launches (and a later compiled tier) can share it.
/// </summary>
public sealed class ExecutableKernel
{
    public required string Name { get; init; }
    public required Instruction[] Code { get; init; }
    /// <summary>Width in bits of each register slot (1 for predicates).</summary>
    public required int[] RegisterBits { get; init; }
    public required int ParamBytes { get; init; }
    public required int StaticSharedBytes { get; init; }
    /// <summary>Where dynamic shared memory (.extern .shared) starts in the block's shared window.</summary>
    public required int DynamicSharedOffset { get; init; }
    /// <summary>Per-thread local memory (stack depots and declared .local arrays).</summary>
    public required int LocalBytes { get; init; }
    /// <summary>Per-thread storage for .param variables declared inside the body (call arguments).</summary>
    public required int CallParamBytes { get; init; }
    /// <summary>Module globals referenced by address: resolved per launch through LaunchServices.ResolveGlobal.</summary>
    public required string[] GlobalSymbols { get; init; }
    /// <summary>Block-size limit: .maxntid/.reqntid when declared, else the architectural 1024.</summary>
    public int MaxThreadsPerBlock { get; init; } = 1024;
    /// <summary>Whether blocks may run concurrently (<see cref="BlockOrderingAnalysis"/>); unset means in order.</summary>
    public BlockOrdering BlockOrdering { get; init; }
}

public enum ScalarType : byte
{
    None, Pred, B8, B16, B32, B64, U8, U16, U32, U64, S8, S16, S32, S64, F16, F16x2, BF16, BF16x2, TF32, F32, F64, E4M3x2, E5M2x2,
}

public static class ScalarTypes
{
    public static int Bits(this ScalarType type) => type switch
    {
        ScalarType.Pred => 1,
        ScalarType.B8 or ScalarType.U8 or ScalarType.S8 => 8,
        ScalarType.B16 or ScalarType.U16 or ScalarType.S16 or ScalarType.F16 or ScalarType.BF16 or ScalarType.E4M3x2 or ScalarType.E5M2x2 => 16,
        ScalarType.B32 or ScalarType.U32 or ScalarType.S32 or ScalarType.F32 or ScalarType.F16x2 or ScalarType.BF16x2 or ScalarType.TF32 => 32,
        ScalarType.B64 or ScalarType.U64 or ScalarType.S64 or ScalarType.F64 => 64,
        _ => 0,
    };

    public static bool IsSigned(this ScalarType type) => type is ScalarType.S8 or ScalarType.S16 or ScalarType.S32 or ScalarType.S64;
    public static bool IsFloat(this ScalarType type) => type is ScalarType.F16 or ScalarType.F32 or ScalarType.F64 or ScalarType.BF16 or ScalarType.TF32;

    public static ScalarType Parse(string text) => text switch
    {
        "pred" => ScalarType.Pred,
        "b8" => ScalarType.B8, "b16" => ScalarType.B16, "b32" => ScalarType.B32, "b64" => ScalarType.B64,
        "u8" => ScalarType.U8, "u16" => ScalarType.U16, "u32" => ScalarType.U32, "u64" => ScalarType.U64,
        "s8" => ScalarType.S8, "s16" => ScalarType.S16, "s32" => ScalarType.S32, "s64" => ScalarType.S64,
        "f16" => ScalarType.F16, "f16x2" => ScalarType.F16x2, "bf16" => ScalarType.BF16, "bf16x2" => ScalarType.BF16x2,
        "tf32" => ScalarType.TF32, "f32" => ScalarType.F32, "f64" => ScalarType.F64,
        "e4m3x2" => ScalarType.E4M3x2, "e5m2x2" => ScalarType.E5M2x2,
        _ => ScalarType.None,
    };
}

public enum StateSpace : byte { Generic, Global, Shared, Local, Param, Const }

public enum SpecialRegister : byte
{
    TidX, TidY, TidZ, NtidX, NtidY, NtidZ, CtaidX, CtaidY, CtaidZ, NctaidX, NctaidY, NctaidZ,
    LaneId, WarpId, NWarpId, LanemaskEq, LanemaskLe, LanemaskLt, LanemaskGe, LanemaskGt, EnvReg, SmId, GridId, DynamicSmemSize,
}

public enum OperandKind : byte { None, Register, Immediate, Vector, Address, Special, Label, Discard }

/// <summary>Where an address operand's symbol lives; its offset is already folded into <see cref="Operand.Offset"/>.</summary>
public enum AddressBase : byte { None, Register, SharedSymbol, LocalSymbol, ParamSymbol, CallParamSymbol, GlobalSymbol }

/// <summary>One operand. A value type with a few fields so the interpreter reads it without indirection.</summary>
public readonly record struct Operand
{
    public OperandKind Kind { get; init; }
    /// <summary>Register slot (Register, Address with a register base).</summary>
    public int Register { get; init; }
    /// <summary>Immediate bits, or the label's instruction index.</summary>
    public ulong Immediate { get; init; }
    public Operand[]? Elements { get; init; }
    public AddressBase Base { get; init; }
    /// <summary>Byte offset, including a symbol's offset in its window (or its index in GlobalSymbols for globals).</summary>
    public long Offset { get; init; }
    public SpecialRegister Special { get; init; }
    /// <summary>A logical negation written as !%p (vote, bar.red, selp/setp predicate sources).</summary>
    public bool Negated { get; init; }

    public static Operand Reg(int slot, bool negated = false) => new() { Kind = OperandKind.Register, Register = slot, Negated = negated };
    public static Operand Imm(ulong bits) => new() { Kind = OperandKind.Immediate, Immediate = bits };
    public static Operand Label(int target) => new() { Kind = OperandKind.Label, Immediate = (ulong)target };
    public static Operand Vector(params Operand[] elements) => new() { Kind = OperandKind.Vector, Elements = elements };
    public static Operand Sreg(SpecialRegister register) => new() { Kind = OperandKind.Special, Special = register };
    public static readonly Operand Discard = new() { Kind = OperandKind.Discard };
}

/// <summary>The opcode families the engine executes; modifiers refine them.</summary>
public enum Opcode : ushort
{
    Unsupported,
    Mov, Add, Sub, Mul, Mad, MulWide, MadWide, Fma, Div, Rem, Abs, Neg, Min, Max, Sad,
    And, Or, Xor, Not, Cnot, Shl, Shr, Lop3, Shf,
    Setp, Selp, Set, Slct,
    Cvt, Cvta, CvtaTo,
    Ld, St, Atom, Red, CpAsync, CpAsyncWaitAll, CpAsyncCommit, CpAsyncWaitGroup, PrefetchOrHint,
    Bra, Ret, Exit, Trap, CallVprintf,
    BarSync, BarArrive, BarRed, BarWarpSync, Membar,
    Shfl, Vote, Redux, Activemask,
    Bfe, Bfi, Bmsk, Prmt, Dp4a, Dp2a, Popc, Clz, Brev, Bfind,
    Ex2, Lg2, Sin, Cos, Rsqrt, Rcp, Sqrt, Tanh, Copysign,
    Mma, Ldmatrix, Stmatrix, Movmatrix, WmmaLoadA, WmmaLoadB, WmmaLoadC, WmmaMma, WmmaStoreD,
    Nop,
}

/// <summary>Modifiers that apply per family; unused ones stay default.</summary>
public sealed class Instruction
{
    public Opcode Opcode;
    public ScalarType Type;
    /// <summary>Second type (cvt source, mma A/B, dp4a b, atom value type...).</summary>
    public ScalarType SourceType;
    public ScalarType CType;
    public RoundingMode Rounding;
    public bool HasRounding;
    public bool RoundToIntegral;
    public bool Ftz;
    public bool Saturate;
    public bool Approximate;
    public bool Hi, Lo, Wide;
    public StateSpace Space;
    /// <summary>Vector width of ld/st (1, 2, 4) or matrix count of ldmatrix (x1/x2/x4).</summary>
    public int VectorWidth = 1;
    public bool Transpose;
    public FloatRounding.Compare Compare;
    /// <summary>setp's optional boolean combination with a third predicate (.and/.or/.xor), 0 = none.</summary>
    public char Combine;
    public string SubOp = "";
    /// <summary>mma/wmma shape as (m, n, k).</summary>
    public (int M, int N, int K) Shape;
    public bool ARowMajor = true, BRowMajor;
    public IntegerOps.PermuteMode PermuteMode;
    public bool Clamp;

    /// <summary>Guard predicate slot (-1 = unconditional) and whether it is negated (@!p).</summary>
    public int GuardRegister = -1;
    public bool GuardNegated;
    public Operand[] Operands = [];
    /// <summary>The d|p second destination (shfl), or -1.</summary>
    public int PredicateDestination = -1;
    public bool IsUniform;

    public int Line;
    public string Text = "";

    public override string ToString() => Text;
}
