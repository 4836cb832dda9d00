using System.Diagnostics;
using System.Text;
using Emulator.Kernels.Fatbin;
using Emulator.Kernels.Ptx;

namespace Emulator.Tests.Kernels.Corpus;

/// <summary>
/// Every PTX entry of ggml's two prebuilt CUDA backends (the reference workload, ANALYSIS.md), extracted from the
/// <c>.nv_fatbin</c> section of each <c>libggml-cuda.so</c>, decompressed, parsed and lowered.
/// </summary>
public static class GgmlPtxCorpus
{
    public sealed record ArchResult(string Build, int Arch, int Entries, long PtxBytes, int Kernels, long Instructions, TimeSpan Time);

    public sealed record Failure(string Build, int Arch, int Container, string Message);

    public sealed record Report(IReadOnlyList<ArchResult> Arches, IReadOnlyList<Failure> Failures, TimeSpan DecompressTime, TimeSpan ParseAndLowerTime, TimeSpan ProcessCpuTime)
    {
        public string Format()
        {
            var text = new StringBuilder();
            text.AppendLine("| build | arch | PTX entries | PTX MB | kernels | instructions | parse+lower s | MB/s |");
            text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var arch in Arches)
            {
                var archMegabytes = arch.PtxBytes / 1e6;
                text.AppendLine($"| {arch.Build} | compute_{arch.Arch} | {arch.Entries} | {archMegabytes:F1} | {arch.Kernels} | {arch.Instructions} | {arch.Time.TotalSeconds:F1} | {archMegabytes / arch.Time.TotalSeconds:F0} |");
            }
            var megabytes = Arches.Sum(a => a.PtxBytes) / 1e6;
            text.AppendLine($"entries: {Arches.Sum(a => a.Entries)}, PTX: {megabytes:F0} MB, failures: {Failures.Count}, decompress: {DecompressTime.TotalSeconds:F1} s, " +
                $"parse+lower: {ParseAndLowerTime.TotalSeconds:F1} s wall ({megabytes / ParseAndLowerTime.TotalSeconds:F1} MB/s), process CPU for the whole run: {ProcessCpuTime.TotalSeconds:F1} s");
            foreach (var failure in Failures.Take(20))
                text.AppendLine($"FAIL {failure.Build} compute_{failure.Arch} container {failure.Container}: {failure.Message}");
            return text.ToString();
        }
    }

    /// <summary>Runs <c>fetch-ggml-ptx.sh</c> (cached) and returns the two library paths with their build labels.</summary>
    public static IReadOnlyList<(string Build, string Path)> FetchLibraries()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "corpus", "fetch-ggml-ptx.sh");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"fetch-ggml-ptx.sh failed ({process.ExitCode}): {errors}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(path => (path.Contains("/fallback/") ? "12" : "13", path))
            .OrderBy(library => library.Item1, StringComparer.Ordinal)
            .ToList();
    }

    public static Report Run(IReadOnlyList<(string Build, string Path)> libraries)
    {
        var arches = new List<ArchResult>();
        var failures = new List<Failure>();
        var decompress = TimeSpan.Zero;
        var parse = TimeSpan.Zero;
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var (build, path) in libraries)
        {
            var library = File.ReadAllBytes(path);
            var section = ElfImage.FindSection(library, ".nv_fatbin")
                ?? throw new InvalidOperationException($"{path} has no .nv_fatbin section");
            var image = FatbinImage.Index(section);
            foreach (var group in image.Entries.Where(e => e.Kind == FatbinEntryKind.Ptx).GroupBy(e => e.Arch).OrderBy(g => g.Key))
            {
                long bytes = 0, instructions = 0;
                int kernels = 0, entries = 0;
                var archTime = TimeSpan.Zero;
                foreach (var entry in group)
                {
                    entries++;
                    string text;
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        text = image.ReadPtx(entry);
                    }
                    catch (FatbinException exception)
                    {
                        failures.Add(new Failure(build, entry.Arch, entry.ContainerIndex, exception.Message));
                        continue;
                    }
                    decompress += watch.Elapsed;
                    bytes += text.Length;
                    watch.Restart();
                    try
                    {
                        var module = PtxLowering.ParseAndLower(text);
                        foreach (var function in module.Kernels)
                        {
                            kernels++;
                            instructions += function.Instructions.Length;
                        }
                    }
                    catch (PtxException exception)
                    {
                        var line = text.Split('\n').ElementAtOrDefault(exception.Line - 1) ?? "";
                        failures.Add(new Failure(build, entry.Arch, entry.ContainerIndex, $"{exception.Message} — `{line.Trim()[..Math.Min(line.Trim().Length, 160)]}`"));
                    }
                    archTime += watch.Elapsed;
                }
                parse += archTime;
                arches.Add(new ArchResult(build, group.Key, entries, bytes, kernels, instructions, archTime));
            }
        }
        return new Report(arches, failures, decompress, parse, Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart);
    }
}
