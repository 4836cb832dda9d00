using System.Buffers.Binary;
using System.Text;

namespace Emulator.Kernels.Fatbin;

/// <summary>
/// Minimal little-endian ELF64 reader: section lookup by name. Used to find <c>.nv_fatbin</c> in host libraries
/// (the PTX corpus) and to size a cubin handed over as a bare pointer.
/// </summary>
public static class ElfImage
{
    public const uint Magic = 0x464C457F; // "\x7FELF" read little-endian

    public readonly record struct Section(string Name, long Offset, long Size, uint Type);

    public static bool LooksLikeElf(ReadOnlySpan<byte> image) =>
        image.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(image) == Magic;

    /// <exception cref="FatbinException">Not an ELF64 little-endian image, or its tables lie outside it.</exception>
    public static IReadOnlyList<Section> ReadSections(ReadOnlySpan<byte> image)
    {
        if (image.Length < 64 || !LooksLikeElf(image) || image[4] != 2 || image[5] != 1)
            throw new FatbinException(FatbinError.InvalidImage, "not a 64-bit little-endian ELF image");
        var sectionHeaderOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(image[0x28..]);
        var sectionHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3A..]);
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3C..]);
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3E..]);
        if (sectionCount == 0)
            return [];
        if (sectionHeaderSize < 64 || sectionHeaderOffset < 0 || sectionHeaderOffset + (long)sectionCount * sectionHeaderSize > image.Length || namesIndex >= sectionCount)
            throw new FatbinException(FatbinError.InvalidImage, "ELF section header table lies outside the image");

        var raw = new (uint Name, uint Type, long Offset, long Size)[sectionCount];
        for (var i = 0; i < sectionCount; i++)
        {
            var header = image.Slice((int)(sectionHeaderOffset + (long)i * sectionHeaderSize), 64);
            raw[i] = (BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]));
        }

        var names = raw[namesIndex];
        if (names.Offset < 0 || names.Offset + names.Size > image.Length)
            throw new FatbinException(FatbinError.InvalidImage, "ELF section name table lies outside the image");
        var nameTable = image.Slice((int)names.Offset, (int)names.Size);

        var sections = new Section[sectionCount];
        for (var i = 0; i < sectionCount; i++)
        {
            var (nameOffset, type, offset, size) = raw[i];
            var name = "";
            if (nameOffset < nameTable.Length)
            {
                var rest = nameTable[(int)nameOffset..];
                var end = rest.IndexOf((byte)0);
                name = Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
            }
            sections[i] = new Section(name, offset, size, type);
        }
        return sections;
    }

    /// <summary>The bytes of the named section, or null when absent. <c>SHT_NOBITS</c> sections have no bytes.</summary>
    public static ReadOnlyMemory<byte>? FindSection(ReadOnlyMemory<byte> image, string name)
    {
        const uint noBits = 8;
        foreach (var section in ReadSections(image.Span))
        {
            if (section.Name != name || section.Type == noBits)
                continue;
            if (section.Offset < 0 || section.Offset + section.Size > image.Length)
                throw new FatbinException(FatbinError.InvalidImage, $"ELF section {name} lies outside the image");
            return image.Slice((int)section.Offset, (int)section.Size);
        }
        return null;
    }

    /// <summary>Bytes an ELF image spans, from its header tables (for a cubin handed over as a bare pointer).</summary>
    public static long SpanFromHeader(ReadOnlySpan<byte> header64)
    {
        var programOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header64[0x20..]);
        var sectionOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header64[0x28..]);
        var programEntrySize = BinaryPrimitives.ReadUInt16LittleEndian(header64[0x36..]);
        var programCount = BinaryPrimitives.ReadUInt16LittleEndian(header64[0x38..]);
        var sectionEntrySize = BinaryPrimitives.ReadUInt16LittleEndian(header64[0x3A..]);
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header64[0x3C..]);
        return Math.Max(64, Math.Max(programOffset + (long)programEntrySize * programCount, sectionOffset + (long)sectionEntrySize * sectionCount));
    }
}
