using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>
/// mma.sync for every shape/type of the census, ldmatrix, movmatrix and wmma. The fragment layouts below are
/// transcribed from the PTX ISA's figures ("Matrix Fragments for mma.m16n8k16" etc.); expected D is a plain
/// C# matrix product. Inputs are small multiples of 1/16 so every float sum is exact.
/// </summary>
public class MatrixTests
{
    delegate (int Row, int Col) Layout(int group, int thread, int i);

    sealed record MmaForm(string Shape, string Types, int M, int N, int K, string AType, string CType, int ARegs, int BRegs, int CRegs,
        Layout A, Layout B, Layout C);

    static readonly Layout C16x8 = (g, t, i) => (g + 8 * (i / 2), t * 2 + i % 2);

    static readonly MmaForm[] Forms =
    [
        new("m16n8k16", "f32.f16.f16.f32", 16, 8, 16, "f16", "f32", 4, 2, 4,
            (g, t, i) => (i is 0 or 1 or 4 or 5 ? g : g + 8, t * 2 + i % 2 + (i >= 4 ? 8 : 0)), (g, t, i) => (t * 2 + i % 2 + (i >= 2 ? 8 : 0), g), C16x8),
        new("m16n8k16", "f16.f16.f16.f16", 16, 8, 16, "f16", "f16", 4, 2, 2,
            (g, t, i) => (i is 0 or 1 or 4 or 5 ? g : g + 8, t * 2 + i % 2 + (i >= 4 ? 8 : 0)), (g, t, i) => (t * 2 + i % 2 + (i >= 2 ? 8 : 0), g), C16x8),
        new("m16n8k16", "f32.bf16.bf16.f32", 16, 8, 16, "bf16", "f32", 4, 2, 4,
            (g, t, i) => (i is 0 or 1 or 4 or 5 ? g : g + 8, t * 2 + i % 2 + (i >= 4 ? 8 : 0)), (g, t, i) => (t * 2 + i % 2 + (i >= 2 ? 8 : 0), g), C16x8),
        new("m16n8k8", "f32.f16.f16.f32", 16, 8, 8, "f16", "f32", 2, 1, 4,
            (g, t, i) => (i < 2 ? g : g + 8, t * 2 + i % 2), (g, t, i) => (t * 2 + i, g), C16x8),
        new("m16n8k8", "f16.f16.f16.f16", 16, 8, 8, "f16", "f16", 2, 1, 2,
            (g, t, i) => (i < 2 ? g : g + 8, t * 2 + i % 2), (g, t, i) => (t * 2 + i, g), C16x8),
        new("m16n8k8", "f32.tf32.tf32.f32", 16, 8, 8, "tf32", "f32", 4, 2, 4,
            (g, t, i) => (i is 0 or 2 ? g : g + 8, i < 2 ? t : t + 4), (g, t, i) => (i == 0 ? t : t + 4, g), C16x8),
        new("m16n8k16", "s32.s8.s8.s32", 16, 8, 16, "s8", "s32", 2, 1, 4,
            (g, t, i) => (i < 4 ? g : g + 8, t * 4 + i % 4), (g, t, i) => (t * 4 + i, g), C16x8),
        new("m16n8k32", "s32.s8.s8.s32", 16, 8, 32, "s8", "s32", 4, 2, 4,
            (g, t, i) => (i is < 4 or (>= 8 and < 12) ? g : g + 8, t * 4 + i % 4 + (i >= 8 ? 16 : 0)), (g, t, i) => (t * 4 + i % 4 + (i >= 4 ? 16 : 0), g), C16x8),
        new("m8n8k16", "s32.s8.s8.s32", 8, 8, 16, "s8", "s32", 1, 1, 2,
            (g, t, i) => (g, t * 4 + i), (g, t, i) => (t * 4 + i, g), (g, t, i) => (g, t * 2 + i)),
    ];

    static int ElementBits(string type) => type switch { "f16" or "bf16" => 16, "s8" => 8, _ => 32 };

    static uint Encode(double value, string type) => type switch
    {
        "f16" => BitConverter.HalfToUInt16Bits((Half)value),
        "bf16" => BitConverter.SingleToUInt32Bits((float)value) >> 16, // exact for multiples of 1/16 in range
        "s8" => (uint)(byte)(sbyte)value,
        "s32" => (uint)(int)value,
        _ => BitConverter.SingleToUInt32Bits((float)value),
    };

    static double Decode(uint bits, string type) => type switch
    {
        "f16" => (double)BitConverter.UInt16BitsToHalf((ushort)bits),
        "s32" => (int)bits,
        _ => BitConverter.UInt32BitsToSingle(bits),
    };

    static string Registers(string name, int count) => "{" + string.Join(", ", Enumerable.Range(0, count).Select(i => $"%{name}{i}")) + "}";

