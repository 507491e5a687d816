using System.Formats.Tar;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Erasure;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Backup;

/// <summary>What <see cref="RestoreBackup"/> did.</summary>
public sealed record RestoreResult(
    BackupManifest Manifest,
    string? PreviousDatabaseKeptAs,
    string? ReplacedSecretsKeptIn,
    IReadOnlyList<string> ErasuresReapplied,
    AuditChainStatus Chain);

/// <summary>
/// Replaces the Gallery's database (and the secrets that read it) with a backup archive's (docs/backup.md,
/// docs/decisions/0015). Everything is checked before anything changes: the passphrase, every chunk's authentication,
/// the archive's layout (no path outside the expected names), <c>PRAGMA integrity_check</c> on the restored copy, and
/// its audit chain under the archive's audit key up to the head the manifest recorded. It refuses a target that a running
/// portal serves (<see cref="ServingLock"/>) or that is not empty unless <c>force</c>; then the current database is kept
/// aside as <c>&lt;name&gt;.before-restore-&lt;time&gt;</c>, a differing key file is kept in
/// <c>&lt;secrets&gt;/replaced-&lt;time&gt;/</c>, and the checked copy is moved into place with one rename (never a half-written
/// database at the target path). Afterwards: migrations are applied, one <see cref="AuditEventCode.BackupRestored"/> event is
/// written, the erasure ledger (this machine's entries merged with the archive's) is applied again
/// (<see cref="ReapplyErasures"/>, one <see cref="AuditEventCode.ErasureReapplied"/> per person), and the chain is verified.
/// Needs <see cref="Permission.ManageSettings"/>.
/// </summary>
public sealed class RestoreBackup(
    GalleryDatabase database, SecretKeyStore keys, ErasureLedger ledger, AuditAnchor anchor, GalleryIndex index,
    IServiceScopeFactory scopes, TimeProvider time, ILogger<RestoreBackup> log)
{
    /// <summary>
    /// Restores <paramref name="archivePath"/> into the configured database. Throws <see cref="BackupPassphraseException"/>,
    /// <see cref="BackupArchiveException"/> or <see cref="GalleryException"/> with nothing changed when a check fails or the
    /// target is refused.
    /// </summary>
    public async Task<RestoreResult> ExecuteAsync(Actor actor, string archivePath, string passphrase, bool force, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        database.RequireSqlite("`mote restore`", PostgreSqlBackup.Advice);
        ArgumentException.ThrowIfNullOrWhiteSpace(archivePath);
        var archive = Path.GetFullPath(archivePath);
        if (!File.Exists(archive))
        {
            throw new GalleryException($"There is no backup archive at {archive}.", GalleryErrorKind.NotFound);
        }
        // Read (and so check) this machine's ledger before anything changes: a damaged ledger stops the restore here.
        var localErasures = ledger.Read();
        var staging = Staging.Create(database.Path, "restore");
        try
        {
            var staged = await UnpackAsync(archive, passphrase, staging, ct).ConfigureAwait(false);
            var manifest = staged.Manifest;
            await CheckAsync(staged, ct).ConfigureAwait(false);
            RefuseTarget(force);

            // From here on the target changes. The ledger first: it only ever grows, and the archive's entries are erasures
            // that happened before the backup (already absent from its database), kept so that an even older backup
            // restored later loses those people too.
            ledger.Add(staged.Erasures.Concat(localErasures));
            var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var replacedSecrets = InstallSecrets(staging, manifest.Secrets, stamp);
            keys.Forget();
            var kept = InstallDatabase(staged.DatabasePath, stamp);
            anchor.For(manifest.InstanceId).Reset(manifest.AuditEvents, Convert.FromHexString(manifest.AuditHead), time.GetUtcNow());
            index.Invalidate();

            IReadOnlyList<string> reapplied;
            AuditChainStatus chain;
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var services = scope.ServiceProvider;
                await services.GetRequiredService<MoteDbContext>().Database.MigrateAsync(ct).ConfigureAwait(false);
                await services.GetRequiredService<AuditTrail>().AppendAsync(actor, AuditEventCode.BackupRestored, null,
                    $"Restored {Path.GetFileName(archive)} (taken {manifest.TakenUtc.ToString("u", CultureInfo.InvariantCulture)}): {manifest.People} people, " +
                    $"{manifest.Decisions} decisions, audit trail up to #{manifest.AuditEvents}." +
                    (kept is null ? "" : $" The previous database was kept as {Path.GetFileName(kept)}."), ct).ConfigureAwait(false);
                reapplied = await services.GetRequiredService<ReapplyErasures>().ExecuteAsync(ct).ConfigureAwait(false);
                chain = await services.GetRequiredService<AuditVerifier>().VerifyAsync(Actor.System, ct).ConfigureAwait(false);
            }
            log.LogInformation("Restored {Archive} into {Database}; {Count} erasure(s) re-applied.", archive, database.Path, reapplied.Count);
            return new RestoreResult(manifest, kept, replacedSecrets, reapplied, chain);
        }
        finally
        {
            Staging.Delete(staging);
        }
    }

    private sealed record StagedArchive(BackupManifest Manifest, string DatabasePath, string SecretsPath, IReadOnlyList<ErasureLedgerEntry> Erasures);

    /// <summary>Decrypts the archive (every chunk authenticated) and unpacks its expected entries into the staging folder.</summary>
    private static async Task<StagedArchive> UnpackAsync(string archive, string passphrase, string staging, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new BackupPassphraseException("No passphrase was given; nothing was changed.");
        }
        var tar = Path.Combine(staging, "archive.tar");
        var input = File.OpenRead(archive);
        await using (input.ConfigureAwait(false))
        {
            var output = new FileStream(tar, OwnerOnlyFiles.CreateNew());
            await using (output.ConfigureAwait(false))
            {
                await BackupCipher.DecryptAsync(input, output, passphrase, ct).ConfigureAwait(false);
            }
        }
        // Authenticated from end to end: what follows reads data this product wrote under this passphrase.
        var secrets = Path.Combine(staging, "secrets");
        Directory.CreateDirectory(Path.Combine(secrets, BackupLayout.DataProtectionFolder));
        var databasePath = Path.Combine(staging, "mote.db");
        BackupManifest? manifest = null;
        List<ErasureLedgerEntry>? erasures = null;
        var tarStream = File.OpenRead(tar);
        await using (tarStream.ConfigureAwait(false))
        {
            var reader = new TarReader(tarStream);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
                {
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                    {
                        throw new BackupArchiveException($"The archive holds an unexpected entry '{entry.Name}'.");
                    }
                    switch (entry.Name)
                    {
                        case BackupLayout.Manifest:
                            manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(entry.DataStream, cancellationToken: ct).ConfigureAwait(false);
                            break;
                        case BackupLayout.Erasures:
                            erasures = await JsonSerializer.DeserializeAsync<List<ErasureLedgerEntry>>(entry.DataStream, cancellationToken: ct).ConfigureAwait(false);
                            break;
                        case BackupLayout.Database:
                            await CopyOutAsync(entry.DataStream, databasePath, ct).ConfigureAwait(false);
                            break;
                        default:
                            var relative = entry.Name.StartsWith(BackupLayout.SecretsPrefix, StringComparison.Ordinal) ? entry.Name[BackupLayout.SecretsPrefix.Length..] : "";
                            if (!BackupLayout.IsAllowedSecret(relative))
                            {
                                throw new BackupArchiveException($"The archive holds an unexpected entry '{entry.Name}'.");
                            }
                            await CopyOutAsync(entry.DataStream, Path.Combine(secrets, relative.Replace('/', Path.DirectorySeparatorChar)), ct).ConfigureAwait(false);
                            break;
                    }
                }
            }
        }
        File.Delete(tar);
        if (manifest is null || manifest.Format != BackupManifest.CurrentFormat || erasures is null || !File.Exists(databasePath))
        {
            throw new BackupArchiveException($"The archive lacks its manifest, database or erasure list, or is of another format than {BackupManifest.CurrentFormat}.");
        }
        if (manifest.Secrets.Any(s => !BackupLayout.IsAllowedSecret(s) || !File.Exists(Path.Combine(secrets, s.Replace('/', Path.DirectorySeparatorChar)))))
        {
            throw new BackupArchiveException("The archive lacks a secret its manifest lists.");
        }
        return new StagedArchive(manifest, databasePath, secrets, erasures);
    }

    private static async Task CopyOutAsync(Stream data, string path, CancellationToken ct)
    {
        if (File.Exists(path))
        {
            throw new BackupArchiveException($"The archive holds '{Path.GetFileName(path)}' twice.");
        }
        var output = new FileStream(path, OwnerOnlyFiles.CreateNew());
        await using (output.ConfigureAwait(false))
        {
            await data.CopyToAsync(output, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The restored copy must be sound and exactly what the manifest describes, its audit chain verifying under the archive's key.</summary>
    private static async Task CheckAsync(StagedArchive staged, CancellationToken ct)
    {
        var manifest = staged.Manifest;
        if (new FileInfo(staged.DatabasePath).Length != manifest.DatabaseBytes || CreateBackup.Sha256Of(staged.DatabasePath) != manifest.DatabaseSha256)
        {
            throw new BackupArchiveException("The database in the archive differs from the one its manifest describes.");
        }
        var auditKeyPath = Path.Combine(staged.SecretsPath, $"{AuditChain.KeyName}.key");
        var auditKey = File.Exists(auditKeyPath) ? await File.ReadAllBytesAsync(auditKeyPath, ct).ConfigureAwait(false) : [];
        if (auditKey.Length != 32)
        {
            throw new BackupArchiveException("The archive lacks the audit key, so its audit trail cannot be verified.");
        }
        var facts = await SnapshotFacts.ReadAsync(staged.DatabasePath, auditKey, ct).ConfigureAwait(false);
        if (facts.Integrity != "ok")
        {
            throw new BackupArchiveException($"The database in the archive fails PRAGMA integrity_check: {facts.Integrity}");
        }
        if (!facts.Chain.Verified)
        {
            throw new BackupArchiveException($"The audit trail in the archive does not verify: {facts.Chain.Summary}");
        }
        if (facts.InstanceId != manifest.InstanceId || facts.AuditEvents != manifest.AuditEvents || Convert.ToHexString(facts.Chain.Head) != manifest.AuditHead
            || facts.People != manifest.People || facts.Decisions != manifest.Decisions)
        {
            throw new BackupArchiveException("The database in the archive does not match its manifest (instance, row counts or audit head).");
        }
    }

    private void RefuseTarget(bool force)
    {
        var path = database.Path;
        if (ServingLock.IsHeld(path))
        {
            // Never under a running portal, --force or not: it would go on serving (and writing to) the replaced file.
            throw new GalleryException($"A running portal serves {path}. Stop it first; nothing was changed.", GalleryErrorKind.Conflict);
        }

        if (!force && DescribeContent(path) is { } content)
        {
            throw new GalleryException($"The database {path} is not empty ({content}). Restoring replaces it: run again with --force " +
                "(the current database is kept beside it as a .before-restore copy). Nothing was changed.", GalleryErrorKind.Conflict);
        }
    }

    /// <summary>What the target holds ("3 people, 12 audit events"), or null when it is absent or holds nothing.</summary>
    private static string? DescribeContent(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return null;
        }
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
        connection.Open();
        var parts = new List<string>();
        foreach (var (table, what) in new[] { ("People", "people"), ("Decisions", "decisions"), ("AuditEvents", "audit events"), ("AspNetUsers", "accounts") })
        {
            using var exists = connection.CreateCommand();
            exists.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'";
            if (Convert.ToInt64(exists.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
            {
                continue;
            }
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            var n = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (n > 0)
            {
                parts.Add($"{n} {what}");
            }
        }
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>
    /// Puts each of the archive's secrets in place (0600, by rename); a different file already there is moved to
    /// <c>replaced-&lt;stamp&gt;/</c> first, never deleted. Returns that folder when something was kept there.
    /// </summary>
    private string? InstallSecrets(string staging, IReadOnlyList<string> secrets, string stamp)
    {
        var directory = keys.Directory;
        CreatePrivateFolder(directory);
        string? replaced = null;
        foreach (var secret in secrets)
        {
            var relative = secret.Replace('/', Path.DirectorySeparatorChar);
            var source = Path.Combine(staging, "secrets", relative);
            var destination = Path.Combine(directory, relative);
            CreatePrivateFolder(Path.GetDirectoryName(destination)!);
            if (File.Exists(destination))
            {
                if (File.ReadAllBytes(destination).AsSpan().SequenceEqual(File.ReadAllBytes(source)))
                {
                    continue;
                }
                replaced ??= Path.Combine(directory, $"replaced-{stamp}");
                var aside = Path.Combine(replaced, relative);
                CreatePrivateFolder(Path.GetDirectoryName(aside)!);
                File.Move(destination, aside);
            }
            var temp = destination + $".{Guid.NewGuid():N}.tmp";
            File.Copy(source, temp);
            OwnerOnlyFiles.Narrow(temp);
            File.Move(temp, destination, overwrite: true);
        }
        return replaced;
    }

    /// <summary>
    /// Moves the current database (and a WAL it may still have) aside, then the checked copy into place with one rename.
    /// Returns where the previous database was kept, or null when there was none.
    /// </summary>
    private string? InstallDatabase(string staged, string stamp)
    {
        var path = database.Path;
        SqliteConnection.ClearAllPools();
        string? kept = null;
        if (File.Exists(path) && new FileInfo(path).Length > 0)
        {
            Checkpoint(path);
            kept = $"{path}.before-restore-{stamp}";
            File.Move(path, kept);
            foreach (var suffix in new[] { "-wal", "-journal" })
            {
                if (File.Exists(path + suffix))
                {
                    File.Move(path + suffix, kept + suffix);
                }
            }
        }
        else if (File.Exists(path))
        {
            File.Delete(path); // the empty placeholder OwnerOnlyFiles created
        }
        // A shared-memory index describes the old WAL: it must not meet the restored file.
        File.Delete(path + "-shm");
        File.Delete(path + "-wal");
        OwnerOnlyFiles.Narrow(staged);
        File.Move(staged, path);
        OwnerOnlyFiles.Narrow(path);
        return kept;
    }

    /// <summary>Folds the old database's WAL into it before it is moved aside, so the kept copy is one file (best effort).</summary>
    private void Checkpoint(string path)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            log.LogWarning(e, "Could not checkpoint {Database} before keeping it aside; its WAL is kept beside it.", path);
        }
    }

    private static void CreatePrivateFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnlyFiles.FolderMode);
        }
    }
}
