using Microsoft.Data.Sqlite;
using Mote.Cli;

namespace Mote.Portal.Tests.Cli;

/// <summary>`mote users` through the real command tree, on a temporary SQLite file.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-test-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task UsersAdd_PasswordOnStdin_CreatesAccountThatListShows()
    {
        var (code, output, error) = await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "auditor", "--email", "aud@example.org", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("Created aud@example.org as Auditor", output, StringComparison.Ordinal);
        var (listCode, list, _) = await MoteCli.RunAsync("", "users", "list", "--db", Db);
        Assert.Equal(0, listCode);
        Assert.Matches(@"aud@example\.org\s+Auditor\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+active", list);
        Assert.Equal(1, MoteCli.Sql(Db, "SELECT COUNT(*) FROM AuditEvents WHERE Code = 200 AND ActorId LIKE 'terminal:%'"));
    }

    [Theory]
    [InlineData("short\n", "Auditor", "12 characters")]
    [InlineData("\n", "Auditor", "No password given")]
    [InlineData("correct horse battery\n", "Janitor", "Unknown role 'Janitor'")]
    public async Task UsersAdd_BadInput_ExitsNonZeroWithReasonAndCreatesNobody(string stdin, string role, string expected)
    {
        var (code, _, error) = await MoteCli.RunAsync(stdin, "users", "add", "--role", role, "--email", "x@example.org", "--db", Db);

        Assert.NotEqual(0, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        if (File.Exists(Db))
        {
            Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM AspNetUsers"));
        }
    }

    [Fact]
    public async Task UsersList_Empty_SaysHowToCreateTheFirstAccount()
    {
        var (code, output, _) = await MoteCli.RunAsync("", "users", "list", "--db", Db);

        Assert.Equal(0, code);
        Assert.Contains("No accounts yet", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsersAdd_MissingEmail_ParseErrorNamesTheOption()
    {
        var (code, _, error) = await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Admin", "--db", Db);

        Assert.NotEqual(0, code);
        Assert.Contains("--email", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
