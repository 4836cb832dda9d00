using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Emulator.Kernels.Fatbin;
using static Emulator.Tests.Kernels.Fatbin.FatbinBuilder;

namespace Emulator.Tests.Kernels.Fatbin;

public sealed class FatbinImageTests
{
    private static string SmallPtx(int arch) =>
        $".version 8.4\n.target sm_{arch}\n.address_size 64\n.visible .entry k_{arch}(.param .u64 out)\n{{\n.reg .b64 %rd<2>;\nld.param.u64 %rd1, [out];\nret;\n}}\n";

    [Theory]
    [InlineData(Compression.None)]
    [InlineData(Compression.Lz4)]
    [InlineData(Compression.Zstd)]
    public void Reads_ptx_entries_in_every_encoding(Compression compression)
    {
        var container = Container(
            new Entry(1, 75, PtxBytes(SmallPtx(75)), compression),
            new Entry(2, 86, [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 0, 0], HeaderSize: 64),
            new Entry(1, 80, PtxBytes(SmallPtx(80)), compression, HeaderSize: 88));

        var image = FatbinImage.Index(container);

        image.Format.ShouldBe(KernelImageFormat.FatbinContainer);
        image.Describe().ShouldBe("ptx compute_75, elf sm_86, ptx compute_80");
        image.ReadPtx(image.Entries[0]).ShouldBe(SmallPtx(75));
        image.ReadPtx(image.Entries[2]).ShouldBe(SmallPtx(80));
        image.Entries[2].HeaderSize.ShouldBe(88);
    }

    [Theory]
    [InlineData(Compression.Lz4)]
    [InlineData(Compression.Zstd)]
    public void Decompresses_when_the_writer_left_the_compressed_size_unrecorded(Compression compression)
    {
        // Large enough that the stream is unlikely to end 8-aligned, so padding follows it.
        var text = SmallPtx(80) + string.Concat(Enumerable.Range(0, 200).Select(i => $"// filler line {i * 7919 % 1000}\n"));
        var image = FatbinImage.Index(Container(new Entry(1, 80, PtxBytes(text), compression, RecordCompressedSize: false)));
        image.ReadPtx(image.Entries[0]).ShouldBe(text);
    }

    [Fact]
    public void Indexes_back_to_back_containers_and_ignores_trailing_zero_padding()
    {
        var first = Container(new Entry(1, 61, PtxBytes(SmallPtx(61)), Compression.Lz4));
        var second = Container(new Entry(1, 90, PtxBytes(SmallPtx(90)), Compression.Zstd));
        var bytes = Concatenate(first, second, new byte[5]);

        var image = FatbinImage.Index(bytes);

        image.Entries.Select(e => (e.Arch, e.ContainerIndex)).ShouldBe([(61, 0), (90, 1)]);
        image.ReadPtx(image.Entries[1]).ShouldBe(SmallPtx(90));
    }

    [Theory]
    [InlineData(90, 90)]
    [InlineData(89, 80)]
    [InlineData(80, 80)]
    [InlineData(86, 80)]
    [InlineData(120, 90)]
    [InlineData(75, 75)]
    public void Selects_the_highest_ptx_arch_not_above_the_device(int computeCapability, int expectedArch)
    {
        var image = FatbinImage.Index(Container(
            new Entry(1, 75, PtxBytes(SmallPtx(75))), new Entry(1, 80, PtxBytes(SmallPtx(80))),
            new Entry(2, 86, new byte[8], HeaderSize: 64), new Entry(1, 90, PtxBytes(SmallPtx(90)))));
        image.SelectPtx(computeCapability)!.Arch.ShouldBe(expectedArch);
        image.LoadModule(computeCapability).FindKernel($"k_{expectedArch}").ShouldNotBeNull();
    }

    [Fact]
    public void Without_a_fitting_ptx_loading_reports_no_binary_for_gpu()
    {
        // Build 13 at CC 6.1 (ANALYSIS.md §4): only compute_75+ PTX and an sm_61 cubin we cannot run.
        var image = FatbinImage.Index(Container(new Entry(2, 61, new byte[8], HeaderSize: 64), new Entry(1, 75, PtxBytes(SmallPtx(75)))));
        image.SelectPtx(61).ShouldBeNull();
        Should.Throw<FatbinException>(() => image.LoadModule(61)).Error.ShouldBe(FatbinError.NoBinaryForGpu);
    }

    [Fact]
    public void Loads_each_module_once()
    {
        var image = FatbinImage.Index(Container(new Entry(1, 80, PtxBytes(SmallPtx(80)), Compression.Zstd)));
        image.LoadModule(90).ShouldBeSameAs(image.LoadModule(80));
    }

