using System.Text.Json;
using Microsoft.Data.Sqlite;
using Mote.Cli;

namespace Mote.Cli.Tests.Commands;

/// <summary>`mote audit verify|export` through the real command tree, on a temporary SQLite file.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-audit-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task Verify_IntactThenTampered_ExitCodeZeroThenThreeNamingTheRow()
    {
        await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Admin", "--email", "a@example.org", "--db", Db);
        await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Auditor", "--email", "b@example.org", "--db", Db);

        var (ok, okOut, _) = await MoteCli.RunAsync("", "audit", "verify", "--db", Db);
        Assert.Equal(0, ok);
        Assert.Contains("Verified up to #2.", okOut, StringComparison.Ordinal);

        MoteCli.Sql(Db, "PRAGMA foreign_keys=OFF; DROP TRIGGER AuditEvents_NoUpdate; UPDATE AuditEvents SET ActorName = 'mallory' WHERE Id = 1");
        var (bad, _, badErr) = await MoteCli.RunAsync("", "audit", "verify", "--db", Db);
        Assert.Equal(3, bad);
        Assert.Contains("CHAIN BROKEN at row #1", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TailWrittenByUseCasesDeleted_ExitCodeThree()
    {
        // Each command's event commits inside the transaction its use case owns (account or key row and event together).
        await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Admin", "--email", "a@example.org", "--db", Db);
        var (ok, okOut, _) = await MoteCli.RunAsync("", "audit", "verify", "--db", Db);
        Assert.Equal(0, ok);
        Assert.Contains("Verified up to #1.", okOut, StringComparison.Ordinal);
        await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Auditor", "--email", "b@example.org", "--db", Db);
        await MoteCli.RunAsync("", "apikeys", "create", "--scope", "verify", "--name", "door", "--db", Db);

        MoteCli.Sql(Db, "PRAGMA foreign_keys=OFF; DROP TRIGGER AuditEvents_NoDelete; DELETE FROM AuditPayloads WHERE EventId >= 2; DELETE FROM AuditEvents WHERE Id >= 2");
        var (bad, _, badErr) = await MoteCli.RunAsync("", "audit", "verify", "--db", Db);

        Assert.Equal(3, bad);
        Assert.Contains("rows were removed from the end", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_Json_WritesValidDocumentWithEveryEvent()
    {
        await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Admin", "--email", "a@example.org", "--db", Db);
        var target = Path.Combine(_folder, "trail.json");

        var (code, _, error) = await MoteCli.RunAsync("", "audit", "export", "--format", "json", "--out", target, "--db", Db);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(target));
        Assert.Equal("mote-audit-export/1", json.RootElement.GetProperty("schema").GetString());
        Assert.True(json.RootElement.GetProperty("chain").GetProperty("verified").GetBoolean());
        Assert.Equal("UserCreated", json.RootElement.GetProperty("events")[0].GetProperty("event").GetString());
    }

    [Fact]
    public async Task Export_UnknownFormat_ExitsOneAndLeavesNoFile()
    {
        await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Admin", "--email", "a@example.org", "--db", Db);
        var target = Path.Combine(_folder, "trail.xml");

        var (code, _, error) = await MoteCli.RunAsync("", "audit", "export", "--format", "xml", "--out", target, "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("Unknown export format 'xml'", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "trail.xml*"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
