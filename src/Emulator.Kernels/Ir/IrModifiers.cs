namespace Emulator.Kernels.Ir;

/// <summary>Rounding modifier: the four IEEE modes, their integer-result variants (<c>.rni</c> ...) and <c>.rna</c>/<c>.rs</c>.</summary>
public enum IrRounding : byte { None, Rn, Rz, Rm, Rp, Rni, Rzi, Rmi, Rpi, Rna, Rs }

/// <summary>Comparison of <c>setp</c>/<c>set</c>/<c>slct</c>; the <c>u</c> variants are true for unordered (NaN) operands.</summary>
public enum IrCompare : byte
{
    None,
    Eq, Ne, Lt, Le, Gt, Ge,
    /// <summary>Unsigned integer comparisons (lower, lower-or-same, higher, higher-or-same).</summary>
    Lo, Ls, Hi, Hs,
    Equ, Neu, Ltu, Leu, Gtu, Geu, Num, Nan,
}

/// <summary>
/// Combining operation: of <c>atom</c>/<c>red</c>/<c>redux</c>, of <c>bar.red</c> (and/or/popc), of the predicate
/// combine in <c>setp.lt.and.s32</c>, and the secondary operation of video instructions (<c>vshr....add</c>).
/// </summary>
public enum IrReduction : byte { None, Add, Min, Max, Inc, Dec, And, Or, Xor, Exch, Cas, Popc }

public enum IrStateSpace : byte
{
    /// <summary>No space written: a generic address (or an instruction without memory access).</summary>
    Generic,
    Global, Shared, SharedCluster, Local, Param, Const,
}

/// <summary>Cache operator of loads/stores (<c>.ca .cg .cs .lu .cv .wb .wt</c>).</summary>
public enum IrCacheOp : byte { None, Ca, Cg, Cs, Lu, Cv, Wb, Wt }

/// <summary>Memory-consistency semantics; <c>.volatile</c> is recorded as <see cref="Volatile"/>.</summary>
public enum IrMemoryOrder : byte { None, Weak, Relaxed, Acquire, Release, AcqRel, Sc, Volatile, Mmio }

/// <summary>Scope of ordering or atomicity. <c>membar.gl</c> is <see cref="Gpu"/>.</summary>
public enum IrScope : byte { None, Cta, Cluster, Gpu, Sys }

public enum IrShuffleMode : byte { None, Up, Down, Bfly, Idx }

public enum IrVoteMode : byte { None, All, Any, Uni, Ballot }

public enum IrBarrierMode : byte { None, Sync, Arrive, Red }

public enum IrPermuteMode : byte { None, F4e, B4e, Rc8, Ecl, Ecr, Rc16 }

public enum IrTestKind : byte { None, Finite, Infinite, Number, NotANumber, Normal, Subnormal }

public enum IrMatrixLayout : byte { None, Row, Col }

/// <summary>Which fragment a <c>wmma.load</c>/<c>wmma.store</c> moves.</summary>
public enum IrMatrixFragment : byte { None, A, B, C, D }

public enum IrGridDependency : byte { None, LaunchDependents, Wait }

public enum IrMatchMode : byte { None, Any, All }

/// <summary>On/off qualifiers; several can be set at once.</summary>
[Flags]
public enum IrFlags : ulong
{
    None = 0,
    Ftz = 1UL << 0,
    Sat = 1UL << 1,
    Approx = 1UL << 2,
    Full = 1UL << 3,
    Uni = 1UL << 4,
    Sync = 1UL << 5,
    Aligned = 1UL << 6,
    /// <summary><c>.nc</c>: load through the non-coherent (read-only) path.</summary>
    NonCoherent = 1UL << 7,
    /// <summary><c>.trans</c> of <c>ldmatrix</c>/<c>movmatrix</c>.</summary>
    Transpose = 1UL << 8,
    /// <summary><c>.wide</c> of <c>mul</c>/<c>mad</c>: the result is twice the operand width.</summary>
    Wide = 1UL << 9,
    Hi = 1UL << 10,
    Lo = 1UL << 11,
    Clamp = 1UL << 12,
    Wrap = 1UL << 13,
    ShiftAmount = 1UL << 14,
    Relu = 1UL << 15,
    NaN = 1UL << 16,
    XorSign = 1UL << 17,
    Abs = 1UL << 18,
    /// <summary><c>cvta.to.space</c>: generic → space (without it, space → generic).</summary>
    ToSpace = 1UL << 19,
    /// <summary><c>.cc</c>: writes the carry flag.</summary>
    CarryOut = 1UL << 20,
    SatFinite = 1UL << 21,
    /// <summary><c>shf.l</c> (left funnel shift); <c>shf.r</c> leaves it clear.</summary>
    Left = 1UL << 22,
    /// <summary><c>.noftz</c> of <c>f16</c> <c>min</c>/<c>max</c>.</summary>
    NoFtz = 1UL << 23,
    /// <summary><c>.unified</c> of <c>call</c>.</summary>
    Unified = 1UL << 24,
    /// <summary>An eviction-priority or cache-hint qualifier (<c>.L1::evict_last</c>, <c>.L2::cache_hint</c>): a performance hint without semantic effect.</summary>
    EvictionHint = 1UL << 25,
    /// <summary><c>.async</c> qualifier on <c>fence</c>/<c>st</c> forms.</summary>
    Async = 1UL << 26,
    /// <summary><c>.bulk</c>/<c>.tensor</c> forms (not used by the reference workload).</summary>
    Bulk = 1UL << 27,
}