    [Fact]
    public void Raw_ptx_text_is_one_always_eligible_entry()
    {
        var image = FatbinImage.Index(Encoding.ASCII.GetBytes(SmallPtx(52) + "\0"));
        image.Format.ShouldBe(KernelImageFormat.Ptx);
        image.LoadModule(50).FindKernel("k_52").ShouldNotBeNull();
    }

    [Fact]
    public void An_elf_cubin_is_listed_but_never_selected()
    {
        var elf = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(elf, ElfImage.Magic);
        var image = FatbinImage.Index(elf);
        image.Format.ShouldBe(KernelImageFormat.Elf);
        image.Entries.Single().Kind.ShouldBe(FatbinEntryKind.Elf);
        Should.Throw<FatbinException>(() => image.LoadModule(90)).Error.ShouldBe(FatbinError.NoBinaryForGpu);
    }

    [Fact]
    public unsafe void Reads_a_registered_wrapper_through_its_pointer()
    {
        var container = Container(new Entry(1, 80, PtxBytes(SmallPtx(80)), Compression.Lz4));
        var containerMemory = NativeMemory.Alloc((nuint)container.Length);
        var wrapper = (byte*)NativeMemory.Alloc(24);
        try
        {
            container.CopyTo(new Span<byte>(containerMemory, container.Length));
            *(uint*)wrapper = FatbinImage.WrapperMagic;
            *(uint*)(wrapper + 4) = 1;
            *(void**)(wrapper + 8) = containerMemory;
            *(ulong*)(wrapper + 16) = 0;

            var image = FatbinImage.FromNativePointer(wrapper, copy: true);

            image.Format.ShouldBe(KernelImageFormat.FatbinWrapper);
            image.ReadPtx(image.Entries.Single()).ShouldBe(SmallPtx(80));
        }
        finally
        {
            NativeMemory.Free(containerMemory);
            NativeMemory.Free(wrapper);
        }
    }

    [Fact]
    public unsafe void Reads_nul_terminated_ptx_through_its_pointer()
    {
        var bytes = Encoding.ASCII.GetBytes(SmallPtx(70) + "\0");
        fixed (byte* pointer = bytes)
        {
            var image = FatbinImage.FromNativePointer(pointer, copy: true);
            image.Format.ShouldBe(KernelImageFormat.Ptx);
            image.ReadPtx(image.Entries.Single()).ShouldBe(SmallPtx(70));
        }
    }

    [Fact]
    public void Every_truncation_of_a_container_is_rejected_as_an_invalid_image()
    {
        var container = Container(new Entry(1, 80, PtxBytes(SmallPtx(80)), Compression.Zstd), new Entry(1, 90, PtxBytes(SmallPtx(90)), Compression.Lz4));
        for (var length = 4; length < container.Length; length++)
        {
            var truncated = container[..length];
            Should.Throw<FatbinException>(() => FatbinImage.Index(truncated), $"length {length}").Error.ShouldBe(FatbinError.InvalidImage);
        }
    }

    [Fact]
    public void Garbage_is_rejected_as_an_invalid_image()
    {
        Should.Throw<FatbinException>(() => FatbinImage.Index(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })).Error.ShouldBe(FatbinError.InvalidImage);
        Should.Throw<FatbinException>(() => FatbinImage.Index(Array.Empty<byte>())).Error.ShouldBe(FatbinError.InvalidImage);
    }

    [Fact]
    public void Random_corruption_never_escapes_as_anything_but_a_fatbin_or_ptx_error()
    {
        var container = Container(new Entry(1, 80, PtxBytes(SmallPtx(80)), Compression.Zstd), new Entry(1, 90, PtxBytes(SmallPtx(90)), Compression.Lz4));
        var random = new Random(1234);
        for (var trial = 0; trial < 2000; trial++)
        {
            var corrupt = (byte[])container.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                corrupt[random.Next(corrupt.Length)] ^= (byte)random.Next(1, 256);
            try
            {
                var image = FatbinImage.Index(corrupt);
                foreach (var entry in image.Entries.Where(e => e.Kind == FatbinEntryKind.Ptx))
                    _ = image.LoadModule(entry.Arch);
            }
            catch (FatbinException)
            {
            }
            catch (Emulator.Kernels.Ptx.PtxException)
            {
            }
        }
    }

    [Fact]
    public void Corrupt_compressed_payload_is_an_invalid_image_when_read()
    {
        var container = Container(new Entry(1, 80, PtxBytes(SmallPtx(80)), Compression.Lz4));
        // An LZ4 token of 0xFF followed by 0xFF length bytes announces more literals than the stream holds.
        container.AsSpan(16 + 80, 16).Fill(0xFF);
        var image = FatbinImage.Index(container);
        Should.Throw<FatbinException>(() => image.ReadPtx(image.Entries[0])).Error.ShouldBe(FatbinError.InvalidImage);
    }
}
