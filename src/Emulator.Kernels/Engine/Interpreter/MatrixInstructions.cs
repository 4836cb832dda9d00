using System.Numerics;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// Warp-wide matrix instructions: mma.sync with the PTX ISA's fragment layouts, ldmatrix, movmatrix and
/// wmma (m8n32k16). Fragments are gathered from all 32 lanes, the product is computed exactly (f16, bf16,
/// tf32 products are exact in f64; s8 in integers) and rounded once per output element.
/// </summary>
sealed unsafe partial class BlockExecutor
{
    /// <summary>(row, column) of fragment element <paramref name="i"/> held by <paramref name="lane"/>.</summary>
    delegate (int Row, int Col) FragmentLayout(int lane, int i);

    static (FragmentLayout A, FragmentLayout B, FragmentLayout C)? MmaLayouts((int M, int N, int K) shape, ScalarType aType)
    {
        static int G(int lane) => lane >> 2;
        static int T(int lane) => lane & 3;
        FragmentLayout c16x8 = (l, i) => (G(l) + 8 * (i >> 1), T(l) * 2 + (i & 1));
        bool halfLike = aType is ScalarType.F16 or ScalarType.BF16;
        bool int8 = aType is ScalarType.S8 or ScalarType.U8;
        return shape switch
        {
            (16, 8, 16) when halfLike => ((l, i) => (G(l) + 8 * ((i >> 1) & 1), T(l) * 2 + (i & 1) + 8 * (i >> 2)), (l, i) => (T(l) * 2 + (i & 1) + 8 * (i >> 1), G(l)), c16x8),
            (16, 8, 8) when halfLike => ((l, i) => (G(l) + 8 * (i >> 1), T(l) * 2 + (i & 1)), (l, i) => (T(l) * 2 + i, G(l)), c16x8),
            (16, 8, 8) when aType == ScalarType.TF32 => ((l, i) => (G(l) + 8 * (i & 1), T(l) + 4 * (i >> 1)), (l, i) => (T(l) + 4 * i, G(l)), c16x8),
            (16, 8, 16) when int8 => ((l, i) => (G(l) + 8 * (i >> 2), T(l) * 4 + (i & 3)), (l, i) => (T(l) * 4 + i, G(l)), c16x8),
            (16, 8, 32) when int8 => ((l, i) => (G(l) + 8 * ((i >> 2) & 1), T(l) * 4 + (i & 3) + 16 * (i >> 3)), (l, i) => (T(l) * 4 + (i & 3) + 16 * (i >> 2), G(l)), c16x8),
            (8, 8, 16) when int8 => ((l, i) => (G(l), T(l) * 4 + i), (l, i) => (T(l) * 4 + i, G(l)), (l, i) => (G(l), T(l) * 2 + i)),
            _ => null,
        };
    }

    /// <summary>Element <paramref name="i"/> of a fragment (registers packed low element first).</summary>
    double FragmentElement(Warp warp, Operand[] registers, int lane, int i, ScalarType type)
    {
        int bits = FragmentBits(type);
        int perRegister = 32 / bits;
        ulong word = Read(warp, registers[i / perRegister], lane);
        return FragmentValue((word >> ((i % perRegister) * bits)) & Mask(bits), type);
    }

    static int FragmentBits(ScalarType type) => type switch { ScalarType.F16 or ScalarType.BF16 => 16, ScalarType.S8 or ScalarType.U8 => 8, _ => 32 };

    /// <summary>One fragment element's value: every f16/bf16/tf32/f32/s8/u8/s32 value is exact in a double.</summary>
    static double FragmentValue(ulong raw, ScalarType type) => type switch
    {
        // Exact widening (equal to the format decoder for every encoding; a NaN stays a NaN, results are canonicalised).
        ScalarType.F16 => (float)BitConverter.UInt16BitsToHalf((ushort)raw),
        ScalarType.BF16 => Conversions.BFloat16ToSingle((ushort)raw),
        ScalarType.TF32 => Conversions.Tf32OperandToSingle((uint)raw),
        ScalarType.F32 => F32(raw),
        ScalarType.S8 => (sbyte)raw,
        ScalarType.U8 => (byte)raw,
        ScalarType.S32 => (int)raw,
        _ => raw,
    };

    /// <summary>The fragment layouts of one mma shape/type as flat tables: element i of lane l sits at [l * count + i] (row-major index).</summary>
    sealed record MmaTables(int[] A, int[] B, int[] C);

