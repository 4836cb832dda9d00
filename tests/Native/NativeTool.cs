using System.Diagnostics;
using System.Text;

namespace Emulator.Tests.Native;

/// <summary>Compiles the C programs under programs/ with gcc and runs them against artifacts/cuemu.</summary>
public static class NativeTool
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string CuemuHome => Path.Combine(RepoRoot, "artifacts", "cuemu");
    public static string LibDir => Path.Combine(CuemuHome, "lib");
    public static string IncludeDir => Path.Combine(CuemuHome, "include");
    public static string ProgramsDir => Path.Combine(RepoRoot, "tests", "Native", "programs");
    public static string BuildDir { get; } = CreateBuildDir();
    private static int _ledgerRuns;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) return dir.FullName;
        throw new InvalidOperationException("Emulator.sln not found above " + AppContext.BaseDirectory);
    }

    private static string CreateBuildDir()
    {
        var dir = Path.Combine(RepoRoot, "artifacts", "tests", "native", Environment.ProcessId.ToString());
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>gcc <paramref name="sources"/> into an executable (or a shared object when the flags say so).</summary>
    public static string Compile(string output, IEnumerable<string> sources, params string[] flags)
    {
        var path = Path.Combine(BuildDir, output);
        var args = new List<string> { "-std=gnu11", "-O1", "-Wall", "-Werror", "-I", IncludeDir, "-I", ProgramsDir, "-o", path };
        args.AddRange(sources.Select(s => Path.IsPathRooted(s) ? s : Path.Combine(ProgramsDir, s)));
        args.AddRange(flags);
        var result = Run("gcc", args);
        result.ExitCode.ShouldBe(0, $"gcc failed:\n{result.Stderr}");
        return path;
    }

    /// <summary>Links against our shims by name (-lcuda ...), with RUNPATH pointing at artifacts/cuemu/lib.</summary>
    public static string CompileLinked(string output, string source, params string[] libraries) =>
        Compile(output, [source], [.. libraries.Select(l => "-l" + l), "-L", LibDir, "-Wl,-rpath," + LibDir]);

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null,
        string? stdin = null, int timeoutMs = 120_000)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The tests choose tracing and logging themselves.
        info.Environment.Remove("CUEMU_TRACE");
        info.Environment.Remove("CUEMU_LOG");
        info.Environment.Remove("LD_PRELOAD");
        // Each run gets its own device-memory ledger, so programs running side by side (xunit runs classes in
        // parallel) never see each other's allocations in cuMemGetInfo/NVML; a test wanting a shared one says so.
        info.Environment["CUEMU_LEDGER_DIR"] = Path.Combine(BuildDir, "ledger-" + Interlocked.Increment(ref _ledgerRuns));
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in {timeoutMs} ms");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a compiled program and requires exit 0 with no FAIL line (the programs' own checks).</summary>
    public static Result RunChecked(string program, IReadOnlyDictionary<string, string?>? environment = null,
        string? stdin = null, params string[] args)
    {
        var result = Run(program, args, environment, stdin);
        result.Stdout.ShouldNotContain("FAIL ", Case.Sensitive, result.Stdout + result.Stderr);
        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        return result;
    }
}
