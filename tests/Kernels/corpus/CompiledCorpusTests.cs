using Emulator.Kernels.Engine.Compiled;
using Xunit.Abstractions;

namespace Emulator.Tests.Kernels.Corpus;

/// <summary>
/// Issue 6: every kernel of the reference corpus compiles to .NET code; the forms the compiled tier leaves to the
/// interpreter's semantics (<see cref="CompiledKernel.InterpretedForms"/>) are summed over the corpus and reported.
/// Opt-in (<c>CUEMU_CORPUS=1</c>, optionally <c>CUEMU_CORPUS_ARCHES</c>).
/// </summary>
public sealed class CompiledCorpusTests(ITestOutputHelper output)
{
    [CorpusFact]
    public void Every_corpus_kernel_compiles_and_names_its_interpreted_forms()
    {
        var failures = new List<string>();
        var interpreted = new SortedDictionary<string, long>(StringComparer.Ordinal);
        int kernels = 0, kernelsWithInterpretedForms = 0;
        long instructions = 0, specialized = 0;
        foreach (var corpusKernel in GgmlKernelCorpus.Kernels(GgmlPtxCorpus.FetchLibraries(), GgmlKernelCorpus.SelectedArches()))
        {
            kernels++;
            CompiledKernel compiled;
            try
            {
                compiled = KernelCompiler.Compile(corpusKernel.Kernel);
            }
            catch (Exception exception)
            {
                failures.Add($"{corpusKernel}: {exception.GetType().Name}: {exception.Message}");
                continue;
            }
            instructions += corpusKernel.Kernel.Code.Length;
            specialized += compiled.SpecializedInstructions;
            if (compiled.InterpretedInstructions > 0) kernelsWithInterpretedForms++;
            foreach (var (form, count) in compiled.InterpretedForms)
                interpreted[form] = interpreted.GetValueOrDefault(form) + count;
        }
        var summary = $"{kernels} kernels, {instructions} instructions, {specialized} specialised, " +
            $"{interpreted.Values.Sum()} interpreted in {kernelsWithInterpretedForms} kernels; interpreted forms: " +
            (interpreted.Count == 0 ? "none" : string.Join(", ", interpreted.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} ×{f.Value}")));
        output.WriteLine(summary);
        foreach (var failure in failures.Take(50)) output.WriteLine("FAIL " + failure);
        kernels.ShouldBeGreaterThan(0, "the corpus (or the CUEMU_CORPUS_ARCHES selection) holds no kernels");
        failures.ShouldBeEmpty(summary);
    }
}
