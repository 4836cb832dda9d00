using Emulator.Kernels.Ir;

namespace Emulator.Kernels.Ptx;

/// <summary>
/// Turns an opcode word and its dot-modifiers into an <see cref="IrOpcode"/> and an <see cref="IrModifiers"/> record.
/// Modifiers are a set (ANALYSIS.md §3.6): each is assigned to its field whatever its position; only the relative
/// order of types (and of two state spaces or two layouts) carries meaning.
/// </summary>
internal static class PtxOpcodeDecoder
{
    public static IrOpcode DecodeBase(ReadOnlySpan<char> name) => name switch
    {
        "add" => IrOpcode.Add, "sub" => IrOpcode.Sub, "mul" => IrOpcode.Mul, "mad" => IrOpcode.Mad,
        "mul24" => IrOpcode.Mul24, "mad24" => IrOpcode.Mad24, "sad" => IrOpcode.Sad, "div" => IrOpcode.Div,
        "rem" => IrOpcode.Rem, "abs" => IrOpcode.Abs, "neg" => IrOpcode.Neg, "min" => IrOpcode.Min,
        "max" => IrOpcode.Max, "fma" => IrOpcode.Fma, "addc" => IrOpcode.Addc, "subc" => IrOpcode.Subc,
        "madc" => IrOpcode.Madc, "rcp" => IrOpcode.Rcp, "sqrt" => IrOpcode.Sqrt, "rsqrt" => IrOpcode.Rsqrt,
        "sin" => IrOpcode.Sin, "cos" => IrOpcode.Cos, "lg2" => IrOpcode.Lg2, "ex2" => IrOpcode.Ex2,
        "tanh" => IrOpcode.Tanh, "copysign" => IrOpcode.Copysign, "testp" => IrOpcode.Testp,
        "popc" => IrOpcode.Popc, "clz" => IrOpcode.Clz, "bfind" => IrOpcode.Bfind, "fns" => IrOpcode.Fns,
        "brev" => IrOpcode.Brev, "bfe" => IrOpcode.Bfe, "bfi" => IrOpcode.Bfi, "bmsk" => IrOpcode.Bmsk,
        "szext" => IrOpcode.Szext, "dp4a" => IrOpcode.Dp4a, "dp2a" => IrOpcode.Dp2a, "prmt" => IrOpcode.Prmt,
        "lop3" => IrOpcode.Lop3, "shf" => IrOpcode.Shf, "shl" => IrOpcode.Shl, "shr" => IrOpcode.Shr,
        "and" => IrOpcode.And, "or" => IrOpcode.Or, "xor" => IrOpcode.Xor, "not" => IrOpcode.Not,
        "cnot" => IrOpcode.Cnot, "set" => IrOpcode.Set, "setp" => IrOpcode.Setp, "selp" => IrOpcode.Selp,
        "slct" => IrOpcode.Slct, "mov" => IrOpcode.Mov, "ld" => IrOpcode.Ld, "ldu" => IrOpcode.Ldu,
        "st" => IrOpcode.St, "cvt" => IrOpcode.Cvt, "cvta" => IrOpcode.Cvta, "prefetch" => IrOpcode.Prefetch,
        "isspacep" => IrOpcode.Isspacep, "cp" => IrOpcode.CpAsync, "mma" => IrOpcode.Mma,
        "ldmatrix" => IrOpcode.Ldmatrix, "stmatrix" => IrOpcode.Stmatrix, "movmatrix" => IrOpcode.Movmatrix,
        "wmma" => IrOpcode.WmmaMma, "bra" => IrOpcode.Bra, "call" => IrOpcode.Call, "ret" => IrOpcode.Ret,
        "exit" => IrOpcode.Exit, "trap" => IrOpcode.Trap, "brkpt" => IrOpcode.Brkpt, "bar" => IrOpcode.Bar,
        "barrier" => IrOpcode.Bar, "membar" => IrOpcode.Membar, "fence" => IrOpcode.Fence,
        "atom" => IrOpcode.Atom, "red" => IrOpcode.Red, "redux" => IrOpcode.Redux, "shfl" => IrOpcode.Shfl,
        "vote" => IrOpcode.Vote, "match" => IrOpcode.Match, "activemask" => IrOpcode.Activemask,
        "elect" => IrOpcode.Elect, "nanosleep" => IrOpcode.Nanosleep, "griddepcontrol" => IrOpcode.GridDepControl,
        "vshr" => IrOpcode.Vshr, "vshl" => IrOpcode.Vshl, "vadd" => IrOpcode.Vadd, "vsub" => IrOpcode.Vsub,
        "vmin" => IrOpcode.Vmin, "vmax" => IrOpcode.Vmax, "vabsdiff" => IrOpcode.Vabsdiff, "pmevent" => IrOpcode.Pmevent,
        _ => IrOpcode.Invalid,
    };