    static readonly System.Collections.Concurrent.ConcurrentDictionary<((int, int, int) Shape, ScalarType Type), MmaTables?> mmaTables = new();

    static MmaTables? TablesFor((int M, int N, int K) shape, ScalarType aType) => mmaTables.GetOrAdd((shape, aType), key =>
    {
        if (MmaLayouts(key.Shape, key.Type) is not { } layouts) return null;
        var (m, n, k) = key.Shape;
        int[] Flatten(FragmentLayout layout, int count, int columns)
        {
            var table = new int[Warp.Size * count];
            for (int lane = 0; lane < Warp.Size; lane++)
            for (int i = 0; i < count; i++)
            {
                var (row, col) = layout(lane, i);
                table[lane * count + i] = row * columns + col;
            }
            return table;
        }
        return new MmaTables(Flatten(layouts.A, m * k / 32, k), Flatten(layouts.B, k * n / 32, n), Flatten(layouts.C, m * n / 32, n));
    });

    /// <summary>Gathers one fragment of all 32 lanes into <paramref name="matrix"/> (registers packed low element first).</summary>
    void GatherFragment(Warp warp, Operand[] registers, ScalarType type, int[] table, int count, Span<double> matrix)
    {
        int bits = FragmentBits(type);
        int perRegister = 32 / bits;
        ulong elementMask = Mask(bits);
        for (int lane = 0; lane < Warp.Size; lane++)
        {
            for (int i = 0; i < count; i++)
            {
                ulong word = Read(warp, registers[i / perRegister], lane);
                matrix[table[lane * count + i]] = FragmentValue((word >> ((i % perRegister) * bits)) & elementMask, type);
            }
        }
    }

    void ExecuteMma(Warp warp, Instruction ins, uint enabled)
    {
        if (enabled != uint.MaxValue)
            throw Fault(warp, BitOperations.TrailingZeroCount(~enabled), ins, LaunchStatus.IllegalInstruction, "mma.sync needs all 32 lanes of the warp");
        var (m, n, k) = ins.Shape;
        var aType = ins.SourceType;
        var tables = TablesFor(ins.Shape, aType)
            ?? throw Fault(warp, 0, ins, LaunchStatus.IllegalInstruction, $"unsupported mma shape/type '{ins.Text}'");
        var ops = ins.Operands;
        var d = ops[0].Elements!;
        var dType = ins.Type;
        int aCount = m * k / 32, bCount = k * n / 32, cCount = m * n / 32;
        // Row-major m×k, k×n, m×n (at most 16×32, 32×8, 16×8): every f16/bf16/tf32/s8 value is exact in a double.
        Span<double> matrixA = stackalloc double[m * k];
        Span<double> matrixB = stackalloc double[k * n];
        Span<double> matrixC = stackalloc double[m * n];
        GatherFragment(warp, ops[1].Elements!, aType, tables.A, aCount, matrixA);
        GatherFragment(warp, ops[2].Elements!, aType, tables.B, bCount, matrixB);
        GatherFragment(warp, ops[3].Elements!, ins.CType, tables.C, cCount, matrixC);
        bool integer = dType == ScalarType.S32;
        Span<ulong> result = stackalloc ulong[m * n];
        for (int row = 0; row < m; row++)
        for (int col = 0; col < n; col++)
        {
            if (integer)
            {
                long sum = (long)matrixC[row * n + col];
                for (int x = 0; x < k; x++) sum += (long)matrixA[row * k + x] * (long)matrixB[x * n + col];
                result[row * n + col] = ins.Saturate ? (uint)(int)Math.Clamp(sum, int.MinValue, int.MaxValue) : (uint)sum;
                continue;
            }
            // Products of f16/bf16/tf32 are exact in f64 and k ≤ 16 of them add with at most ~2^-50 relative error.
            double total = matrixC[row * n + col];
            for (int x = 0; x < k; x++) total += matrixA[row * k + x] * matrixB[x * n + col];
            result[row * n + col] = dType == ScalarType.F16
                ? Conversions.Encode(Conversions.RoundToFormat(total, Conversions.Half, RoundingMode.NearestEven, false), Conversions.Half)
                : Bits(FloatRounding.Canonicalize((float)total));
        }
        int dBits = dType == ScalarType.F16 ? 16 : 32;
        int perRegister = 32 / dBits;
        Span<ulong> words = stackalloc ulong[d.Length];
        for (int lane = 0; lane < Warp.Size; lane++)
        {
            words.Clear();
            for (int i = 0; i < cCount; i++)
                words[i / perRegister] |= result[tables.C[lane * cCount + i]] << ((i % perRegister) * dBits);
            for (int i = 0; i < d.Length; i++) WriteRegister(warp, d[i], lane, words[i]);
        }
    }

