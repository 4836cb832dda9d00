using Emulator.Tests.Native;

namespace Emulator.Tests.Snapshot;

/// <summary>
/// API traces of real clients' init sequences, driven from C programs through the shims and compared with the
/// committed snapshots: what a client sees of the default persona, call by call, byte for byte.
/// </summary>
public class InitSequenceSnapshotTests
{
    private static string ProgramSource(string name) =>
        Path.Combine(NativeTool.RepoRoot, "tests", "Snapshot", "programs", name);

    private static string Trace(string program, string name)
    {
        var path = Path.Combine(NativeTool.BuildDir, name + ".trace.txt");
        NativeTool.RunChecked(program, new Dictionary<string, string?>
        {
            ["CUEMU_TRACE"] = path, ["LD_LIBRARY_PATH"] = NativeTool.LibDir,
            ["CUEMU_PERSONA"] = null, ["CUEMU_DEVICES"] = null, ["CUDA_VISIBLE_DEVICES"] = null,
        });
        return File.ReadAllText(path);
    }

    [Fact]
    public void Ollama_native_probe()
    {
        var program = NativeTool.Compile("ollama_native_probe", [ProgramSource("ollama_native_probe.c")], "-ldl");
        Snapshot.Default.Match("ollama_native_probe", Trace(program, "ollama_native_probe"));
    }

    [Fact]
    public void Ggml_cuda_init_and_vmm_pool()
    {
        var program = NativeTool.CompileLinked("ggml_vmm_pool", ProgramSource("ggml_vmm_pool.c"), "cuda");
        Snapshot.Default.Match("ggml_vmm_pool", Trace(program, "ggml_vmm_pool"));
    }

    [Fact]
    public void Ggml_runtime_init_through_libcudart_13()
    {
        var program = NativeTool.CompileLinked("ggml_runtime_init", ProgramSource("ggml_runtime_init.c"), "cudart", "cuda");
        Snapshot.Default.Match("ggml_runtime_init", Trace(program, "ggml_runtime_init"));
    }
}
