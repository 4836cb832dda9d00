namespace Emulator.Tests.Native;

/// <summary>CUEMU_TRACE: deterministic lines with outputs after the call, threads numbered by first call.</summary>
public class TraceTests
{
    [Fact]
    public void Trace_is_byte_identical_across_runs_and_renders_arguments()
    {
        var program = NativeTool.CompileLinked("trace_threads", "trace_threads.c", "cuda", "pthread");
        string first = TraceOf(program, "first"), second = TraceOf(program, "second");
        second.ShouldBe(first);
        var lines = first.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("#0 t0 cuInit(Flags=0) -> Success");
        lines[1].ShouldStartWith("#1 t1 cuDriverGetVersion(driverVersion=&");
        lines[2].ShouldStartWith("#2 t2 cuDriverGetVersion(driverVersion=&");
        lines[3].ShouldBe("#3 t0 cuDeviceGet(device=&0, ordinal=0) -> Success");
        lines[4].ShouldBe("#4 t0 cuDeviceGet(device=&?, ordinal=99) -> InvalidDevice");
        lines[5].ShouldBe("#5 t0 cuDeviceGetName(name=\"NVIDIA H100 80GB HBM3\", len=64, dev=0) -> Success");
        lines[6].ShouldMatch(@"^#6 t0 cuDevicePrimaryCtxRetain\(pctx=&0x[0-9a-f]+, dev=0\) -> Success$");
        lines[8].ShouldMatch(@"^#8 t0 cuMemAlloc_v2\(dptr=&0x[0-9a-f]+, bytesize=256\) -> Success$");
    }

    [Fact]
    public void Percent_p_names_the_trace_by_process_and_an_unwritable_trace_breaks_nothing()
    {
        var program = NativeTool.CompileLinked("trace_threads", "trace_threads.c", "cuda", "pthread");
        var pattern = Path.Combine(NativeTool.BuildDir, "trace-pid-%p.txt");
        NativeTool.RunChecked(program, new Dictionary<string, string?> { ["CUEMU_TRACE"] = pattern });
        Directory.GetFiles(NativeTool.BuildDir, "trace-pid-*.txt").ShouldHaveSingleItem().ShouldMatch(@"trace-pid-\d+\.txt$");

        var result = NativeTool.RunChecked(program, new Dictionary<string, string?> { ["CUEMU_TRACE"] = "/nonexistent/dir/trace.txt" });
        result.Stderr.ShouldContain("cannot write the API trace to /nonexistent/dir/trace.txt");
    }

    private static string TraceOf(string program, string name)
    {
        var path = Path.Combine(NativeTool.BuildDir, $"trace-{name}.txt");
        NativeTool.RunChecked(program, new Dictionary<string, string?> { ["CUEMU_TRACE"] = path });
        return File.ReadAllText(path);
    }
}
