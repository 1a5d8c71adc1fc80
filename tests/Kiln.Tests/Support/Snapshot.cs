using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Kiln.Tests.Support;

/// <summary>
/// A small stand-in for Verify.Xunit (whose core package cannot be restored here), with Verify's conventions:
/// the expected text is `_snapshots/Name.verified.cs` beside the test; on a mismatch `Name.received.cs` is written
/// next to it and the failure shows a readable diff. Accepting is explicit: run the tests with
/// KILN_ACCEPT_SNAPSHOTS=1, or `tests/accept-snapshots.sh` to move every received file over its verified one.
/// </summary>
public static class Snapshot
{
    public static void Verify(string actual, string name, [CallerFilePath] string testFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(testFile)!, "_snapshots");
        Directory.CreateDirectory(folder);
        var verified = Path.Combine(folder, name + ".verified.cs");
        var received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (Environment.GetEnvironmentVariable("KILN_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        throw new SnapshotMismatchException(expected is null
            ? $"No verified snapshot {verified}. Review {received} and accept it (see tests/accept-snapshots.sh)."
            : $"Snapshot {name} differs from {verified} (received: {received}):\n{Diff(expected, actual)}");
    }

    private static string Diff(string expected, string actual)
    {
        var model = InlineDiffBuilder.Diff(expected, actual);
        var sb = new StringBuilder();
        int shown = 0;
        foreach (var line in model.Lines)
        {
            if (line.Type == ChangeType.Unchanged) continue;
            sb.Append(line.Type == ChangeType.Inserted ? "+ " : "- ").AppendLine(line.Text);
            if (++shown == 60) { sb.AppendLine("..."); break; }
        }
        return sb.ToString();
    }
}

public sealed class SnapshotMismatchException(string message) : Exception(message);
