using System.Collections.Concurrent;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Compiled;

/// <summary>
/// Diagnostic: with <c>CUEMU_ENGINE_PROFILE=&lt;file&gt;</c>, counts warp-instructions of compiled kernels that ran
/// on the interpreter's semantics, per instruction form, and writes the table to the file at process exit —
/// the list of forms worth specialising next. Off by default (one static read per interpreted instruction).
/// </summary>
static class InterpretedProfile
{
    static readonly string? target = Environment.GetEnvironmentVariable("CUEMU_ENGINE_PROFILE");
    static readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public static bool Enabled => target is not null;

    static InterpretedProfile()
    {
        if (target is not null) AppDomain.CurrentDomain.ProcessExit += (_, _) => Write();
    }

    static long total;

    public static void Count(Instruction instruction)
    {
        string form = FormOf(instruction);
        counts.AddOrUpdate(form, 1, (_, count) => count + 1);
        // Programs hosting the runtime natively often leave through exit() without ProcessExit: write as we go.
        if (Interlocked.Increment(ref total) % 200_000 == 0) Write();
    }

    /// <summary>The instruction's name with the decoded details that select a specialisation ("add.f32 ftz", "mov.b32 {v}").</summary>
    public static string FormOf(Instruction instruction)
    {
        var words = instruction.Text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        int first = words.Length > 1 && words[0].StartsWith('@') ? 1 : 0;
        var form = new System.Text.StringBuilder(words.Length > first ? words[first] : instruction.Opcode.ToString());
        if (instruction.Space != StateSpace.Generic) form.Append(' ').Append(instruction.Space.ToString().ToLowerInvariant());
        if (instruction.VectorWidth > 1) form.Append(" v").Append(instruction.VectorWidth);
        if (instruction.Ftz) form.Append(" ftz");
        if (instruction.Saturate) form.Append(" sat");
        if (instruction.Approximate) form.Append(" approx");
        if (instruction.HasRounding) form.Append(' ').Append(instruction.Rounding);
        if (instruction.Wide) form.Append(" wide");
        if (instruction.Hi) form.Append(" hi");
        foreach (var operand in instruction.Operands)
        {
            if (operand.Kind == OperandKind.Vector) form.Append(" {v}");
            else if (operand.Negated) form.Append(" !p");
            else if (operand.Kind == OperandKind.Discard) form.Append(" _");
            else if (operand.Kind == OperandKind.Address && operand.Base == AddressBase.GlobalSymbol) form.Append(" [global symbol]");
        }
        return form.ToString();
    }

    static readonly object writing = new();

    static void Write()
    {
        try
        {
            var lines = counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => $"{pair.Value}\t{pair.Key}");
            lock (writing) File.WriteAllLines(target!, lines);
        }
        catch (IOException)
        {
            // A diagnostic must not fail the program that is exiting.
        }
    }
}
