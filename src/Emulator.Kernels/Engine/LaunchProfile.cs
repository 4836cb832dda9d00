using System.Collections.Concurrent;
using System.Diagnostics;

namespace Emulator.Kernels.Engine;

/// <summary>
/// Diagnostic: with <c>CUEMU_LAUNCH_PROFILE=&lt;file&gt;</c>, accumulates per kernel the launches, thread-instructions
/// and host time spent, and rewrites the table (slowest first) to the file as it goes. Host time is only ever
/// reported here, never fed back into results or the virtual clock.
/// </summary>
public static class LaunchProfile
{
    static readonly string? target = Environment.GetEnvironmentVariable("CUEMU_LAUNCH_PROFILE");
    static readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    static readonly object writing = new();
    static long launches;

    sealed class Entry
    {
        public long Launches, ThreadInstructions, Ticks;
    }

    public static bool Enabled => target is not null;

    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    public static void Stop(long start, string kernel, long threadInstructions)
    {
        if (!Enabled) return;
        long elapsed = Stopwatch.GetTimestamp() - start;
        var entry = entries.GetOrAdd(kernel, _ => new Entry());
        Interlocked.Increment(ref entry.Launches);
        Interlocked.Add(ref entry.ThreadInstructions, threadInstructions);
        Interlocked.Add(ref entry.Ticks, elapsed);
        if (Interlocked.Increment(ref launches) % 200 == 0) Write();
    }

    public static void Write()
    {
        if (!Enabled) return;
        try
        {
            var rows = entries.Select(pair => (Name: pair.Key, pair.Value.Launches, pair.Value.ThreadInstructions, Ms: pair.Value.Ticks * 1000.0 / Stopwatch.Frequency))
                .OrderByDescending(row => row.Ms).ThenBy(row => row.Name, StringComparer.Ordinal)
                .Select(row => $"{row.Ms,10:F1} ms {row.Launches,8} launches {row.ThreadInstructions,14} thread-instr {row.ThreadInstructions / Math.Max(row.Ms, 1e-3) / 1e3,8:F0} M/s  {row.Name}");
            lock (writing) File.WriteAllLines(target!, rows);
        }
        catch (IOException)
        {
            // A diagnostic must not fail the launch.
        }
    }
}
