namespace Cuemu.Tools.ModelGen.Gguf;

/// <summary>
/// One metadata entry, kept as the exact bytes of its encoded value so that entries read from one file
/// (a tokenizer) are written to another unchanged, whatever their type.
/// </summary>
public sealed record GgufMetadataEntry(string Key, GgufValueType Type, byte[] EncodedValue)
{
    public static GgufMetadataEntry UInt32(string key, uint value) =>
        new(key, GgufValueType.UInt32, BitConverter.GetBytes(value));

    public static GgufMetadataEntry Float32(string key, float value) =>
        new(key, GgufValueType.Float32, BitConverter.GetBytes(value));

    public static GgufMetadataEntry String(string key, string value)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(value);
        var encoded = new byte[sizeof(ulong) + text.Length];
        BitConverter.TryWriteBytes(encoded, (ulong)text.Length);
        text.CopyTo(encoded, sizeof(ulong));
        return new(key, GgufValueType.String, encoded);
    }
}
