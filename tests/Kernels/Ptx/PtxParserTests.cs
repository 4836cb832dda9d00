using Emulator.Kernels.Ir;
using Emulator.Kernels.Ptx;

namespace Emulator.Tests.Kernels.Ptx;

/// <summary>One test per grammar pitfall of the reference build (ANALYSIS.md §3).</summary>
public sealed class PtxParserTests
{
    private const string Header = ".version 9.1\n.target sm_90\n.address_size 64\n";

    private static IrFunction Kernel(string body, string parameters = "", string prelude = "", string directives = "")
    {
        var module = PtxLowering.ParseAndLower($"{Header}{prelude}\n.visible .entry k({parameters}){directives}\n{{\n{body}\n}}\n");
        return module.FindKernel("k")!;
    }

    private static IrOperand Operand(IrFunction function, int instruction, int operand) =>
        function.Operands[function.Instructions[instruction].FirstOperand + operand];

    private static IrOperand[] Elements(IrFunction function, IrOperand vector) =>
        function.VectorElements[vector.VectorStart..(vector.VectorStart + vector.VectorLength)];

    [Fact]
    public void Header_directives_take_no_semicolon()
    {
        var module = PtxParser.Parse(".version 8.4\n.target sm_61, texmode_independent\n.address_size 64\n");
        module.Version.ShouldBe("8.4");
        module.Targets.ShouldBe(["sm_61", "texmode_independent"]);
        module.AddressSize.ShouldBe(64);
    }

    [Fact]
    public void Statements_split_on_semicolons_not_lines()
    {
        var function = Kernel("""
            .reg .b32 %r<4>; .reg .pred p;
            mov.u32 %r1, 1; add.s32 %r2,
              %r1,
              %r1; setp.ne.u32 p, %r2, 0;
            """);
        function.Instructions.Select(i => i.Opcode).ShouldBe([IrOpcode.Mov, IrOpcode.Add, IrOpcode.Setp]);
        function.Instructions.Select(i => i.SourceLine).ShouldBe([8, 8, 10], "the body starts on line 7");
    }

    [Fact]
    public void Repeated_opcodes_keep_their_positions_even_across_line_breaks()
    {
        var function = Kernel("""
            .reg .b32 %r<2>; .reg .pred %p<2>;
            add.s32 %r1, %r1, 1; add.s32 %r1, %r1, 1;
            @%p1 exit
            ;
            @%p1 exit
            ;
            add.s32
              %r1, %r1, 2;
            ret;
            """);
        function.Instructions.Select(i => (i.Opcode, i.SourceLine)).ShouldBe([
            (IrOpcode.Add, 8), (IrOpcode.Add, 8), (IrOpcode.Exit, 9), (IrOpcode.Exit, 11), (IrOpcode.Add, 13), (IrOpcode.Ret, 15)]);
        function.Operands[function.Instructions[4].FirstOperand + 2].Value.ShouldBe(2);
        var error = Should.Throw<PtxException>(() => Kernel(".reg .b32 %r<2>;\nadd.s32 %r1, %r1, 1;\nadd.s32 %r1, %r1 1;"));
        (error.Line, error.Column).ShouldBe((9, 18));
    }

    [Fact]
    public void Nested_scopes_shadow_registers_and_allow_names_without_percent()
    {
        var function = Kernel("""
            .reg .pred %p<3>;
            .reg .b32 %r<4>;
            setp.eq.s32 %p1, %r1, 0;
            {.reg .f16 low,high; mov.b32 {low,high},%r3; cvt.f32.f16 %r2, low;}
            { .reg .pred %p1; .reg .pred %p2; setp.ne.u32 %p1, %r1, 0; bar.red.or.pred %p2, 0, %p1; }
            @%p1 bra $L__BB0_1;
            $L__BB0_1:
            ret;
            """);
        var outerP1 = Operand(function, 0, 0).Register;
        var unpack = Elements(function, Operand(function, 1, 0));
        function.Registers[unpack[0].Register].ShouldBe(new IrRegister("low", IrType.F16));
        function.Registers[unpack[1].Register].Name.ShouldBe("high");
        Operand(function, 2, 1).Register.ShouldBe(unpack[0].Register);

        var innerP1 = Operand(function, 3, 0).Register;
        innerP1.ShouldNotBe(outerP1);
        Operand(function, 4, 2).Register.ShouldBe(innerP1);
        function.Instructions[5].Guard.ShouldBe(outerP1, "after the scope closes %p1 is the outer register again");
    }