    /// <summary>
    /// ldmatrix.sync.aligned.m8n8.{x1,x2,x4}{.trans}.b16: lanes 8i..8i+7 give the row addresses of matrix i;
    /// lane l receives row l/4, columns 2(l%4) and 2(l%4)+1 (or, with .trans, that column pair's transpose).
    /// </summary>
    void ExecuteLdmatrix(Warp warp, Instruction ins, uint enabled)
    {
        if (enabled != uint.MaxValue)
            throw Fault(warp, BitOperations.TrailingZeroCount(~enabled), ins, LaunchStatus.IllegalInstruction, "ldmatrix needs all 32 lanes of the warp");
        var destination = ins.Operands[0];
        var registers = destination.Kind == OperandKind.Vector ? destination.Elements! : [destination];
        var address = ins.Operands[1];
        int matrices = ins.VectorWidth;
        var values = new ushort[matrices, 8, 8];
        for (int matrix = 0; matrix < matrices; matrix++)
        for (int row = 0; row < 8; row++)
        {
            int lane = matrix * 8 + row;
            ulong rowAddress = EffectiveAddress(warp, address, lane);
            byte* p = Resolve(warp, lane, ins, ins.Space, address.Base, rowAddress, 16, false);
            for (int col = 0; col < 8; col++) values[matrix, row, col] = ((ushort*)p)[col];
        }
        for (int lane = 0; lane < Warp.Size; lane++)
        for (int matrix = 0; matrix < matrices; matrix++)
        {
            int row = lane >> 2, pair = (lane & 3) * 2;
            ulong low = ins.Transpose ? values[matrix, pair, row] : values[matrix, row, pair];
            ulong high = ins.Transpose ? values[matrix, pair + 1, row] : values[matrix, row, pair + 1];
            WriteRegister(warp, registers[matrix], lane, low | (high << 16));
        }
    }

    /// <summary>movmatrix.sync.aligned.m8n8.trans.b16: transpose an 8×8 b16 fragment across the warp.</summary>
    void ExecuteMovmatrix(Warp warp, Instruction ins, uint enabled)
    {
        if (enabled != uint.MaxValue)
            throw Fault(warp, BitOperations.TrailingZeroCount(~enabled), ins, LaunchStatus.IllegalInstruction, "movmatrix needs all 32 lanes of the warp");
        var source = ins.Operands[1];
        var matrix = new ushort[8, 8];
        for (int lane = 0; lane < Warp.Size; lane++)
        {
            ulong word = Read(warp, source, lane);
            matrix[lane >> 2, (lane & 3) * 2] = (ushort)word;
            matrix[lane >> 2, (lane & 3) * 2 + 1] = (ushort)(word >> 16);
        }
        for (int lane = 0; lane < Warp.Size; lane++)
        {
            int row = lane >> 2, pair = (lane & 3) * 2;
            WriteRegister(warp, ins.Operands[0], lane, matrix[pair, row] | ((ulong)matrix[pair + 1, row] << 16));
        }
    }

