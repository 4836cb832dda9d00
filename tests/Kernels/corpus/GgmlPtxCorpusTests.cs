using Xunit.Abstractions;

namespace Emulator.Tests.Kernels.Corpus;

/// <summary>A fact that runs only with <c>CUEMU_CORPUS=1</c>: it downloads ~200 MB and parses ~1.8 GB of PTX.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CUEMU_CORPUS") != "1")
            Skip = "slow corpus test: set CUEMU_CORPUS=1 to run it";
    }
}

public sealed class GgmlPtxCorpusTests(ITestOutputHelper output)
{
    [CorpusFact]
    public void Every_ptx_entry_of_both_reference_builds_parses_and_lowers()
    {
        var report = GgmlPtxCorpus.Run(GgmlPtxCorpus.FetchLibraries());
        output.WriteLine(report.Format());
        Console.WriteLine(report.Format());

        // ANALYSIS.md §1: 1 144 PTX entries (143 containers × 3 arches in build 13, × 5 in build 12).
        report.Arches.Sum(a => a.Entries).ShouldBe(143 * 3 + 143 * 5);
        report.Arches.Select(a => $"{a.Build}/{a.Arch}").ShouldBe(["12/50", "12/61", "12/70", "12/75", "12/80", "13/75", "13/80", "13/90"]);
        report.Failures.ShouldBeEmpty();
    }
}
