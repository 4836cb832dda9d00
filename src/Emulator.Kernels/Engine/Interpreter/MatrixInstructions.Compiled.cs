using System.Numerics;
using System.Runtime.Intrinsics;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// The compiled tier's mma / ldmatrix / movmatrix: the same arithmetic as <c>ExecuteMma</c> and friends (fragment
/// layouts from the same tables, products and sums in the same order and precision, the same rounding), without the
/// interpreter's per-element operand decoding — registers are read straight from the warp's slot array through a
/// plan built once per instruction. Anything unusual (a partial warp, an address the direct shared-memory check does
/// not vouch for) runs the interpreter's own implementation, which produces the exact result or fault.
/// </summary>
sealed unsafe partial class BlockExecutor
{
    /// <summary>Register offsets (slot × 32, -1 for a discarded element) and widths of an mma's fragments.</summary>
    sealed record MmaPlan(MmaTables Tables, int[] A, int[] B, int[] C, int[] D, ulong[] DMasks);

    MmaPlan?[]? mmaPlans;

    MmaPlan? MmaPlanFor(int pc)
    {
        mmaPlans ??= new MmaPlan?[code.Length];
        if (mmaPlans[pc] is { } plan) return plan;
        var ins = code[pc];
        if (TablesFor(ins.Shape, ins.SourceType) is not { } tables) return null;
        var ops = ins.Operands;
        if (ops.Length < 4 || RegisterOffsets(ops[0]) is not { } d || RegisterOffsets(ops[1]) is not { } a || RegisterOffsets(ops[2]) is not { } b
            || RegisterOffsets(ops[3]) is not { } c || a.Contains(-1) || b.Contains(-1) || c.Contains(-1)) return null;
        var masks = ops[0].Elements!.Select(e => e.Kind == OperandKind.Register ? IntegerOps.Mask(kernel.RegisterBits[e.Register]) : 0).ToArray();
        return mmaPlans[pc] = new MmaPlan(tables, a, b, c, d, masks);
    }

    /// <summary>mma.sync for a fully enabled warp (otherwise, and for forms without a plan, the interpreter's).</summary>
    internal void CompiledMma(Warp warp, ulong* r, int pc, uint enabled)
    {
        var ins = code[pc];
        if (enabled != uint.MaxValue || MmaPlanFor(pc) is not { } plan || ins.Shape.N != 8)
        {
            ExecuteInterpreted(warp, pc, enabled);
            return;
        }
        var (m, n, k) = ins.Shape;
        var aType = ins.SourceType;
        int aCount = m * k / 32, bCount = k * n / 32, cCount = m * n / 32;
        bool integer = ins.Type == ScalarType.S32;
        Span<ulong> result = stackalloc ulong[m * n];
        if (integer)
        {
            Span<long> matrixA = stackalloc long[m * k];
            Span<long> matrixB = stackalloc long[k * n];
            Span<long> matrixC = stackalloc long[m * n];
            GatherIntegers(r, plan.A, aType, plan.Tables.A, aCount, matrixA);
            GatherIntegers(r, plan.B, aType, plan.Tables.B, bCount, matrixB);
            GatherIntegers(r, plan.C, ins.CType, plan.Tables.C, cCount, matrixC);
            // Row by row, the 8 columns at once: each lane of the vector is the interpreter's sum for one output.
            for (int row = 0; row < m; row++)
            {
                var sum = Vector512.Create(matrixC.Slice(row * 8, 8));
                for (int x = 0; x < k; x++) sum += Vector512.Create(matrixA[row * k + x]) * Vector512.Create(matrixB.Slice(x * 8, 8));
                for (int col = 0; col < 8; col++)
                {
                    long total = sum[col];
                    result[row * n + col] = ins.Saturate ? (uint)(int)Math.Clamp(total, int.MinValue, int.MaxValue) : (uint)total;
                }
            }
        }
        else
        {
            Span<double> matrixA = stackalloc double[m * k];
            Span<double> matrixB = stackalloc double[k * n];
            Span<double> matrixC = stackalloc double[m * n];
            GatherFloats(r, plan.A, aType, plan.Tables.A, aCount, matrixA);
            GatherFloats(r, plan.B, aType, plan.Tables.B, bCount, matrixB);
            GatherFloats(r, plan.C, ins.CType, plan.Tables.C, cCount, matrixC);
            bool halfResult = ins.Type == ScalarType.F16;
            for (int row = 0; row < m; row++)
            {
                // total = C; total += A·B for x = 0..k-1, in doubles, a multiply then an add (never fused): the
                // interpreter's sequence for each of the 8 outputs of the row.
                var total = Vector512.Create(matrixC.Slice(row * 8, 8));
                for (int x = 0; x < k; x++) total += Vector512.Create(matrixA[row * k + x]) * Vector512.Create(matrixB.Slice(x * 8, 8));
                for (int col = 0; col < 8; col++)
                {
                    double value = total[col];
                    // HalfOps.Nearest is the generic Encode(RoundToFormat(value, Half, NearestEven)) the interpreter
                    // uses, NaN included (proved equal in the conversion tests), without its cost.
                    result[row * n + col] = halfResult ? HalfOps.Nearest(value) : Bits(FloatRounding.Canonicalize((float)value));
                }
            }
        }
        int dBits = ins.Type == ScalarType.F16 ? 16 : 32;
        int perRegister = 32 / dBits;
        Span<ulong> words = stackalloc ulong[plan.D.Length];
        var tableC = plan.Tables.C;
        for (int lane = 0; lane < Warp.Size; lane++)
        {
            words.Clear();
            for (int i = 0; i < cCount; i++)
                words[i / perRegister] |= result[tableC[lane * cCount + i]] << ((i % perRegister) * dBits);
            for (int i = 0; i < plan.D.Length; i++)
                if (plan.D[i] >= 0) r[plan.D[i] + lane] = words[i] & plan.DMasks[i];
        }
    }