    /// <summary>Applies one modifier (without its dot); returns false when it is not a modifier of this opcode.</summary>
    public static bool Apply(ref IrOpcode opcode, ref IrModifiers m, ReadOnlySpan<char> word)
    {
        var type = DecodeType(word);
        if (type != IrType.None)
        {
            if (m.Type == IrType.None) m.Type = type;
            else if (m.Type2 == IrType.None) m.Type2 = type;
            else if (m.Type3 == IrType.None) m.Type3 = type;
            else if (m.Type4 == IrType.None) m.Type4 = type;
            else return false;
            return true;
        }

        // Words whose meaning depends on the opcode.
        switch (opcode)
        {
            case IrOpcode.Setp or IrOpcode.Set or IrOpcode.Slct when DecodeCompare(word) is var compare and not IrCompare.None:
                m.Compare = compare;
                return true;
            case IrOpcode.Vote when word is "all" or "any" or "uni" or "ballot":
                m.Vote = word switch { "all" => IrVoteMode.All, "any" => IrVoteMode.Any, "uni" => IrVoteMode.Uni, _ => IrVoteMode.Ballot };
                return true;
            case IrOpcode.Match when word is "any" or "all":
                m.Match = word is "any" ? IrMatchMode.Any : IrMatchMode.All;
                return true;
            case IrOpcode.Bar:
                switch (word)
                {
                    case "sync": m.Barrier = IrBarrierMode.Sync; return true;
                    case "arrive": m.Barrier = IrBarrierMode.Arrive; return true;
                    case "red": m.Barrier = IrBarrierMode.Red; return true;
                    case "warp": opcode = IrOpcode.BarWarpSync; return true;
                }
                break;
            case IrOpcode.CpAsync:
                switch (word)
                {
                    case "async": return true;
                    case "wait_all": opcode = IrOpcode.CpAsyncWaitAll; return true;
                    case "wait_group": opcode = IrOpcode.CpAsyncWaitGroup; return true;
                    case "commit_group": opcode = IrOpcode.CpAsyncCommitGroup; return true;
                    case "bulk": m.Flags |= IrFlags.Bulk; return true;
                }
                break;
            case IrOpcode.WmmaMma or IrOpcode.WmmaLoad or IrOpcode.WmmaStore:
                switch (word)
                {
                    case "load": opcode = IrOpcode.WmmaLoad; return true;
                    case "store": opcode = IrOpcode.WmmaStore; return true;
                    case "mma": opcode = IrOpcode.WmmaMma; return true;
                    case "a": m.Fragment = IrMatrixFragment.A; return true;
                    case "b": m.Fragment = IrMatrixFragment.B; return true;
                    case "c": m.Fragment = IrMatrixFragment.C; return true;
                    case "d": m.Fragment = IrMatrixFragment.D; return true;
                }
                break;
            case IrOpcode.GridDepControl when word is "launch_dependents" or "wait":
                m.GridDependency = word is "wait" ? IrGridDependency.Wait : IrGridDependency.LaunchDependents;
                return true;
            case IrOpcode.Shf when word is "l" or "r":
                if (word is "l") m.Flags |= IrFlags.Left;
                return true;
            case IrOpcode.Membar when word is "gl":
                m.Scope = IrScope.Gpu;
                return true;
            case IrOpcode.Prmt when DecodePermute(word) is var permute and not IrPermuteMode.None:
                m.Permute = permute;
                return true;
            case IrOpcode.Testp when DecodeTest(word) is var test and not IrTestKind.None:
                m.Test = test;
                return true;
        }

        var space = DecodeSpace(word);
        if (space.HasValue)
        {
            if (m.Space == IrStateSpace.Generic)
                m.Space = space.Value;
            else if (m.SourceSpace == IrStateSpace.Generic)
                m.SourceSpace = space.Value;
            else
                return false;
            return true;
        }

        var rounding = DecodeRounding(word);
        if (rounding != IrRounding.None)
        {
            m.Rounding = rounding;
            return true;
        }

        var reduction = DecodeReduction(word);
        if (reduction != IrReduction.None)
        {
            m.Reduction = reduction;
            return true;
        }

        var flag = DecodeFlag(word);
        if (flag != IrFlags.None)
        {
            m.Flags |= flag;
            return true;
        }

        switch (word)
        {
            case "v2": m.VectorWidth = 2; return true;
            case "v4": m.VectorWidth = 4; return true;
            case "v8": m.VectorWidth = 8; return true;
            case "x1": m.MatrixCount = 1; return true;
            case "x2": m.MatrixCount = 2; return true;
            case "x4": m.MatrixCount = 4; return true;
            case "ca": m.Cache = IrCacheOp.Ca; return true;
            case "cg": m.Cache = IrCacheOp.Cg; return true;
            case "cs": m.Cache = IrCacheOp.Cs; return true;
            case "lu": m.Cache = IrCacheOp.Lu; return true;
            case "cv": m.Cache = IrCacheOp.Cv; return true;
            case "wb": m.Cache = IrCacheOp.Wb; return true;
            case "wt": m.Cache = IrCacheOp.Wt; return true;
            case "weak": m.Order = IrMemoryOrder.Weak; return true;
            case "relaxed": m.Order = IrMemoryOrder.Relaxed; return true;
            case "acquire": m.Order = IrMemoryOrder.Acquire; return true;
            case "release": m.Order = IrMemoryOrder.Release; return true;
            case "acq_rel": m.Order = IrMemoryOrder.AcqRel; return true;
            case "sc": m.Order = IrMemoryOrder.Sc; return true;
            case "volatile": m.Order = IrMemoryOrder.Volatile; return true;
            case "mmio": m.Order = IrMemoryOrder.Mmio; return true;
            case "cta": m.Scope = IrScope.Cta; return true;
            case "cluster": m.Scope = IrScope.Cluster; return true;
            case "gpu": m.Scope = IrScope.Gpu; return true;
            case "sys": m.Scope = IrScope.Sys; return true;
            case "up": m.Shuffle = IrShuffleMode.Up; return true;
            case "down": m.Shuffle = IrShuffleMode.Down; return true;
            case "bfly": m.Shuffle = IrShuffleMode.Bfly; return true;
            case "idx": m.Shuffle = IrShuffleMode.Idx; return true;
            case "row" or "col":
                var layout = word is "row" ? IrMatrixLayout.Row : IrMatrixLayout.Col;
                if (m.LayoutA == IrMatrixLayout.None) m.LayoutA = layout;
                else if (m.LayoutB == IrMatrixLayout.None) m.LayoutB = layout;
                else return false;
                return true;
            case "to": m.Flags |= IrFlags.ToSpace; return true;
            case "L2::64B": m.L2PrefetchBytes = 64; return true;
            case "L2::128B": m.L2PrefetchBytes = 128; return true;
            case "L2::256B": m.L2PrefetchBytes = 256; return true;
        }

        if (word.StartsWith("L1::") || word.StartsWith("L2::"))
        {
            m.Flags |= IrFlags.EvictionHint;
            return true;
        }

        return TryDecodeShape(word, ref m);
    }

