using System.Text.Json;
using Microsoft.Data.Sqlite;
using Mote.Core.Tests;
using Mote.Gallery.Audit;

namespace Mote.Cli.Tests.Commands;

/// <summary>
/// `mote keys status` and `mote keys rotate` through the real command tree, on temporary SQLite files with real LFW people:
/// after a rotation no stored value names key 1 (a byte scan of every template and image header), the people verify with
/// the same score, the old key file sits in retired-&lt;time&gt;/, and a backup taken afterwards restores on "another
/// machine" (an empty secrets folder) and verifies. Bad input is refused in words with nothing changed.
/// These tests point MOTE_SECRETS_DIR at their own folder (a rotation retires the assembly's shared key), so they run alone.
/// </summary>
[Collection(KeyRingEnvironment.Name)]
public sealed class KeysCommandTests : IDisposable
{
    private const string Passphrase = "correct horse battery staple\n";
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-keys-").FullName;
    private readonly string? _sharedSecrets = Environment.GetEnvironmentVariable("MOTE_SECRETS_DIR");

    public KeysCommandTests()
    {
        Environment.SetEnvironmentVariable("MOTE_SECRETS_DIR", Secrets);
    }

    private string Db => Path.Combine(_folder, "mote.db");

    private string Secrets => Path.Combine(_folder, "secrets");

