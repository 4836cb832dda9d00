using System.Runtime.InteropServices;
using System.Text;
using Emulator.Driver.Runtime;

namespace Emulator.Tests.Property.Runtime;

/// <summary>
/// A fatbin wrapper + container in native memory with one PTX entry per requested architecture, laid out as
/// ANALYSIS.md §1 documents (entry header 0x40 bytes, then the PTX text with its NUL, padded to 8 bytes): what
/// nvcc's constructor hands to __cudaRegisterFatBinary. Each entry's PTX is <paramref name="body"/> under a
/// <c>.target sm_XX</c> of its own architecture; without a body the payloads are empty (registration-only tests).
/// </summary>
internal sealed unsafe class SyntheticFatbin : IDisposable
{
    private const int EntryHeaderSize = 0x40;

    public SyntheticFatbin(params int[] ptxArchitectures) : this(null, ptxArchitectures) { }

    public SyntheticFatbin(string? body, params int[] ptxArchitectures)
    {
        var payloads = ptxArchitectures
            .Select(arch => body is null ? [] : Encoding.ASCII.GetBytes($".version 8.0\n.target sm_{arch}\n.address_size 64\n{body}\0"))
            .ToArray();
        var padded = payloads.Select(p => (p.Length + 7) & ~7).ToArray();
        var entriesBytes = ptxArchitectures.Length * EntryHeaderSize + padded.Sum();
        Container = (nint)NativeMemory.AllocZeroed((nuint)(16 + entriesBytes));
        *(uint*)Container = FatbinRegistry.ContainerMagic;
        *(ushort*)(Container + 4) = 1;
        *(ushort*)(Container + 6) = 16;
        *(ulong*)(Container + 8) = (ulong)entriesBytes;
        var entry = Container + 16;
        for (var i = 0; i < ptxArchitectures.Length; i++)
        {
            *(ushort*)entry = 1; // PTX
            *(ushort*)(entry + 2) = 0x0101;
            *(uint*)(entry + 4) = EntryHeaderSize;
            *(ulong*)(entry + 8) = (ulong)padded[i];
            *(uint*)(entry + 0x1c) = (uint)ptxArchitectures[i];
            payloads[i].CopyTo(new Span<byte>((void*)(entry + EntryHeaderSize), payloads[i].Length));
            entry += EntryHeaderSize + padded[i];
        }
        Wrapper = (nint)NativeMemory.AllocZeroed(24);
        *(uint*)Wrapper = FatbinRegistry.WrapperMagic;
        *(uint*)(Wrapper + 4) = 1;
        *(nint*)(Wrapper + 8) = Container;
    }

    public nint Wrapper { get; }
    public nint Container { get; }

    public void Dispose()
    {
        NativeMemory.Free((void*)Wrapper);
        NativeMemory.Free((void*)Container);
    }
}
