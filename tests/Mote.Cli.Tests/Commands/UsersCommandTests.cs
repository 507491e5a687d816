using Microsoft.Data.Sqlite;
using Mote.Cli;

namespace Mote.Cli.Tests.Commands;

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
    public async Task UsersAdd_CommonPassword_RefusedWithReason()
    {
        var (code, _, error) = await MoteCli.RunAsync("password1234\n", "users", "add", "--role", "Admin", "--email", "x@example.org", "--db", Db);

        Assert.NotEqual(0, code);
        Assert.Contains("too common", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsersLifecycle_DisableEnableResetEndSessions_EachWorksAndIsAuditedOnce()
    {
        Assert.Equal(0, (await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Admin", "--email", "ada@example.org", "--db", Db)).Code);
        Assert.Equal(0, (await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Operator", "--email", "bob@example.org", "--db", Db)).Code);

        var disable = await MoteCli.RunAsync("", "users", "disable", "--email", "bob@example.org", "--db", Db);
        Assert.True(disable.Code == 0, disable.Error);
        Assert.Contains("Disabled bob@example.org", disable.Output, StringComparison.Ordinal);
        Assert.Matches(@"bob@example\.org\s+Operator\s+\S+ \S+\s+disabled", (await MoteCli.RunAsync("", "users", "list", "--db", Db)).Output);
        var reset = await MoteCli.RunAsync("", "users", "reset-password", "--email", "bob@example.org", "--db", Db);
        Assert.NotEqual(0, reset.Code);
        Assert.Contains("enable it before", reset.Error, StringComparison.Ordinal);

        Assert.Equal(0, (await MoteCli.RunAsync("", "users", "enable", "--email", "bob@example.org", "--db", Db)).Code);
        reset = await MoteCli.RunAsync("", "users", "reset-password", "--email", "bob@example.org", "--db", Db);
        Assert.True(reset.Code == 0, reset.Error);
        Assert.Matches(@"account/reset-password\?token=[A-Za-z0-9_\-]{43}", reset.Output);
        var end = await MoteCli.RunAsync("", "users", "end-sessions", "--email", "bob@example.org", "--db", Db);
        Assert.True(end.Code == 0, end.Error);
        var unknown = await MoteCli.RunAsync("", "users", "disable", "--email", "nobody@example.org", "--db", Db);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("No account has the e-mail nobody@example.org", unknown.Error, StringComparison.Ordinal);

        foreach (var code in new[] { 203, 204, 205, 206 })
        {
            Assert.Equal(1, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {code} AND ActorId LIKE 'terminal:%'"));
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
