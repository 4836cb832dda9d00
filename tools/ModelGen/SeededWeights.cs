namespace Cuemu.Tools.ModelGen;

/// <summary>
/// Deterministic random weights: every tensor draws from its own SplitMix64 stream, seeded from the model
/// seed and the tensor's name, so a tensor's values do not depend on which other tensors exist, on their
/// order or on the storage type. Values are uniform and built from integer arithmetic and exact float
/// operations only (no libm), so every machine and .NET version produces the same bits.
/// </summary>
public static class SeededWeights
{
    /// <summary>Fills <paramref name="values"/> with uniform values in [center - halfWidth, center + halfWidth).</summary>
    public static void Fill(Span<float> values, ulong modelSeed, string tensorName, float center, float halfWidth)
    {
        var state = modelSeed ^ Fnv1a64(tensorName);
        for (var i = 0; i < values.Length; i++)
        {
            // 24 random bits give every float in [0, 1) on a 2^-24 grid exactly.
            var unit = (NextSplitMix64(ref state) >> 40) * (1f / (1 << 24));
            values[i] = center + (2f * unit - 1f) * halfWidth;
        }
    }

    private static ulong NextSplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Fnv1a64(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }
}
