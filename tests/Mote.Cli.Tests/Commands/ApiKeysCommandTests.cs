using Microsoft.Data.Sqlite;
using Mote.Cli;

namespace Mote.Cli.Tests.Commands;

/// <summary>`mote apikeys` through the real command tree, on a temporary SQLite file.</summary>
public sealed class ApiKeysCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-keys-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task Create_PrintsKeyOnceListShowsPrefixRevokeDisables()
    {
        var (code, output, error) = await MoteCli.RunAsync("", "apikeys", "create", "--scope", "verify,identify", "--expires", "2099-01-31", "--name", "front door", "--db", Db);

        Assert.True(code == 0, error);
        var key = output.Trim();
        Assert.Matches("^mote_[a-z2-9]{10}_[A-Za-z0-9_-]{43}$", key);
        Assert.Contains("shown only this once", error, StringComparison.Ordinal);
        var prefix = key.Split('_')[1];

        var (_, list, _) = await MoteCli.RunAsync("", "apikeys", "list", "--db", Db);
        Assert.Matches($@"{prefix}\s+verify,identify\s+active\s+2099-01-31 00:00\s+never\s+front door", list);
        Assert.DoesNotContain(key.Split('_', 3)[2], list, StringComparison.Ordinal);

        var (revokeCode, revoked, _) = await MoteCli.RunAsync("", "apikeys", "revoke", prefix, "--db", Db);
        Assert.Equal(0, revokeCode);
        Assert.Contains($"Revoked {prefix}", revoked, StringComparison.Ordinal);
        var (_, after, _) = await MoteCli.RunAsync("", "apikeys", "list", "--db", Db);
        Assert.Matches($@"{prefix}\s+verify,identify\s+revoked", after);
    }

    [Theory]
    [InlineData("admin", "Unknown scope 'admin'")]
    [InlineData("verify --expires yesterday", "is not a date")]
    public async Task Create_BadInput_ExitsOneWithReason(string args, string expected)
    {
        var (code, _, error) = await MoteCli.RunAsync("", ["apikeys", "create", "--scope", .. args.Split(' '), "--db", Db]);

        Assert.Equal(1, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM ApiKeys"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