    static void GatherFloats(ulong* r, int[] registers, ScalarType type, int[] table, int count, Span<double> matrix)
    {
        Span<ulong> raw = stackalloc ulong[matrix.Length];
        GatherRaw(r, registers, type, table, count, raw);
        for (int i = 0; i < raw.Length; i++)
            matrix[i] = type == ScalarType.F16 ? HalfTable.ToSingle((ushort)raw[i]) : FragmentValue(raw[i], type);
    }

    static void GatherIntegers(ulong* r, int[] registers, ScalarType type, int[] table, int count, Span<long> matrix)
    {
        Span<ulong> raw = stackalloc ulong[matrix.Length];
        GatherRaw(r, registers, type, table, count, raw);
        for (int i = 0; i < raw.Length; i++)
            matrix[i] = type switch { ScalarType.S8 => (sbyte)raw[i], ScalarType.U8 => (byte)raw[i], ScalarType.S32 => (int)raw[i], _ => (long)raw[i] };
    }

    /// <summary>Every lane's fragment elements (their bits) into row-major <paramref name="matrix"/> order, through the layout table.</summary>
    static void GatherRaw(ulong* r, int[] registers, ScalarType type, int[] table, int count, Span<ulong> matrix)
    {
        int bits = FragmentBits(type);
        int perRegisterShift = bits switch { 32 => 0, 16 => 1, _ => 2 }; // elements per 32-bit register: 1, 2, 4
        int lastInRegister = (1 << perRegisterShift) - 1;
        ulong elementMask = Mask(bits);
        for (int lane = 0; lane < Warp.Size; lane++)
        {
            var laneTable = table.AsSpan(lane * count, count);
            for (int i = 0; i < count; i++)
                matrix[laneTable[i]] = (r[registers[i >> perRegisterShift] + lane] >> ((i & lastInRegister) * bits)) & elementMask;
        }
    }

