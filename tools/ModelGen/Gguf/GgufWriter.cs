using System.Text;

namespace Cuemu.Tools.ModelGen.Gguf;

/// <summary>A tensor to be written: its name, ggml shape (ne0 first), type and encoded bytes.</summary>
public sealed record GgufTensor(string Name, long[] Shape, GgmlType Type, byte[] Data);

/// <summary>Writes GGUF version 3 files: header, metadata, tensor infos, then 32-byte aligned tensor data.</summary>
public static class GgufWriter
{
    public const int Alignment = 32; // GGUF's default general.alignment; not written, so readers assume it
    private const uint Magic = 0x46554747;
    private const uint Version = 3;

    /// <summary>
    /// Writes through a temporary file renamed into place, so an interrupted run never leaves a truncated
    /// model that a later run would mistake for a finished one.
    /// </summary>
    public static void Write(string path, IReadOnlyList<GgufMetadataEntry> metadata, IReadOnlyList<GgufTensor> tensors)
    {
        var temporaryPath = path + ".partial";
        using (var stream = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write((ulong)tensors.Count);
            writer.Write((ulong)metadata.Count);
            foreach (var entry in metadata)
            {
                WriteString(writer, entry.Key);
                writer.Write((uint)entry.Type);
                writer.Write(entry.EncodedValue);
            }

            ulong dataOffset = 0;
            foreach (var tensor in tensors)
            {
                WriteString(writer, tensor.Name);
                writer.Write((uint)tensor.Shape.Length);
                foreach (var extent in tensor.Shape)
                    writer.Write((ulong)extent);
                writer.Write((uint)tensor.Type);
                writer.Write(dataOffset);
                dataOffset = AlignUp(dataOffset + (ulong)tensor.Data.Length);
            }

            Pad(writer);
            foreach (var tensor in tensors)
            {
                writer.Write(tensor.Data);
                Pad(writer);
            }
        }
        File.Move(temporaryPath, path, overwrite: true);
    }

    private static void WriteString(BinaryWriter writer, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static ulong AlignUp(ulong offset) => (offset + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter writer)
    {
        var position = (ulong)writer.BaseStream.Position;
        for (var i = position; i < AlignUp(position); i++)
            writer.Write((byte)0);
    }
}