    static string Loads(string name, int count, string pointer) => string.Join("\n\t", Enumerable.Range(0, count).Select(i => $"ld.global.u32 %{name}{i}, [{pointer}+{i * 4}];"));

    static string MmaPtx(MmaForm form) => $$"""
        .version 8.4
        .target sm_80
        .address_size 64
        .visible .entry mma_case(.param .u64 pa, .param .u64 pb, .param .u64 pc, .param .u64 pd)
        {
        	.reg .b32 %a<{{form.ARegs}}>, %b<{{form.BRegs}}>, %c<{{form.CRegs}}>, %d<{{form.CRegs}}>, %lane;
        	.reg .b64 %rd<16>;
        	ld.param.u64 %rd1, [pa];
        	ld.param.u64 %rd2, [pb];
        	ld.param.u64 %rd3, [pc];
        	ld.param.u64 %rd4, [pd];
        	mov.u32 %lane, %laneid;
        	mul.wide.u32 %rd5, %lane, {{form.ARegs * 4}};
        	add.s64 %rd6, %rd1, %rd5;
        	mul.wide.u32 %rd7, %lane, {{form.BRegs * 4}};
        	add.s64 %rd8, %rd2, %rd7;
        	mul.wide.u32 %rd9, %lane, {{form.CRegs * 4}};
        	add.s64 %rd10, %rd3, %rd9;
        	add.s64 %rd11, %rd4, %rd9;
        	{{Loads("a", form.ARegs, "%rd6")}}
        	{{Loads("b", form.BRegs, "%rd8")}}
        	{{Loads("c", form.CRegs, "%rd10")}}
        	mma.sync.aligned.{{form.Shape}}.row.col.{{form.Types}} {{Registers("d", form.CRegs)}}, {{Registers("a", form.ARegs)}}, {{Registers("b", form.BRegs)}}, {{Registers("c", form.CRegs)}};
        	{{string.Join("\n\t", Enumerable.Range(0, form.CRegs).Select(i => $"st.global.u32 [%rd11+{i * 4}], %d{i};"))}}
        	ret;
        }
        """;

    static uint[] Pack(int registersPerLane, string type, Layout layout, double[,] matrix)
    {
        int bits = ElementBits(type), perRegister = 32 / bits;
        var words = new uint[32 * registersPerLane];
        for (int lane = 0; lane < 32; lane++)
        for (int i = 0; i < registersPerLane * perRegister; i++)
        {
            var (row, col) = layout(lane / 4, lane % 4, i);
            uint element = Encode(matrix[row, col], type) & (uint)((1UL << bits) - 1);
            words[lane * registersPerLane + i / perRegister] |= element << (i % perRegister * bits);
        }
        return words;
    }

    public static IEnumerable<object[]> FormIndices() => Forms.Select((_, i) => new object[] { i });

    [Theory]
    [MemberData(nameof(FormIndices))]
    public void Mma_computes_d_equals_a_times_b_plus_c(int formIndex)
    {
        var form = Forms[formIndex];
        var random = new Random(formIndex + 17);
        bool integer = form.AType == "s8";
        double Sample() => integer ? random.Next(-128, 128) : random.Next(-64, 64) / 16.0;
        var a = new double[form.M, form.K];
        var b = new double[form.K, form.N];
        var c = new double[form.M, form.N];
        for (int i = 0; i < form.M; i++) for (int k = 0; k < form.K; k++) a[i, k] = Sample();
        for (int k = 0; k < form.K; k++) for (int j = 0; j < form.N; j++) b[k, j] = Sample();
        for (int i = 0; i < form.M; i++) for (int j = 0; j < form.N; j++) c[i, j] = integer ? random.Next(-100000, 100000) : Sample();

        using var harness = new PtxHarness(MmaPtx(form));
        ulong da = harness.Memory.Upload(Pack(form.ARegs, form.AType, form.A, a));
        ulong db = harness.Memory.Upload(Pack(form.BRegs, form.AType, form.B, b));
        ulong dc = harness.Memory.Upload(Pack(form.CRegs, form.CType, form.C, c));
        ulong dd = harness.Memory.Allocate(32 * form.CRegs * 4);
        var result = harness.Launch("mma_case", new LaunchExtent(1), new LaunchExtent(32), da, db, dc, dd);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var d = harness.Memory.Download<uint>(dd, 32 * form.CRegs);
        int bits = ElementBits(form.CType), perRegister = 32 / bits;
        for (int lane = 0; lane < 32; lane++)
        for (int i = 0; i < form.CRegs * perRegister; i++)
        {
            var (row, col) = form.C(lane / 4, lane % 4, i);
            double expected = c[row, col];
            for (int k = 0; k < form.K; k++) expected += a[row, k] * b[k, col];
            if (form.CType == "f16") expected = (double)(Half)expected; // the exact sum, rounded once to f16
            uint word = d[lane * form.CRegs + i / perRegister] >> (i % perRegister * bits);
            Decode(bits == 32 ? word : word & 0xffff, form.CType).ShouldBe(expected, $"{form.Shape}.{form.Types} D[{row},{col}] lane {lane}");
        }
    }