    [Fact]
    public void Register_ranges_resolve_to_dense_typed_indices()
    {
        var function = Kernel(".reg .b32 %r<3>;\n.reg .b64 %rd<2>;\nmov.u32 %r2, %r0;\nmov.u64 %rd1, %rd0;");
        function.Registers.Select(r => r.Type).ShouldBe([IrType.B32, IrType.B32, IrType.B32, IrType.B64, IrType.B64]);
        Operand(function, 0, 0).Register.ShouldBe(2);
        Operand(function, 0, 1).Register.ShouldBe(0);
        Operand(function, 1, 0).Register.ShouldBe(4);
        Should.Throw<PtxException>(() => Kernel(".reg .b32 %r<3>;\nmov.u32 %r3, 0;")).Reason.ShouldContain("%r3");
    }

    [Fact]
    public void Vector_operands_as_sources_destinations_and_pack_forms()
    {
        var function = Kernel("""
            .reg .b32 %r<9>; .reg .b64 %rd<3>; .reg .b16 %rs<3>;
            ld.global.nc.v4.u32 {%r1, %r2, %r3, %r4}, [%rd1];
            st.shared.v2.f32 [%rd2+8], {%r5,%r6};
            mov.b32 %r7, {%rs1,%rs2};
            mov.b64 {%r1,%r2}, %rd1;
            mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%r1,%r2,%r3,%r4}, {%r5,%r6,%r7,%r8}, {%r1,%r2}, {%r3,%r4,%r5,%r6};
            """);
        var load = function.Instructions[0];
        load.Modifiers.VectorWidth.ShouldBe((byte)4);
        load.Modifiers.Space.ShouldBe(IrStateSpace.Global);
        load.Modifiers.Has(IrFlags.NonCoherent).ShouldBeTrue();
        Elements(function, Operand(function, 0, 0)).Select(e => function.Registers[e.Register].Name).ShouldBe(["%r", "%r", "%r", "%r"]);
        Elements(function, Operand(function, 0, 0)).Select(e => e.Register).ShouldBe([1, 2, 3, 4]);
        Operand(function, 1, 0).ShouldBe(IrOperand.OfAddress(11, -1, 8), "%r<9> takes 0..8, %rd<3> 9..11");
        Operand(function, 1, 1).VectorLength.ShouldBe(2);
        Operand(function, 2, 1).Kind.ShouldBe(IrOperandKind.Vector);
        Operand(function, 3, 0).Kind.ShouldBe(IrOperandKind.Vector);
        var mma = function.Instructions[4];
        mma.OperandCount.ShouldBe(4);
        Enumerable.Range(0, 4).Select(i => Operand(function, 4, i).VectorLength).ShouldBe([4, 4, 2, 4]);
        (mma.Modifiers.ShapeM, mma.Modifiers.ShapeN, mma.Modifiers.ShapeK).ShouldBe(((byte)16, (byte)8, (byte)16));
        (mma.Modifiers.LayoutA, mma.Modifiers.LayoutB).ShouldBe((IrMatrixLayout.Row, IrMatrixLayout.Col));
        (mma.Modifiers.Type, mma.Modifiers.Type2, mma.Modifiers.Type3, mma.Modifiers.Type4).ShouldBe((IrType.F32, IrType.F16, IrType.F16, IrType.F32));
    }

