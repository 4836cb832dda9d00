using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Emulator.Kernels.Ir;
using Emulator.Kernels.Ptx;

namespace Emulator.Kernels.Fatbin;

public enum KernelImageFormat { FatbinWrapper, FatbinContainer, Ptx, Elf }

/// <summary>
/// An indexed kernel image: a fatbin (wrapper or bare container(s)), raw PTX text or an ELF cubin. Indexing only
/// reads headers; a PTX entry is decompressed, parsed and lowered on the first <see cref="LoadModule"/> for it, so
/// registering ggml's 143 fatbins costs microseconds, and only launched code costs time.
/// </summary>
public sealed class FatbinImage
{
    public const uint WrapperMagic = 0x466243B1;
    public const uint ContainerMagic = 0xBA55ED50;
    private const int ContainerHeaderSize = 16;
    /// <summary>Entry header fields run to the decompressed size at 0x38; real headers are 64–104 bytes.</summary>
    private const int MinimumEntryHeaderSize = 0x40;
    /// <summary>
    /// Bound on decompressed/compressed size, so a corrupt size field cannot make us allocate gigabytes. LZ4 cannot
    /// exceed ~255; ggml's zstd PTX averages 13.
    /// </summary>
    private const int MaximumExpansion = 1024;

    private readonly ReadOnlyMemory<byte> _image;
    private readonly Dictionary<FatbinEntry, Lazy<IrModule>> _modules = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _modulesLock = new();

    public KernelImageFormat Format { get; }
    public IReadOnlyList<FatbinEntry> Entries { get; }

    private FatbinImage(ReadOnlyMemory<byte> image, KernelImageFormat format, IReadOnlyList<FatbinEntry> entries)
    {
        _image = image;
        Format = format;
        Entries = entries;
    }

    /// <summary>
    /// Indexes an image whose length is known: one or more fatbin containers back to back (8-aligned), raw PTX
    /// text (a trailing NUL is allowed) or an ELF cubin. The memory must stay unchanged while this object lives.
    /// </summary>
    /// <exception cref="FatbinException">Truncated, corrupt or unrecognised image.</exception>
    public static FatbinImage Index(ReadOnlyMemory<byte> image)
    {
        var span = image.Span;
        if (span.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(span) == ContainerMagic)
            return new FatbinImage(image, KernelImageFormat.FatbinContainer, IndexContainers(span));
        if (ElfImage.LooksLikeElf(span))
            return new FatbinImage(image, KernelImageFormat.Elf, [ElfEntry(image.Length)]);
        if (span.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(span) == WrapperMagic)
            throw new FatbinException(FatbinError.InvalidImage, "a fatbin wrapper holds pointers; index it with FromNativePointer");
        if (LooksLikePtx(span))
            return new FatbinImage(image, KernelImageFormat.Ptx, [PtxTextEntry(span)]);
        throw new FatbinException(FatbinError.InvalidImage, "image is neither a fatbin, PTX text nor an ELF cubin");
    }

