using System.Runtime.InteropServices;
using Emulator.Driver.Runtime;

namespace Emulator.Tests.Property.Runtime;

/// <summary>
/// A fatbin wrapper + container in native memory with one header-only PTX entry per requested architecture,
/// laid out as ANALYSIS.md §1 documents (entry header 0x40 bytes, payload empty): what nvcc's constructor hands
/// to __cudaRegisterFatBinary, minus the PTX text the runtime does not read at registration.
/// </summary>
internal sealed unsafe class SyntheticFatbin : IDisposable
{
    private const int EntryHeaderSize = 0x40;

    public SyntheticFatbin(params int[] ptxArchitectures)
    {
        var entriesBytes = ptxArchitectures.Length * EntryHeaderSize;
        Container = (nint)NativeMemory.AllocZeroed((nuint)(16 + entriesBytes));
        *(uint*)Container = FatbinRegistry.ContainerMagic;
        *(ushort*)(Container + 4) = 1;
        *(ushort*)(Container + 6) = 16;
        *(ulong*)(Container + 8) = (ulong)entriesBytes;
        for (var i = 0; i < ptxArchitectures.Length; i++)
        {
            var entry = Container + 16 + i * EntryHeaderSize;
            *(ushort*)entry = 1; // PTX
            *(ushort*)(entry + 2) = 0x0101;
            *(uint*)(entry + 4) = EntryHeaderSize;
            *(uint*)(entry + 0x1c) = (uint)ptxArchitectures[i];
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
