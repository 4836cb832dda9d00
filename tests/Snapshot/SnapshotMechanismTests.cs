namespace Emulator.Tests.Snapshot;

public sealed class SnapshotMechanismTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cuemu-snapshot-" + Guid.NewGuid().ToString("N"));
    private Snapshot Store => new(_directory);

    [Fact]
    public void Missing_verified_file_fails_and_writes_received()
    {
        Should.Throw<SnapshotMismatchException>(() => Store.Match("a", "one\n", accept: false));
        File.ReadAllText(Store.ReceivedPath("a")).ShouldBe("one\n");
        File.Exists(Store.VerifiedPath("a")).ShouldBeFalse();
    }

    [Fact]
    public void Accepting_writes_verified_and_a_later_match_passes_and_clears_received()
    {
        Should.Throw<SnapshotMismatchException>(() => Store.Match("b", "x\r\ny\n", accept: false));
        Store.Match("b", "x\r\ny\n", accept: true);
        File.ReadAllText(Store.VerifiedPath("b")).ShouldBe("x\ny\n");
        File.Exists(Store.ReceivedPath("b")).ShouldBeFalse();
        Store.Match("b", "x\ny\n", accept: false);
    }

    [Fact]
    public void A_difference_fails_naming_the_first_differing_line()
    {
        Store.Match("c", "same\nold\n", accept: true);
        var error = Should.Throw<SnapshotMismatchException>(() => Store.Match("c", "same\nnew\n", accept: false));
        error.Message.ShouldContain("line 2");
        error.Message.ShouldContain("verified: old");
        error.Message.ShouldContain("received: new");
        File.ReadAllText(Store.VerifiedPath("c")).ShouldBe("same\nold\n");
        File.ReadAllText(Store.ReceivedPath("c")).ShouldBe("same\nnew\n");
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