    /// <summary>
    /// wmma.mma (m8n32k16, the only shape the engine implements) for a fully enabled warp: fragments gathered once in
    /// the interpreter's opaque layout (element e of a fragment with E per lane: lane (e / E) % 32, slot e % E), sums in
    /// the interpreter's order, eight columns at a time. Anything else: the interpreter's.
    /// </summary>
    internal void CompiledWmmaMma(Warp warp, ulong* r, int pc, uint enabled)
    {
        var ins = code[pc];
        var ops = ins.Operands;
        var (m, n, k) = ins.Shape;
        if (enabled != uint.MaxValue || (m, n, k) != (8, 32, 16) || ops.Length < 4
            || RegisterOffsets(ops[0]) is not { } d || RegisterOffsets(ops[1]) is not { } a || RegisterOffsets(ops[2]) is not { } b
            || RegisterOffsets(ops[3]) is not { } c || a.Contains(-1) || b.Contains(-1) || c.Contains(-1))
        {
            ExecuteInterpreted(warp, pc, enabled);
            return;
        }
        bool cHalf = ins.CType == ScalarType.F16, dHalf = ins.Type == ScalarType.F16;
        int aPerLane = a.Length * 2, bPerLane = b.Length * 2, cPerLane = c.Length * (cHalf ? 2 : 1), dPerLane = d.Length * (dHalf ? 2 : 1);
        Span<double> matrixA = stackalloc double[m * k];
        Span<double> matrixB = stackalloc double[k * n];
        Span<double> matrixC = stackalloc double[m * n];
        for (int e = 0; e < matrixA.Length; e++) matrixA[e] = WmmaElement(r, a, aPerLane, e, ScalarType.F16);
        for (int e = 0; e < matrixB.Length; e++) matrixB[e] = WmmaElement(r, b, bPerLane, e, ScalarType.F16);
        for (int e = 0; e < matrixC.Length; e++) matrixC[e] = WmmaElement(r, c, cPerLane, e, cHalf ? ScalarType.F16 : ScalarType.F32);
        Span<ulong> result = stackalloc ulong[m * n];
        for (int row = 0; row < m; row++)
        for (int col = 0; col < n; col += 8)
        {
            // total = C; total += A·B for x = 0..k-1 (a multiply then an add, never fused): the interpreter's sequence.
            var total = Vector512.Create(matrixC.Slice(row * n + col, 8));
            for (int x = 0; x < k; x++) total += Vector512.Create(matrixA[row * k + x]) * Vector512.Create(matrixB.Slice(x * n + col, 8));
            for (int i = 0; i < 8; i++)
                result[row * n + col + i] = dHalf ? HalfOps.Nearest(total[i]) : Bits(FloatRounding.Canonicalize((float)total[i]));
        }
        int dBits = dHalf ? 16 : 32;
        Span<ulong> words = stackalloc ulong[d.Length];
        for (int lane = 0; lane < Warp.Size; lane++)
        {
            words.Clear();
            for (int slot = 0; slot < dPerLane; slot++)
                words[slot * dBits / 32] |= result[(lane * dPerLane + slot) % (m * n)] << ((slot % (32 / dBits)) * dBits);
            for (int i = 0; i < d.Length; i++)
                if (d[i] >= 0) r[d[i] + lane] = words[i] & IntegerOps.Mask(kernel.RegisterBits[d[i] / Warp.Size]);
        }
    }

    /// <summary>
    /// wmma.load.{a,b,c} (m8n32k16) for a fully enabled warp whose every element lies in the block's shared memory:
    /// the interpreter's element order and addressing, every lane read before any register is written (a lane's
    /// registers are its own, so that order changes nothing). Anything else: the interpreter's.
    /// </summary>
    internal void CompiledWmmaLoad(Warp warp, ulong* r, int pc, uint enabled)
    {
        var ins = code[pc];
        var ops = ins.Operands;
        if (enabled != uint.MaxValue || ins.Shape != (8, 32, 16) || RegisterOffsets(ops[0]) is not { } registers
            || !WmmaAddressing(ins, ops[1], out ulong sharedOffset))
        {
            ExecuteInterpreted(warp, pc, enabled);
            return;
        }
        var (m, n, k) = ins.Shape;
        bool isC = ins.Opcode == Opcode.WmmaLoadC;
        (int rows, int cols) = ins.Opcode switch { Opcode.WmmaLoadA => (m, k), Opcode.WmmaLoadB => (k, n), _ => (m, n) };
        int elementBytes = isC ? (ins.Type == ScalarType.F16 ? 2 : 4) : 2;
        int perRegister = 4 / elementBytes;
        int perLane = registers.Length * perRegister;
        Span<ulong> words = stackalloc ulong[Warp.Size * registers.Length];
        byte* sharedBytes = Base(shared);
        for (int lane = 0; lane < Warp.Size; lane++)
        {
            ulong baseAddress = WmmaBase(ops[1], r, lane) - sharedOffset;
            long stride = ops.Length > 2 ? (long)ReadCompiled(warp, r, ops[2], lane) : (ins.ARowMajor ? cols : rows);
            for (int slot = 0; slot < perLane; slot++)
            {
                int e = (lane * perLane + slot) % (rows * cols);
                int row = e / cols, col = e % cols;
                long index = ins.ARowMajor ? row * stride + col : col * stride + row;
                ulong address = baseAddress + (ulong)(index * elementBytes);
                if (!InShared(address, elementBytes))
                {
                    ExecuteInterpreted(warp, pc, enabled);
                    return;
                }
                words[lane * registers.Length + slot / perRegister] |= LoadBits(sharedBytes + address, elementBytes) << ((slot % perRegister) * elementBytes * 8);
            }
        }
        for (int lane = 0; lane < Warp.Size; lane++)
            for (int i = 0; i < registers.Length; i++)
                if (registers[i] >= 0) r[registers[i] + lane] = words[lane * registers.Length + i] & IntegerOps.Mask(kernel.RegisterBits[registers[i] / Warp.Size]);
    }

