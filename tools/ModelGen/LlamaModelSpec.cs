using Cuemu.Tools.ModelGen.Gguf;

namespace Cuemu.Tools.ModelGen;

/// <summary>Hyper-parameters of a generated llama-architecture model.</summary>
public sealed record LlamaModelSpec(
    string Name,
    int EmbeddingLength,
    int BlockCount,
    int FeedForwardLength,
    int HeadCount,
    int KeyValueHeadCount,
    int ContextLength,
    ulong Seed)
{
    /// <summary>
    /// ~8.5M parameters, most in the vocabulary matrices: small enough for an emulated GPU to run a prompt
    /// in seconds, with head size 64 (a FLASH_ATTN_EXT size the CUDA backend has kernels for) and grouped
    /// query attention (2 query heads per KV head).
    /// </summary>
    public static readonly LlamaModelSpec Tiny = new("tiny", EmbeddingLength: 128, BlockCount: 2,
        FeedForwardLength: 256, HeadCount: 2, KeyValueHeadCount: 1, ContextLength: 2048, Seed: 0x5EED0001);

    /// <summary>~100M parameters (99.6M with the 32,000-token vocabulary), head size 64, GQA 3:1.</summary>
    public static readonly LlamaModelSpec Small100M = new("small100m", EmbeddingLength: 768, BlockCount: 8,
        FeedForwardLength: 2048, HeadCount: 12, KeyValueHeadCount: 4, ContextLength: 2048, Seed: 0x5EED0100);

    public static readonly IReadOnlyList<LlamaModelSpec> All = [Tiny, Small100M];

    public int HeadSize => EmbeddingLength / HeadCount;

    /// <summary>The model's tensors in llama.cpp's naming, ggml shape order (input dimension first).</summary>
    public IEnumerable<TensorSpec> Tensors(int vocabularySize)
    {
        var keyValueWidth = HeadSize * KeyValueHeadCount;
        yield return TensorSpec.Embedding("token_embd.weight", EmbeddingLength, vocabularySize);
        for (var block = 0; block < BlockCount; block++)
        {
            var prefix = $"blk.{block}.";
            yield return TensorSpec.Norm(prefix + "attn_norm.weight", EmbeddingLength);
            yield return TensorSpec.Projection(prefix + "attn_q.weight", EmbeddingLength, EmbeddingLength);
            yield return TensorSpec.Projection(prefix + "attn_k.weight", EmbeddingLength, keyValueWidth);
            yield return TensorSpec.Projection(prefix + "attn_v.weight", EmbeddingLength, keyValueWidth);
            yield return TensorSpec.Projection(prefix + "attn_output.weight", EmbeddingLength, EmbeddingLength);
            yield return TensorSpec.Norm(prefix + "ffn_norm.weight", EmbeddingLength);
            yield return TensorSpec.Projection(prefix + "ffn_gate.weight", EmbeddingLength, FeedForwardLength);
            yield return TensorSpec.Projection(prefix + "ffn_up.weight", EmbeddingLength, FeedForwardLength);
            yield return TensorSpec.Projection(prefix + "ffn_down.weight", FeedForwardLength, EmbeddingLength);
        }
        yield return TensorSpec.Norm("output_norm.weight", EmbeddingLength);
        yield return TensorSpec.Output("output.weight", EmbeddingLength, vocabularySize);
    }

    public IEnumerable<GgufMetadataEntry> ArchitectureMetadata(int vocabularySize, GgmlType weightType)
    {
        yield return GgufMetadataEntry.String("general.architecture", "llama");
        yield return GgufMetadataEntry.String("general.name", $"cuemu-{Name}");
        yield return GgufMetadataEntry.UInt32("general.file_type", LlamaFileType(weightType));
        yield return GgufMetadataEntry.UInt32("llama.vocab_size", (uint)vocabularySize);
        yield return GgufMetadataEntry.UInt32("llama.context_length", (uint)ContextLength);
        yield return GgufMetadataEntry.UInt32("llama.embedding_length", (uint)EmbeddingLength);
        yield return GgufMetadataEntry.UInt32("llama.block_count", (uint)BlockCount);
        yield return GgufMetadataEntry.UInt32("llama.feed_forward_length", (uint)FeedForwardLength);
        yield return GgufMetadataEntry.UInt32("llama.attention.head_count", (uint)HeadCount);
        yield return GgufMetadataEntry.UInt32("llama.attention.head_count_kv", (uint)KeyValueHeadCount);
        yield return GgufMetadataEntry.UInt32("llama.rope.dimension_count", (uint)HeadSize);
        yield return GgufMetadataEntry.Float32("llama.rope.freq_base", 10000f);
        yield return GgufMetadataEntry.Float32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    }

    // llama.h enum llama_ftype: the "mostly" type of the file's weight matrices.
    private static uint LlamaFileType(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1,
        GgmlType.Q4_0 => 2,
        GgmlType.Q8_0 => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(weightType), weightType, "unsupported weight type"),
    };
}

/// <summary>
/// One tensor: name, ggml shape, whether it is a weight matrix (stored in the model's weight type) or a
/// norm vector (always F32, as llama.cpp expects), and the range its random values are drawn from.
/// </summary>
public sealed record TensorSpec(string Name, long[] Shape, bool IsMatrix, float Center, float HalfWidth)
{
    public long ElementCount => Shape.Aggregate(1L, (product, extent) => product * extent);

    public GgmlType StorageType(GgmlType weightType) => IsMatrix ? weightType : GgmlType.F32;

    // Uniform on [-a, a] has standard deviation a/√3: a = √3/√fan_in keeps activations at unit scale.
    private static float UnitVarianceHalfWidth(int fanIn) => MathF.Sqrt(3f / fanIn);

    public static TensorSpec Embedding(string name, int width, int vocabularySize) =>
        new(name, [width, vocabularySize], IsMatrix: true, Center: 0f, HalfWidth: 1f);

    public static TensorSpec Projection(string name, int inputs, int outputs) =>
        new(name, [inputs, outputs], IsMatrix: true, Center: 0f, HalfWidth: UnitVarianceHalfWidth(inputs));

    /// <summary>
    /// Logits with a standard deviation of about 4 make the greedy choice clear-cut: near-ties between the
    /// top two tokens would let rounding differences between backends flip a token.
    /// </summary>
    public static TensorSpec Output(string name, int inputs, int vocabularySize) =>
        new(name, [inputs, vocabularySize], IsMatrix: true, Center: 0f, HalfWidth: 4f * UnitVarianceHalfWidth(inputs));

    public static TensorSpec Norm(string name, int width) =>
        new(name, [width], IsMatrix: false, Center: 1f, HalfWidth: 0.1f);
}
