namespace Emulator.Kernels.Fatbin;

public enum FatbinEntryKind : ushort
{
    Ptx = 1,
    /// <summary>An ELF cubin (SASS). Listed, never executed: cuemu runs PTX only.</summary>
    Elf = 2,
}

public enum FatbinCompression : byte { None, Lz4Block, Zstd }

/// <summary>
/// One entry of a fatbin container, as indexed (nothing decompressed yet). Offsets are relative to the image the
/// entry was indexed from.
/// </summary>
public sealed record FatbinEntry
{
    /// <summary>Entry kind as stored (1 PTX, 2 ELF; other values are kept as-is and never selected).</summary>
    public required FatbinEntryKind Kind { get; init; }
    /// <summary>Virtual (PTX, <c>compute_XY</c>) or real (ELF, <c>sm_XY</c>) architecture as 10·major + minor.</summary>
    public required int Arch { get; init; }
    /// <summary>PTX ISA version of a PTX entry (e.g. 9.1); the ELF code version for cubins.</summary>
    public required int VersionMajor { get; init; }
    public required int VersionMinor { get; init; }
    public required ulong Flags { get; init; }
    public required FatbinCompression Compression { get; init; }
    public required int ContainerIndex { get; init; }
    public required long HeaderOffset { get; init; }
    public required int HeaderSize { get; init; }
    public required long PayloadOffset { get; init; }
    /// <summary>Bytes of payload as stored (8-aligned; includes padding after a compressed stream).</summary>
    public required long PayloadSize { get; init; }
    /// <summary>Exact byte count of the compressed stream (0 when the writer did not record it).</summary>
    public required long CompressedSize { get; init; }
    /// <summary>Size after decompression including the trailing NUL of PTX text; 0 for uncompressed entries.</summary>
    public required long DecompressedSize { get; init; }

    public const ulong Lz4Flag = 0x2000;
    public const ulong ZstdFlag = 0x8000;
}
