using System.Globalization;
using Microsoft.Data.Sqlite;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Cli.Tests.Commands;

/// <summary>
/// `mote backup` and `mote restore` through the real command tree, on temporary SQLite files with real LFW people: the
/// passphrase comes from standard input (never an argument); a wrong passphrase and an altered archive are refused in
/// words with nothing restored; a good archive restores the same rows with a verifying chain; and restoring a backup from
/// before an erasure leaves the person erased.
/// </summary>
public sealed class BackupCommandTests : IDisposable
{
    private const string Passphrase = "correct horse battery staple\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-backup-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [DatasetFact("lfw-dev")]
    public async Task BackupRestore_WrongPassphraseAndAlteredArchiveRefused_GoodOneRestoresSameRowsAndChain()
    {
        var (name, files) = await MoteCli.EnrollLfwIdentityAsync(Db, offset: 11);
        var (verified, _, verifyError) = await MoteCli.RunAsync("", "verify", "--name", name, files[1], "--db", Db);
        Assert.True(verified is 0 or 4, verifyError);
        var archive = Path.Combine(_folder, "gallery.motebak");

        var (code, output, error) = await MoteCli.RunAsync(Passphrase, "backup", "--out", archive, "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains($"Wrote {archive}", output, StringComparison.Ordinal);
        Assert.Contains("It holds 1 people, 1 decisions", output, StringComparison.Ordinal);
        Assert.DoesNotContain("correct horse", output + error, StringComparison.Ordinal);

        var restored = Path.Combine(_folder, "restored", "mote.db");
        Directory.CreateDirectory(Path.GetDirectoryName(restored)!);
        var (wrong, _, wrongError) = await MoteCli.RunAsync("not the right passphrase\n", "restore", "--from", archive, "--db", restored);
        Assert.Equal(1, wrong);
        Assert.Equal("The passphrase is wrong for this backup (or its header was altered). Nothing was changed.", wrongError.Trim());
        var altered = Path.Combine(_folder, "altered.motebak");
        var bytes = await File.ReadAllBytesAsync(archive);
        bytes[bytes.Length - 100] ^= 0x40;
        await File.WriteAllBytesAsync(altered, bytes);
        var (tampered, _, tamperedError) = await MoteCli.RunAsync(Passphrase, "restore", "--from", altered, "--db", restored);
        Assert.Equal(1, tampered);
        Assert.Contains("fails its authentication: the archive was altered or cut short", tamperedError, StringComparison.Ordinal);
        Assert.True(!File.Exists(restored) || new FileInfo(restored).Length == 0, "a refused restore must leave no database behind");

        var (ok, okOutput, okError) = await MoteCli.RunAsync(Passphrase, "restore", "--from", archive, "--db", restored);

        Assert.True(ok == 0, okError);
        Assert.Contains("1 people, 1 decisions", okOutput, StringComparison.Ordinal);
        Assert.Contains("No one in the erasure ledger was in the backup.", okOutput, StringComparison.Ordinal);
        foreach (var table in new[] { "People", "Decisions", "PersonImages" })
        {
            Assert.Equal(Text(Db, $"SELECT group_concat(r, ',') FROM (SELECT quote(t.*) AS r FROM (SELECT * FROM {table} ORDER BY 1) t)".Replace("quote(t.*)", Columns(Db, table), StringComparison.Ordinal)),
                Text(restored, $"SELECT group_concat(r, ',') FROM (SELECT quote(t.*) AS r FROM (SELECT * FROM {table} ORDER BY 1) t)".Replace("quote(t.*)", Columns(restored, table), StringComparison.Ordinal)));
        }
        var events = MoteCli.Sql(Db, "SELECT COUNT(*) FROM AuditEvents");
        Assert.Equal(Text(Db, "SELECT group_concat(hex(Hash), ',') FROM (SELECT Hash FROM AuditEvents ORDER BY Id)"),
            Text(restored, $"SELECT group_concat(hex(Hash), ',') FROM (SELECT Hash FROM AuditEvents WHERE Id < {events} ORDER BY Id)") + "," + Text(Db, $"SELECT hex(Hash) FROM AuditEvents WHERE Id = {events}"));
        var (chain, chainOutput, _) = await MoteCli.RunAsync("", "audit", "verify", "--db", restored);
        Assert.Equal(0, chain);
        Assert.Contains($"Verified up to #{events}.", chainOutput, StringComparison.Ordinal); // the backup's event stays with the source
        var (again, _, againError) = await MoteCli.RunAsync("", "verify", "--name", name, files[1], "--db", restored);
        Assert.True(again is 0 or 4, againError);
    }

    [DatasetFact("lfw-dev")]
    public async Task Restore_BackupFromBeforeAnErasure_PersonStaysErasedAndItIsAudited()
    {
        var (name, files) = await MoteCli.EnrollLfwIdentityAsync(Db, offset: 23);
        var archive = Path.Combine(_folder, "before.motebak");
        var (backedUp, _, backupError) = await MoteCli.RunAsync(Passphrase, "backup", "--out", archive, "--db", Db);
        Assert.True(backedUp == 0, backupError);
        var (erased, _, eraseError) = await MoteCli.RunAsync("", "erase", "--name", name, "--db", Db);
        Assert.True(erased == 0, eraseError);

        var (refused, _, refusedError) = await MoteCli.RunAsync(Passphrase, "restore", "--from", archive, "--db", Db);
        Assert.Equal(1, refused);
        Assert.Contains("is not empty", refusedError, StringComparison.Ordinal);
        var (code, output, error) = await MoteCli.RunAsync(Passphrase, "restore", "--from", archive, "--force", "--db", Db);

        Assert.True(code == 0, error);
        Assert.Contains("Erased again 1 person(s) erased after the backup was taken", output, StringComparison.Ordinal);
        Assert.Contains("The previous database is kept as", output, StringComparison.Ordinal);
        Assert.Equal(0, MoteCli.Sql(Db, "SELECT COUNT(*) FROM People"));
        Assert.Equal(1, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.BackupRestored}"));
        Assert.Equal(1, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ErasureReapplied}"));
        var (verify, _, verifyError) = await MoteCli.RunAsync("", "verify", "--name", name, files[1], "--db", Db);
        Assert.Equal(1, verify);
        Assert.Contains(name, verifyError, StringComparison.Ordinal);
        var (chain, _, chainError) = await MoteCli.RunAsync("", "audit", "verify", "--db", Db);
        Assert.True(chain == 0, chainError);
    }

    [Fact]
    public async Task Restore_IntoTheDatabaseARunningPortalServes_RefusedUntilItStops_BackupTakenWhileItRuns()
    {
        var site = Path.Combine(_folder, "site");
        Directory.CreateDirectory(site);
        var portal = await PortalProcess.StartAsync(new PortalStart(Folder: site));
        var database = portal.DatabasePath;
        var archive = Path.Combine(_folder, "live.motebak");
        try
        {
            var (backedUp, _, backupError) = await MoteCli.RunAsync(Passphrase, "backup", "--out", archive, "--db", database);
            Assert.True(backedUp == 0, backupError);

            var (refused, _, refusedError) = await MoteCli.RunAsync(Passphrase, "restore", "--from", archive, "--db", database);

            Assert.Equal(1, refused);
            Assert.Contains($"A running portal serves {database}. Stop it first", refusedError, StringComparison.Ordinal);

            // --force replaces a non-empty database, never one a running portal serves.
            var (forced, _, forcedError) = await MoteCli.RunAsync(Passphrase, "restore", "--from", archive, "--force", "--db", database);
            Assert.Equal(1, forced);
            Assert.Contains($"A running portal serves {database}. Stop it first", forcedError, StringComparison.Ordinal);
            Assert.Equal(1, MoteCli.Sql(database, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.BackupCreated}"));
            Assert.Equal(0, MoteCli.Sql(database, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.BackupRestored}"));
        }
        finally
        {
            await portal.DisposeAsync(); // kill -9: the kernel drops its lock
        }

        var (code, _, error) = await MoteCli.RunAsync(Passphrase, "restore", "--from", archive, "--force", "--db", database);
        Assert.True(code == 0, error);
        Assert.Equal(1, MoteCli.Sql(database, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.BackupRestored}"));
    }

    private static string Columns(string database, string table)
    {
        var names = new List<string>();
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            names.Add($"quote(t.\"{reader.GetString(0)}\")");
        }
        return string.Join(" || '|' || ", names);
    }

    private static string Text(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