    /// <summary>wmma.store.d (m8n32k16) for a fully enabled warp: every address checked in shared memory first, then the interpreter's stores in its order.</summary>
    internal void CompiledWmmaStore(Warp warp, ulong* r, int pc, uint enabled)
    {
        var ins = code[pc];
        var ops = ins.Operands;
        if (enabled != uint.MaxValue || ins.Shape != (8, 32, 16) || ops.Length < 2 || RegisterOffsets(ops[1]) is not { } registers
            || registers.Contains(-1) || !WmmaAddressing(ins, ops[0], out ulong sharedOffset))
        {
            ExecuteInterpreted(warp, pc, enabled);
            return;
        }
        var (m, n, _) = ins.Shape;
        int elementBytes = ins.Type == ScalarType.F16 ? 2 : 4;
        int perRegister = 4 / elementBytes;
        int perLane = registers.Length * perRegister;
        byte* sharedBytes = Base(shared);
        for (int pass = 0; pass < 2; pass++) // pass 0 checks every address, pass 1 stores
        {
            for (int lane = 0; lane < Warp.Size; lane++)
            {
                ulong baseAddress = WmmaBase(ops[0], r, lane) - sharedOffset;
                long stride = ops.Length > 2 ? (long)ReadCompiled(warp, r, ops[2], lane) : (ins.ARowMajor ? n : m);
                for (int slot = 0; slot < perLane; slot++)
                {
                    int e = lane * perLane + slot;
                    if (e >= m * n) continue;
                    int row = e / n, col = e % n;
                    long index = ins.ARowMajor ? row * stride + col : col * stride + row;
                    ulong address = baseAddress + (ulong)(index * elementBytes);
                    if (pass == 0)
                    {
                        if (InShared(address, elementBytes)) continue;
                        ExecuteInterpreted(warp, pc, enabled);
                        return;
                    }
                    StoreBits(sharedBytes + address, elementBytes, r[registers[slot / perRegister] + lane] >> ((slot % perRegister) * elementBytes * 8));
                }
            }
        }
    }

    /// <summary>A wmma address the direct path handles: .shared (offsets) or generic in the shared window, register or symbol base.</summary>
    static bool WmmaAddressing(Instruction ins, in Operand address, out ulong sharedOffset)
    {
        sharedOffset = ins.Space == StateSpace.Generic ? AddressWindows.SharedBase : 0;
        return address.Kind == OperandKind.Address && ins.Space is StateSpace.Shared or StateSpace.Generic
            && address.Base is AddressBase.Register or AddressBase.SharedSymbol or AddressBase.None;
    }

    static ulong WmmaBase(in Operand address, ulong* r, int lane) =>
        (address.Base == AddressBase.Register ? r[address.Register * Warp.Size + lane] : 0) + (ulong)address.Offset;

    /// <summary>An aligned access of <paramref name="size"/> bytes inside the block's shared memory.</summary>
    bool InShared(ulong offset, int size) => (offset & (ulong)(size - 1)) == 0 && offset < (ulong)shared.Length && (ulong)shared.Length - offset >= (ulong)size;

