using System.Text;
using BenchmarkDotNet.Attributes;
using Emulator.Kernels.Fatbin;
using Emulator.Kernels.Ptx;

namespace Emulator.Bench.Ptx;

/// <summary>
/// Front-end throughput: parse, and parse + lower, one PTX module. The input is the largest compute_80 PTX entry
/// of ggml's CUDA 13 build when the corpus cache exists (tests/Kernels/corpus/fetch-ggml-ptx.sh), otherwise a
/// generated module with ggml's instruction mix. Run:
/// <c>dotnet run -c Release --project bench -- --filter '*PtxParseBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
public class PtxParseBenchmarks
{
    private string _ptx = "";

    [GlobalSetup]
    public void Setup()
    {
        _ptx = LoadCorpusEntry() ?? Generate(kernels: 400);
        Console.WriteLine($"// PTX input: {_ptx.Length / 1e6:F2} MB");
    }

    [Benchmark]
    public int Parse() => PtxParser.Parse(_ptx).Functions.Count;

    [Benchmark]
    public int ParseAndLower() => PtxLowering.ParseAndLower(_ptx).Functions.Count;

    private static string? LoadCorpusEntry()
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var library = Path.Combine(home, ".cache/cuemu/npm/node-llama-cpp-linux-x64-cuda-3.22.1/package/bins/linux-x64-cuda/libggml-cuda.so");
        if (!File.Exists(library))
            return null;
        var section = ElfImage.FindSection(File.ReadAllBytes(library), ".nv_fatbin");
        if (section is null)
            return null;
        var image = FatbinImage.Index(section.Value);
        var largest = image.Entries.Where(e => e.Kind == FatbinEntryKind.Ptx && e.Arch == 80).MaxBy(e => e.DecompressedSize);
        return largest is null ? null : image.ReadPtx(largest);
    }

    /// <summary>Kernels shaped like ggml's: params, scoped inline-asm blocks, vector loads, shuffles and branches.</summary>
    private static string Generate(int kernels)
    {
        var text = new StringBuilder(".version 9.1\n.target sm_80\n.address_size 64\n");
        for (var k = 0; k < kernels; k++)
        {
            text.Append($".entry kernel_{k}(\n.param .u64 kernel_{k}_param_0,\n.param .u64 kernel_{k}_param_1,\n.param .u32 kernel_{k}_param_2\n)\n.maxntid 256, 1, 1\n{{\n");
            text.Append(".reg .pred %p<40>;\n.reg .b16 %rs<20>;\n.reg .b32 %r<400>;\n.reg .f32 %f<200>;\n.reg .b64 %rd<40>;\n");
            text.Append($"ld.param.u64 %rd1, [kernel_{k}_param_0];\nld.param.u64 %rd2, [kernel_{k}_param_1];\nld.param.u32 %r1, [kernel_{k}_param_2];\n");
            text.Append("mov.u32 %r2, %tid.x;\nmov.u32 %r3, %ctaid.x;\nmad.lo.s32 %r4, %r3, 256, %r2;\nsetp.ge.s32 %p1, %r4, %r1;\n@%p1 bra $L__BB0_9;\n");
            text.Append("cvta.to.global.u64 %rd3, %rd1;\nmul.wide.s32 %rd4, %r4, 16;\nadd.s64 %rd5, %rd3, %rd4;\n");
            for (var i = 0; i < 60; i++)
            {
                var r = 10 + i * 5;
                text.Append($"ld.global.nc.v4.u32 {{%r{r}, %r{r + 1}, %r{r + 2}, %r{r + 3}}}, [%rd5+{i * 16}];\n");
                text.Append($"{{.reg .f16 low,high; mov.b32 {{low,high}},%r{r}; cvt.f32.f16 %f{i + 1}, low;}}\n");
                text.Append($"fma.rn.ftz.f32 %f{i + 100}, %f{i + 1}, 0f3F800000, %f{i + 100};\n");
                text.Append($"shfl.sync.bfly.b32 %r{r + 4}|%p{2 + i % 30}, %r{r + 1}, 16, 31, -1;\n");
                text.Append($"add.s32 %r{r + 2}, %r{r + 2}, %r{r + 4}; setp.ne.s32 %p{2 + i % 30}, %r{r + 2}, 0;\n");
            }
            text.Append("cvta.to.global.u64 %rd6, %rd2;\nst.global.f32 [%rd6+-4], %f100;\n$L__BB0_9:\nret;\n}\n");
        }
        return text.ToString();
    }
}
