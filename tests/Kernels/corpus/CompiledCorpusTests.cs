// Not built yet: the csproj removes this file until the compiled tier (issue 6) provides
// Emulator.Kernels.Engine.Compiled.KernelCompiler. To enable it, delete the <Compile Remove> line in
// Emulator.Tests.Kernels.csproj and, if the compiler's result differs from the shape assumed below, adapt
// CompileAndListFallbacks — the only line that touches the compiled tier's API.
using Emulator.Kernels.Engine.Compiled;
using Emulator.Kernels.Engine.Program;
using Xunit.Abstractions;

namespace Emulator.Tests.Kernels.Corpus;

/// <summary>
/// Issue 6: every kernel of the reference corpus compiles to .NET code, or says which of its instructions the
/// compiled tier hands back to the interpreter. Opt-in (<c>CUEMU_CORPUS=1</c>, optionally <c>CUEMU_CORPUS_ARCHES</c>).
/// </summary>
public sealed class CompiledCorpusTests(ITestOutputHelper output)
{
    // Assumed API: KernelCompiler.Compile(ExecutableKernel) returns the compiled kernel, whose FallbackInstructions
    // lists the instructions of kernel.Code it does not compile (empty when it compiles entirely).
    static IReadOnlyList<Instruction> CompileAndListFallbacks(ExecutableKernel kernel) => KernelCompiler.Compile(kernel).FallbackInstructions;

    [CorpusFact]
    public void Every_corpus_kernel_compiles_or_names_its_fallback_instructions()
    {
        var failures = new List<string>();
        var fallbacks = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int kernels = 0, kernelsWithFallbacks = 0;
        foreach (var corpusKernel in GgmlKernelCorpus.Kernels(GgmlPtxCorpus.FetchLibraries(), GgmlKernelCorpus.SelectedArches()))
        {
            kernels++;
            IReadOnlyList<Instruction> kernelFallbacks;
            try
            {
                kernelFallbacks = CompileAndListFallbacks(corpusKernel.Kernel);
            }
            catch (Exception exception)
            {
                failures.Add($"{corpusKernel}: {exception.GetType().Name}: {exception.Message}");
                continue;
            }
            if (kernelFallbacks.Count > 0) kernelsWithFallbacks++;
            foreach (var instruction in kernelFallbacks)
            {
                corpusKernel.Kernel.Code.ShouldContain(instruction, $"{corpusKernel}: a fallback must be one of the kernel's own instructions");
                fallbacks[instruction.Text] = fallbacks.GetValueOrDefault(instruction.Text) + 1;
            }
        }
        var summary = $"{kernels} kernels compiled, {kernelsWithFallbacks} with fallbacks; fallback forms: " +
            (fallbacks.Count == 0 ? "none" : string.Join(", ", fallbacks.Select(f => $"{f.Key} ×{f.Value}")));
        output.WriteLine(summary);
        foreach (var failure in failures.Take(50)) output.WriteLine("FAIL " + failure);
        kernels.ShouldBeGreaterThan(0, "the corpus (or the CUEMU_CORPUS_ARCHES selection) holds no kernels");
        failures.ShouldBeEmpty(summary);
    }
}
