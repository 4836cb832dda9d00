using System.Runtime.InteropServices;

namespace Emulator.Kernels.Fatbin;

/// <summary>
/// The system's liblz4 / libzstd (NVIDIA's fatbinary uses LZ4 *block* format for flag 0x2000 and zstd frames for
/// 0x8000, ANALYSIS.md §1). No managed implementation of either is available in this project's package feed.
/// </summary>
internal static unsafe partial class NativeCompression
{
    private const string Lz4Library = "liblz4.so.1";
    private const string ZstdLibrary = "libzstd.so.1";

    [LibraryImport(Lz4Library, EntryPoint = "LZ4_decompress_safe")]
    private static partial int Lz4DecompressSafe(byte* source, byte* destination, int compressedSize, int destinationCapacity);

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_decompress")]
    private static partial nuint ZstdDecompress(byte* destination, nuint destinationCapacity, byte* source, nuint compressedSize);

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_isError")]
    private static partial uint ZstdIsError(nuint code);

    /// <summary>Decompresses an LZ4 block; returns the number of bytes written, or a negative liblz4 error.</summary>
    public static int DecompressLz4Block(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* from = source)
        fixed (byte* to = destination)
            return Lz4DecompressSafe(from, to, source.Length, destination.Length);
    }

    /// <summary>Decompresses one zstd frame; returns the number of bytes written, or -1 on any zstd error.</summary>
    public static long DecompressZstd(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* from = source)
        fixed (byte* to = destination)
        {
            var result = ZstdDecompress(to, (nuint)destination.Length, from, (nuint)source.Length);
            return ZstdIsError(result) != 0 ? -1 : (long)result;
        }
    }
}
