using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Emulator.Kernels.Engine;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Ptx;

namespace Emulator.Bench.Kernels;

/// <summary>
/// Reference-interpreter throughput on the three test kernels (the .ptx files of tests/Kernels/Engine/Cases).
/// Each benchmark is one launch; its thread-instruction count is printed at setup, so
/// thread-instructions/s = count / mean. Run: dotnet run -c Release --project bench -- --filter '*EngineBenchmarks*'
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
public unsafe class EngineBenchmarks
{
    sealed class NativeMemory : IGlobalMemory, IDisposable
    {
        readonly List<(ulong Address, ulong Size)> blocks = [];

        public ulong Upload<T>(T[] values) where T : unmanaged
        {
            ulong bytes = (ulong)(values.Length * sizeof(T));
            var pointer = System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)bytes, 256);
            MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(new Span<byte>(pointer, (int)bytes));
            blocks.Add(((ulong)pointer, bytes));
            return (ulong)pointer;
        }

        public bool TryTranslate(ulong address, ulong size, bool isWrite, out nint host)
        {
            foreach (var (start, length) in blocks)
                if (address >= start && address - start <= length && size <= length - (address - start)) { host = (nint)address; return true; }
            host = 0;
            return false;
        }

        public void Dispose()
        {
            foreach (var (address, _) in blocks) System.Runtime.InteropServices.NativeMemory.AlignedFree((void*)address);
        }
    }

    sealed record Prepared(ExecutableKernel Kernel, LaunchExtent Grid, LaunchExtent Block, byte[] Parameters);

    NativeMemory memory = null!;
    LaunchServices services = null!;
    Prepared vectorAdd = null!, blockReduce = null!, tiledMatmul = null!;

    static string CaseFile(string name, [CallerFilePath] string thisFile = "")
        => File.ReadAllText(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "tests", "Kernels", "Engine", "Cases", name));

    static Prepared Prepare(string file, string kernel, LaunchExtent grid, LaunchExtent block, params object[] arguments)
    {
        var module = PtxLowering.ParseAndLower(CaseFile(file));
        var function = module.FindKernel(kernel)!;
        var parameters = new byte[function.ParameterBufferSize];
        for (int i = 0; i < arguments.Length; i++)
        {
            byte[] bytes = arguments[i] is ulong u ? BitConverter.GetBytes(u) : BitConverter.GetBytes((int)arguments[i]);
            bytes.CopyTo(parameters, (int)function.Parameters[i].Offset);
        }
        return new Prepared(KernelDecoder.Decode(module, function), grid, block, parameters);
    }

    [GlobalSetup]
    public void Setup()
    {
        memory = new NativeMemory();
        services = new LaunchServices { GlobalMemory = memory };
        const int n = 1 << 16;
        var x = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
        vectorAdd = Prepare("vector_add.ptx", "vector_add", new LaunchExtent(n / 256), new LaunchExtent(256),
            memory.Upload(x), memory.Upload(x), memory.Upload(new float[n]), n);
        blockReduce = Prepare("block_reduce.ptx", "block_reduce", new LaunchExtent(n / 256), new LaunchExtent(256),
            memory.Upload(Enumerable.Range(0, n).Select(i => (uint)i).ToArray()), memory.Upload(new uint[n / 256 + 1]), n);
        const int size = 64;
        var matrix = Enumerable.Range(0, size * size).Select(i => (float)(i % 7)).ToArray();
        tiledMatmul = Prepare("tiled_matmul.ptx", "tiled_matmul", new LaunchExtent(size / 16, size / 16), new LaunchExtent(16, 16),
            memory.Upload(matrix), memory.Upload(matrix), memory.Upload(new float[size * size]), size, size, size);
        foreach (var (name, prepared) in new[] { ("VectorAdd", vectorAdd), ("BlockReduce", blockReduce), ("TiledMatmul", tiledMatmul) })
            Console.WriteLine($"// {name}: {Run(prepared)} thread-instructions per launch");
    }

    long Run(Prepared p)
    {
        var result = PtxEngine.Launch(p.Kernel, p.Grid, p.Block, 0, p.Parameters, services);
        if (!result.Succeeded) throw new InvalidOperationException(result.ToString());
        return result.ThreadInstructions;
    }

    /// <summary>65 536-element f32 vector add (256 blocks × 256 threads).</summary>
    [Benchmark] public long VectorAdd() => Run(vectorAdd);

    /// <summary>65 536-element u32 sum: shuffles, shared memory, bar.sync, one atomic per block.</summary>
    [Benchmark] public long BlockReduce() => Run(blockReduce);

    /// <summary>64×64×64 f32 matrix product with 16×16 shared-memory tiles.</summary>
    [Benchmark] public long TiledMatmul() => Run(tiledMatmul);

    [GlobalCleanup]
    public void Cleanup() => memory.Dispose();
}
