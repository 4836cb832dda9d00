namespace Emulator.Tests.Native;

/// <summary>C programs that bring their own PTX and launch it through libcuda's module and launch API.</summary>
public class KernelProgramsTests
{
    [Fact]
    public void Vector_add_reduction_and_tiled_matmul_match_C_and_a_fault_is_sticky()
    {
        var program = NativeTool.CompileLinked("driver_kernels", Path.Combine("kernels", "driver_kernels.c"), "cuda");
        var result = NativeTool.Run(program, []);
        result.Stdout.ShouldContain("driver_kernels: 0 failures", customMessage: result.Stdout + result.Stderr);
        result.ExitCode.ShouldBe(0);
        // The fault is logged with the kernel and where it happened.
        result.Stderr.ShouldContain("vadd");
    }
}