    public static IrType DecodeType(ReadOnlySpan<char> word) => word switch
    {
        "pred" => IrType.Pred,
        "b8" => IrType.B8, "b16" => IrType.B16, "b32" => IrType.B32, "b64" => IrType.B64, "b128" => IrType.B128,
        "u8" => IrType.U8, "u16" => IrType.U16, "u32" => IrType.U32, "u64" => IrType.U64,
        "s8" => IrType.S8, "s16" => IrType.S16, "s32" => IrType.S32, "s64" => IrType.S64,
        "f16" => IrType.F16, "f16x2" => IrType.F16x2, "bf16" => IrType.BF16, "bf16x2" => IrType.BF16x2,
        "tf32" => IrType.TF32, "f32" => IrType.F32, "f64" => IrType.F64,
        "e4m3" => IrType.E4M3, "e5m2" => IrType.E5M2, "e4m3x2" => IrType.E4M3x2, "e5m2x2" => IrType.E5M2x2,
        "u4" => IrType.U4, "s4" => IrType.S4, "b1" => IrType.B1,
        _ => IrType.None,
    };

    private static IrCompare DecodeCompare(ReadOnlySpan<char> word) => word switch
    {
        "eq" => IrCompare.Eq, "ne" => IrCompare.Ne, "lt" => IrCompare.Lt, "le" => IrCompare.Le,
        "gt" => IrCompare.Gt, "ge" => IrCompare.Ge, "lo" => IrCompare.Lo, "ls" => IrCompare.Ls,
        "hi" => IrCompare.Hi, "hs" => IrCompare.Hs, "equ" => IrCompare.Equ, "neu" => IrCompare.Neu,
        "ltu" => IrCompare.Ltu, "leu" => IrCompare.Leu, "gtu" => IrCompare.Gtu, "geu" => IrCompare.Geu,
        "num" => IrCompare.Num, "nan" => IrCompare.Nan,
        _ => IrCompare.None,
    };

