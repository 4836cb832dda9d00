namespace Emulator.Driver.Devices;

/// <summary>
/// <c>CUDA_VISIBLE_DEVICES</c> as NVIDIA's driver reads it: a comma-separated list of device indices or UUID
/// prefixes (<c>GPU-3f2a…</c>); the listed devices become ordinals 0, 1, … in list order. Parsing stops at the first
/// entry that is malformed, out of range, ambiguous or a repeat — the devices listed before it stay visible.
/// Unset means every device; set but empty means none.
/// </summary>
public static class VisibleDevices
{
    /// <param name="setting">The variable's value, or null when unset.</param>
    /// <param name="uuids">The <c>GPU-…</c> UUID of each physical device, by physical index.</param>
    /// <returns>Physical indices in ordinal order.</returns>
    public static IReadOnlyList<int> Select(string? setting, IReadOnlyList<string> uuids)
    {
        if (setting is null) return Enumerable.Range(0, uuids.Count).ToArray();

        var selected = new List<int>();
        foreach (var rawEntry in setting.Split(','))
        {
            var entry = rawEntry.Trim();
            var physical = ResolveEntry(entry, uuids);
            if (physical is not int index || selected.Contains(index)) break;
            selected.Add(index);
        }
        return selected;
    }

    private static int? ResolveEntry(string entry, IReadOnlyList<string> uuids)
    {
        if (entry.Length == 0) return null;
        if (char.IsAsciiDigit(entry[0]) || entry[0] is '+' or '-')
            return int.TryParse(entry, System.Globalization.NumberStyles.AllowLeadingSign, null, out var index) && index >= 0 && index < uuids.Count
                ? index
                : null;

        if (!entry.StartsWith("GPU-", StringComparison.OrdinalIgnoreCase)) return null;
        int? match = null;
        for (var i = 0; i < uuids.Count; i++)
        {
            if (!uuids[i].StartsWith(entry, StringComparison.OrdinalIgnoreCase)) continue;
            if (match is not null) return null; // ambiguous prefix
            match = i;
        }
        return match;
    }
}
