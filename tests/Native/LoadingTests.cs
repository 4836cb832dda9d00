namespace Emulator.Tests.Native;

/// <summary>C programs reach the managed driver model through the shims by link, by dlopen and by LD_PRELOAD.</summary>
public class LoadingTests
{
    private static Dictionary<string, string?> LibraryPath => new() { ["LD_LIBRARY_PATH"] = NativeTool.LibDir };

    [Fact]
    public void Linked_with_lcuda_a_program_sees_the_persona_memory_and_vmm()
    {
        var program = NativeTool.CompileLinked("driver_linked", "driver_linked.c", "cuda");
        NativeTool.RunChecked(program).Stdout.ShouldContain("driver_linked: 0 failures");
    }

    [Fact]
    public void Per_thread_variants_give_the_null_stream_per_thread_meaning()
    {
        var program = NativeTool.CompileLinked("per_thread_streams", "per_thread_streams.c", "cuda");
        NativeTool.RunChecked(program).Stdout.ShouldContain("per_thread_streams: 0 failures");
    }

    [Fact]
    public void Concurrent_first_calls_start_the_runtime_once()
    {
        var program = NativeTool.CompileLinked("concurrent_first_call", "concurrent_first_call.c", "cuda", "pthread");
        for (int run = 0; run < 3; run++)
            NativeTool.RunChecked(program).Stdout.ShouldContain("concurrent_first_call: 0 failures");
    }

    [Fact]
    public void A_first_call_from_a_library_constructor_inside_dlopen_works()
    {
        var library = NativeTool.Compile("libconstructor_library.so", ["constructor_library.c"], "-shared", "-fPIC",
            "-L", NativeTool.LibDir, "-lcuda", "-Wl,-rpath," + NativeTool.LibDir);
        var program = NativeTool.Compile("dlopen_constructor", ["dlopen_constructor.c"], "-ldl");
        NativeTool.RunChecked(program, null, null, library).Stdout.ShouldContain("dlopen_constructor: 0 failures");
    }

    [Fact]
    public void Dlopen_by_soname_finds_every_library_and_versioned_symbol()
    {
        var program = NativeTool.Compile("dlopen_libraries", ["dlopen_libraries.c"], "-ldl");
        NativeTool.RunChecked(program, LibraryPath).Stdout.ShouldContain("dlopen_libraries: 0 failures");
    }

    [Fact]
    public void LD_PRELOAD_puts_cuemu_in_front_of_another_libcuda()
    {
        var impostorDir = Path.Combine(NativeTool.BuildDir, "impostor");
        Directory.CreateDirectory(impostorDir);
        NativeTool.Compile(Path.Combine("impostor", "libcuda.so.1"), ["impostor_libcuda.c"], "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1");
        File.CreateSymbolicLink(Path.Combine(impostorDir, "libcuda.so"), "libcuda.so.1");
        var program = NativeTool.Compile("preload_override", ["preload_override.c"], "-L", impostorDir, "-lcuda", "-Wl,-rpath," + impostorDir);

        NativeTool.RunChecked(program).Stdout.ShouldContain("result=0 version=1");
        var preloaded = NativeTool.RunChecked(program,
            new Dictionary<string, string?> { ["LD_PRELOAD"] = Path.Combine(NativeTool.LibDir, "libcuda.so.1") });
        preloaded.Stdout.ShouldMatch(@"result=0 version=1[0-9]{4}\b");
    }

    [Fact]
    public void Without_a_runtime_every_family_answers_not_initialised_with_one_message()
    {
        var program = NativeTool.CompileLinked("runtime_missing", "runtime_missing.c", "cuda", "cudart", "cublas", "nvidia-ml");
        var result = NativeTool.RunChecked(program, new Dictionary<string, string?> { ["DOTNET_ROOT"] = "/nonexistent/dotnet" });
        result.Stdout.ShouldContain("runtime_missing: 0 failures");
        var messages = result.Stderr.Split('\n').Where(l => l.Contains("cannot start the .NET runtime")).ToList();
        messages.Count.ShouldBe(1, result.Stderr);
        messages[0].ShouldContain("DOTNET_ROOT");
    }
}
