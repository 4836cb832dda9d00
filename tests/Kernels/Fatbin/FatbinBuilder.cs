using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Emulator.Tests.Kernels.Fatbin;

/// <summary>
/// Writes fatbin containers the way nvcc's fatbinary does (ANALYSIS.md §1), compressing entries with the system's
/// liblz4 (LZ4 block) and libzstd — an oracle independent of the reader's decoding path.
/// </summary>
public static unsafe partial class FatbinBuilder
{
    public enum Compression { None, Lz4, Zstd }

    public sealed record Entry(ushort Kind, int Arch, byte[] Payload, Compression Compression = Compression.None, int HeaderSize = 80, bool RecordCompressedSize = true);

    public static byte[] PtxBytes(string text) => Encoding.ASCII.GetBytes(text + "\0");

    public static byte[] Container(params Entry[] entries)
    {
        var body = new List<byte>();
        foreach (var entry in entries)
            body.AddRange(EncodeEntry(entry));
        var container = new byte[16 + body.Count];
        BinaryPrimitives.WriteUInt32LittleEndian(container, 0xBA55ED50);
        BinaryPrimitives.WriteUInt16LittleEndian(container.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(container.AsSpan(6), 16);
        BinaryPrimitives.WriteUInt64LittleEndian(container.AsSpan(8), (ulong)body.Count);
        body.CopyTo(container, 16);
        return container;
    }

    public static byte[] Concatenate(params byte[][] containers)
    {
        var all = new List<byte>();
        foreach (var container in containers)
        {
            all.AddRange(container);
            while (all.Count % 8 != 0)
                all.Add(0);
        }
        return [.. all];
    }

    private static byte[] EncodeEntry(Entry entry)
    {
        byte[] stored = entry.Compression switch
        {
            Compression.Lz4 => CompressLz4(entry.Payload),
            Compression.Zstd => CompressZstd(entry.Payload),
            _ => entry.Payload,
        };
        var padded = (stored.Length + 7) & ~7;
        var bytes = new byte[entry.HeaderSize + padded];
        var header = bytes.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(header, entry.Kind);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 0x0101);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)entry.HeaderSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], (ulong)padded);
        if (entry.Compression != Compression.None && entry.RecordCompressedSize)
            BinaryPrimitives.WriteUInt32LittleEndian(header[0x10..], (uint)stored.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x18..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1A..], 9);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x1C..], (uint)entry.Arch);
        ulong flags = 0x11 | entry.Compression switch { Compression.Lz4 => 0x2000UL, Compression.Zstd => 0x8000UL, _ => 0 };
        BinaryPrimitives.WriteUInt64LittleEndian(header[0x28..], flags);
        if (entry.Compression != Compression.None)
            BinaryPrimitives.WriteUInt64LittleEndian(header[0x38..], (ulong)entry.Payload.Length);
        stored.CopyTo(bytes, entry.HeaderSize);
        return bytes;
    }

    [LibraryImport("liblz4.so.1", EntryPoint = "LZ4_compress_default")]
    private static partial int Lz4CompressDefault(byte* source, byte* destination, int sourceSize, int capacity);

    [LibraryImport("liblz4.so.1", EntryPoint = "LZ4_compressBound")]
    private static partial int Lz4CompressBound(int inputSize);

    [LibraryImport("libzstd.so.1", EntryPoint = "ZSTD_compress")]
    private static partial nuint ZstdCompress(byte* destination, nuint capacity, byte* source, nuint sourceSize, int level);

    [LibraryImport("libzstd.so.1", EntryPoint = "ZSTD_compressBound")]
    private static partial nuint ZstdCompressBound(nuint sourceSize);

    public static byte[] CompressLz4(byte[] data)
    {
        var output = new byte[Lz4CompressBound(data.Length)];
        fixed (byte* source = data)
        fixed (byte* destination = output)
        {
            var written = Lz4CompressDefault(source, destination, data.Length, output.Length);
            if (written <= 0)
                throw new InvalidOperationException("LZ4_compress_default failed");
            return output[..written];
        }
    }

    public static byte[] CompressZstd(byte[] data)
    {
        var output = new byte[(int)ZstdCompressBound((nuint)data.Length)];
        fixed (byte* source = data)
        fixed (byte* destination = output)
        {
            var written = (int)ZstdCompress(destination, (nuint)output.Length, source, (nuint)data.Length, 3);
            if (written <= 0 || written > output.Length)
                throw new InvalidOperationException("ZSTD_compress failed");
            return output[..written];
        }
    }
}
