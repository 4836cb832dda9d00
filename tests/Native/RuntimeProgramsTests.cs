namespace Emulator.Tests.Native;

/// <summary>C programs using the runtime API through our libcudart shims (programs/runtime/).</summary>
public class RuntimeProgramsTests
{
    [Fact]
    public void A_cuda13_program_sees_the_device_memory_graphs_and_registration_ABI()
    {
        var program = NativeTool.CompileLinked("runtime_cuda13", Path.Combine("runtime", "runtime_cuda13.c"), ":libcudart.so.13");
        var result = NativeTool.RunChecked(program);
        result.Stdout.ShouldContain("runtime_cuda13: 0 failures");
    }

    [Fact]
    public void A_cuda12_program_gets_the_v2_device_properties_layout()
    {
        var program = NativeTool.CompileLinked("runtime_cuda12", Path.Combine("runtime", "runtime_cuda12.c"), ":libcudart.so.12");
        var result = NativeTool.RunChecked(program);
        result.Stdout.ShouldContain("runtime_cuda12: 0 failures");
    }
}
