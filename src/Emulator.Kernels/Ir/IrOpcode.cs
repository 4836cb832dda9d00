namespace Emulator.Kernels.Ir;

/// <summary>
/// Base PTX operation. Variants that only change how the operation is carried out (types, rounding, state space,
/// shuffle mode, ...) live in <see cref="IrModifiers"/>; variants that change the operand list get their own opcode
/// (<c>cp.async</c> vs <c>cp.async.wait_all</c>, <c>bar.warp.sync</c> vs <c>bar.sync</c>).
/// </summary>
public enum IrOpcode : ushort
{
    Invalid,

    // Integer and floating-point arithmetic.
    Add, Sub, Mul, Mad, Mul24, Mad24, Sad, Div, Rem, Abs, Neg, Min, Max, Fma,
    Addc, Subc, Madc,
    Rcp, Sqrt, Rsqrt, Sin, Cos, Lg2, Ex2, Tanh, Copysign, Testp,

    // Bit manipulation.
    Popc, Clz, Bfind, Fns, Brev, Bfe, Bfi, Bmsk, Szext, Dp4a, Dp2a, Prmt, Lop3, Shf, Shl, Shr, And, Or, Xor, Not, Cnot,

    // Comparison and selection.
    Set, Setp, Selp, Slct,

    // Data movement and conversion.
    Mov, Ld, Ldu, St, Cvt, Cvta, Prefetch, Isspacep,
    CpAsync, CpAsyncCommitGroup, CpAsyncWaitGroup, CpAsyncWaitAll,

    // Warp-level matrix operations.
    Mma, Ldmatrix, Stmatrix, Movmatrix, WmmaLoad, WmmaStore, WmmaMma,

    // Control flow.
    Bra,
    /// <summary>Operands are always three: the return list (a <see cref="IrOperandKind.Vector"/>, possibly empty), the <see cref="IrOperandKind.Function"/>, the argument list (a Vector, possibly empty).</summary>
    Call,
    Ret, Exit, Trap, Brkpt,

    // Synchronisation and communication.
    /// <summary><c>bar</c>/<c>barrier</c> with a <see cref="BarrierMode"/> (sync, arrive, red).</summary>
    Bar,
    BarWarpSync,
    Membar, Fence,
    Atom, Red, Redux,
    Shfl, Vote, Match, Activemask, Elect,
    Nanosleep,
    GridDepControl,

    // SIMD video instructions.
    Vshr, Vshl, Vadd, Vsub, Vmin, Vmax, Vabsdiff,

    Pmevent,
}
