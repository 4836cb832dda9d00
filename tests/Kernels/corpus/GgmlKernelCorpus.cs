using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Fatbin;
using Emulator.Kernels.Ptx;

namespace Emulator.Tests.Kernels.Corpus;

/// <summary>
/// Every kernel of ggml's two prebuilt CUDA backends (the PTX of <see cref="GgmlPtxCorpus"/>) in the engine's executable
/// form: each PTX entry is decompressed, parsed, lowered and its kernels decoded, one entry at a time so memory stays
/// bounded. <c>CUEMU_CORPUS_ARCHES</c> (e.g. <c>13/90,12/61</c>) limits a run to some build/arch pairs.
/// </summary>
public static class GgmlKernelCorpus
{
    public const string ArchesVariable = "CUEMU_CORPUS_ARCHES";

    public sealed record CorpusKernel(string Build, int Arch, int Container, ExecutableKernel Kernel)
    {
        public override string ToString() => $"{Build}/compute_{Arch} container {Container} kernel {Kernel.Name}";
    }

    /// <summary>The build/arch pairs named by <c>CUEMU_CORPUS_ARCHES</c>, or null (all) when it is unset or empty.</summary>
    public static IReadOnlySet<string>? SelectedArches()
    {
        var text = Environment.GetEnvironmentVariable(ArchesVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every kernel, in library, arch and container order. A PTX entry that does not read or parse throws (the parse test names those).</summary>
    public static IEnumerable<CorpusKernel> Kernels(IReadOnlyList<(string Build, string Path)> libraries, IReadOnlySet<string>? arches)
    {
        foreach (var (build, path) in libraries)
        {
            var section = ElfImage.FindSection(File.ReadAllBytes(path), ".nv_fatbin")
                ?? throw new InvalidOperationException($"{path} has no .nv_fatbin section");
            var image = FatbinImage.Index(section);
            var entries = image.Entries.Where(e => e.Kind == FatbinEntryKind.Ptx && (arches is null || arches.Contains($"{build}/{e.Arch}")))
                .OrderBy(e => e.Arch).ThenBy(e => e.ContainerIndex);
            foreach (var entry in entries)
            {
                var module = PtxLowering.ParseAndLower(image.ReadPtx(entry));
                foreach (var function in module.Kernels)
                    yield return new CorpusKernel(build, entry.Arch, entry.ContainerIndex, KernelDecoder.Decode(module, function));
            }
        }
    }
}