    const string MatrixMovesPtx = """
        .version 8.4
        .target sm_80
        .address_size 64
        // Four 8×8 b16 matrices copied to shared memory, then ldmatrix x4, x4.trans, x2 and movmatrix.
        .visible .entry matrix_moves(.param .u64 pin, .param .u64 pout)
        {
        	.reg .b32 %r<40>;
        	.reg .b64 %rd<20>;
        	.shared .align 16 .b8 tiles[512];
        	ld.param.u64 %rd1, [pin];
        	ld.param.u64 %rd2, [pout];
        	mov.u32 %r1, %laneid;
        	mul.wide.u32 %rd3, %r1, 16;
        	add.s64 %rd4, %rd1, %rd3;
        	ld.global.v4.u32 {%r2, %r3, %r4, %r5}, [%rd4];
        	mov.u32 %r6, tiles;
        	shl.b32 %r7, %r1, 4;
        	add.s32 %r8, %r6, %r7;
        	st.shared.v4.u32 [%r8], {%r2, %r3, %r4, %r5};
        	bar.warp.sync -1;
        	cvta.shared.u64 %rd5, tiles;
        	add.s64 %rd6, %rd5, %rd3;
        	ldmatrix.sync.aligned.m8n8.x4.b16 {%r10, %r11, %r12, %r13}, [%rd6];
        	ldmatrix.sync.aligned.m8n8.x4.trans.b16 {%r14, %r15, %r16, %r17}, [%rd6];
        	ldmatrix.sync.aligned.m8n8.x2.b16 {%r18, %r19}, [%rd6];
        	movmatrix.sync.aligned.m8n8.trans.b16 %r20, %r10;
        	mul.wide.u32 %rd7, %r1, 44;
        	add.s64 %rd8, %rd2, %rd7;
        	st.global.u32 [%rd8], %r10;
        	st.global.u32 [%rd8+4], %r11;
        	st.global.u32 [%rd8+8], %r12;
        	st.global.u32 [%rd8+12], %r13;
        	st.global.u32 [%rd8+16], %r14;
        	st.global.u32 [%rd8+20], %r15;
        	st.global.u32 [%rd8+24], %r16;
        	st.global.u32 [%rd8+28], %r17;
        	st.global.u32 [%rd8+32], %r18;
        	st.global.u32 [%rd8+36], %r19;
        	st.global.u32 [%rd8+40], %r20;
        	ret;
        }
        """;

