namespace Emulator.Tests.Native;

/// <summary>
/// programs/runtime_kernels/: nvcc's registration ABI and host stubs written out in C, linked against our
/// libcudart.so.12 (cudaLaunchKernel) and .so.13 (__cudaGetKernel + __cudaLaunchKernel), with results checked
/// against the same arithmetic in C.
/// </summary>
public class RuntimeKernelsTests
{
    [Theory]
    [InlineData(12)]
    [InlineData(13)]
    public void Registered_kernels_run_through_libcudart_with_symbols_attributes_capture_and_sticky_faults(int abi)
    {
        var program = NativeTool.Compile($"runtime_kernels_{abi}", [Path.Combine("runtime_kernels", "runtime_kernels.c")],
            $"-DCUEMU_TEST_ABI={abi}", $"-l:libcudart.so.{abi}", "-L", NativeTool.LibDir, "-Wl,-rpath," + NativeTool.LibDir, "-lm");
        var result = NativeTool.Run(program, []);
        result.Stdout.ShouldContain($"runtime_kernels (CUDA {abi} ABI): 0 failures", customMessage: result.Stdout + result.Stderr);
        result.ExitCode.ShouldBe(0);
        // The fault is logged with the kernel that made it.
        result.Stderr.ShouldContain("_Z5faultPi");
    }
}
