using System.Globalization;
using Microsoft.Data.Sqlite;
using Mote.Gallery.Audit;
using Mote.Gallery.Erasure;
using Mote.Gallery.People;

namespace Mote.Gallery.Backup;

/// <summary>
/// What a backup archive holds, written first inside it (<c>manifest.json</c>) and checked again on restore: the
/// database's identity, its row counts and audit head at the moment of the snapshot, and the secrets that travel with it.
/// </summary>
public sealed record BackupManifest(
    string Format,
    DateTimeOffset TakenUtc,
    string InstanceId,
    long People,
    long Decisions,
    long AuditEvents,
    string AuditHead,
    long DatabaseBytes,
    string DatabaseSha256,
    IReadOnlyList<string> Secrets,
    int Erasures)
{
    /// <summary>The archive format this version writes and reads.</summary>
    public const string CurrentFormat = "mote-backup/1";
}

/// <summary>The entries of a backup archive (a tar inside the encryption) and which secrets travel.</summary>
internal static class BackupLayout
{
    public const string Manifest = "manifest.json";
    public const string Database = "database/mote.db";
    public const string Erasures = "erasures.json";
    public const string SecretsPrefix = "secrets/";
    public const string DataProtectionFolder = "dataprotection";

    /// <summary>
    /// The secrets a database needs to be read: every key file (<c>templates</c>, <c>audit</c>, <c>apikeys</c>,
    /// <c>recovery-codes</c>…) and the portal's data-protection keys. Not the erasure ledger's key (machine-local: the
    /// archive carries the ledger's entries instead), not the audit anchors (restore sets the anchor from the verified
    /// trail), not the HTTPS certificate (made again on start). Paths relative to the secrets folder, with '/'.
    /// </summary>
    public static List<string> SecretsIn(string secretsDirectory)
    {
        var found = new List<string>();
        if (!Directory.Exists(secretsDirectory))
        {
            return found;
        }
        foreach (var file in Directory.EnumerateFiles(secretsDirectory, "*.key", SearchOption.TopDirectoryOnly))
        {
            var name = Path.GetFileName(file);
            if (name != $"{ErasureLedger.KeyName}.key" && IsSafeName(name))
            {
                found.Add(name);
            }
        }
        var protection = Path.Combine(secretsDirectory, DataProtectionFolder);
        if (Directory.Exists(protection))
        {
            found.AddRange(Directory.EnumerateFiles(protection, "*.xml", SearchOption.TopDirectoryOnly)
                .Select(Path.GetFileName).Where(n => IsSafeName(n!)).Select(n => $"{DataProtectionFolder}/{n}"));
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>Whether <paramref name="relative"/> (from an archive) names a secret this format allows: no path tricks.</summary>
    public static bool IsAllowedSecret(string relative)
    {
        var parts = relative.Split('/');
        return parts switch
        {
            [var name] => name.EndsWith(".key", StringComparison.Ordinal) && IsSafeName(name) && name != $"{ErasureLedger.KeyName}.key",
            [DataProtectionFolder, var name] => name.EndsWith(".xml", StringComparison.Ordinal) && IsSafeName(name),
            _ => false,
        };
    }

    private static bool IsSafeName(string name) =>
        name.Length is > 0 and <= 200 && !name.StartsWith('.') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

/// <summary>What a database file holds, read with a plain connection (no Gallery context): used on a snapshot and on a restored copy.</summary>
internal sealed record SnapshotFacts(string Integrity, string InstanceId, long People, long Decisions, long AuditEvents, AuditChainWalk Chain)
{
    public static async Task<SnapshotFacts> ReadAsync(string databasePath, byte[] auditKey, CancellationToken ct)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, Mode = SqliteOpenMode.ReadWrite }.ToString());
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            var integrity = Convert.ToString(await ScalarAsync(connection, "PRAGMA integrity_check", ct).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "";
            if (integrity != "ok")
            {
                return new SnapshotFacts(integrity, "", 0, 0, 0, new AuditChainWalk(false, 0, 0, [], null, "not checked"));
            }
            var instance = Convert.ToString(await ScalarAsync(connection, "SELECT Id FROM GalleryInstance LIMIT 1", ct).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "";
            var people = await CountAsync(connection, "People", ct).ConfigureAwait(false);
            var decisions = await CountAsync(connection, "Decisions", ct).ConfigureAwait(false);
            var events = await CountAsync(connection, "AuditEvents", ct).ConfigureAwait(false);
            var chain = await AuditVerifier.WalkAsync(connection, auditKey, instance, null, ct).ConfigureAwait(false);
            return new SnapshotFacts(integrity, instance, people, decisions, events, chain);
        }
    }

    private static async Task<long> CountAsync(SqliteConnection connection, string table, CancellationToken ct) =>
        Convert.ToInt64(await ScalarAsync(connection, $"SELECT COUNT(*) FROM \"{table}\"", ct).ConfigureAwait(false), CultureInfo.InvariantCulture);

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }
    }
}