    [Fact]
    public void Dual_destination_of_shfl_and_setp()
    {
        var function = Kernel("""
            .reg .b32 %r<24>; .reg .pred %p<5>;
            shfl.sync.bfly.b32 %r23|%p4, %r19, %r21, %r20, %r22;
            setp.lt.and.s32 %p1|%p2, %r1, %r2, !%p3;
            """);
        var shuffle = function.Instructions[0];
        shuffle.Opcode.ShouldBe(IrOpcode.Shfl);
        shuffle.Modifiers.Shuffle.ShouldBe(IrShuffleMode.Bfly);
        shuffle.OperandCount.ShouldBe(5);
        function.Registers[shuffle.PairedDestination].Type.ShouldBe(IrType.Pred);
        Operand(function, 0, 0).Register.ShouldBe(23);
        var setp = function.Instructions[1];
        setp.Modifiers.Compare.ShouldBe(IrCompare.Lt);
        setp.Modifiers.Reduction.ShouldBe(IrReduction.And);
        Operand(function, 1, 3).Negated.ShouldBeTrue();
    }

    [Fact]
    public void Address_operands_with_plus_minus_offsets_registers_and_symbols()
    {
        var function = Kernel("""
            .reg .b32 %r<3>; .reg .b64 %rd<70>;
            ld.global.u32 %r1, [%rd69+-4];
            ld.global.u32 %r1, [%rd69-8];
            ld.shared.u32 %r1, [%r2];
            ld.param.v2.u32 {%r1,%r2}, [p+8];
            ld.global.u32 %r1, [1024];
            """, parameters: ".param .align 4 .b8 p[12]");
        Operand(function, 0, 1).Value.ShouldBe(-4);
        Operand(function, 1, 1).Value.ShouldBe(-8);
        Operand(function, 2, 1).ShouldBe(IrOperand.OfAddress(2, -1, 0));
        var parameter = Operand(function, 3, 1);
        function.Symbols[parameter.Symbol].Kind.ShouldBe(IrSymbolKind.KernelParameter);
        parameter.Value.ShouldBe(8);
        Operand(function, 4, 1).ShouldBe(IrOperand.OfAddress(-1, -1, 1024));
    }

    [Fact]
    public void Opcodes_with_double_colons_and_modifiers_in_any_order()
    {
        var function = Kernel("""
            .reg .b32 %r<3>; .reg .b64 %rd<2>;
            cp.async.cg.shared.global.L2::128B [%r1], [%rd1], 16;
            cp.async.wait_all;
            vote.ballot.sync.b32 %r1, %r2, -1;
            vote.sync.ballot.b32 %r1, %r2, -1;
            ld.global.L1::evict_last.u32 %r1, [%rd1];
            """);
        var copy = function.Instructions[0];
        copy.Opcode.ShouldBe(IrOpcode.CpAsync);
        copy.Modifiers.Cache.ShouldBe(IrCacheOp.Cg);
        (copy.Modifiers.Space, copy.Modifiers.SourceSpace).ShouldBe((IrStateSpace.Shared, IrStateSpace.Global));
        copy.Modifiers.L2PrefetchBytes.ShouldBe((ushort)128);
        function.Instructions[1].Opcode.ShouldBe(IrOpcode.CpAsyncWaitAll);
        function.Instructions[2].Modifiers.ShouldBe(function.Instructions[3].Modifiers);
        function.Instructions[2].Modifiers.Vote.ShouldBe(IrVoteMode.Ballot);
        function.Instructions[4].Modifiers.Has(IrFlags.EvictionHint).ShouldBeTrue();
    }

    [Fact]
    public void Performance_directives_between_parameters_and_body()
    {
        var function = Kernel("ret;", directives: "\n.maxntid 256, 1, 1\n.minnctapersm 1\n.reqntid 128");
        function.MaxNtid.ShouldBe([256, 1, 1]);
        function.MinNctaPerSm.ShouldBe(1);
        function.ReqNtid.ShouldBe([128, 1, 1]);
    }

