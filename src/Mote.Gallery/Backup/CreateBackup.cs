using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Erasure;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Backup;

/// <summary>What <see cref="CreateBackup"/> wrote.</summary>
public sealed record BackupResult(string Path, long Bytes, string Sha256, BackupManifest Manifest);

/// <summary>
/// Writes an encrypted backup archive (docs/backup.md, docs/decisions/0015): a consistent snapshot of the database taken
/// with SQLite's online backup API while the portal keeps writing (readers do not block writers in WAL mode), checked
/// (<c>PRAGMA integrity_check</c>, the audit chain), together with the secrets needed to read it and the erasure ledger's
/// entries, packed as a tar and encrypted under a passphrase (<see cref="BackupCipher"/>). The plaintext exists only in a
/// 0700 folder beside the database while the archive is made; the archive appears under its name only when complete
/// (written to <c>.partial</c>, then renamed) and is 0600. Records the backup in <see cref="BackupStatus"/> and writes one
/// <see cref="AuditEventCode.BackupCreated"/> event. Needs <see cref="Permission.ManageSettings"/>.
/// </summary>
public sealed class CreateBackup(
    GalleryDatabase database, SecretKeyStore keys, ErasureLedger ledger, AuditTrail audit, BackupStatus status, TimeProvider time, ILogger<CreateBackup> log)
{
    /// <summary>Passphrases shorter than this are refused: the archive holds every template and the keys to read them.</summary>
    public const int MinimumPassphraseLength = 12;

    /// <summary>
    /// Backs up to <paramref name="outputPath"/>, which must not exist yet. Throws <see cref="GalleryException"/> (nothing
    /// written) for a short passphrase, an existing file, or a snapshot that fails its checks.
    /// </summary>
    public async Task<BackupResult> ExecuteAsync(Actor actor, string outputPath, string passphrase, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        database.RequireSqlite("`mote backup`", PostgreSqlBackup.Advice);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        if (string.IsNullOrEmpty(passphrase) || passphrase.Length < MinimumPassphraseLength)
        {
            throw new GalleryException($"The backup passphrase must be at least {MinimumPassphraseLength} characters: the archive holds every template and the keys to read them.");
        }
        var target = Path.GetFullPath(outputPath);
        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new GalleryException($"{target} already exists; choose a new file name (a backup never overwrites one).", GalleryErrorKind.Conflict);
        }
        if (!Directory.Exists(Path.GetDirectoryName(target)))
        {
            throw new GalleryException($"The folder {Path.GetDirectoryName(target)} does not exist.", GalleryErrorKind.NotFound);
        }
        if (!File.Exists(database.Path))
        {
            throw new GalleryException($"There is no database at {database.Path} to back up.", GalleryErrorKind.NotFound);
        }

        var staging = Staging.Create(database.Path, "backup");
        var partial = target + ".partial";
        try
        {
            var snapshot = Path.Combine(staging, "mote.db");
            await SnapshotAsync(database.Path, snapshot, ct).ConfigureAwait(false);
            var facts = await SnapshotFacts.ReadAsync(snapshot, keys.GetOrCreate(AuditChain.KeyName), ct).ConfigureAwait(false);
            if (facts.Integrity != "ok")
            {
                throw new GalleryException($"The database failed its integrity check ({facts.Integrity}); no backup was written. Investigate before backing up.");
            }
            if (!facts.Chain.Verified)
            {
                throw new GalleryException($"The audit trail does not verify ({facts.Chain.Summary}); no backup was written. Run `mote audit verify`.");
            }
            var secretsDirectory = keys.Directory;
            var secrets = BackupLayout.SecretsIn(secretsDirectory);
            var erasures = ledger.Read();
            var manifest = new BackupManifest(BackupManifest.CurrentFormat, time.GetUtcNow(), facts.InstanceId, facts.People, facts.Decisions,
                facts.AuditEvents, Convert.ToHexString(facts.Chain.Head), new FileInfo(snapshot).Length, Sha256Of(snapshot), secrets, erasures.Count);

            var tar = Path.Combine(staging, "archive.tar");
            await WriteTarAsync(tar, manifest, snapshot, secretsDirectory, secrets, erasures, ct).ConfigureAwait(false);
            var input = File.OpenRead(tar);
            await using (input.ConfigureAwait(false))
            {
                var output = new FileStream(partial, OwnerOnlyFiles.CreateNew());
                await using (output.ConfigureAwait(false))
                {
                    await BackupCipher.EncryptAsync(input, output, passphrase, BackupCipher.DefaultIterations, ct).ConfigureAwait(false);
                    await output.FlushAsync(ct).ConfigureAwait(false);
                    output.Flush(flushToDisk: true);
                }
            }
            File.Move(partial, target, overwrite: false);
            var bytes = new FileInfo(target).Length;
            var digest = Sha256Of(target);
            status.Record(new LastBackup(manifest.TakenUtc, target, bytes, digest, manifest.People, manifest.Decisions, manifest.AuditEvents));
            await audit.AppendAsync(actor, AuditEventCode.BackupCreated, null,
                $"Backup {Path.GetFileName(target)}: {bytes} bytes, SHA-256 {digest}; {manifest.People} people, {manifest.Decisions} decisions, audit trail up to #{manifest.AuditEvents}.",
                ct).ConfigureAwait(false);
            log.LogInformation("Backup written to {Path} ({Bytes} bytes).", target, bytes);
            return new BackupResult(target, bytes, digest, manifest);
        }
        finally
        {
            File.Delete(partial);
            Staging.Delete(staging);
        }
    }

    /// <summary>
    /// SQLite's online backup API (<c>sqlite3_backup_step(-1)</c>): one consistent read snapshot of the live database,
    /// taken while other connections keep committing; then switched to a self-contained rollback-journal file.
    /// </summary>
    internal static async Task SnapshotAsync(string source, string destination, CancellationToken ct)
    {
        using (new FileStream(destination, OwnerOnlyFiles.CreateNew()))
        {
            // Created empty and 0600 first: SQLite then writes into it with that mode.
        }
        var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
        var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString());
        await using (from.ConfigureAwait(false))
        await using (to.ConfigureAwait(false))
        {
            await from.OpenAsync(ct).ConfigureAwait(false);
            await to.OpenAsync(ct).ConfigureAwait(false);
            from.BackupDatabase(to);
            var command = to.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = "PRAGMA journal_mode=DELETE;";
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteTarAsync(string path, BackupManifest manifest, string snapshot, string secretsDirectory,
        IReadOnlyList<string> secrets, IReadOnlyList<ErasureLedgerEntry> erasures, CancellationToken ct)
    {
        var stream = new FileStream(path, OwnerOnlyFiles.CreateNew());
        await using (stream.ConfigureAwait(false))
        {
            var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                await WriteBytesAsync(writer, BackupLayout.Manifest, JsonSerializer.SerializeToUtf8Bytes(manifest), ct).ConfigureAwait(false);
                await writer.WriteEntryAsync(snapshot, BackupLayout.Database, ct).ConfigureAwait(false);
                foreach (var secret in secrets)
                {
                    await writer.WriteEntryAsync(Path.Combine(secretsDirectory, secret.Replace('/', Path.DirectorySeparatorChar)), BackupLayout.SecretsPrefix + secret, ct).ConfigureAwait(false);
                }
                await WriteBytesAsync(writer, BackupLayout.Erasures, JsonSerializer.SerializeToUtf8Bytes(erasures), ct).ConfigureAwait(false);
            }
            stream.Flush(flushToDisk: true);
        }
    }

    private static async Task WriteBytesAsync(TarWriter writer, string name, byte[] bytes, CancellationToken ct)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes), Mode = OwnerOnlyFiles.FileMode };
        await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
    }

    internal static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}

/// <summary>A private working folder beside the database (same file system, so a finished file moves in atomically; 0700).</summary>
internal static class Staging
{
    public static string Create(string databasePath, string purpose)
    {
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath))!, $".mote-{purpose}-{Guid.NewGuid():N}");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnlyFiles.FolderMode);
        }
        return folder;
    }

    public static void Delete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the next attempt; it holds nothing the database folder does not already.
        }
    }
}

/// <summary>What `mote backup` and `mote restore` say on PostgreSQL, where the database is backed up with PostgreSQL's own tools.</summary>
public static class PostgreSqlBackup
{
    /// <summary>The advice itself: pg_dump and pg_restore for the database, plus a copy of the shared secrets folder.</summary>
    public const string Advice =
        "Back up a PostgreSQL gallery with pg_dump (e.g. `pg_dump --format=custom --file=mote.dump <database>`), restore it with pg_restore, "
        + "and back up the shared secrets folder (Mote:Secrets:Directory; it holds the keys and the erasure ledger): without it the dump's "
        + "templates and audit trail cannot be read or verified. See docs/backup.md and docs/deployment.md.";
}
