namespace Emulator.Tests.Native;

/// <summary>C programs using cuBLAS through our libcublas and libcudart shims (programs/blas/).</summary>
public class BlasProgramsTests
{
    private static string CompileBlasProgram(string output, string source, string cudaMajor, int expectedVersion) =>
        NativeTool.Compile(output, [Path.Combine("blas", source)],
            $"-DEXPECT_CUBLAS_VERSION={expectedVersion}", $"-l:libcublas.so.{cudaMajor}", $"-l:libcudart.so.{cudaMajor}",
            "-L", NativeTool.LibDir, "-Wl,-rpath," + NativeTool.LibDir);

    [Theory]
    [InlineData("13", 130000)]
    [InlineData("12", 120900)]
    public void Every_gemm_type_and_transpose_matches_the_C_reference_and_the_handle_behaves_like_cuBLAS(string cudaMajor, int version)
    {
        var program = CompileBlasProgram($"blas_gemm_{cudaMajor}", "blas_gemm.c", cudaMajor, version);
        var result = NativeTool.RunChecked(program);
        result.Stdout.ShouldContain("blas_gemm: 297 GEMM calls checked");
        result.Stdout.ShouldContain("blas_gemm: 0 failures");
        result.Stdout.ShouldContain("cuBLAS API call: cublasSgemm_v2(transa=1 transb=0 m=0 ");
        result.Stdout.ShouldNotContain("cublasSgemm_v2(transa=2");
    }

    [Theory]
    [InlineData("operand")]
    [InlineData("strided")]
    [InlineData("pointer-array")]
    [InlineData("device-alpha")]
    public void An_operand_outside_device_memory_fails_the_call_and_leaves_an_illegal_address_on_the_context(string scenario)
    {
        var program = CompileBlasProgram("blas_faults", "blas_faults.c", "13", 130000);
        var result = NativeTool.RunChecked(program, args: scenario);
        result.Stdout.ShouldContain($"blas_faults {scenario}: 0 failures");
    }

    [Fact]
    public void Creating_a_handle_without_a_visible_device_is_not_initialized()
    {
        var program = CompileBlasProgram("blas_no_device", "blas_faults.c", "13", 130000);
        var result = NativeTool.RunChecked(program, new Dictionary<string, string?> { ["CUDA_VISIBLE_DEVICES"] = "" }, null, "no-device");
        result.Stdout.ShouldContain("blas_faults no-device: 0 failures");
    }

    [Fact]
    public void The_throughput_program_runs()
    {
        var program = CompileBlasProgram("blas_bench", "blas_bench.c", "13", 130000);
        var result = NativeTool.RunChecked(program, args: ["8", "2"]);
        result.Stdout.ShouldContain("n=8 reps=2");
    }
}