/// <summary>
/// The decoded modifier set of one instruction. PTX writes modifiers in any order; the parser assigns each to its
/// field, so <c>vote.ballot.sync.b32</c> and <c>vote.sync.ballot.b32</c> decode to the same value.
/// Types appear in written order: <see cref="Type"/> is the first, <see cref="Type2"/> the second, ...
/// (<c>cvt.f32.f16</c>: Type = destination f32, Type2 = source f16; <c>mma ... .f32.bf16.bf16.f32</c>: D, A, B, C;
/// <c>dp4a.s32.u32</c>: a, b; <c>setp.lt.f32</c>: operand type).
/// </summary>
public struct IrModifiers : IEquatable<IrModifiers>
{
    public IrType Type;
    public IrType Type2;
    public IrType Type3;
    public IrType Type4;
    public IrRounding Rounding;
    public IrCompare Compare;
    public IrReduction Reduction;
    /// <summary>State space of the access; for <c>cp.async</c> the destination space.</summary>
    public IrStateSpace Space;
    /// <summary>Second state space where an instruction names two (<c>cp.async.cg.shared.global</c>: the source).</summary>
    public IrStateSpace SourceSpace;
    /// <summary>1 for scalars, 2/4/8 for <c>.v2/.v4/.v8</c>.</summary>
    public byte VectorWidth;
    public IrCacheOp Cache;
    public IrMemoryOrder Order;
    public IrScope Scope;
    public IrShuffleMode Shuffle;
    public IrVoteMode Vote;
    public IrBarrierMode Barrier;
    public IrPermuteMode Permute;
    public IrTestKind Test;
    public IrMatchMode Match;
    public IrGridDependency GridDependency;
    /// <summary><c>mma</c>/<c>wmma</c>/<c>ldmatrix</c> shape (<c>m16n8k16</c> → 16, 8, 16; <c>ldmatrix.m8n8</c> → 8, 8, 0).</summary>
    public byte ShapeM, ShapeN, ShapeK;
    /// <summary><c>ldmatrix</c>/<c>stmatrix</c> matrix count (<c>.x1/.x2/.x4</c>).</summary>
    public byte MatrixCount;
    public IrMatrixLayout LayoutA;
    public IrMatrixLayout LayoutB;
    public IrMatrixFragment Fragment;
    /// <summary>L2 prefetch size of <c>.L2::64B/128B/256B</c>; 0 when absent.</summary>
    public ushort L2PrefetchBytes;
    public IrFlags Flags;

    public readonly bool Has(IrFlags flag) => (Flags & flag) == flag;

    public readonly bool Equals(IrModifiers other) =>
        Type == other.Type && Type2 == other.Type2 && Type3 == other.Type3 && Type4 == other.Type4 &&
        Rounding == other.Rounding && Compare == other.Compare && Reduction == other.Reduction &&
        Space == other.Space && SourceSpace == other.SourceSpace && VectorWidth == other.VectorWidth &&
        Cache == other.Cache && Order == other.Order && Scope == other.Scope && Shuffle == other.Shuffle &&
        Vote == other.Vote && Barrier == other.Barrier && Permute == other.Permute && Test == other.Test &&
        Match == other.Match && GridDependency == other.GridDependency && ShapeM == other.ShapeM &&
        ShapeN == other.ShapeN && ShapeK == other.ShapeK && MatrixCount == other.MatrixCount &&
        LayoutA == other.LayoutA && LayoutB == other.LayoutB && Fragment == other.Fragment &&
        L2PrefetchBytes == other.L2PrefetchBytes && Flags == other.Flags;

    public override readonly bool Equals(object? obj) => obj is IrModifiers other && Equals(other);

    public override readonly int GetHashCode() =>
        HashCode.Combine(Type, Type2, Rounding, Compare, Space, VectorWidth, Flags, HashCode.Combine(Reduction, Shuffle, Vote, ShapeM, ShapeN, ShapeK));

    public static bool operator ==(IrModifiers left, IrModifiers right) => left.Equals(right);
    public static bool operator !=(IrModifiers left, IrModifiers right) => !left.Equals(right);
}