    /// <summary>
    /// Indexes an image given only by its address, as <c>__cudaRegisterFatBinary</c> (a <c>__fatBinC_Wrapper_t</c>)
    /// and <c>cuModuleLoadData</c>/<c>cuModuleLoadFatBinary</c> (wrapper, container, NUL-terminated PTX or cubin) pass it.
    /// Sizes come from the headers, so only one container is read per pointer. With <paramref name="copy"/> the
    /// bytes are copied (callers of cuModuleLoadData may free theirs); without it they must outlive this object
    /// (a registered fatbin lives in the program's image).
    /// </summary>
    public static unsafe FatbinImage FromNativePointer(byte* image, bool copy)
    {
        if (image == null)
            throw new FatbinException(FatbinError.InvalidImage, "null image");
        var magic = *(uint*)image;
        var format = KernelImageFormat.FatbinContainer;
        if (magic == WrapperMagic)
        {
            var version = *(uint*)(image + 4);
            if (version is not (1 or 2))
                throw new FatbinException(FatbinError.InvalidImage, $"unknown fatbin wrapper version {version}");
            // Version 2 (link version) adds an array of prelinked fatbins in the fourth field; the entries a program
            // runs are in the main container, so only that one is indexed.
            image = *(byte**)(image + 8);
            if (image == null || *(uint*)image != ContainerMagic)
                throw new FatbinException(FatbinError.InvalidImage, "fatbin wrapper does not point at a fatbin container");
            magic = ContainerMagic;
            format = KernelImageFormat.FatbinWrapper;
        }

        long length;
        if (magic == ContainerMagic)
        {
            var headerSize = *(ushort*)(image + 6);
            length = headerSize + (long)*(ulong*)(image + 8);
            if (headerSize < ContainerHeaderSize || length > int.MaxValue)
                throw new FatbinException(FatbinError.InvalidImage, "corrupt fatbin container header");
        }
        else if (magic == ElfImage.Magic)
        {
            length = ElfImage.SpanFromHeader(new ReadOnlySpan<byte>(image, 64));
            format = KernelImageFormat.Elf;
        }
        else
        {
            length = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(image).Length;
            format = KernelImageFormat.Ptx;
        }
        if (length > int.MaxValue)
            throw new FatbinException(FatbinError.InvalidImage, "image too large");

        ReadOnlyMemory<byte> memory = copy
            ? new ReadOnlySpan<byte>(image, (int)length).ToArray()
            : new NativeMemory(image, (int)length).Memory;
        var indexed = Index(memory);
        return format == indexed.Format ? indexed : new FatbinImage(memory, format, indexed.Entries);
    }

    /// <summary>The PTX entry the driver would JIT for a device: the highest PTX arch ≤ <paramref name="computeCapability"/> (10·major + minor); null when none.</summary>
    public FatbinEntry? SelectPtx(int computeCapability)
    {
        FatbinEntry? best = null;
        foreach (var entry in Entries)
        {
            if (entry.Kind == FatbinEntryKind.Ptx && entry.Arch <= computeCapability && (best is null || entry.Arch > best.Arch))
                best = entry;
        }
        return best;
    }