    /// <summary>An operand's value in a lane, read through the register array the compiled code uses.</summary>
    ulong ReadCompiled(Warp warp, ulong* r, in Operand operand, int lane) =>
        operand.Kind == OperandKind.Register && !operand.Negated ? r[operand.Register * Warp.Size + lane] : Read(warp, operand, lane);

    /// <summary>Element <paramref name="e"/> of a wmma fragment with <paramref name="perLane"/> elements per lane.</summary>
    static double WmmaElement(ulong* r, int[] registers, int perLane, int e, ScalarType type)
    {
        int lane = e / perLane % Warp.Size, slot = e % perLane;
        int bits = FragmentBits(type);
        int perRegister = 32 / bits;
        ulong raw = (r[registers[slot / perRegister] + lane] >> ((slot % perRegister) * bits)) & Mask(bits);
        return type == ScalarType.F16 ? HalfTable.ToSingle((ushort)raw) : FragmentValue(raw, type);
    }

    /// <summary>Slot offsets (× 32) of a vector operand's registers, -1 for a discarded element; null if not all registers or discards.</summary>
    static int[]? RegisterOffsets(in Operand operand)
    {
        if (operand.Elements is not { } elements) return null;
        var offsets = new int[elements.Length];
        for (int i = 0; i < elements.Length; i++)
        {
            if (elements[i].Kind == OperandKind.Discard) { offsets[i] = -1; continue; }
            if (elements[i].Kind != OperandKind.Register) return null;
            offsets[i] = elements[i].Register * Warp.Size;
        }
        return offsets;
    }

    /// <summary>
    /// ldmatrix for a fully enabled warp whose rows (16 bytes, 16-byte aligned) all lie in the block's shared memory:
    /// read every row, then write every lane's registers (the interpreter's order). Anything else: the interpreter's.
    /// </summary>
    internal void CompiledLdmatrix(Warp warp, ulong* r, int pc, uint enabled)
    {
        var ins = code[pc];
        var destination = ins.Operands[0];
        var address = ins.Operands[1];
        int matrices = ins.VectorWidth;
        if (enabled != uint.MaxValue || matrices is not (1 or 2 or 4) || address.Kind != OperandKind.Address
            || address.Base is not (AddressBase.Register or AddressBase.SharedSymbol or AddressBase.None)
            || ins.Space is not (StateSpace.Shared or StateSpace.Generic))
        {
            ExecuteInterpreted(warp, pc, enabled);
            return;
        }
        Span<ushort> values = stackalloc ushort[matrices * 64];
        byte* sharedBytes = Base(shared);
        ulong sharedLength = (ulong)shared.Length;
        for (int row = 0; row < matrices * 8; row++)
        {
            ulong rowAddress = (address.Base == AddressBase.Register ? r[address.Register * Warp.Size + row] : 0) + (ulong)address.Offset;
            if (ins.Space == StateSpace.Generic)
            {
                if (!AddressWindows.IsShared(rowAddress)) { ExecuteInterpreted(warp, pc, enabled); return; }
                rowAddress -= AddressWindows.SharedBase;
            }
            if ((rowAddress & 15) != 0 || rowAddress >= sharedLength || sharedLength - rowAddress < 16)
            {
                ExecuteInterpreted(warp, pc, enabled);
                return;
            }
            new ReadOnlySpan<ushort>(sharedBytes + rowAddress, 8).CopyTo(values.Slice(row * 8, 8));
        }
        var registers = destination.Kind == OperandKind.Vector ? destination.Elements! : [destination];
        for (int matrix = 0; matrix < matrices; matrix++)
        {
            var register = registers[matrix];
            if (register.Kind != OperandKind.Register) continue;
            ulong keep = IntegerOps.Mask(kernel.RegisterBits[register.Register]);
            ulong* target = r + register.Register * Warp.Size;
            var tile = values.Slice(matrix * 64, 64);
            for (int lane = 0; lane < Warp.Size; lane++)
            {
                int row = lane >> 2, pair = (lane & 3) * 2;
                ulong low = ins.Transpose ? tile[pair * 8 + row] : tile[row * 8 + pair];
                ulong high = ins.Transpose ? tile[(pair + 1) * 8 + row] : tile[row * 8 + pair + 1];
                target[lane] = (low | (high << 16)) & keep;
            }
        }
    }
}
