using System.Text.RegularExpressions;

namespace Emulator.Tests.Native;

/// <summary>The ELF facts loaders and linkers rely on: SONAMEs, version nodes, RUNPATH, the shared host core.</summary>
public partial class ShimLayoutTests
{
    public static TheoryData<string, string?> Libraries => new()
    {
        { "libcuda.so.1", null }, { "libcudart.so.11.0", "libcudart.so.11.0" }, { "libcudart.so.12", "libcudart.so.12" },
        { "libcudart.so.13", "libcudart.so.13" }, { "libcublas.so.12", "libcublas.so.12" },
        { "libcublas.so.13", "libcublas.so.13" }, { "libcublasLt.so.12", "libcublasLt.so.12" },
        { "libcublasLt.so.13", "libcublasLt.so.13" }, { "libnvidia-ml.so.1", null },
    };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Shim_has_its_soname_runpath_and_needs_the_host_core(string soname, string? _)
    {
        var dynamic = Readelf("-d", soname);
        dynamic.ShouldContain($"Library soname: [{soname}]");
        dynamic.ShouldContain("Shared library: [libcuemu.so]");
        dynamic.ShouldContain("Library runpath: [$ORIGIN]");
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Every_exported_function_carries_the_library_version_node(string soname, string? node)
    {
        var symbols = ExportedFunctions(soname);
        symbols.Count.ShouldBeGreaterThan(10);
        foreach (var (name, version) in symbols)
            version.ShouldBe(node, $"{name} in {soname}");
    }

    [Fact]
    public void Plain_names_are_symlinks_to_the_newest_soname()
    {
        foreach (var (link, target) in new[]
                 {
                     ("libcuda.so", "libcuda.so.1"), ("libcudart.so", "libcudart.so.13"), ("libcublas.so", "libcublas.so.13"),
                     ("libcublasLt.so", "libcublasLt.so.13"), ("libnvidia-ml.so", "libnvidia-ml.so.1"),
                 })
            new FileInfo(Path.Combine(NativeTool.LibDir, link)).LinkTarget.ShouldBe(target);
    }

    [Fact]
    public void Shims_export_nothing_of_the_host_core()
    {
        foreach (var (name, _) in ExportedFunctions("libcuda.so.1"))
            name.ShouldNotStartWith("cuemu_");
        ExportedFunctions("libcuemu.so").Select(s => s.Name).Order().ShouldBe(["cuemu_entry_table", "cuemu_resolve"]);
    }

    /// <summary>ggml's CUDA backend is opened with RTLD_NOW: each of its imports must resolve, version node included.</summary>
    [Theory]
    [InlineData("ggml-cuda12-imports.txt")]
    [InlineData("ggml-cuda13-imports.txt")]
    public void Every_import_of_the_reference_ggml_build_is_exported(string importList)
    {
        var exported = new Dictionary<string, HashSet<string>>();
        foreach (var (soname, node) in Libraries.Select(row => ((string)row[0], (string?)row[1])))
            foreach (var (name, version) in ExportedFunctions(soname))
                (exported.TryGetValue(version ?? "", out var set) ? set : exported[version ?? ""] = []).Add(name);
        var missing = new List<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(NativeTool.RepoRoot, "tests", "Native", "data", importList)))
        {
            var parts = line.Trim().Split('@');
            string node = parts.Length > 1 ? parts[1] : "";
            if (!exported.TryGetValue(node, out var names) || !names.Contains(parts[0])) missing.Add(line);
        }
        missing.ShouldBeEmpty();
    }

    private static string Readelf(string option, string soname)
    {
        var result = NativeTool.Run("readelf", [option, "--wide", Path.Combine(NativeTool.LibDir, soname)]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        return result.Stdout;
    }

    /// <summary>Defined global functions: (name, version node or null when unversioned).</summary>
    private static List<(string Name, string? Version)> ExportedFunctions(string soname)
    {
        var list = new List<(string, string?)>();
        foreach (Match m in SymbolLine().Matches(Readelf("--dyn-syms", soname)))
        {
            var symbol = m.Groups["name"].Value;
            int at = symbol.IndexOf('@');
            list.Add(at < 0 ? (symbol, null) : (symbol[..at], symbol[(at + 1)..].TrimStart('@')));
        }
        return list;
    }

    [GeneratedRegex(@"^\s*\d+:\s+[0-9a-f]+\s+\d+\s+(?:FUNC|OBJECT)\s+GLOBAL\s+DEFAULT\s+\d+\s+(?<name>\S+)", RegexOptions.Multiline)]
    private static partial Regex SymbolLine();
}
