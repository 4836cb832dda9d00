using Emulator.Kernels.Ir;
using Emulator.Kernels.Ptx;

namespace Emulator.Tests.Kernels.Ptx;

/// <summary>
/// Every full opcode form the reference build uses (census_forms.txt: the first column of
/// ../shared/reference/ggml-cuda/census_union_ops.tsv) decodes, and no two different forms collapse into one IR
/// opcode + modifier record, while forms that differ only in modifier order decode identically.
/// </summary>
public sealed class CensusFormTests
{
    private static readonly string[] Forms = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Ptx", "census_forms.txt"))
        .Where(line => line.Length > 0).ToArray();

    private static readonly HashSet<string> TypeWords =
    [
        "pred", "b8", "b16", "b32", "b64", "b128", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
        "f16", "f16x2", "bf16", "bf16x2", "tf32", "f32", "f64", "e4m3", "e5m2", "e4m3x2", "e5m2x2",
    ];

    private static (IrOpcode Opcode, IrModifiers Modifiers) Decode(string form)
    {
        var operands = form switch
        {
            "bra" or "bra.uni" => " L",
            "call.uni" => " f",
            _ when form is "ret" or "exit" or "trap" or "cp.async.wait_all" or "membar.cta" or "membar.gl" or "membar.sys"
                || form.StartsWith("griddepcontrol", StringComparison.Ordinal) => "",
            _ => " %r1",
        };
        var text = $".version 9.1\n.target sm_90\n.address_size 64\n.extern .func f();\n.entry k()\n{{\n.reg .b32 %r<2>;\n{form}{operands};\nL:\nret;\n}}\n";
        var instruction = PtxLowering.ParseAndLower(text).FindKernel("k")!.Instructions[0];
        return (instruction.Opcode, instruction.Modifiers);
    }

    /// <summary>The meaning of a form: its base, its set of non-type modifiers, and its types in order.</summary>
    private static string Meaning(string form)
    {
        var words = form.Split('.');
        var modifiers = words.Skip(1).Where(w => !TypeWords.Contains(w)).Order(StringComparer.Ordinal);
        var types = words.Skip(1).Where(TypeWords.Contains);
        return $"{words[0]} [{string.Join(",", modifiers)}] ({string.Join(",", types)})";
    }

    [Fact]
    public void The_census_lists_every_form()
    {
        Forms.Length.ShouldBe(354);
    }

    [Fact]
    public void Every_census_form_decodes_and_distinct_forms_stay_distinct()
    {
        var decoded = Forms.ToDictionary(form => form, Decode);
        foreach (var (form, (opcode, _)) in decoded)
            opcode.ShouldNotBe(IrOpcode.Invalid, form);

        var byMeaning = Forms.GroupBy(Meaning).ToList();
        foreach (var group in byMeaning)
        {
            var records = group.Select(form => decoded[form]).Distinct().Count();
            records.ShouldBe(1, $"forms {string.Join(" / ", group)} differ only in modifier order");
        }
        decoded.Values.Distinct().Count().ShouldBe(byMeaning.Count, "two different census forms decode to the same IR");
    }

    [Theory]
    [InlineData("cvt.rn.f16x2.e4m3x2", IrType.F16x2, IrType.E4M3x2)]
    [InlineData("cvt.u16.u32", IrType.U16, IrType.U32)]
    [InlineData("cvt.u32.u16", IrType.U32, IrType.U16)]
    [InlineData("dp4a.s32.s32", IrType.S32, IrType.S32)]
    public void Types_keep_their_written_order(string form, IrType first, IrType second)
    {
        var (_, modifiers) = Decode(form);
        (modifiers.Type, modifiers.Type2).ShouldBe((first, second));
    }

    [Fact]
    public void Selected_forms_decode_to_the_documented_fields()
    {
        Decode("ld.acquire.gpu.u32").Modifiers.ShouldSatisfyAllConditions(
            m => m.Order.ShouldBe(IrMemoryOrder.Acquire), m => m.Scope.ShouldBe(IrScope.Gpu), m => m.Space.ShouldBe(IrStateSpace.Generic));
        Decode("atom.add.release.gpu.u32").ShouldSatisfyAllConditions(
            d => d.Opcode.ShouldBe(IrOpcode.Atom), d => d.Modifiers.Reduction.ShouldBe(IrReduction.Add), d => d.Modifiers.Order.ShouldBe(IrMemoryOrder.Release));
        Decode("bar.red.or.pred").Modifiers.ShouldSatisfyAllConditions(
            m => m.Barrier.ShouldBe(IrBarrierMode.Red), m => m.Reduction.ShouldBe(IrReduction.Or));
        Decode("bar.warp.sync").Opcode.ShouldBe(IrOpcode.BarWarpSync);
        Decode("barrier.sync").ShouldSatisfyAllConditions(d => d.Opcode.ShouldBe(IrOpcode.Bar), d => d.Modifiers.Barrier.ShouldBe(IrBarrierMode.Sync));
        Decode("ldmatrix.sync.aligned.m8n8.x4.trans.b16").Modifiers.ShouldSatisfyAllConditions(
            m => m.MatrixCount.ShouldBe((byte)4), m => m.Has(IrFlags.Transpose).ShouldBeTrue(), m => (m.ShapeM, m.ShapeN).ShouldBe(((byte)8, (byte)8)));
        Decode("wmma.load.b.sync.aligned.col.m8n32k16.shared.f16").ShouldSatisfyAllConditions(
            d => d.Opcode.ShouldBe(IrOpcode.WmmaLoad), d => d.Modifiers.Fragment.ShouldBe(IrMatrixFragment.B),
            d => d.Modifiers.LayoutA.ShouldBe(IrMatrixLayout.Col), d => d.Modifiers.Space.ShouldBe(IrStateSpace.Shared));
        Decode("cvta.to.global.u64").Modifiers.ShouldSatisfyAllConditions(
            m => m.Has(IrFlags.ToSpace).ShouldBeTrue(), m => m.Space.ShouldBe(IrStateSpace.Global));
        Decode("membar.gl").Modifiers.Scope.ShouldBe(IrScope.Gpu);
        Decode("vshr.u32.u32.u32.clamp.add").Modifiers.ShouldSatisfyAllConditions(
            m => m.Has(IrFlags.Clamp).ShouldBeTrue(), m => m.Reduction.ShouldBe(IrReduction.Add), m => m.Type3.ShouldBe(IrType.U32));
        Decode("griddepcontrol.wait").Modifiers.GridDependency.ShouldBe(IrGridDependency.Wait);
        Decode("setp.geu.ftz.f32").Modifiers.ShouldSatisfyAllConditions(
            m => m.Compare.ShouldBe(IrCompare.Geu), m => m.Has(IrFlags.Ftz).ShouldBeTrue());
        Decode("mul.hi.u32").Modifiers.Has(IrFlags.Hi).ShouldBeTrue();
        Decode("cvt.rzi.ftz.s32.f32").Modifiers.Rounding.ShouldBe(IrRounding.Rzi);
        Decode("bmsk.clamp.b32").Modifiers.Has(IrFlags.Clamp).ShouldBeTrue();
    }
}
