using System.Buffers.Binary;
using Cuemu.Tools.ModelGen.Gguf;

namespace Cuemu.Tools.ModelGen;

/// <summary>
/// Encodes float rows into ggml's storage formats exactly as ggml's reference quantisers do
/// (quantize_row_q8_0_ref / quantize_row_q4_0_ref, which llama-quantize uses without an importance
/// matrix), so a model written here is byte-identical to one ggml itself would have produced.
/// </summary>
public static class Quantization
{
    public const int BlockSize = 32;       // QK8_0 == QK4_0 == 32 values per block
    public const int Q8_0BlockBytes = 34;  // fp16 scale + 32 × int8
    public const int Q4_0BlockBytes = 18;  // fp16 scale + 16 bytes of packed nibbles

    public static byte[] Encode(ReadOnlySpan<float> values, GgmlType type) => type switch
    {
        GgmlType.F32 => EncodeF32(values),
        GgmlType.F16 => EncodeF16(values),
        GgmlType.Q8_0 => EncodeQ8_0(values),
        GgmlType.Q4_0 => EncodeQ4_0(values),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported tensor type"),
    };

    public static byte[] EncodeF32(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return bytes;
    }

    /// <summary>IEEE binary16 with round-to-nearest-even, as ggml's fp32→fp16 conversion.</summary>
    public static byte[] EncodeF16(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        return bytes;
    }

    /// <summary>Per block: scale d = max|x| / 127, q = round-half-away-from-zero(x / d).</summary>
    public static byte[] EncodeQ8_0(ReadOnlySpan<float> values)
    {
        var blocks = BlockCount(values.Length);
        var bytes = new byte[blocks * Q8_0BlockBytes];
        for (var b = 0; b < blocks; b++)
        {
            var block = values.Slice(b * BlockSize, BlockSize);
            var output = bytes.AsSpan(b * Q8_0BlockBytes, Q8_0BlockBytes);

            var absoluteMax = 0f;
            foreach (var v in block)
                absoluteMax = MathF.Max(absoluteMax, MathF.Abs(v));

            var scale = absoluteMax / 127f;
            var inverseScale = scale != 0f ? 1f / scale : 0f;
            BinaryPrimitives.WriteHalfLittleEndian(output, (Half)scale);
            for (var j = 0; j < BlockSize; j++)
                output[2 + j] = unchecked((byte)(sbyte)MathF.Round(block[j] * inverseScale, MidpointRounding.AwayFromZero));
        }
        return bytes;
    }

    /// <summary>
    /// Per block: the signed value of largest magnitude maps to -8, d = that value / -8, and each x is
    /// stored as min(15, trunc(x / d + 8.5)); value j sits in the low nibble of byte j, value j + 16 in its
    /// high nibble.
    /// </summary>
    public static byte[] EncodeQ4_0(ReadOnlySpan<float> values)
    {
        var blocks = BlockCount(values.Length);
        var bytes = new byte[blocks * Q4_0BlockBytes];
        for (var b = 0; b < blocks; b++)
        {
            var block = values.Slice(b * BlockSize, BlockSize);
            var output = bytes.AsSpan(b * Q4_0BlockBytes, Q4_0BlockBytes);

            // The first value of largest magnitude wins ties, keeping its sign.
            var absoluteMax = 0f;
            var signedMax = 0f;
            foreach (var v in block)
            {
                if (absoluteMax < MathF.Abs(v))
                {
                    absoluteMax = MathF.Abs(v);
                    signedMax = v;
                }
            }

            var scale = signedMax / -8f;
            var inverseScale = scale != 0f ? 1f / scale : 0f;
            BinaryPrimitives.WriteHalfLittleEndian(output, (Half)scale);
            for (var j = 0; j < BlockSize / 2; j++)
            {
                var low = Nibble(block[j] * inverseScale);
                var high = Nibble(block[j + BlockSize / 2] * inverseScale);
                output[2 + j] = (byte)(low | (high << 4));
            }
        }
        return bytes;
    }

    /// <summary>Bytes of one row of <paramref name="rowLength"/> values stored as <paramref name="type"/>.</summary>
    public static long RowBytes(GgmlType type, long rowLength) => type switch
    {
        GgmlType.F32 => rowLength * 4,
        GgmlType.F16 => rowLength * 2,
        GgmlType.Q8_0 => rowLength / BlockSize * Q8_0BlockBytes,
        GgmlType.Q4_0 => rowLength / BlockSize * Q4_0BlockBytes,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported tensor type"),
    };

    private static int BlockCount(int length)
    {
        if (length % BlockSize != 0)
            throw new ArgumentException($"{length} values do not fill whole {BlockSize}-value blocks");
        return length / BlockSize;
    }

    // (int8_t)(x + 8.5f) truncates toward zero; x ≥ -8 by construction, so the sum is positive.
    private static int Nibble(float scaled) => Math.Min(15, (int)(sbyte)(scaled + 8.5f));
}
