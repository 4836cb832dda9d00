using System.Runtime.CompilerServices;

namespace Emulator.Tests.Snapshot;

/// <summary>
/// Received/verified snapshots. <c>verified/&lt;name&gt;.verified.txt</c> is committed; on a mismatch (or when it is
/// missing) the actual text is written beside it as <c>&lt;name&gt;.received.txt</c> and the test fails. Review it,
/// then accept with <c>CUEMU_ACCEPT=1 dotnet test tests/Snapshot</c> (or move the received file over the verified one).
/// </summary>
public sealed class Snapshot(string directory)
{
    public const string AcceptVariable = "CUEMU_ACCEPT";

    /// <summary>The committed snapshots of this project (tests/Snapshot/verified).</summary>
    public static Snapshot Default { get; } = new(Path.Combine(SourceDirectory(), "verified"));

    public string VerifiedPath(string name) => Path.Combine(directory, name + ".verified.txt");
    public string ReceivedPath(string name) => Path.Combine(directory, name + ".received.txt");

    public void Match(string name, string actual) => Match(name, actual, Environment.GetEnvironmentVariable(AcceptVariable) == "1");

    public void Match(string name, string actual, bool accept)
    {
        actual = actual.ReplaceLineEndings("\n");
        string verifiedPath = VerifiedPath(name), receivedPath = ReceivedPath(name);
        Directory.CreateDirectory(directory);
        if (accept)
        {
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }
        string? verified = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).ReplaceLineEndings("\n") : null;
        if (verified == actual)
        {
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, actual);
        throw new SnapshotMismatchException(verified is null
            ? $"No verified snapshot {verifiedPath}. Review {receivedPath}, then accept it with {AcceptVariable}=1."
            : $"Snapshot {name} differs. {FirstDifference(verified, actual)}\nReceived: {receivedPath}\n" +
              $"Verified: {verifiedPath}\nAccept an intended change with {AcceptVariable}=1.");
    }

    private static string FirstDifference(string verified, string actual)
    {
        var expectedLines = verified.Split('\n');
        var actualLines = actual.Split('\n');
        for (int i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            string? e = i < expectedLines.Length ? expectedLines[i] : null, a = i < actualLines.Length ? actualLines[i] : null;
            if (e != a) return $"First difference at line {i + 1}:\n  verified: {e ?? "(end)"}\n  received: {a ?? "(end)"}";
        }
        return "";
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}

public sealed class SnapshotMismatchException(string message) : Exception(message);
