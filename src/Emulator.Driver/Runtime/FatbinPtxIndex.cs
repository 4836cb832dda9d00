namespace Emulator.Driver.Runtime;

/// <summary>
/// Reads just the entry headers of a fatbin container (layout in ANALYSIS.md §1) to learn which PTX
/// targets it carries, without decompressing anything: enough for the runtime to pick the PTX a device
/// would JIT (the highest compute_XX not above its compute capability) and report its version.
/// </summary>
public static class FatbinPtxIndex
{
    private const ushort PtxKind = 1;
    private const int ContainerHeaderSize = 16;
    private const int MinimumEntryHeaderSize = 0x40;

    /// <summary>The virtual architectures (e.g. 75, 80, 90) of the PTX entries in the container, in file order.</summary>
    public static unsafe IReadOnlyList<int> PtxArchitectures(nint container)
    {
        var archs = new List<int>();
        if (container == 0 || *(uint*)container != FatbinRegistry.ContainerMagic)
            return archs;
        var headerSize = *(ushort*)(container + 6);
        var entriesBytes = *(ulong*)(container + 8);
        if (headerSize < ContainerHeaderSize)
            return archs;
        var offset = 0UL;
        while (offset + MinimumEntryHeaderSize <= entriesBytes)
        {
            var entry = container + headerSize + (nint)offset;
            var kind = *(ushort*)entry;
            var entryHeaderSize = *(uint*)(entry + 4);
            var payloadSize = *(ulong*)(entry + 8);
            if (entryHeaderSize < MinimumEntryHeaderSize)
                break;
            if (kind == PtxKind)
                archs.Add((int)*(uint*)(entry + 0x1c));
            offset += entryHeaderSize + payloadSize;
        }
        return archs;
    }

    /// <summary>The PTX a device of compute capability <paramref name="computeCapability"/> (e.g. 90) runs, or 0 if none fits.</summary>
    public static int SelectPtxArchitecture(IReadOnlyList<int> ptxArchitectures, int computeCapability) =>
        ptxArchitectures.Where(a => a <= computeCapability).DefaultIfEmpty(0).Max();
}
