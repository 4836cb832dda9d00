using System.Text.RegularExpressions;
using Emulator.Kernels.Engine.Scheduling;
using Emulator.Kernels.Fatbin;
using Emulator.Kernels.Ptx;
using Xunit.Abstractions;

namespace Emulator.Tests.Kernels.Corpus;

/// <summary>
/// Issue 6: which of ggml's kernels may run their blocks on several cores. Each kernel's classification is checked
/// against a scan of its PTX text (an oracle independent of the parser and IR): a kernel runs in order exactly when
/// its body has a global/generic atom/red, a strong (volatile/relaxed/acquire/release) global or generic access wider
/// than the CTA, a membar/fence wider than the CTA, or a call other than vprintf. The in-order kernels are reported.
/// Opt-in (<c>CUEMU_CORPUS=1</c>, optionally <c>CUEMU_CORPUS_ARCHES</c>).
/// </summary>
public sealed partial class BlockOrderingCorpusTests(ITestOutputHelper output)
{
    [CorpusFact]
    public void Kernels_run_in_order_exactly_when_their_text_has_a_cross_block_form()
    {
        var arches = GgmlKernelCorpus.SelectedArches();
        var mismatches = new List<string>();
        var inOrder = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int kernels = 0;
        foreach (var (build, path) in GgmlPtxCorpus.FetchLibraries())
        {
            var image = FatbinImage.Index(ElfImage.FindSection(File.ReadAllBytes(path), ".nv_fatbin")
                ?? throw new InvalidOperationException($"{path} has no .nv_fatbin section"));
            foreach (var entry in image.Entries.Where(e => e.Kind == FatbinEntryKind.Ptx && (arches is null || arches.Contains($"{build}/{e.Arch}"))))
            {
                string ptx = image.ReadPtx(entry);
                var module = PtxLowering.ParseAndLower(ptx);
                foreach (var function in module.Kernels)
                {
                    kernels++;
                    var classified = BlockOrderingAnalysis.Classify(module, function);
                    string? form = CrossBlockForm(EntryBody(ptx, function.Name));
                    var expected = form is null ? BlockOrdering.Independent : BlockOrdering.InOrder;
                    if (classified != expected)
                    {
                        int index = BlockOrderingAnalysis.FirstCrossBlockInstruction(module, function);
                        string flagged = index < 0 ? "none" : ptx.Split('\n')[function.Instructions[index].SourceLine - 1].Trim();
                        mismatches.Add($"{build}/{entry.Arch} {function.Name}: classified {classified} ({flagged}), text says {expected} ({form ?? "no cross-block form"})");
                    }
                    if (form is not null) inOrder.TryAdd(function.Name, $"{build}/{entry.Arch}: {form}");
                }
            }
        }
        output.WriteLine($"{kernels} kernels; {inOrder.Count} distinct kernel names run their blocks in order:");
        foreach (var (name, form) in inOrder) output.WriteLine($"  {name}  [{form}]");
        foreach (var mismatch in mismatches.Take(50)) output.WriteLine("MISMATCH " + mismatch);
        kernels.ShouldBeGreaterThan(0, "the corpus (or the CUEMU_CORPUS_ARCHES selection) holds no kernels");
        mismatches.ShouldBeEmpty();
    }

    /// <summary>The text of <c>.entry name( ... ) { ... }</c> up to the closing brace at the start of a line.</summary>
    static string EntryBody(string ptx, string name)
    {
        int start = ptx.IndexOf($".entry {name}(", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException($"entry {name} not found in its PTX");
        int end = ptx.IndexOf("\n}", start, StringComparison.Ordinal);
        return ptx[start..(end < 0 ? ptx.Length : end)];
    }

    /// <summary>The first instruction of <paramref name="body"/> through which blocks can observe one another, or null.</summary>
    static string? CrossBlockForm(string body)
    {
        // Instructions end with ';' (a call spans several lines); comments are dropped first.
        var text = LineComment().Replace(body, "");
        foreach (var raw in text.Split(';'))
        {
            string instruction = Whitespace().Replace(raw, " ").Trim();
            // Scope braces and labels may precede an instruction in its segment (braces inside operands are vectors).
            instruction = Prefix().Replace(instruction, "");
            var match = Opcode().Match(instruction);
            if (!match.Success) continue;
            string opcode = match.Groups["opcode"].Value;
            var modifiers = match.Groups["modifiers"].Value.Split('.', StringSplitOptions.RemoveEmptyEntries);
            bool blockLocal = modifiers.Any(m => m is "shared" or "shared::cta" or "local" or "param");
            bool ctaScope = modifiers.Contains("cta");
            bool strong = modifiers.Any(m => m is "volatile" or "relaxed" or "acquire" or "release" or "sc" or "mmio");
            bool crossBlock = opcode switch
            {
                "atom" or "red" => !blockLocal,
                "ld" or "ldu" or "st" => strong && !ctaScope && !blockLocal,
                "membar" or "fence" => !ctaScope,
                "call" => !instruction.Contains("vprintf", StringComparison.Ordinal),
                _ => false,
            };
            if (crossBlock) return instruction;
        }
        return null;
    }

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"^([{}]\s*|[$\w]+:\s*)+")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^(@!?%\w+\s+)?(?<opcode>atom|red|ldu|ld|st|membar|fence|call)(?<modifiers>(\.[\w:]+)*)(\s|$)")]
    private static partial Regex Opcode();
}
