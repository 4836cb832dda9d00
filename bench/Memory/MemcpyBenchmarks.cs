using BenchmarkDotNet.Attributes;
using Emulator.Memory;

namespace Emulator.Bench.Memory;

/// <summary>
/// Throughput of copies through <see cref="MemorySystem"/> (validation + copy) against a plain
/// <see cref="Buffer.MemoryCopy"/> of the same bytes in the same run, so the ratio shows the checking cost.
/// Run: <c>dotnet run -c Release --project bench -- --filter '*MemcpyBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public unsafe class MemcpyBenchmarks
{
    [Params(4096, 1 << 20, 64 << 20)]
    public int Bytes;

    private MemorySystem _memory = null!;
    private ulong _deviceA, _deviceB;
    private byte* _host;
    private byte* _hostOther;

    [GlobalSetup]
    public void Setup()
    {
        _memory = MemorySystem.CreatePrivate([1UL << 30]);
        Check(_memory.Allocate(0, (ulong)Bytes, out _deviceA));
        Check(_memory.Allocate(0, (ulong)Bytes, out _deviceB));
        _host = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)Bytes, 4096);
        _hostOther = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)Bytes, 4096);
        // Touch every page once so no variant pays first-touch page faults inside the measurement.
        new Span<byte>(_host, Bytes).Fill(1);
        new Span<byte>(_hostOther, Bytes).Fill(2);
        new Span<byte>((void*)_deviceA, Bytes).Fill(3);
        new Span<byte>((void*)_deviceB, Bytes).Fill(4);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        System.Runtime.InteropServices.NativeMemory.AlignedFree(_host);
        System.Runtime.InteropServices.NativeMemory.AlignedFree(_hostOther);
        _memory.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Buffer.MemoryCopy host→host")]
    public void PlainHostCopy() => Buffer.MemoryCopy(_host, _hostOther, Bytes, Bytes);

    [Benchmark(Description = "cuMemcpyHtoD path")]
    public MemoryStatus HostToDevice() => _memory.Copy(_deviceA, OperandKind.Device, (ulong)_host, OperandKind.Host, (ulong)Bytes);

    [Benchmark(Description = "cuMemcpyDtoH path")]
    public MemoryStatus DeviceToHost() => _memory.Copy((ulong)_host, OperandKind.Host, _deviceA, OperandKind.Device, (ulong)Bytes);

    [Benchmark(Description = "cuMemcpyDtoD path")]
    public MemoryStatus DeviceToDevice() => _memory.Copy(_deviceB, OperandKind.Device, _deviceA, OperandKind.Device, (ulong)Bytes);

    private static void Check(MemoryStatus status)
    {
        if (status != MemoryStatus.Success) throw new InvalidOperationException(status.ToString());
    }
}

/// <summary>Cost of the bounds/permission check kernels make per access: last-hit and binary-search paths.</summary>
public class ResolveBenchmarks
{
    private MemorySystem _memory = null!;
    private ulong[] _allocations = [];

    [GlobalSetup]
    public void Setup()
    {
        _memory = MemorySystem.CreatePrivate([1UL << 30]);
        _allocations = new ulong[1000];
        for (int i = 0; i < _allocations.Length; i++) _memory.Allocate(0, 4096, out _allocations[i]);
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    [Benchmark(Description = "TryResolve, same allocation (last-hit path)")]
    public bool SameAllocation() => _memory.TryResolve(_allocations[500] + 128, 16, AccessKind.Read, out _);

    [Benchmark(Description = "TryResolve ×2, alternating source/destination (both cached)")]
    public bool Alternating()
    {
        bool ok = _memory.TryResolve(_allocations[17] + 8, 16, AccessKind.Read, out _);
        return ok & _memory.TryResolve(_allocations[901] + 8, 16, AccessKind.Write, out _);
    }

    private int _cursor;

    [Benchmark(Description = "TryResolve, cycling over 8 of 1000 allocations (binary search)")]
    public bool Cycling()
    {
        _cursor = (_cursor + 1) & 7;
        return _memory.TryResolve(_allocations[_cursor * 111] + 8, 16, AccessKind.Read, out _);
    }
}