    /// <summary>Decompresses (when needed) and returns the PTX text of an entry, without its trailing NUL.</summary>
    /// <exception cref="FatbinException">The payload lies outside the image or does not decompress to its recorded size.</exception>
    public string ReadPtx(FatbinEntry entry)
    {
        if (entry.Kind != FatbinEntryKind.Ptx)
            throw new ArgumentException("not a PTX entry", nameof(entry));
        var payload = _image.Span.Slice((int)entry.PayloadOffset, (int)entry.PayloadSize);
        if (entry.Compression == FatbinCompression.None)
            return DecodeText(payload);

        if (entry.DecompressedSize <= 0 || entry.DecompressedSize > (long)MaximumExpansion * Math.Max(entry.PayloadSize, 1024))
            throw new FatbinException(FatbinError.InvalidImage, $"compressed entry of compute_{entry.Arch} records an implausible decompressed size {entry.DecompressedSize}");
        var buffer = ArrayPool<byte>.Shared.Rent((int)entry.DecompressedSize);
        try
        {
            var output = buffer.AsSpan(0, (int)entry.DecompressedSize);
            if (!Decompress(entry, payload, output))
                throw new FatbinException(FatbinError.InvalidImage, $"PTX entry of compute_{entry.Arch} does not decompress to {entry.DecompressedSize} bytes");
            return DecodeText(output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Selects, decompresses, parses and lowers the PTX for a device, once per entry (later calls return the same
    /// module or rethrow the same error).
    /// </summary>
    /// <exception cref="FatbinException"><see cref="FatbinError.NoBinaryForGpu"/> when no PTX fits; <see cref="FatbinError.InvalidImage"/> on corrupt data.</exception>
    /// <exception cref="PtxException">The selected PTX does not parse or lower.</exception>
    public IrModule LoadModule(int computeCapability)
    {
        var entry = SelectPtx(computeCapability)
            ?? throw new FatbinException(FatbinError.NoBinaryForGpu,
                $"no PTX for compute capability {computeCapability / 10}.{computeCapability % 10} (image holds: {Describe()})");
        Lazy<IrModule> module;
        lock (_modulesLock)
        {
            if (!_modules.TryGetValue(entry, out module!))
            {
                module = new Lazy<IrModule>(() => PtxLowering.ParseAndLower(ReadPtx(entry)), LazyThreadSafetyMode.ExecutionAndPublication);
                _modules[entry] = module;
            }
        }
        return module.Value;
    }

    /// <summary>"ptx compute_75, ptx compute_80, elf sm_86, ..." in image order.</summary>
    public string Describe() => Entries.Count == 0
        ? "no entries"
        : string.Join(", ", Entries.Select(e => e.Kind switch
        {
            FatbinEntryKind.Ptx => $"ptx compute_{e.Arch}",
            FatbinEntryKind.Elf => $"elf sm_{e.Arch}",
            _ => $"kind {(int)e.Kind} arch {e.Arch}",
        }));

    private static bool Decompress(FatbinEntry entry, ReadOnlySpan<byte> payload, Span<byte> output)
    {
        // The exact stream length must be fed: the padding after it makes both decoders fail. Writers that leave
        // the compressed-size field 0 pad to 8 bytes, so the stream is one of the last 8 lengths.
        if (entry.CompressedSize > 0)
            return entry.CompressedSize <= payload.Length && DecompressExact(entry.Compression, payload[..(int)entry.CompressedSize], output);
        for (var trim = 0; trim < 8 && trim < payload.Length; trim++)
        {
            if (DecompressExact(entry.Compression, payload[..^trim], output))
                return true;
        }
        return false;
    }

    private static bool DecompressExact(FatbinCompression compression, ReadOnlySpan<byte> source, Span<byte> output) => compression switch
    {
        FatbinCompression.Lz4Block => NativeCompression.DecompressLz4Block(source, output) == output.Length,
        FatbinCompression.Zstd => NativeCompression.DecompressZstd(source, output) == output.Length,
        _ => false,
    };

    private static string DecodeText(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static List<FatbinEntry> IndexContainers(ReadOnlySpan<byte> image)
    {
        var entries = new List<FatbinEntry>();
        long position = 0;
        var containerIndex = 0;
        while (position < image.Length)
        {
            if (image.Length - position < ContainerHeaderSize)
            {
                // Zero padding after the last container (sections are often padded) is not another container.
                if (containerIndex > 0 && !image[(int)position..].ContainsAnyExcept((byte)0))
                    break;
                throw new FatbinException(FatbinError.InvalidImage, $"truncated fatbin container header at offset {position}");
            }
            var header = image[(int)position..];
            var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (magic != ContainerMagic)
            {
                if (containerIndex > 0 && !header.ContainsAnyExcept((byte)0))
                    break;
                throw new FatbinException(FatbinError.InvalidImage, $"bad fatbin container magic 0x{magic:X8} at offset {position}");
            }
            var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
            var bodySize = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            var remaining = image.Length - position;
            if (headerSize < ContainerHeaderSize || headerSize > remaining || bodySize > (ulong)(remaining - headerSize))
                throw new FatbinException(FatbinError.InvalidImage, $"fatbin container at offset {position} is truncated or corrupt");

            var entryPosition = position + headerSize;
            var end = entryPosition + (long)bodySize;
            while (entryPosition < end)
            {
                entries.Add(ReadEntry(image, entryPosition, end, containerIndex, out var next));
                entryPosition = next;
            }

            containerIndex++;
            position = (end + 7) & ~7L;
        }
        if (containerIndex == 0)
            throw new FatbinException(FatbinError.InvalidImage, "empty fatbin image");
        return entries;
    }

    private static FatbinEntry ReadEntry(ReadOnlySpan<byte> image, long position, long containerEnd, int containerIndex, out long next)
    {
        if (containerEnd - position < MinimumEntryHeaderSize)
            throw new FatbinException(FatbinError.InvalidImage, $"truncated fatbin entry header at offset {position}");
        var header = image.Slice((int)position, MinimumEntryHeaderSize);
        var kind = BinaryPrimitives.ReadUInt16LittleEndian(header);
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        var payloadSize = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        var compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header[0x10..]);
        var minor = BinaryPrimitives.ReadUInt16LittleEndian(header[0x18..]);
        var major = BinaryPrimitives.ReadUInt16LittleEndian(header[0x1A..]);
        var arch = BinaryPrimitives.ReadUInt32LittleEndian(header[0x1C..]);
        var flags = BinaryPrimitives.ReadUInt64LittleEndian(header[0x28..]);
        var decompressedSize = BinaryPrimitives.ReadUInt64LittleEndian(header[0x38..]);

        if (headerSize < MinimumEntryHeaderSize || headerSize > containerEnd - position
            || payloadSize > (ulong)(containerEnd - position - headerSize) || compressedSize > payloadSize)
            throw new FatbinException(FatbinError.InvalidImage, $"fatbin entry at offset {position} is truncated or corrupt");
        if (arch > 10_000 || decompressedSize > int.MaxValue)
            throw new FatbinException(FatbinError.InvalidImage, $"fatbin entry at offset {position} has an implausible arch or size");

        var compression = (flags & FatbinEntry.ZstdFlag) != 0 ? FatbinCompression.Zstd
            : (flags & FatbinEntry.Lz4Flag) != 0 ? FatbinCompression.Lz4Block
            : FatbinCompression.None;
        next = position + headerSize + (long)payloadSize;
        return new FatbinEntry
        {
            Kind = (FatbinEntryKind)kind, Arch = (int)arch, VersionMajor = major, VersionMinor = minor, Flags = flags,
            Compression = compression, ContainerIndex = containerIndex, HeaderOffset = position, HeaderSize = (int)headerSize,
            PayloadOffset = position + headerSize, PayloadSize = (long)payloadSize, CompressedSize = compressedSize,
            DecompressedSize = (long)decompressedSize,
        };
    }

    private static FatbinEntry ElfEntry(long length) => new()
    {
        Kind = FatbinEntryKind.Elf, Arch = 0, VersionMajor = 0, VersionMinor = 0, Flags = 0, Compression = FatbinCompression.None,
        ContainerIndex = 0, HeaderOffset = 0, HeaderSize = 0, PayloadOffset = 0, PayloadSize = length, CompressedSize = 0, DecompressedSize = 0,
    };

    /// <summary>Raw PTX is always a candidate: the driver JIT-compiles it for whatever device loads it.</summary>
    private static FatbinEntry PtxTextEntry(ReadOnlySpan<byte> text) => new()
    {
        Kind = FatbinEntryKind.Ptx, Arch = 0, VersionMajor = 0, VersionMinor = 0, Flags = 0, Compression = FatbinCompression.None,
        ContainerIndex = 0, HeaderOffset = 0, HeaderSize = 0, PayloadOffset = 0, PayloadSize = text.Length, CompressedSize = 0, DecompressedSize = 0,
    };

    /// <summary>PTX is ASCII text; its first significant token is a directive or a comment.</summary>
    private static bool LooksLikePtx(ReadOnlySpan<byte> image)
    {
        var trimmed = image.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && (trimmed[0] == (byte)'.' || trimmed.StartsWith("//"u8) || trimmed.StartsWith("/*"u8));
    }

    private sealed unsafe class NativeMemory(byte* pointer, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