    [DatasetFact("lfw-dev")]
    public async Task KeysRotate_TwoPeople_NoValueUnderKeyOne_SameScores_BackupAfterRestoresElsewhere()
    {
        // Before anything is encrypted there is no key, and status says so instead of printing an empty table.
        var (emptyCode, empty, emptyError) = await MoteCli.RunAsync("", "keys", "status", "--db", Db);
        Assert.True(emptyCode == 0, emptyError);
        Assert.Contains("No template key yet: nothing has been encrypted in this gallery.", empty, StringComparison.Ordinal);

        var people = new List<(string Name, string Probe)>();
        foreach (var offset in new[] { 31, 47 })
        {
            people.Add(await EnrollAsync(offset));
        }
        var scores = new List<double>();
        foreach (var (name, probe) in people)
        {
            scores.Add(await ScoreAsync(name, probe, Db));
        }
        var (statusCode, status, statusError) = await MoteCli.RunAsync("", "keys", "status", "--db", Db);
        Assert.True(statusCode == 0, statusError);
        Assert.Matches(@"(?m)^1\s+templates\.key\s+current\s+\d+ \(templates 2[,)]", status);
        Assert.True(MoteCli.Sql(Db, "SELECT COUNT(*) FROM People WHERE substr(TemplateBlob, 1, 1) = x'01'") == 2); // both in the original format (key 1)

        var (badCode, _, badError) = await MoteCli.RunAsync("", "keys", "rotate", "--batch-size", "0", "--db", Db);
        Assert.Equal(1, badCode);
        Assert.Equal("The batch size must be at least 1.", badError.Trim());
        Assert.Equal(["templates.key"], KeyFiles());

        var (code, output, error) = await MoteCli.RunAsync("", "keys", "rotate", "--batch-size", "1", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("Created key 2.", output, StringComparison.Ordinal);
        Assert.Contains("Re-encrypted ", output, StringComparison.Ordinal);
        Assert.Contains("No value uses key 1 any more; its file was moved to " + Path.Combine(Secrets, "retired-"), output, StringComparison.Ordinal);
        Assert.Equal(["templates-2.key"], KeyFiles());
        Assert.Single(Directory.GetFiles(Secrets, "templates.key", SearchOption.AllDirectories)); // in retired-<time>/
        Assert.Equal(0, ValuesNotUnder(2));
        Assert.Equal(1, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.TemplateKeyRotated}"));
        for (var i = 0; i < people.Count; i++)
        {
            Assert.Equal(scores[i], await ScoreAsync(people[i].Name, people[i].Probe, Db));
        }
        var (_, after, _) = await MoteCli.RunAsync("", "keys", "status", "--db", Db);
        Assert.Matches(@"(?m)^2\s+templates-2\.key\s+current\s+\d+ \(templates 2[,)]", after);
        Assert.DoesNotMatch(@"(?m)^1\s", after);

        var archive = Path.Combine(_folder, "after-rotation.motebak");
        var (backedUp, _, backupError) = await MoteCli.RunAsync(Passphrase, "backup", "--out", archive, "--db", Db);
        Assert.True(backedUp == 0, backupError);
        // Another machine: its own empty secrets folder and database.
        Environment.SetEnvironmentVariable("MOTE_SECRETS_DIR", Path.Combine(_folder, "elsewhere", "secrets"));
        var restored = Path.Combine(_folder, "elsewhere", "mote.db");
        Directory.CreateDirectory(Path.GetDirectoryName(restored)!);
        var (restoredCode, _, restoreError) = await MoteCli.RunAsync(Passphrase, "restore", "--from", archive, "--db", restored);
        Assert.True(restoredCode == 0, restoreError);
        Assert.True(File.Exists(Path.Combine(_folder, "elsewhere", "secrets", "templates-2.key")), "the archive did not carry the new key");
        Assert.False(File.Exists(Path.Combine(_folder, "elsewhere", "secrets", "templates.key")), "the archive carried the retired key");
        for (var i = 0; i < people.Count; i++)
        {
            Assert.Equal(scores[i], await ScoreAsync(people[i].Name, people[i].Probe, restored));
        }
    }

    [DatasetFact("lfw-dev")]
    public async Task KeysRotate_DestroyOld_DeletesTheOldKey_SecondRotationMovesToKeyThree()
    {
        var (name, probe) = await EnrollAsync(53);
        var score = await ScoreAsync(name, probe, Db);
        var (first, _, firstError) = await MoteCli.RunAsync("", "keys", "rotate", "--db", Db);
        Assert.True(first == 0, firstError);

        var (code, output, error) = await MoteCli.RunAsync("", "keys", "rotate", "--destroy-old", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("Created key 3.", output, StringComparison.Ordinal);
        Assert.Contains("No value uses key 2 any more; its file was deleted.", output, StringComparison.Ordinal);
        Assert.Equal(["templates-3.key"], KeyFiles());
        Assert.Empty(Directory.GetFiles(Secrets, "templates-2.key", SearchOption.AllDirectories));
        Assert.Equal(0, ValuesNotUnder(3));
        Assert.Equal(score, await ScoreAsync(name, probe, Db));
        Assert.Equal(2, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.TemplateKeyRotated}"));
    }

    /// <summary>Templates and person images whose header does not name key <paramref name="keyId"/> (version 2, key id little-endian).</summary>
    private long ValuesNotUnder(int keyId)
    {
        var header = $"x'02{keyId:x2}000000'";
        return MoteCli.Sql(Db, $"SELECT COUNT(*) FROM People WHERE substr(TemplateBlob, 1, 5) <> {header}")
            + MoteCli.Sql(Db, $"SELECT COUNT(*) FROM PersonImages WHERE substr(Blob, 1, 5) <> {header}");
    }

    private string[] KeyFiles() => Directory.GetFiles(Secrets, "templates*.key").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static async Task<double> ScoreAsync(string name, string probe, string db)
    {
        var (code, output, error) = await MoteCli.RunAsync("", "verify", "--name", name, probe, "--json", "--db", db);
        Assert.True(code is 0 or 4, error);
        return JsonDocument.Parse(output).RootElement.GetProperty("score").GetDouble();
    }

    /// <summary>Enrolls one LFW identity with at least two photos; returns its name and second photo.</summary>
    private async Task<(string Name, string Probe)> EnrollAsync(int offset)
    {
        var (name, files) = await MoteCli.EnrollLfwIdentityAsync(Db, offset);
        return (name, files[1]);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("MOTE_SECRETS_DIR", _sharedSecrets);
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>Tests that point MOTE_SECRETS_DIR at a folder of their own (and rotate its keys) run one at a time, after the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KeyRingEnvironment
{
    public const string Name = "KeyRingEnvironment";
}
