using System.Text;

namespace Cuemu.Tools.ModelGen.Gguf;

/// <summary>Reads the metadata section of a GGUF file (version 2 or 3); tensor data is not needed here.</summary>
public static class GgufReader
{
    private const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32

    public static IReadOnlyList<GgufMetadataEntry> ReadMetadata(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadUInt32() != Magic)
            throw new InvalidDataException($"{path}: not a GGUF file");
        var version = reader.ReadUInt32();
        if (version is not (2 or 3))
            throw new InvalidDataException($"{path}: GGUF version {version} is not supported");
        reader.ReadUInt64(); // tensor count
        var entryCount = reader.ReadUInt64();

        var entries = new List<GgufMetadataEntry>();
        for (ulong i = 0; i < entryCount; i++)
        {
            var key = ReadString(reader);
            var type = (GgufValueType)reader.ReadUInt32();
            var start = reader.BaseStream.Position;
            SkipValue(reader, type);
            var length = reader.BaseStream.Position - start;
            reader.BaseStream.Position = start;
            entries.Add(new GgufMetadataEntry(key, type, reader.ReadBytes(checked((int)length))));
        }
        return entries;
    }

    /// <summary>Element count of an array entry (e.g. the number of tokens in <c>tokenizer.ggml.tokens</c>).</summary>
    public static ulong ArrayLength(GgufMetadataEntry entry)
    {
        if (entry.Type != GgufValueType.Array)
            throw new InvalidDataException($"{entry.Key} is a {entry.Type}, not an array");
        return BitConverter.ToUInt64(entry.EncodedValue, sizeof(uint));
    }

    private static string ReadString(BinaryReader reader)
    {
        var length = checked((int)reader.ReadUInt64());
        return Encoding.UTF8.GetString(reader.ReadBytes(length));
    }

    private static void SkipValue(BinaryReader reader, GgufValueType type)
    {
        switch (type)
        {
            case GgufValueType.String:
                reader.BaseStream.Seek(checked((long)reader.ReadUInt64()), SeekOrigin.Current);
                break;
            case GgufValueType.Array:
                var elementType = (GgufValueType)reader.ReadUInt32();
                var count = reader.ReadUInt64();
                if (elementType is GgufValueType.String or GgufValueType.Array)
                {
                    for (ulong i = 0; i < count; i++)
                        SkipValue(reader, elementType);
                }
                else
                {
                    reader.BaseStream.Seek(checked((long)(count * (ulong)ScalarSize(elementType))), SeekOrigin.Current);
                }
                break;
            default:
                reader.BaseStream.Seek(ScalarSize(type), SeekOrigin.Current);
                break;
        }
    }

    private static int ScalarSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => throw new InvalidDataException($"GGUF value type {(uint)type} is not a scalar"),
    };
}
