namespace Emulator.Tests.Native;

/// <summary>The <c>cuemu</c> launcher at the repository root.</summary>
public class LauncherTests
{
    private static string Launcher => Path.Combine(NativeTool.RepoRoot, "cuemu");

    // CUEMU_HOME set: the launcher uses the libraries this test run built instead of rebuilding.
    private static Dictionary<string, string?> Environment => new() { ["CUEMU_HOME"] = NativeTool.CuemuHome };

    [Fact]
    public void Run_preloads_the_shims_in_front_of_the_libraries_a_program_was_linked_with()
    {
        var impostorDir = Path.Combine(NativeTool.BuildDir, "launcher-impostor");
        Directory.CreateDirectory(impostorDir);
        NativeTool.Compile(Path.Combine("launcher-impostor", "libcuda.so.1"), ["impostor_libcuda.c"], "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1");
        var program = NativeTool.Compile("launcher_preload", ["preload_override.c"],
            Path.Combine(impostorDir, "libcuda.so.1"), "-Wl,-rpath," + impostorDir);

        var result = NativeTool.Run(Launcher, ["run", "--", program], Environment);
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldMatch(@"result=0 version=1[0-9]{4}\b");
    }

    [Fact]
    public void Env_prints_the_exports_for_a_shell()
    {
        var result = NativeTool.Run(Launcher, ["env"], Environment);
        result.ExitCode.ShouldBe(0, result.Stderr);
        var lib = Path.Combine(NativeTool.CuemuHome, "lib");
        result.Stdout.ShouldContain($"export CUEMU_HOME='{NativeTool.CuemuHome}'");
        result.Stdout.ShouldContain($"export LD_LIBRARY_PATH='{lib}'");
        foreach (var soname in new[] { "libcuda.so.1", "libcudart.so.13", "libcudart.so.12", "libcublas.so.13", "libnvidia-ml.so.1" })
            result.Stdout.ShouldContain($"{lib}/{soname}");
    }

    [Fact]
    public void Without_a_command_it_prints_usage_and_fails()
    {
        var result = NativeTool.Run(Launcher, ["run", "--"], Environment);
        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("cuemu run -- <command>");
    }
}
