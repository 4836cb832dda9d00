using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emulator.Kernels.Engine;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Ir;
using Emulator.Kernels.Ptx;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>
/// A small device memory for engine tests: each allocation is native memory whose host address is its
/// device address (as in the driver's unified addressing); accesses outside an allocation are refused.
/// </summary>
public sealed unsafe class TestDeviceMemory : IGlobalMemory, IDisposable
{
    readonly List<(ulong Address, ulong Size)> allocations = [];

    public ulong Allocate(int bytes)
    {
        var pointer = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 256);
        NativeMemory.Clear(pointer, (nuint)Math.Max(bytes, 1));
        allocations.Add(((ulong)pointer, (ulong)bytes));
        return (ulong)pointer;
    }

    public ulong Upload<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        ulong address = Allocate(bytes.Length);
        bytes.CopyTo(new Span<byte>((void*)address, bytes.Length));
        return address;
    }

    public ulong Upload<T>(T[] values) where T : unmanaged => Upload<T>(values.AsSpan());

    public void Write<T>(ulong address, ReadOnlySpan<T> values) where T : unmanaged
        => MemoryMarshal.AsBytes(values).CopyTo(new Span<byte>((void*)address, values.Length * sizeof(T)));

    public T[] Download<T>(ulong address, int count) where T : unmanaged
        => new ReadOnlySpan<T>((void*)address, count).ToArray();

    public bool TryTranslate(ulong address, ulong size, bool isWrite, out nint host)
    {
        foreach (var (start, length) in allocations)
        {
            if (address >= start && address - start <= length && size <= length - (address - start))
            {
                host = (nint)address;
                return true;
            }
        }
        host = 0;
        return false;
    }

    public void Dispose()
    {
        foreach (var (address, _) in allocations) NativeMemory.AlignedFree((void*)address);
        allocations.Clear();
    }
}

/// <summary>Parses PTX (branch ptx's parser), decodes a kernel and launches it on a <see cref="TestDeviceMemory"/>.</summary>
public sealed class PtxHarness : IDisposable
{
    public TestDeviceMemory Memory { get; } = new();
    public List<string> Printed { get; } = [];
    public long InstructionBudget { get; set; }
    /// <summary>Threads that run the launch's blocks (0: the engine's default).</summary>
    public int Workers { get; set; }
    /// <summary>The tier that runs launches (null: the engine's default).</summary>
    public EngineTier? Tier { get; set; }
    readonly Dictionary<string, ulong> globals = new(StringComparer.Ordinal);
    IrModule? module;

    public PtxHarness(string ptx)
    {
        module = PtxLowering.ParseAndLower(ptx);
        foreach (var global in module.Globals)
        {
            if (global.IsExternal) continue;
            ulong address = Memory.Allocate((int)Math.Max(global.Size, 1));
            unsafe { global.InitialBytes.CopyTo(new Span<byte>((void*)address, global.InitialBytes.Length)); }
            globals[global.Name] = address;
        }
    }

    public static string CaseFile(string name, [CallerFilePath] string thisFile = "")
        => File.ReadAllText(Path.Combine(Path.GetDirectoryName(thisFile)!, "Cases", name));

    public IrFunction Kernel(string name) => module!.FindKernel(name) ?? throw new InvalidOperationException($"kernel {name} not found");

    /// <summary>Packs arguments at the kernel's parameter offsets (pointers as ulong, scalars as their own type).</summary>
    public byte[] Pack(string kernel, params object[] arguments)
    {
        var function = Kernel(kernel);
        var buffer = new byte[function.ParameterBufferSize];
        for (int i = 0; i < arguments.Length; i++)
        {
            var parameter = function.Parameters[i];
            byte[] bytes = arguments[i] switch
            {
                ulong u => BitConverter.GetBytes(u),
                long l => BitConverter.GetBytes(l),
                int n => BitConverter.GetBytes(n),
                uint n => BitConverter.GetBytes(n),
                float f => BitConverter.GetBytes(f),
                double d => BitConverter.GetBytes(d),
                byte[] raw => raw,
                _ => throw new ArgumentException($"unsupported argument {arguments[i]}"),
            };
            bytes.AsSpan(0, (int)Math.Min(bytes.Length, parameter.Size)).CopyTo(buffer.AsSpan((int)parameter.Offset));
        }
        return buffer;
    }

    public LaunchResult Launch(string kernel, LaunchExtent grid, LaunchExtent block, params object[] arguments)
        => LaunchWithShared(kernel, grid, block, 0, arguments);

    public LaunchResult LaunchWithShared(string kernel, LaunchExtent grid, LaunchExtent block, int dynamicShared, params object[] arguments)
    {
        var function = Kernel(kernel);
        var executable = KernelDecoder.Decode(module!, function);
        var services = new LaunchServices
        {
            GlobalMemory = Memory,
            ResolveGlobal = name => globals.TryGetValue(name, out var address) ? address : null,
            PrintfSink = Printed.Add,
            InstructionBudget = InstructionBudget,
            Workers = Workers,
            Tier = Tier,
        };
        return PtxEngine.Launch(executable, grid, block, dynamicShared, Pack(kernel, arguments), services);
    }

    public void Dispose() => Memory.Dispose();
}