    [Fact]
    public void Initialised_globals_and_const_become_bytes()
    {
        var module = PtxLowering.ParseAndLower(Header + """
            .global .align 1 .b8 kmask[4] = {1, 2, 4, 255};
            .global .align 4 .f32 scale = 0fBF400000;
            .global .align 8 .u64 table[2] = {0x0102030405060708, -1};
            .const .align 4 .u32 limits[3] = {7};
            .global .align 4 .b8 dummy[1];
            .global .f64 half = 0d3FE0000000000000;
            """);
        module.Globals.Select(g => g.Name).ShouldBe(["kmask", "scale", "table", "limits", "dummy", "half"]);
        module.Globals[0].InitialBytes.ShouldBe(new byte[] { 1, 2, 4, 255 });
        BitConverter.ToSingle(module.Globals[1].InitialBytes).ShouldBe(-0.75f);
        module.Globals[2].InitialBytes.ShouldBe(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1, 255, 255, 255, 255, 255, 255, 255, 255 });
        module.Globals[3].Space.ShouldBe(IrStateSpace.Const);
        module.Globals[3].InitialBytes.ShouldBe(new byte[] { 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        module.Globals[4].InitialBytes.ShouldBe(new byte[1]);
        BitConverter.ToDouble(module.Globals[5].InitialBytes).ShouldBe(0.5);
    }

    [Fact]
    public void Extern_shared_arrays_alias_the_dynamic_base_after_static_shared()
    {
        var module = PtxLowering.ParseAndLower(Header + """
            .extern .shared .align 16 .b8 data_mmv[];
            .extern .shared .align 8 .b8 data_other[];
            .visible .entry k()
            {
            .reg .b32 %r<4>;
            // demoted variable
            .shared .align 4 .b8 tile[1030];
            .shared .align 8 .u64 counter;
            mov.u32 %r1, data_mmv;
            mov.u32 %r2, data_other;
            mov.u32 %r3, tile;
            st.shared.u64 [counter], 0;
            ret;
            }
            """);
        var kernel = module.FindKernel("k")!;
        kernel.StaticSharedSize.ShouldBe(1040);
        kernel.DynamicSharedAlignment.ShouldBe(16);
        var dynamicA = kernel.Symbols[Operand(kernel, 0, 1).Symbol];
        var dynamicB = kernel.Symbols[Operand(kernel, 1, 1).Symbol];
        dynamicA.Kind.ShouldBe(IrSymbolKind.DynamicShared);
        dynamicA.Offset.ShouldBe(1040);
        dynamicB.Offset.ShouldBe(dynamicA.Offset);
        kernel.Symbols[Operand(kernel, 2, 1).Symbol].Offset.ShouldBe(0);
        kernel.Symbols[Operand(kernel, 3, 0).Symbol].Offset.ShouldBe(1032);
    }

    [Fact]
    public void Local_depot_is_placed_and_sized()
    {
        var function = Kernel("""
            .local .align 8 .b8 __local_depot3[272];
            .reg .b64 %SP; .reg .b64 %SPL;
            mov.u64 %SPL, __local_depot3;
            cvta.local.u64 %SP, %SPL;
            """);
        function.LocalSize.ShouldBe(272);
        var depot = Operand(function, 0, 1);
        depot.Kind.ShouldBe(IrOperandKind.SymbolAddress);
        function.Symbols[depot.Symbol].Space.ShouldBe(IrStateSpace.Local);
        function.Instructions[1].Modifiers.Space.ShouldBe(IrStateSpace.Local);
        function.Instructions[1].Modifiers.Has(IrFlags.ToSpace).ShouldBeFalse();
    }

    [Fact]
    public void Parameters_are_laid_out_with_their_alignment()
    {
        var function = Kernel("ret;", parameters: """
            .param .u64 a, .param .u8 flag, .param .align 4 .b8 dims[12], .param .f64 x, .param .u32 n,
            .param .u32 .ptr .global .align 16 p32
            """);
        function.Parameters.Select(p => (p.Name, p.Size, p.Alignment, p.Offset)).ShouldBe([
            ("a", 8L, 8, 0L), ("flag", 1L, 1, 8L), ("dims", 12L, 4, 12L), ("x", 8L, 8, 24L), ("n", 4L, 4, 32L),
            ("p32", 4L, 4, 36L)], "the .align after .ptr is the pointee's");
        function.ParameterBufferSize.ShouldBe(40);
    }

    [Fact]
    public void Vprintf_declaration_and_call_sequence()
    {
        var module = PtxLowering.ParseAndLower(Header + """
            .extern .func  (.param .b32 func_retval0) vprintf
            (
            .param .b64 vprintf_param_0,
            .param .b64 vprintf_param_1
            )
            ;
            .global .align 1 .b8 $str[6] = {104, 101, 108, 108, 111, 0};
            .visible .entry k()
            {
            .reg .b32 %r<2>; .reg .b64 %rd<3>;
            mov.u64 %rd1, $str;
            cvta.global.u64 %rd2, %rd1;
            { // callseq 0, 0
            .reg .b32 temp_param_reg;
            .param .b64 param0;
            st.param.b64 [param0+0], %rd2;
            .param .b64 param1;
            st.param.b64 [param1+0], 0;
            .param .b32 retval0;
            call.uni (retval0),
            vprintf,
            (
            param0,
            param1
            );
            ld.param.b32 %r1, [retval0+0];
            } // callseq 0
            trap;
            }
            """);
        var vprintf = module.Functions[0];
        vprintf.IsExternal.ShouldBeTrue();
        vprintf.Parameters.Count.ShouldBe(2);
        vprintf.ReturnParameters.Single().Name.ShouldBe("func_retval0");
        var kernel = module.FindKernel("k")!;
        var call = kernel.Instructions.Single(i => i.Opcode == IrOpcode.Call);
        call.Modifiers.Has(IrFlags.Uni).ShouldBeTrue();
        call.OperandCount.ShouldBe(3);
        var returns = kernel.Operands[call.FirstOperand];
        var callee = kernel.Operands[call.FirstOperand + 1];
        var arguments = kernel.Operands[call.FirstOperand + 2];
        module.Functions[callee.Function].Name.ShouldBe("vprintf");
        Elements(kernel, arguments).Select(a => kernel.Symbols[a.Symbol].Name).ShouldBe(["param0", "param1"]);
        Elements(kernel, returns).Select(a => kernel.Symbols[a.Symbol].Kind).ShouldBe([IrSymbolKind.CallArgument]);
        kernel.CallArgumentSize.ShouldBe(20);
        var str = kernel.Symbols[kernel.Operands[kernel.Instructions[0].FirstOperand + 1].Symbol];
        (str.Kind, module.Globals[str.ModuleGlobal].Name).ShouldBe((IrSymbolKind.Global, "$str"));
    }

    [Fact]
    public void Device_functions_with_parameters_and_direct_calls()
    {
        var module = PtxLowering.ParseAndLower(Header + """
            .func (.param .b32 ret) square(.param .b32 x);
            .visible .entry k(.param .u64 out)
            {
            .reg .b32 %r<3>;
            mov.u32 %r1, 7;
            { .param .b32 a0; st.param.b32 [a0], %r1; .param .b32 r0;
            call (r0), square, (a0);
            ld.param.b32 %r2, [r0]; }
            ret;
            }
            .func (.param .b32 ret) square(.param .b32 x)
            {
            .reg .b32 %r<3>;
            ld.param.b32 %r1, [x];
            mul.lo.s32 %r2, %r1, %r1;
            st.param.b32 [ret], %r2;
            ret;
            }
            """);
        module.Functions.Select(f => (f.Name, f.IsEntry, f.IsExternal)).ShouldBe([("square", false, false), ("k", true, false)]);
        var square = module.Functions[0];
        square.Symbols[square.Operands[square.Instructions[0].FirstOperand + 1].Symbol].Kind.ShouldBe(IrSymbolKind.FunctionParameter);
        square.Symbols[square.Operands[square.Instructions[2].FirstOperand].Symbol].Kind.ShouldBe(IrSymbolKind.FunctionReturn);
        var kernel = module.FindKernel("k")!;
        var call = kernel.Instructions.Single(i => i.Opcode == IrOpcode.Call);
        kernel.Operands[call.FirstOperand + 1].Function.ShouldBe(0);
        module.FindKernel("square").ShouldBeNull("device functions are not kernels");
    }

    [Fact]
    public void Labels_resolve_to_instruction_indices_and_pragmas_are_ignored()
    {
        var function = Kernel("""
            .reg .pred %p<2>; .reg .b32 %r<2>;
            setp.eq.s32 %p1, %r1, 0;
            @!%p1 bra $L__BB0_3;
            .pragma "nounroll";
            add.s32 %r1, %r1, 1;
            $L__BB0_3:
            ret;
            """);
        var branch = function.Instructions[1];
        branch.GuardNegated.ShouldBeTrue();
        branch.BranchTarget.ShouldBe(3);
        Operand(function, 1, 0).ShouldBe(IrOperand.OfLabel(3));
    }

    [Fact]
    public void Immediates_in_every_notation()
    {
        var function = Kernel("""
            .reg .b32 %r<3>; .reg .f32 %f<2>; .reg .f64 %fd<2>;
            bar.warp.sync -1;
            prmt.b32 %r1, %r2, 0, 30212;
            and.b32 %r1, %r2, 0xffffffff;
            mov.f32 %f1, 0f3F800000;
            mov.f64 %fd1, 0d4000000000000000;
            mov.f32 %f1, 1.5;
            add.s32 %r1, %r1, 017;
            """);
        Operand(function, 0, 0).ShouldBe(IrOperand.OfInteger(-1));
        Operand(function, 1, 3).Value.ShouldBe(30212);
        Operand(function, 2, 2).Value.ShouldBe(0xffffffffL);
        BitConverter.UInt32BitsToSingle((uint)Operand(function, 3, 1).ImmediateBits(IrType.F32)).ShouldBe(1f);
        BitConverter.UInt64BitsToDouble(Operand(function, 4, 1).ImmediateBits(IrType.F64)).ShouldBe(2.0);
        BitConverter.UInt32BitsToSingle((uint)Operand(function, 5, 1).ImmediateBits(IrType.F32)).ShouldBe(1.5f);
        Operand(function, 6, 2).Value.ShouldBe(15);
        Operand(function, 5, 1).ImmediateBits(IrType.F64).ShouldBe(BitConverter.DoubleToUInt64Bits(1.5));
        Operand(function, 5, 1).ImmediateBits(IrType.F16).ShouldBe((ulong)BitConverter.HalfToUInt16Bits((Half)1.5));
        Operand(function, 5, 1).ImmediateBits(IrType.BF16).ShouldBe(0x3FC0UL, "1.5f is 0x3FC00000");
        IrOperand.OfFloat64Bits(BitConverter.DoubleToUInt64Bits(1.00390625)).ImmediateBits(IrType.BF16).ShouldBe(0x3F80UL, "a tie rounds to the even bf16");
        IrOperand.OfInteger(3).ImmediateBits(IrType.F32).ShouldBe(BitConverter.SingleToUInt32Bits(3f), "an integer literal in a float position is its value");
    }

    [Fact]
    public void Special_registers_resolve_by_name()
    {
        var function = Kernel("""
            .reg .b32 %r<6>;
            mov.u32 %r1, %tid.x; mov.u32 %r2, %ctaid.y; mov.u32 %r3, %laneid; mov.u32 %r4, %lanemask_lt; mov.u32 %r5, %envreg2;
            {mov.u32 %r1, WARP_SZ;}
            """);
        Operand(function, 5, 1).ShouldBe(IrOperand.OfInteger(32));
        Enumerable.Range(0, 5).Select(i => Operand(function, i, 1).Special).ShouldBe([
            IrSpecialRegister.TidX, IrSpecialRegister.CtaidY, IrSpecialRegister.LaneId, IrSpecialRegister.LanemaskLt,
            (IrSpecialRegister)((int)IrSpecialRegister.EnvReg0 + 2)]);
    }

    [Fact]
    public void Plain_entries_are_found_by_mangled_name()
    {
        var module = PtxLowering.ParseAndLower(Header + ".entry _Z9acc_f32PKfPfiiiii(\n.param .u64 _Z9acc_f32PKfPfiiiii_param_0\n)\n.maxntid 256, 1, 1\n{\nret;\n}\n");
        module.FindKernel("_Z9acc_f32PKfPfiiiii")!.Parameters.Single().Name.ShouldBe("_Z9acc_f32PKfPfiiiii_param_0");
    }

    [Theory]
    [InlineData("frobnicate.u32 %r1;", 7, 1, "unknown instruction")]
    [InlineData("add.s32 %r1, %r9, 1;", 7, 1, "%r9")]
    [InlineData("add.s32 %r1, %r1, 1", 8, 1, "expected ';'")]
    [InlineData("add.q32 %r1, %r1, 1;", 7, 4, "unknown modifier")]
    [InlineData("bra $L__nowhere;", 7, 1, "undefined label")]
    [InlineData("  ld.global.u32 %r1, [%r1+];", 7, 27, "expected an integer")]
    [InlineData("@%r1 ret;", 7, 1, "not a predicate")]
    public void Errors_carry_line_and_column(string statement, int line, int column, string reason)
    {
        // Lines 1-3 header, 4 `.entry`, 5 `{`, 6 `.reg`, 7 the statement.
        var text = $"{Header}.entry k()\n{{\n.reg .b32 %r<2>;\n{statement}\n}}\n";
        var error = Should.Throw<PtxException>(() => PtxLowering.ParseAndLower(text));
        error.Error.ShouldBe(PtxError.Invalid);
        (error.Line, error.Column).ShouldBe((line, column));
        error.Reason.ShouldContain(reason);
    }

    [Fact]
    public void Structural_errors_are_invalid_ptx()
    {
        Should.Throw<PtxException>(() => PtxParser.Parse(Header + ".entry k()\n{\nret;\n")).Reason.ShouldContain("end of text");
        Should.Throw<PtxException>(() => PtxParser.Parse(".target sm_80\n")).Reason.ShouldContain(".version");
        Should.Throw<PtxException>(() => PtxParser.Parse(Header + "/* open")).Reason.ShouldContain("comment");
        Should.Throw<PtxException>(() => PtxParser.Parse(Header + "#include <x>")).Line.ShouldBe(4);
        Should.Throw<PtxException>(() => PtxLowering.ParseAndLower(Header + ".entry k()\n{\nL: ret;\nL: ret;\n}\n")).Reason.ShouldContain("twice");
    }

    [Fact]
    public void A_newer_ptx_version_is_reported_as_such()
    {
        Should.Throw<PtxException>(() => PtxParser.Parse(".version 10.0\n.target sm_100\n")).Error.ShouldBe(PtxError.UnsupportedVersion);
    }

    [Fact]
    public void Parse_errors_surface_when_the_module_is_loaded_not_when_the_image_is_indexed()
    {
        var container = Fatbin.FatbinBuilder.Container(new Fatbin.FatbinBuilder.Entry(1, 80, Fatbin.FatbinBuilder.PtxBytes(Header + ".entry k()\n{\nbogus;\n}\n"), Fatbin.FatbinBuilder.Compression.Zstd));
        var image = Emulator.Kernels.Fatbin.FatbinImage.Index(container);
        image.Entries.Count.ShouldBe(1);
        var error = Should.Throw<PtxException>(() => image.LoadModule(80));
        (error.Line, error.Column).ShouldBe((6, 1));
        Should.Throw<PtxException>(() => image.LoadModule(80)).ShouldBeSameAs(error, "the failed load is remembered, not retried");
    }

    [Fact]
    public void Random_bytes_never_escape_as_anything_but_a_ptx_exception()
    {
        var random = new Random(42);
        var sample = Header + ".entry k(.param .u64 p)\n{\n.reg .b32 %r<4>;\n{ .reg .pred p; setp.ne.u32 p, %r1, 0; @p bra L; }\nL: ld.param.u32 %r1, [p+4];\nret;\n}\n";
        for (var trial = 0; trial < 3000; trial++)
        {
            var chars = sample.ToCharArray();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
                chars[random.Next(chars.Length)] = "{}[]();,.%@!|+-0x9f_ \n:"[random.Next(23)];
            try
            {
                PtxLowering.ParseAndLower(new string(chars));
            }
            catch (PtxException)
            {
            }
        }
    }
}
