using Emulator.Kernels.Ir;
using Emulator.Kernels.Ptx;

namespace Emulator.Tests.Kernels.Ptx;

/// <summary>Reconvergence points: immediate post-dominators computed by hand for small control-flow shapes.</summary>
public sealed class IrLoweringTests
{
    private static IrFunction Kernel(string body) =>
        PtxLowering.ParseAndLower($".version 9.1\n.target sm_90\n.address_size 64\n.entry k()\n{{\n.reg .pred %p<4>;\n.reg .b32 %r<4>;\n{body}\n}}\n").FindKernel("k")!;

    [Fact]
    public void If_then_reconverges_at_the_join()
    {
        var function = Kernel("""
            @%p1 bra SKIP;      // 0
            add.s32 %r1, %r1, 1; // 1
            SKIP:
            add.s32 %r2, %r2, 1; // 2
            ret;                 // 3
            """);
        function.Instructions[0].Reconvergence.ShouldBe(2);
        function.Instructions[0].BranchTarget.ShouldBe(2);
        function.Instructions[1].Reconvergence.ShouldBe(-1);
    }

    [Fact]
    public void If_else_diamond_reconverges_after_both_arms()
    {
        var function = Kernel("""
            @%p1 bra ELSE;        // 0
            add.s32 %r1, %r1, 1;  // 1
            bra.uni JOIN;         // 2
            ELSE:
            add.s32 %r1, %r1, 2;  // 3
            JOIN:
            mov.u32 %r2, %r1;     // 4
            ret;                  // 5
            """);
        function.Instructions[0].Reconvergence.ShouldBe(4);
        function.Instructions[2].Reconvergence.ShouldBe(-1, "an unguarded branch cannot diverge");
    }

    [Fact]
    public void Loop_back_edge_reconverges_at_the_loop_exit()
    {
        var function = Kernel("""
            LOOP:
            add.s32 %r1, %r1, 1;      // 0
            setp.lt.s32 %p1, %r1, 10; // 1
            @%p1 bra LOOP;            // 2
            @%p2 bra DONE;            // 3
            add.s32 %r2, %r2, 1;      // 4
            DONE:
            ret;                      // 5
            """);
        function.Instructions[2].Reconvergence.ShouldBe(3);
        function.Instructions[3].Reconvergence.ShouldBe(5);
    }

    [Fact]
    public void Early_exit_paths_reconverge_only_at_function_end()
    {
        var function = Kernel("""
            @%p1 bra OUT;        // 0
            add.s32 %r1, %r1, 1; // 1
            ret;                 // 2
            OUT:
            exit;                // 3
            """);
        function.Instructions[0].Reconvergence.ShouldBe(function.Instructions.Length);
    }

    [Fact]
    public void Nested_divergence_joins_innermost_first()
    {
        var function = Kernel("""
            @%p1 bra OUTER_END;     // 0
            @%p2 bra INNER_END;     // 1
            add.s32 %r1, %r1, 1;    // 2
            INNER_END:
            add.s32 %r2, %r2, 1;    // 3
            OUTER_END:
            ret;                    // 4
            """);
        function.Instructions[0].Reconvergence.ShouldBe(4);
        function.Instructions[1].Reconvergence.ShouldBe(3);
    }

    [Fact]
    public void Guarded_return_splits_a_block_but_needs_no_join()
    {
        var function = Kernel("""
            @%p1 ret;             // 0
            @%p2 bra END;         // 1
            add.s32 %r1, %r1, 1;  // 2
            END:
            ret;                  // 3
            """);
        function.Instructions[0].Reconvergence.ShouldBe(-1);
        function.Instructions[1].Reconvergence.ShouldBe(3);
    }

    [Fact]
    public void An_endless_loop_does_not_break_the_analysis()
    {
        var function = Kernel("""
            @%p1 bra SPIN;  // 0
            ret;            // 1
            SPIN:
            bra.uni SPIN;   // 2
            """);
        function.Instructions[0].Reconvergence.ShouldBe(function.Instructions.Length);
    }
}