    // wmma fragments are opaque in PTX: only load, mma and store interpret them, so the layout is ours as
    // long as the three agree. Element e of a fragment with E elements per lane lives in lane (e / E) % 32,
    // slot e % E; matrices smaller than 32·E elements are replicated across lanes.
    void ExecuteWmma(Warp warp, Instruction ins, uint enabled)
    {
        if (enabled != uint.MaxValue)
            throw Fault(warp, BitOperations.TrailingZeroCount(~enabled), ins, LaunchStatus.IllegalInstruction, "wmma needs all 32 lanes of the warp");
        var (m, n, k) = ins.Shape;
        if ((m, n, k) != (8, 32, 16))
            throw Fault(warp, 0, ins, LaunchStatus.IllegalInstruction, $"unsupported wmma shape '{ins.Text}'");
        var ops = ins.Operands;
        switch (ins.Opcode)
        {
            case Opcode.WmmaLoadA:
            case Opcode.WmmaLoadB:
            case Opcode.WmmaLoadC:
            {
                var registers = ops[0].Elements!;
                bool isC = ins.Opcode == Opcode.WmmaLoadC;
                (int rows, int cols) = ins.Opcode switch { Opcode.WmmaLoadA => (m, k), Opcode.WmmaLoadB => (k, n), _ => (m, n) };
                int elementBytes = isC ? (ins.Type == ScalarType.F16 ? 2 : 4) : 2;
                int perLane = registers.Length * (4 / elementBytes);
                Span<ulong> words = stackalloc ulong[registers.Length];
                for (int lane = 0; lane < Warp.Size; lane++)
                {
                    ulong baseAddress = EffectiveAddress(warp, ops[1], lane);
                    long stride = ops.Length > 2 ? (long)Read(warp, ops[2], lane) : (ins.ARowMajor ? cols : rows);
                    words.Clear();
                    for (int slot = 0; slot < perLane; slot++)
                    {
                        int e = (lane * perLane + slot) % (rows * cols);
                        int row = e / cols, col = e % cols;
                        long index = ins.ARowMajor ? row * stride + col : col * stride + row;
                        byte* p = Resolve(warp, lane, ins, ins.Space, ops[1].Base, baseAddress + (ulong)(index * elementBytes), elementBytes, false);
                        ulong value = LoadBits(p, elementBytes);
                        int perRegister = 4 / elementBytes;
                        words[slot / perRegister] |= value << ((slot % perRegister) * elementBytes * 8);
                    }
                    for (int i = 0; i < registers.Length; i++) WriteRegister(warp, registers[i], lane, words[i]);
                }
                return;
            }
            case Opcode.WmmaStoreD:
            {
                var registers = ops[1].Elements!;
                int elementBytes = ins.Type == ScalarType.F16 ? 2 : 4;
                int perRegister = 4 / elementBytes;
                int perLane = registers.Length * perRegister;
                for (int lane = 0; lane < Warp.Size; lane++)
                {
                    ulong baseAddress = EffectiveAddress(warp, ops[0], lane);
                    long stride = ops.Length > 2 ? (long)Read(warp, ops[2], lane) : (ins.ARowMajor ? n : m);
                    for (int slot = 0; slot < perLane; slot++)
                    {
                        int e = lane * perLane + slot;
                        if (e >= m * n) continue;
                        int row = e / n, col = e % n;
                        long index = ins.ARowMajor ? row * stride + col : col * stride + row;
                        ulong word = Read(warp, registers[slot / perRegister], lane);
                        byte* p = Resolve(warp, lane, ins, ins.Space, ops[0].Base, baseAddress + (ulong)(index * elementBytes), elementBytes, true);
                        StoreBits(p, elementBytes, word >> ((slot % perRegister) * elementBytes * 8));
                    }
                }
                return;
            }
            default:
            {
                var d = ops[0].Elements!; var a = ops[1].Elements!; var b = ops[2].Elements!; var c = ops[3].Elements!;
                int aPerLane = a.Length * 2, bPerLane = b.Length * 2;
                bool cHalf = ins.CType == ScalarType.F16, dHalf = ins.Type == ScalarType.F16;
                int cPerLane = c.Length * (cHalf ? 2 : 1), dPerLane = d.Length * (dHalf ? 2 : 1);
                double Element(Operand[] regs, int perLane, int e, ScalarType type) => FragmentElement(warp, regs, e / perLane % Warp.Size, e % perLane, type);
                var result = new ulong[m * n];
                for (int row = 0; row < m; row++)
                for (int col = 0; col < n; col++)
                {
                    double total = Element(c, cPerLane, row * n + col, cHalf ? ScalarType.F16 : ScalarType.F32);
                    for (int x = 0; x < k; x++)
                        total += Element(a, aPerLane, row * k + x, ScalarType.F16) * Element(b, bPerLane, x * n + col, ScalarType.F16);
                    result[row * n + col] = dHalf
                        ? Conversions.Encode(Conversions.RoundToFormat(total, Conversions.Half, RoundingMode.NearestEven, false), Conversions.Half)
                        : Bits(FloatRounding.Canonicalize((float)total));
                }
                int dBits = dHalf ? 16 : 32;
                Span<ulong> words = stackalloc ulong[d.Length];
                for (int lane = 0; lane < Warp.Size; lane++)
                {
                    words.Clear();
                    for (int slot = 0; slot < dPerLane; slot++)
                        words[slot * dBits / 32] |= result[(lane * dPerLane + slot) % (m * n)] << ((slot % (32 / dBits)) * dBits);
                    for (int i = 0; i < d.Length; i++) WriteRegister(warp, d[i], lane, words[i]);
                }
                return;
            }
        }
    }
}