    private static IrStateSpace? DecodeSpace(ReadOnlySpan<char> word) => word switch
    {
        "global" => IrStateSpace.Global,
        "shared" or "shared::cta" => IrStateSpace.Shared,
        "shared::cluster" => IrStateSpace.SharedCluster,
        "local" => IrStateSpace.Local,
        "param" or "param::entry" or "param::func" => IrStateSpace.Param,
        "const" => IrStateSpace.Const,
        _ => null,
    };

    private static IrRounding DecodeRounding(ReadOnlySpan<char> word) => word switch
    {
        "rn" => IrRounding.Rn, "rz" => IrRounding.Rz, "rm" => IrRounding.Rm, "rp" => IrRounding.Rp,
        "rni" => IrRounding.Rni, "rzi" => IrRounding.Rzi, "rmi" => IrRounding.Rmi, "rpi" => IrRounding.Rpi,
        "rna" => IrRounding.Rna, "rs" => IrRounding.Rs,
        _ => IrRounding.None,
    };

    private static IrReduction DecodeReduction(ReadOnlySpan<char> word) => word switch
    {
        "add" => IrReduction.Add, "min" => IrReduction.Min, "max" => IrReduction.Max, "inc" => IrReduction.Inc,
        "dec" => IrReduction.Dec, "and" => IrReduction.And, "or" => IrReduction.Or, "xor" => IrReduction.Xor,
        "exch" => IrReduction.Exch, "cas" => IrReduction.Cas, "popc" => IrReduction.Popc,
        _ => IrReduction.None,
    };

    private static IrFlags DecodeFlag(ReadOnlySpan<char> word) => word switch
    {
        "ftz" => IrFlags.Ftz, "sat" => IrFlags.Sat, "approx" => IrFlags.Approx, "full" => IrFlags.Full,
        "uni" => IrFlags.Uni, "sync" => IrFlags.Sync, "aligned" => IrFlags.Aligned, "nc" => IrFlags.NonCoherent,
        "trans" => IrFlags.Transpose, "wide" => IrFlags.Wide, "hi" => IrFlags.Hi, "lo" => IrFlags.Lo,
        "clamp" => IrFlags.Clamp, "wrap" => IrFlags.Wrap, "shiftamt" => IrFlags.ShiftAmount, "relu" => IrFlags.Relu,
        "NaN" => IrFlags.NaN, "xorsign" => IrFlags.XorSign, "abs" => IrFlags.Abs, "cc" => IrFlags.CarryOut,
        "satfinite" => IrFlags.SatFinite, "noftz" => IrFlags.NoFtz, "unified" => IrFlags.Unified,
        _ => IrFlags.None,
    };

    private static IrPermuteMode DecodePermute(ReadOnlySpan<char> word) => word switch
    {
        "f4e" => IrPermuteMode.F4e, "b4e" => IrPermuteMode.B4e, "rc8" => IrPermuteMode.Rc8,
        "ecl" => IrPermuteMode.Ecl, "ecr" => IrPermuteMode.Ecr, "rc16" => IrPermuteMode.Rc16,
        _ => IrPermuteMode.None,
    };

    private static IrTestKind DecodeTest(ReadOnlySpan<char> word) => word switch
    {
        "finite" => IrTestKind.Finite, "infinite" => IrTestKind.Infinite, "number" => IrTestKind.Number,
        "notanumber" => IrTestKind.NotANumber, "normal" => IrTestKind.Normal, "subnormal" => IrTestKind.Subnormal,
        _ => IrTestKind.None,
    };

    /// <summary><c>m16n8k16</c>, <c>m8n8</c>, <c>m8n32k16</c>.</summary>
    private static bool TryDecodeShape(ReadOnlySpan<char> word, ref IrModifiers m)
    {
        if (word.Length < 4 || word[0] != 'm')
            return false;
        var position = 1;
        if (!TryReadDimension(word, ref position, out var rows) || position >= word.Length || word[position] != 'n')
            return false;
        position++;
        if (!TryReadDimension(word, ref position, out var columns))
            return false;
        var depth = 0;
        if (position < word.Length)
        {
            if (word[position] != 'k')
                return false;
            position++;
            if (!TryReadDimension(word, ref position, out depth) || position != word.Length)
                return false;
        }
        m.ShapeM = (byte)rows;
        m.ShapeN = (byte)columns;
        m.ShapeK = (byte)depth;
        return true;
    }

    private static bool TryReadDimension(ReadOnlySpan<char> word, ref int position, out int value)
    {
        value = 0;
        var start = position;
        while (position < word.Length && char.IsAsciiDigit(word[position]) && position - start < 3)
            value = value * 10 + (word[position++] - '0');
        return position > start && value is > 0 and < 256;
    }
}
