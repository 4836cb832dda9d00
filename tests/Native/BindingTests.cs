using System.Reflection;
using Emulator.Exports.Generated;
using Emulator.Exports.Hosting;

namespace Emulator.Tests.Native;

/// <summary>The implementation contract: methods are found by name and must have the table's mapped signature.</summary>
public class BindingTests
{
    [Fact]
    public void Every_implementation_method_has_the_signature_the_table_maps_to()
    {
        ApiBinding.Mismatches.Select(m => $"{m.Entry.ExportName}: found {m.Found}, table wants {m.Entry.Signature}")
            .ShouldBeEmpty();
    }

    /// <summary>A public method named like an entry point that no entry binds to is unreachable from C.</summary>
    [Fact]
    public void Every_public_entry_point_method_is_reachable_from_the_table()
    {
        var bound = ApiEntries.All
            .Where(e => ApiBinding.IsImplemented(e.Index))
            .SelectMany(e => new[] { (e.ImplClass, e.ImplName), (e.ImplClass, e.ExportName) })
            .ToHashSet();
        var classes = ApiEntries.All.Select(e => e.ImplClass).Distinct();
        var unreachable = classes
            .SelectMany(c => c.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => LooksLikeEntryPoint(m.Name) && !bound.Contains((c, m.Name)))
                .Select(m => $"{c.Name}.{m.Name}"))
            .ToList();
        unreachable.ShouldBeEmpty();
    }

    private static bool LooksLikeEntryPoint(string name) =>
        name.StartsWith("cu", StringComparison.Ordinal) || name.StartsWith("nvml", StringComparison.Ordinal)
                                                         || name.StartsWith("__cuda", StringComparison.Ordinal);

    [Fact]
    public void Entries_without_implementation_answer_their_family_NOT_SUPPORTED_from_C()
    {
        var unimplemented = ApiEntries.All
            .Where(e => !ApiBinding.IsImplemented(e.Index) && e.ReturnType.IsEnum)
            .SelectMany(e => e.Libraries.Select(library => (Library: library, Entry: e)))
            .ToList();
        unimplemented.ShouldNotBeEmpty();
        // Each is called twice: the log names it once.
        var input = string.Join('\n', unimplemented.Concat(unimplemented).Select(u => $"{u.Library} {u.Entry.ExportName}"));
        var program = NativeTool.Compile("call_entries", ["call_entries.c"], "-ldl");
        var result = NativeTool.Run(program, [], new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = NativeTool.LibDir }, input);
        result.ExitCode.ShouldBe(0, result.Stderr);

        var answers = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        answers.Length.ShouldBe(2 * unimplemented.Count);
        for (int i = 0; i < answers.Length; i++)
        {
            var (library, entry) = unimplemented[i % unimplemented.Count];
            answers[i].ShouldBe($"{library} {entry.ExportName} {entry.NotSupported}");
        }
        foreach (var name in unimplemented.Select(u => u.Entry.ExportName).Distinct())
            result.Stderr.Split('\n').Count(l => l.Contains($" {name} is not implemented")).ShouldBe(1, name);
    }
}
