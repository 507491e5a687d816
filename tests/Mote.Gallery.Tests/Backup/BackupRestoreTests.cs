using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Gallery.Backup;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;

namespace Mote.Gallery.Tests.Backup;

/// <summary>
/// <see cref="CreateBackup"/> and <see cref="RestoreBackup"/> on real SQLite files with the real engine and real LFW
/// people: a backup taken while verifications keep writing restores elsewhere to exactly the rows of its snapshot, with a
/// verifying chain and templates that still decide; a wrong passphrase, an altered or cut archive, a non-empty or served
/// target are refused in words, and nothing changes.
/// </summary>
[Trait("Provider", "SqliteOnly")] // mote backup/restore (refused on PostgreSQL, PostgreSqlProviderTests)
public sealed class BackupRestoreTests(EngineGallery gallery) : IClassFixture<EngineGallery>, IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";

    private readonly string _archives = Directory.CreateTempSubdirectory("mote-backup-archives-").FullName;
    private static List<(string Name, string[] Files)>? _people;

    private GalleryTestDatabase Db => gallery.Db;

    public async Task InitializeAsync()
    {
        if (_people is null && TestDatasets.Find("lfw-dev") is not null)
        {
            _people = await LfwPeople.EnrollAsync(Db, 3);
        }
    }

    [DatasetFact("lfw-dev")]
    public async Task Backup_WhileVerificationsWrite_RestoredElsewhereHoldsExactlyTheSnapshotAndStillDecides()
    {
        var people = _people!;
        Assert.Equal(3, people.Count);
        using var stop = new CancellationTokenSource();
        var written = 0;
        var startedWriting = new TaskCompletionSource();
        // Verifications from another scope, as the portal's requests would be, until the backup is done.
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var (name, files) = people[i % people.Count];
                await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, File.ReadAllBytes(files[1])));
                Interlocked.Increment(ref written);
                startedWriting.TrySetResult();
            }
        });
        await startedWriting.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var before = Volatile.Read(ref written);
        var archive = Path.Combine(_archives, "while-writing.motebak");
        var result = await Db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, Passphrase));
        var duringBackup = Volatile.Read(ref written) - before;
        // Let the writer land a few more decisions after the snapshot, so the source moves on past it.
        var target = Volatile.Read(ref written) + 2;
        while (Volatile.Read(ref written) < target)
        {
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        await writer;

        var manifest = result.Manifest;
        Assert.True(duringBackup >= 1, $"no verification committed while the backup ran ({duringBackup})");
        Assert.True(Db.Scalar("SELECT COUNT(*) FROM Decisions") > manifest.Decisions, "the source should have moved on past the snapshot");
        Assert.Equal(3, manifest.People);
        Assert.Contains("templates.key", manifest.Secrets);
        Assert.Contains("audit.key", manifest.Secrets);
        AssertOwnerOnly(archive);
        Assert.Empty(Directory.GetFiles(_archives, "*.partial"));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(Db.DatabasePath)!, ".mote-*"));

        // Restore on another "machine": an empty database with an empty secrets folder of its own.
        await using var elsewhere = await GalleryTestDatabase.CreateAsync();
        var restored = await elsewhere.InScopeAsync<RestoreBackup, RestoreResult>(r => r.ExecuteAsync(Actors.Admin, archive, Passphrase, force: false));

        Assert.True(restored.Chain.Verified, restored.Chain.Summary);
        Assert.Empty(restored.ErasuresReapplied);
        Assert.Equal(TableDump.Rows(Db.DatabasePath, "People"), TableDump.Rows(elsewhere.DatabasePath, "People"));
        Assert.Equal(TableDump.Rows(Db.DatabasePath, "GalleryInstance"), TableDump.Rows(elsewhere.DatabasePath, "GalleryInstance"));
        var restoredDecisions = TableDump.Rows(elsewhere.DatabasePath, "Decisions");
        Assert.Equal(manifest.Decisions, restoredDecisions.Count);
        // Every decision of the snapshot, exactly as the source holds it (the source has more: those made after it).
        Assert.Subset(TableDump.Rows(Db.DatabasePath, "Decisions").ToHashSet(), restoredDecisions.ToHashSet());
        var upTo = $"Id <= {manifest.AuditEvents}";
        Assert.Equal(TableDump.Rows(Db.DatabasePath, "AuditEvents", upTo), TableDump.Rows(elsewhere.DatabasePath, "AuditEvents", upTo));
        Assert.Equal(TableDump.Rows(Db.DatabasePath, "AuditPayloads", $"EventId <= {manifest.AuditEvents}"), TableDump.Rows(elsewhere.DatabasePath, "AuditPayloads", $"EventId <= {manifest.AuditEvents}"));
        // After the snapshot's rows, exactly one new event: the restore itself.
        Assert.Equal(manifest.AuditEvents + 1, elsewhere.Scalar("SELECT COUNT(*) FROM AuditEvents"));
        Assert.Equal((long)AuditEventCode.BackupRestored, elsewhere.Scalar($"SELECT Code FROM AuditEvents WHERE Id = {manifest.AuditEvents + 1}"));
        // The restored templates decrypt with the restored keys and decide as before.
        var (name, files) = _people![0];
        var again = await elsewhere.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, File.ReadAllBytes(files[1])));
        var original = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, File.ReadAllBytes(files[1])));
        Assert.Equal(original.Score, again.Score, 6);
        var chain = await elsewhere.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actor.System));
        Assert.True(chain.Verified, chain.Summary);
        AssertOwnerOnly(elsewhere.DatabasePath);
    }

    [DatasetFact("lfw-dev")]
    public async Task Backup_RecordsLastBackupAndOneAuditEvent_ShortPassphraseOrExistingFileRefused()
    {
        var archive = Path.Combine(_archives, "status.motebak");
        var events = Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.BackupCreated}");

        var shortOne = await Assert.ThrowsAsync<GalleryException>(() => Db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, "too short")));
        Assert.Contains("at least 12 characters", shortOne.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(archive));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => Db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Auditor, archive, Passphrase)));

        var result = await Db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, Passphrase));
        var status = Db.Services.GetRequiredService<BackupStatus>().Read();

        Assert.NotNull(status);
        Assert.Equal(archive, status.FileName);
        Assert.Equal(new FileInfo(archive).Length, status.Bytes);
        Assert.Equal(result.Sha256, status.Sha256);
        AssertOwnerOnly(Db.Services.GetRequiredService<BackupStatus>().FilePath);
        Assert.Equal(events + 1, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.BackupCreated}"));
        var again = await Assert.ThrowsAsync<GalleryException>(() => Db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, Passphrase)));
        Assert.Contains("already exists", again.Message, StringComparison.Ordinal);
        Assert.Equal(result.Sha256, CreateBackup.Sha256Of(archive));
    }

    [DatasetFact("lfw-dev")]
    public async Task Restore_WrongPassphraseAlteredOrCutArchive_RefusedInWords_TargetUntouched()
    {
        var archive = Path.Combine(_archives, "good.motebak");
        await Db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, Passphrase));
        var bytes = await File.ReadAllBytesAsync(archive);
        var altered = Path.Combine(_archives, "altered.motebak");
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(altered, flipped);
        var cut = Path.Combine(_archives, "cut.motebak");
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length - 5000)]);

        await using var target = await GalleryTestDatabase.CreateAsync();
        await target.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Admin, AuditEventCode.SettingsChanged, null, "the target holds something"));
        var before = Snapshot(target);

        var wrong = await Assert.ThrowsAsync<BackupPassphraseException>(() => Restore(target, archive, "not the passphrase at all", force: true));
        Assert.Equal("The passphrase is wrong for this backup (or its header was altered). Nothing was changed.", wrong.Message);
        var edited = await Assert.ThrowsAsync<BackupArchiveException>(() => Restore(target, altered, Passphrase, force: true));
        Assert.Contains("fails its authentication: the archive was altered", edited.Message, StringComparison.Ordinal);
        var shortened = await Assert.ThrowsAsync<BackupArchiveException>(() => Restore(target, cut, Passphrase, force: true));
        Assert.Contains("cut short", shortened.Message, StringComparison.Ordinal);
        var foreign = Path.Combine(_archives, "foreign.motebak");
        await File.WriteAllTextAsync(foreign, "just some text");
        var notOurs = await Assert.ThrowsAsync<BackupArchiveException>(() => Restore(target, foreign, Passphrase, force: true));
        Assert.Contains("not a Mote backup archive", notOurs.Message, StringComparison.Ordinal);

        Assert.Equal(before, Snapshot(target));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(target.DatabasePath)!, ".mote-*"));
    }

    [DatasetFact("lfw-dev")]
    public async Task Restore_NonEmptyOrServedTarget_RefusedUnlessForced()
    {
        var archive = Path.Combine(_archives, "refusals.motebak");
        await Db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, Passphrase));
        await using var target = await GalleryTestDatabase.CreateAsync();
        await target.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Admin, AuditEventCode.SettingsChanged, null, "something happened here"));
        var before = Snapshot(target);

        var notEmpty = await Assert.ThrowsAsync<GalleryException>(() => Restore(target, archive, Passphrase, force: false));
        Assert.Contains("is not empty (1 audit events)", notEmpty.Message, StringComparison.Ordinal);
        Assert.Contains("--force", notEmpty.Message, StringComparison.Ordinal);
        using (var served = ServingLock.TryAcquire(target.DatabasePath))
        {
            Assert.NotNull(served);
            var running = await Assert.ThrowsAsync<GalleryException>(() => Restore(target, archive, Passphrase, force: false));
            Assert.Contains("A running portal serves", running.Message, StringComparison.Ordinal);
        }
        Assert.Equal(before, Snapshot(target));

        var forced = await Restore(target, archive, Passphrase, force: true);

        Assert.True(forced.Chain.Verified, forced.Chain.Summary);
        Assert.NotNull(forced.PreviousDatabaseKeptAs);
        Assert.True(File.Exists(forced.PreviousDatabaseKeptAs));
        Assert.Equal(1, MoteSql(forced.PreviousDatabaseKeptAs!, "SELECT COUNT(*) FROM AuditEvents"));
        Assert.Equal(forced.Manifest.People, target.Scalar("SELECT COUNT(*) FROM People"));
    }

    private static void AssertOwnerOnly(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(path));
        }
    }

    private static Task<RestoreResult> Restore(GalleryTestDatabase target, string archive, string passphrase, bool force) =>
        target.InScopeAsync<RestoreBackup, RestoreResult>(r => r.ExecuteAsync(Actors.Admin, archive, passphrase, force));

    /// <summary>The target's database bytes and its secrets folder's files and contents.</summary>
    private static string Snapshot(GalleryTestDatabase target)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var parts = new List<string>();
        foreach (var file in Directory.EnumerateFiles(target.Folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal) && !f.EndsWith(".serving", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            parts.Add($"{Path.GetRelativePath(target.Folder, file)}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)))}");
        }
        return string.Join('\n', parts);
    }

    private static long MoteSql(string path, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_archives, recursive: true);
        return Task.CompletedTask;
    }
}