    [Fact]
    public void Ldmatrix_and_movmatrix_distribute_rows_and_transposes()
    {
        // Element (matrix, row, col) = matrix·1000 + row·10 + col; row r of matrix m sits at byte (m·8 + r)·16.
        var elements = new ushort[4 * 8 * 8];
        for (int m = 0; m < 4; m++) for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) elements[(m * 8 + r) * 8 + c] = (ushort)(m * 1000 + r * 10 + c);
        using var harness = new PtxHarness(MatrixMovesPtx);
        ulong input = harness.Memory.Upload(elements);
        ulong output = harness.Memory.Allocate(32 * 44);
        var result = harness.Launch("matrix_moves", new LaunchExtent(1), new LaunchExtent(32), input, output);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var o = harness.Memory.Download<uint>(output, 32 * 11);
        static uint Pair(int m, int r0, int c0, int r1, int c1) => (uint)(m * 1000 + r0 * 10 + c0) | ((uint)(m * 1000 + r1 * 10 + c1) << 16);
        for (int lane = 0; lane < 32; lane++)
        {
            int row = lane / 4, col = lane % 4 * 2;
            for (int m = 0; m < 4; m++)
            {
                o[lane * 11 + m].ShouldBe(Pair(m, row, col, row, col + 1), $"x4 lane {lane} matrix {m}");
                o[lane * 11 + 4 + m].ShouldBe(Pair(m, col, row, col + 1, row), $"x4.trans lane {lane} matrix {m}");
            }
            o[lane * 11 + 8].ShouldBe(Pair(0, row, col, row, col + 1));
            o[lane * 11 + 9].ShouldBe(Pair(1, row, col, row, col + 1));
            o[lane * 11 + 10].ShouldBe(Pair(0, col, row, col + 1, row), $"movmatrix lane {lane}");
        }
    }

    const string WmmaPtx = """
        .version 8.4
        .target sm_80
        .address_size 64
        // D(8×32, f32) = A(8×16 f16, row-major, stride 16) · B(16×32 f16, column-major, stride 16), via shared memory.
        .visible .entry wmma_case(.param .u64 pa, .param .u64 pb, .param .u64 pd)
        {
        	.reg .b32 %r<40>;
        	.reg .f32 %f<8>;
        	.reg .b64 %rd<20>;
        	.reg .pred %p1;
        	.shared .align 16 .b8 sa[256];
        	.shared .align 16 .b8 sb[1024];
        	.shared .align 16 .b8 sd[1024];
        	ld.param.u64 %rd1, [pa];
        	ld.param.u64 %rd2, [pb];
        	ld.param.u64 %rd3, [pd];
        	mov.u32 %r1, %laneid;
        	mul.wide.u32 %rd4, %r1, 8;
        	add.s64 %rd5, %rd1, %rd4;
        	ld.global.u64 %rd6, [%rd5];
        	mov.u32 %r2, sa;
        	shl.b32 %r3, %r1, 3;
        	add.s32 %r4, %r2, %r3;
        	st.shared.u64 [%r4], %rd6;
        	mul.wide.u32 %rd7, %r1, 32;
        	add.s64 %rd8, %rd2, %rd7;
        	ld.global.v4.u32 {%r5, %r6, %r7, %r8}, [%rd8];
        	ld.global.v4.u32 {%r9, %r10, %r11, %r12}, [%rd8+16];
        	mov.u32 %r13, sb;
        	shl.b32 %r14, %r1, 5;
        	add.s32 %r15, %r13, %r14;
        	st.shared.v4.u32 [%r15], {%r5, %r6, %r7, %r8};
        	st.shared.v4.u32 [%r15+16], {%r9, %r10, %r11, %r12};
        	bar.warp.sync -1;
        	mov.u32 %r16, 16;
        	wmma.load.a.sync.aligned.row.m8n32k16.shared.f16 {%r20, %r21, %r22, %r23, %r24, %r25, %r26, %r27}, [%r2], %r16;
        	wmma.load.b.sync.aligned.col.m8n32k16.shared.f16 {%r28, %r29, %r30, %r31, %r32, %r33, %r34, %r35}, [%r13], %r16;
        	mov.f32 %f1, 0f00000000;
        	wmma.mma.sync.aligned.row.col.m8n32k16.f32.f32 {%f1, %f2, %f3, %f4, %f5, %f6, %f7, %f0}, {%r20, %r21, %r22, %r23, %r24, %r25, %r26, %r27}, {%r28, %r29, %r30, %r31, %r32, %r33, %r34, %r35}, {%f1, %f1, %f1, %f1, %f1, %f1, %f1, %f1};
        	mov.u32 %r17, sd;
        	mov.u32 %r18, 32;
        	wmma.store.d.sync.aligned.row.m8n32k16.shared.f32 [%r17], {%f1, %f2, %f3, %f4, %f5, %f6, %f7, %f0}, %r18;
        	bar.warp.sync -1;
        	add.s32 %r19, %r17, %r14;
        	ld.shared.v4.u32 {%r5, %r6, %r7, %r8}, [%r19];
        	ld.shared.v4.u32 {%r9, %r10, %r11, %r12}, [%r19+16];
        	add.s64 %rd9, %rd3, %rd7;
        	st.global.v4.u32 [%rd9], {%r5, %r6, %r7, %r8};
        	st.global.v4.u32 [%rd9+16], {%r9, %r10, %r11, %r12};
        	ret;
        }
        """;

    [Fact]
    public void Wmma_m8n32k16_load_mma_store_round_trip()
    {
        var random = new Random(5);
        var a = new Half[8 * 16];
        var b = new Half[32 * 16]; // column-major: column n at n·16
        for (int i = 0; i < a.Length; i++) a[i] = (Half)(random.Next(-32, 32) / 8.0);
        for (int i = 0; i < b.Length; i++) b[i] = (Half)(random.Next(-32, 32) / 8.0);
        using var harness = new PtxHarness(WmmaPtx);
        ulong da = harness.Memory.Upload(a), db = harness.Memory.Upload(b), dd = harness.Memory.Allocate(8 * 32 * 4);
        var result = harness.Launch("wmma_case", new LaunchExtent(1), new LaunchExtent(32), da, db, dd);
        result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
        var d = harness.Memory.Download<float>(dd, 256);
        for (int row = 0; row < 8; row++)
        for (int col = 0; col < 32; col++)
        {
            float expected = 0;
            for (int k = 0; k < 16; k++) expected += (float)a[row * 16 + k] * (float)b[col * 16 + k];
            d[row * 32 + col].ShouldBe(expected, $"D[{row},{col}]");
        }
    }
}
