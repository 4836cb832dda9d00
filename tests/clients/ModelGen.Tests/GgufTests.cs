using System.Buffers.Binary;
using System.Text;
using Cuemu.Tools.ModelGen;
using Cuemu.Tools.ModelGen.Gguf;

namespace Cuemu.Tools.ModelGen.Tests;

public sealed class GgufTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("cuemu-modelgen-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Metadata_round_trips_byte_for_byte_including_string_arrays()
    {
        var tokens = StringArray("<unk>", "<s>", "▁hello");
        var metadata = new[]
        {
            GgufMetadataEntry.String("general.architecture", "llama"),
            GgufMetadataEntry.UInt32("llama.block_count", 2),
            GgufMetadataEntry.Float32("llama.rope.freq_base", 10000f),
            new GgufMetadataEntry("tokenizer.ggml.tokens", GgufValueType.Array, tokens),
        };
        var path = Path.Combine(folder, "roundtrip.gguf");
        GgufWriter.Write(path, metadata, [new GgufTensor("t", [32], GgmlType.F32, new byte[128])]);

        var read = GgufReader.ReadMetadata(path);
        read.Select(entry => entry.Key).ShouldBe(metadata.Select(entry => entry.Key));
        for (var i = 0; i < metadata.Length; i++)
        {
            read[i].Type.ShouldBe(metadata[i].Type);
            read[i].EncodedValue.ShouldBe(metadata[i].EncodedValue);
        }
        GgufReader.ArrayLength(read[3]).ShouldBe(3UL);
    }

    [Fact]
    public void Tensor_infos_and_data_follow_the_gguf_v3_layout()
    {
        var first = Enumerable.Range(1, 40).Select(i => (byte)i).ToArray();   // 40 bytes: next offset 64
        var second = Enumerable.Repeat((byte)0xAB, 34).ToArray();
        var path = Path.Combine(folder, "layout.gguf");
        GgufWriter.Write(path, [GgufMetadataEntry.UInt32("k", 7)],
            [new GgufTensor("a", [10], GgmlType.F32, first), new GgufTensor("bb", [32, 1], GgmlType.Q8_0, second)]);

        var file = File.ReadAllBytes(path);
        Encoding.ASCII.GetString(file, 0, 4).ShouldBe("GGUF");
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4)).ShouldBe(3u);
        BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(8)).ShouldBe(2UL);   // tensors
        BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(16)).ShouldBe(1UL);  // metadata entries

        // header 24 + entry (8 + 1 + 4 + 4) = 41; tensor "a": 8 + 1 + 4 + 8 + 4 + 8 = 33 → 74;
        // tensor "bb": 8 + 2 + 4 + 16 + 4 + 8 = 42 → 116; data starts at the next multiple of 32: 128.
        var infoB = 74;
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(infoB + 10)).ShouldBe(2u);             // n_dims
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(infoB + 30)).ShouldBe((uint)GgmlType.Q8_0);
        BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(infoB + 34)).ShouldBe(64UL);            // aligned offset
        file.AsSpan(128, 40).ToArray().ShouldBe(first);
        file.AsSpan(128 + 64, 34).ToArray().ShouldBe(second);
        (file.Length % GgufWriter.Alignment).ShouldBe(0);
    }

    [Fact]
    public void Reading_a_file_that_is_not_gguf_is_refused()
    {
        var path = Path.Combine(folder, "not.gguf");
        File.WriteAllBytes(path, new byte[64]);
        Should.Throw<InvalidDataException>(() => GgufReader.ReadMetadata(path));
    }

    private static byte[] StringArray(params string[] items)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write((uint)GgufValueType.String);
        writer.Write((ulong)items.Length);
        foreach (var item in items)
        {
            var bytes = Encoding.UTF8.GetBytes(item);
            writer.Write((ulong)bytes.Length);
            writer.Write(bytes);
        }
        writer.Flush();
        return stream.ToArray();
    }
}

public class SeededWeightsTests
{
    [Fact]
    public void A_tensor_gets_the_same_values_every_time_and_other_tensors_get_different_ones()
    {
        float[] Draw(string name, ulong seed)
        {
            var values = new float[1000];
            SeededWeights.Fill(values, seed, name, 0f, 1f);
            return values;
        }

        Draw("blk.0.attn_q.weight", 1).ShouldBe(Draw("blk.0.attn_q.weight", 1));
        Draw("blk.0.attn_q.weight", 1).ShouldNotBe(Draw("blk.0.attn_k.weight", 1));
        Draw("blk.0.attn_q.weight", 1).ShouldNotBe(Draw("blk.0.attn_q.weight", 2));
    }

    [Fact]
    public void Values_lie_in_the_requested_range_and_fill_it()
    {
        var values = new float[100_000];
        SeededWeights.Fill(values, 7, "norm", center: 1f, halfWidth: 0.1f);
        values.Min().ShouldBeGreaterThanOrEqualTo(0.9f);
        values.Max().ShouldBeLessThan(1.1f);
        values.Min().ShouldBeLessThan(0.901f);
        values.Max().ShouldBeGreaterThan(1.099f);
        values.Average(v => (double)v).ShouldBe(1.0, tolerance: 0.002);
    }

    [Fact]
    public void The_hundred_million_model_has_about_a_hundred_million_parameters()
    {
        var parameters = LlamaModelSpec.Small100M.Tensors(32000).Sum(tensor => tensor.ElementCount);
        parameters.ShouldBe(99_496_704);
        LlamaModelSpec.Tiny.Tensors(32000).Sum(tensor => tensor.ElementCount).ShouldBe(8_487_552);
    }
}
