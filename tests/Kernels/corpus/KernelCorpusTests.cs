using Emulator.Kernels.Engine.Program;
using Xunit.Abstractions;

namespace Emulator.Tests.Kernels.Corpus;

/// <summary>The corpus's kernels in the engine's executable form (opt-in like the parse test: <c>CUEMU_CORPUS=1</c>).</summary>
public sealed class KernelCorpusTests(ITestOutputHelper output)
{
    [CorpusFact]
    public void Every_corpus_kernel_decodes_to_forms_the_engine_executes()
    {
        var unsupported = new SortedDictionary<string, int>(StringComparer.Ordinal);
        string? firstUnsupported = null;
        int kernels = 0;
        long instructions = 0;
        foreach (var corpusKernel in GgmlKernelCorpus.Kernels(GgmlPtxCorpus.FetchLibraries(), GgmlKernelCorpus.SelectedArches()))
        {
            kernels++;
            instructions += corpusKernel.Kernel.Code.Length;
            foreach (var instruction in corpusKernel.Kernel.Code.Where(i => i.Opcode == Opcode.Unsupported))
            {
                unsupported[instruction.Text] = unsupported.GetValueOrDefault(instruction.Text) + 1;
                firstUnsupported ??= $"{corpusKernel}, PTX line {instruction.Line}: {instruction.Text}";
            }
        }
        var summary = $"{kernels} kernels, {instructions} instructions; unsupported forms: " +
            (unsupported.Count == 0 ? "none" : string.Join(", ", unsupported.Select(u => $"{u.Key} ×{u.Value}")));
        output.WriteLine(summary);
        kernels.ShouldBeGreaterThan(0, "the corpus (or the CUEMU_CORPUS_ARCHES selection) holds no kernels");
        unsupported.ShouldBeEmpty($"{summary}; first: {firstUnsupported}");
    }
}
