using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine.Differential;

/// <summary>The comparison itself: it must find every kind of difference it promises to, and only those.</summary>
public class DifferentialComparisonTests
{
    static readonly DeviceAllocation Output = new(0, "output", 0x1000, 16);
    static readonly DeviceAllocation Table = new(1, "table", 0x2000, 4);

    static LaunchOutcome Outcome(EngineTier tier, LaunchResult result, byte[] output, byte[]? table = null, params string[] printed)
        => new(tier, result, [new AllocationSnapshot(Output, output), new AllocationSnapshot(Table, table ?? [1, 2, 3, 4])], printed);

    static readonly LaunchResult Ok = new(LaunchStatus.Success, 100, "k");
    static byte[] Bytes(params byte[] prefix) => [.. prefix, .. new byte[16 - prefix.Length]];

    [Fact]
    public void Identical_outcomes_have_no_differences()
    {
        var reference = Outcome(EngineTier.Reference, Ok, Bytes(1, 2, 3), null, "a\n", "b\n");
        var compiled = Outcome(EngineTier.Compiled, Ok with { }, Bytes(1, 2, 3), null, "a\n", "b\n");
        DifferentialComparison.Differences(reference, compiled).ShouldBeEmpty();
    }

    [Fact]
    public void A_memory_difference_names_the_allocation_first_byte_both_values_and_its_meaning()
    {
        var reference = Outcome(EngineTier.Reference, Ok, Bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb));
        var compiled = Outcome(EngineTier.Compiled, Ok, Bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xbb, 0, 0, 0, 7));
        var differences = DifferentialComparison.Differences(reference, compiled, (allocation, offset) => $"{allocation.Name} thread {offset / 8}");
        differences.Count.ShouldBe(1);
        differences[0].ShouldContain("allocation #0 'output' at 0x1000");
        differences[0].ShouldContain("2 byte(s) differ, first at byte 10 (output thread 1)");
        differences[0].ShouldContain("reference 0xaa, compiled 0xab");
        differences[0].ShouldContain("word at byte 8: reference 0x00000000bbaa0000, compiled 0x07000000bbab0000");
    }

    [Fact]
    public void Every_allocation_is_compared_not_only_the_first()
    {
        var reference = Outcome(EngineTier.Reference, Ok, Bytes(), [1, 2, 3, 4]);
        var compiled = Outcome(EngineTier.Compiled, Ok, Bytes(), [1, 2, 3, 5]);
        var differences = DifferentialComparison.Differences(reference, compiled);
        differences.ShouldHaveSingleItem().ShouldContain("'table'");
        differences[0].ShouldContain("first at byte 3");
        differences[0].ShouldContain("bytes 01 02 03 04"); // a short tail is shown as bytes
    }

    [Fact]
    public void Instruction_count_and_printf_differences_are_reported()
    {
        var reference = Outcome(EngineTier.Reference, Ok, Bytes(), null, "x 1\n", "x 2\n");
        var counted = Outcome(EngineTier.Compiled, Ok with { ThreadInstructions = 101 }, Bytes(), null, "x 1\n", "x 2\n");
        DifferentialComparison.Differences(reference, counted).ShouldHaveSingleItem().ShouldBe("thread-instructions: reference 100, compiled 101");

        var reordered = Outcome(EngineTier.Compiled, Ok, Bytes(), null, "x 2\n", "x 1\n");
        DifferentialComparison.Differences(reference, reordered).ShouldHaveSingleItem().ShouldBe("printf call 0: reference \"x 1\\n\", compiled \"x 2\\n\"");

        var missing = Outcome(EngineTier.Compiled, Ok, Bytes(), null, "x 1\n");
        DifferentialComparison.Differences(reference, missing).ShouldHaveSingleItem().ShouldContain("printf calls: reference 2, compiled 1; first extra (reference): \"x 2\\n\"");
    }

    [Fact]
    public void A_status_difference_is_reported_alone()
    {
        var reference = Outcome(EngineTier.Reference, Ok, Bytes());
        var faulted = new LaunchResult(LaunchStatus.IllegalAddress, 7, "k", new LaunchExtent(0), new LaunchExtent(3), 12, "out of range");
        var compiled = Outcome(EngineTier.Compiled, faulted, Bytes(9));
        var difference = DifferentialComparison.Differences(reference, compiled).ShouldHaveSingleItem();
        difference.ShouldStartWith("status: reference Success, compiled IllegalAddress");
        difference.ShouldContain("PTX line 12");
    }

    [Fact]
    public void Faults_compare_where_they_happened_but_not_memory_printf_or_counts()
    {
        var fault = new LaunchResult(LaunchStatus.MisalignedAddress, 50, "k", new LaunchExtent(2), new LaunchExtent(5), 30, "misaligned");
        var reference = Outcome(EngineTier.Reference, fault, Bytes(1), null, "block 0\n");
        var laterBlocksRan = Outcome(EngineTier.Compiled, fault with { ThreadInstructions = 80 }, Bytes(1, 2), null, "block 0\n", "block 3\n");
        DifferentialComparison.Differences(reference, laterBlocksRan).ShouldBeEmpty();

        var otherThread = Outcome(EngineTier.Compiled, fault with { FaultThread = new LaunchExtent(6) }, Bytes(1));
        DifferentialComparison.Differences(reference, otherThread).ShouldContain("fault thread: reference (5,1,1), compiled (6,1,1)");
        var otherBlock = Outcome(EngineTier.Compiled, fault with { FaultBlock = new LaunchExtent(3) }, Bytes(1));
        DifferentialComparison.Differences(reference, otherBlock).ShouldContain("fault block: reference (2,1,1), compiled (3,1,1)");
        var otherLine = Outcome(EngineTier.Compiled, fault with { FaultLine = 31 }, Bytes(1));
        DifferentialComparison.Differences(reference, otherLine).ShouldContain("fault PTX line: reference 30, compiled 31");
    }

    [Fact]
    public void A_timeout_compares_the_status_only_and_a_rejected_launch_everything()
    {
        var timeout = new LaunchResult(LaunchStatus.LaunchTimeout, 1000, "k", new LaunchExtent(0), new LaunchExtent(0), 4);
        DifferentialComparison.Differences(
            Outcome(EngineTier.Reference, timeout, Bytes()),
            Outcome(EngineTier.Compiled, timeout with { ThreadInstructions = 1024, FaultBlock = new LaunchExtent(1) }, Bytes(5))).ShouldBeEmpty();

        var rejected = new LaunchResult(LaunchStatus.InvalidConfiguration, 0, "k", Message: "block too large");
        DifferentialComparison.Differences(Outcome(EngineTier.Reference, rejected, Bytes()), Outcome(EngineTier.Compiled, rejected, Bytes(1)))
            .ShouldHaveSingleItem().ShouldContain("'output'");
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData(" OFF ", false)]
    [InlineData("false", false)]
    public void Only_an_explicit_off_disables_the_comparison(string? value, bool enabled)
        => DifferentialSettings.Parse(value).ShouldBe(enabled);
}
