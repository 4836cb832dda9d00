using System.Buffers.Binary;
using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine.Differential;

/// <summary>What one tier left behind after a launch: its result, every allocation's bytes and its printf output.</summary>
public sealed record LaunchOutcome(EngineTier Tier, LaunchResult Result, IReadOnlyList<AllocationSnapshot> Memory, IReadOnlyList<string> Printed);

/// <summary>
/// Compares the compiled tier's outcome of a launch with the reference interpreter's, bit for bit, as far as the
/// reference engine's contract defines the outcome:
/// <list type="bullet">
/// <item>Status always. When the statuses differ nothing else is compared (the rest follows from the status).</item>
/// <item><see cref="LaunchStatus.Success"/> and <see cref="LaunchStatus.InvalidConfiguration"/> (rejected before any
/// thread ran): thread-instruction count, printf output (texts and order) and every allocation's bytes.</item>
/// <item>Kernel faults (illegal/misaligned address, trap, illegal instruction): the faulting block, thread and PTX
/// line, which are defined as the first fault in serial order (blocks x fastest, warps, lanes). Memory, printf and
/// the instruction count are not compared: the reference stops inside the faulting block, so its memory holds the
/// effects of earlier blocks plus a prefix of the faulting one, while a tier that runs blocks in parallel may
/// already have run later blocks; CUDA leaves memory after a faulting launch undefined, and the context is dead.</item>
/// <item><see cref="LaunchStatus.LaunchTimeout"/>: status only (where a budget runs out depends on how work is counted
/// in flight).</item>
/// </list>
/// </summary>
public static class DifferentialComparison
{
    /// <summary>True for outcomes whose memory, printf output and instruction count are fully defined.</summary>
    public static bool IsFullyDefined(LaunchStatus status) => status is LaunchStatus.Success or LaunchStatus.InvalidConfiguration;

    /// <summary>
    /// Every difference between the two outcomes, as lines for a failure message (empty when they agree).
    /// <paramref name="explainByte"/> may say what a byte offset of an allocation means (e.g. which thread wrote it).
    /// </summary>
    public static IReadOnlyList<string> Differences(LaunchOutcome reference, LaunchOutcome compiled, Func<DeviceAllocation, int, string?>? explainByte = null)
    {
        var differences = new List<string>();
        LaunchResult r = reference.Result, c = compiled.Result;
        if (r.Status != c.Status)
        {
            differences.Add($"status: reference {r.Status}, compiled {c.Status}\n    reference: {r}\n    compiled:  {c}");
            return differences;
        }

        if (IsFullyDefined(r.Status))
        {
            if (r.ThreadInstructions != c.ThreadInstructions)
                differences.Add($"thread-instructions: reference {r.ThreadInstructions}, compiled {c.ThreadInstructions}");
            ComparePrintf(reference.Printed, compiled.Printed, differences);
            CompareMemory(reference.Memory, compiled.Memory, explainByte, differences);
        }
        else if (r.Status != LaunchStatus.LaunchTimeout)
        {
            if (r.FaultBlock != c.FaultBlock) differences.Add($"fault block: reference {r.FaultBlock}, compiled {c.FaultBlock}");
            if (r.FaultThread != c.FaultThread) differences.Add($"fault thread: reference {r.FaultThread}, compiled {c.FaultThread}");
            if (r.FaultLine != c.FaultLine) differences.Add($"fault PTX line: reference {r.FaultLine}, compiled {c.FaultLine}");
            if (differences.Count > 0)
                differences.Add($"    reference: {r}\n    compiled:  {c}");
        }
        return differences;
    }

    static void ComparePrintf(IReadOnlyList<string> reference, IReadOnlyList<string> compiled, List<string> differences)
    {
        int common = Math.Min(reference.Count, compiled.Count);
        for (int i = 0; i < common; i++)
        {
            if (reference[i] == compiled[i]) continue;
            differences.Add($"printf call {i}: reference \"{Escape(reference[i])}\", compiled \"{Escape(compiled[i])}\"");
            return;
        }
        if (reference.Count != compiled.Count)
        {
            var (longer, name) = reference.Count > compiled.Count ? (reference, "reference") : (compiled, "compiled");
            differences.Add($"printf calls: reference {reference.Count}, compiled {compiled.Count}; first extra ({name}): \"{Escape(longer[common])}\"");
        }
    }

    static void CompareMemory(IReadOnlyList<AllocationSnapshot> reference, IReadOnlyList<AllocationSnapshot> compiled,
        Func<DeviceAllocation, int, string?>? explainByte, List<string> differences)
    {
        if (reference.Count != compiled.Count)
        {
            differences.Add($"allocation count: reference {reference.Count}, compiled {compiled.Count}");
            return;
        }
        for (int i = 0; i < reference.Count; i++)
        {
            var (allocation, expected) = reference[i];
            var actual = compiled[i].Bytes;
            if (compiled[i].Allocation != allocation || actual.Length != expected.Length)
            {
                differences.Add($"allocation #{i}: reference {allocation}, compiled {compiled[i].Allocation}");
                continue;
            }
            int first = expected.AsSpan().CommonPrefixLength(actual);
            if (first == expected.Length) continue;
            int count = 0;
            for (int b = first; b < expected.Length; b++)
                if (expected[b] != actual[b]) count++;
            int word = first & ~7;
            string detail = explainByte?.Invoke(allocation, first) is { } explanation ? $" ({explanation})" : "";
            differences.Add($"{allocation}: {count} byte(s) differ, first at byte {first}{detail}: " +
                $"reference 0x{expected[first]:x2}, compiled 0x{actual[first]:x2}; little-endian 8-byte word at byte {word}: " +
                $"reference {Word(expected, word)}, compiled {Word(actual, word)}");
        }
    }

    static string Word(byte[] bytes, int offset)
    {
        int length = Math.Min(8, bytes.Length - offset);
        if (length == 8) return $"0x{BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset)):x16}";
        return "bytes " + string.Join(" ", bytes.Skip(offset).Take(length).Select(b => b.ToString("x2")));
    }

    static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\t", "\\t");
}
