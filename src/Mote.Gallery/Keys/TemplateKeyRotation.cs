using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Keys;

/// <summary>One column that holds values encrypted by <see cref="TemplateProtector"/>, and how to read its owner and purpose.</summary>
/// <param name="Name">What the column holds, in words (used in counts and the audit detail).</param>
/// <param name="Table">The table.</param>
/// <param name="Column">The encrypted column.</param>
/// <param name="OwnerSql">The SQL expression of the owner id bound as associated data.</param>
/// <param name="PurposeSql">A SQL expression <see cref="Purpose"/> turns into the purpose string.</param>
/// <param name="Where">Which rows hold an encrypted value.</param>
/// <param name="Base64">Whether the value is stored as base64 text (Identity's token table) instead of a blob.</param>
/// <param name="Purpose">The purpose string from the value of <see cref="PurposeSql"/>.</param>
internal sealed record EncryptedColumn(string Name, string Table, string Column, string OwnerSql, string PurposeSql, string Where, bool Base64, Func<string, string> Purpose)
{
    /// <summary>
    /// Every value the Gallery encrypts at rest (grep <c>protector.Protect</c>): templates, person images (thumbnail,
    /// reference face), kept probe images, explanation crops, and the TOTP secrets of MFA (active and pending). Keys that
    /// are HMAC keys (audit chain, API keys, recovery codes, erasure ledger) encrypt nothing and are not rotated here.
    /// </summary>
    public static readonly IReadOnlyList<EncryptedColumn> All =
    [
        // Identifiers quoted: the same SQL reads SQLite and PostgreSQL (which folds unquoted names to lower case).
        new("templates", "People", "TemplateBlob", "\"Id\"", "\"TemplateKind\"", "length(\"TemplateBlob\") > 0", false,
            KindPurpose),
        new("staged templates", "StagedTemplates", "TemplateBlob", "\"PersonId\"", "\"TemplateKind\"", "length(\"TemplateBlob\") > 0", false,
            KindPurpose),
        new("person images", "PersonImages", "Blob", "\"PersonId\"", "\"Kind\"", "length(\"Blob\") > 0", false, PersonImage.Purpose),
        new("probe images", "DecisionProbeImages", "Blob", "\"DecisionId\"", "''", "length(\"Blob\") > 0", false, _ => DecisionProbeImage.Purpose),
        new("explanation crops", "DecisionExplanations", "CropBlob", "\"DecisionId\"", "''", "\"CropBlob\" IS NOT NULL", false, _ => DecisionExplanationRecord.CropPurpose),
        new("authenticator secrets", "AspNetUserTokens", "Value", "\"UserId\"", "''",
            $"\"LoginProvider\" = '{Users.AuthenticatorStore.Provider}' AND \"Name\" IN ('AuthenticatorKey', 'PendingAuthenticatorKey') AND \"Value\" IS NOT NULL AND \"Value\" <> ''", true,
            _ => Users.AuthenticatorStore.KeyPurpose),
    ];

    // The stored TemplateKind column as written by MoteDbContext's converter ("model" / "vector").
    private static string KindPurpose(string kind) =>
        kind == TemplateKind.Vector.ReportName() ? PersonRowMapper.VectorTemplatePurpose : PersonRowMapper.ModelTemplatePurpose;
}

/// <summary>How many stored values each template key encrypts.</summary>
/// <param name="KeyIds">The key ids whose files are in the secrets folder, ascending.</param>
/// <param name="CurrentKeyId">The id new values are encrypted under (0 when the ring is empty).</param>
/// <param name="ValuesByKey">Values per key id named in their header (including ids whose file is missing).</param>
/// <param name="ValuesByColumn">Per column (<see cref="EncryptedColumn.Name"/>), values per key id.</param>
/// <param name="Unrecognised">Values whose header is of no known format (damaged).</param>
public sealed record TemplateKeyUsage(IReadOnlyList<int> KeyIds, int CurrentKeyId, IReadOnlyDictionary<int, long> ValuesByKey,
    IReadOnlyDictionary<string, IReadOnlyDictionary<int, long>> ValuesByColumn, long Unrecognised)
{
    /// <summary>Values under key <paramref name="keyId"/>.</summary>
    public long CountFor(int keyId) => ValuesByKey.TryGetValue(keyId, out var n) ? n : 0;
}

/// <summary>What <see cref="RotateTemplateKey"/> did.</summary>
/// <param name="NewKeyId">The key every value is encrypted under now.</param>
/// <param name="ResumedRotation">Whether a rotation left unfinished (older keys still in the ring) was finished instead of starting a new one.</param>
/// <param name="Reencrypted">Values re-encrypted, per column.</param>
/// <param name="RetiredKeyIds">The old keys taken out of the ring.</param>
/// <param name="RetiredTo">The <c>retired-&lt;time&gt;</c> folder the old key files were moved to; null with <c>--destroy-old</c>.</param>
public sealed record KeyRotationResult(int NewKeyId, bool ResumedRotation, IReadOnlyDictionary<string, long> Reencrypted,
    IReadOnlyList<int> RetiredKeyIds, string? RetiredTo)
{
    /// <summary>Values re-encrypted, all columns together.</summary>
    public long Total => Reencrypted.Values.Sum();
}

/// <summary>Progress of a rotation, after each committed batch.</summary>
public sealed record KeyRotationProgress(string Column, long ReencryptedSoFar);

/// <summary>
/// Counts the stored values per template key id by reading every encrypted column's header (a byte scan of the key id
/// each value names; no decryption). Needs <see cref="Permission.ManageSettings"/>. Mutates nothing.
/// </summary>
public sealed class ReadTemplateKeyUsage(MoteDbContext db, TemplateProtector protector)
{
    /// <summary>The stored values per key id, over every encrypted column.</summary>
    public async Task<TemplateKeyUsage> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        return await ScanAsync(db, protector, ct).ConfigureAwait(false);
    }

    internal static async Task<TemplateKeyUsage> ScanAsync(MoteDbContext db, TemplateProtector protector, CancellationToken ct)
    {
        var total = new Dictionary<int, long>();
        var perColumn = new Dictionary<string, IReadOnlyDictionary<int, long>>(StringComparer.Ordinal);
        long unrecognised = 0;
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            var connection = db.Database.GetDbConnection();
            foreach (var column in EncryptedColumn.All)
            {
                var counts = new Dictionary<int, long>();
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = $"SELECT \"{column.Column}\" FROM \"{column.Table}\" WHERE {column.Where}";
                    var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            if (KeyRotationRows.Value(reader, 0, column) is { } blob && TemplateProtector.KeyIdOf(blob) is { } id)
                            {
                                counts[id] = counts.GetValueOrDefault(id) + 1;
                                total[id] = total.GetValueOrDefault(id) + 1;
                            }
                            else
                            {
                                unrecognised++;
                            }
                        }
                    }
                }
                perColumn[column.Name] = counts;
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
        var ring = protector.KeyIds(); // read only: a scan never creates a key
        return new TemplateKeyUsage(ring, ring.Count > 0 ? ring[^1] : 0, total, perColumn, unrecognised);
    }
}

/// <summary>
/// <c>mote keys rotate</c> (docs/decisions/0016): creates a new template key, re-encrypts every value of every
/// <see cref="EncryptedColumn"/> under it in batches (each batch one transaction; a row is rewritten only if it still
/// holds the value that was read), then retires the old key only when a scan proves no value names it: its file is
/// moved to <c>&lt;secrets&gt;/retired-&lt;time&gt;/</c> (deleted instead with <c>destroyOld</c>), and a
/// scan after the move puts it back should a value under it have appeared meanwhile. Interrupted (cancelled, killed),
/// every value is still readable (old and new key are both in the ring) and a rerun finishes that rotation instead of
/// starting another. Writes one <see cref="AuditEventCode.TemplateKeyRotated"/> event with the counts. Needs
/// <see cref="Permission.ManageSettings"/>.
/// </summary>
public sealed class RotateTemplateKey(MoteDbContext db, TemplateProtector protector, SecretKeyStore keys, AuditTrail audit, TimeProvider time, ILogger<RotateTemplateKey> log)
{
    /// <summary>Rows re-encrypted per transaction by default: short write locks beside a serving portal (a model-template is about 100 KB).</summary>
    public const int DefaultBatchSize = 100;

    // Passes over the tables before giving up on retiring: a value written under the old key by a process that read the
    // ring just before the new key appeared is caught by the next pass; three are plenty (a Protect call is milliseconds).
    private const int MaxPasses = 3;

    /// <summary>
    /// Rotates (or finishes an interrupted rotation). <paramref name="onBatch"/> is called after each committed batch.
    /// Throws <see cref="GalleryException"/> (the old key kept, every value readable) when some value under an old key
    /// cannot be decrypted (damaged; named in the message) or keeps appearing.
    /// </summary>
    public async Task<KeyRotationResult> ExecuteAsync(Actor actor, bool destroyOld = false, int batchSize = DefaultBatchSize,
        Action<KeyRotationProgress>? onBatch = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        if (db.Database.IsNpgsql())
        {
            // Its batches page by SQLite's rowid; PostgreSQL has no stable equivalent yet. Refused before anything changes.
            throw new GalleryException("`mote keys rotate` works on the embedded SQLite file only for now; this Gallery runs on PostgreSQL. "
                + "`mote keys status` works on both. See docs/deployment.md.", GalleryErrorKind.Conflict);
        }
        if (batchSize < 1)
        {
            throw new GalleryException("The batch size must be at least 1.");
        }
        var ring = protector.KeyIds();
        if (ring.Count == 0)
        {
            throw new GalleryException($"There is no template key in {keys.Directory}: nothing is encrypted yet, or this is the wrong secrets folder (check --db and Mote:Secrets:Directory).", GalleryErrorKind.NotFound);
        }
        var resumed = ring.Count > 1;
        var target = resumed ? ring[^1] : protector.CreateNextKey();
        log.LogInformation(resumed ? "Finishing the rotation to template key {Key}." : "Rotating to new template key {Key}.", target);

        var reencrypted = EncryptedColumn.All.ToDictionary(c => c.Name, _ => 0L, StringComparer.Ordinal);
        List<int> retired = [];
        string? retiredTo = null;
        for (var pass = 1; ; pass++)
        {
            var damaged = new List<string>();
            foreach (var column in EncryptedColumn.All)
            {
                reencrypted[column.Name] += await ReencryptColumnAsync(column, target, batchSize, damaged, onBatch, reencrypted[column.Name], ct).ConfigureAwait(false);
            }
            if (damaged.Count > 0)
            {
                throw new GalleryException($"{damaged.Count} value(s) under an old key do not decrypt and were left as they are, so the old key stays in the ring: "
                    + string.Join("; ", damaged.Take(10)) + (damaged.Count > 10 ? "; …" : "")
                    + ". Re-enroll or erase those people (or reset that account's MFA), then run `mote keys rotate` again to finish.");
            }
            var old = protector.KeyIds().Where(id => id != target).ToList();
            var usage = await ReadTemplateKeyUsage.ScanAsync(db, protector, ct).ConfigureAwait(false);
            if (old.All(id => usage.CountFor(id) == 0))
            {
                if (old.Count > 0)
                {
                    // The rewritten pages' old images stay in mote.db-wal until a checkpoint (secure_delete zeroes the
                    // freed ones it writes back): fold and truncate the WAL before the old key leaves the ring.
                    await WalCheckpoint.TruncateAsync(db, time, log, CancellationToken.None).ConfigureAwait(false);
                    retiredTo = MoveAside(old);
                    var after = await ReadTemplateKeyUsage.ScanAsync(db, protector, ct).ConfigureAwait(false);
                    if (old.Any(id => after.CountFor(id) > 0))
                    {
                        PutBack(old, retiredTo); // a value appeared under an old key between the scan and the move
                        retiredTo = null;
                        if (pass < MaxPasses)
                        {
                            continue;
                        }
                        throw NotDone(old, after);
                    }
                    retired = old;
                    if (destroyOld)
                    {
                        Directory.Delete(retiredTo, recursive: true);
                        retiredTo = null;
                    }
                }
                break;
            }
            if (pass >= MaxPasses)
            {
                throw NotDone(old, usage);
            }
        }

        var counts = string.Join(", ", reencrypted.Select(kv => $"{kv.Key} {kv.Value.ToString(CultureInfo.InvariantCulture)}"));
        var retiredText = retired.Count == 0 ? "no old key was in the ring"
            : $"key(s) {string.Join(", ", retired)} retired" + (retiredTo is null ? " and destroyed" : $" to {Path.GetFileName(retiredTo)}");
        await audit.AppendAsync(actor, AuditEventCode.TemplateKeyRotated, null,
            $"Template key rotated to key {target}{(resumed ? " (an interrupted rotation finished)" : "")}: re-encrypted {reencrypted.Values.Sum()} value(s) ({counts}); {retiredText}; a scan found no value under an old key.",
            ct).ConfigureAwait(false);
        return new KeyRotationResult(target, resumed, reencrypted, retired, retiredTo);
    }

    private static GalleryException NotDone(IReadOnlyList<int> old, TemplateKeyUsage usage) => new(
        $"Values under old key(s) keep appearing ({string.Join(", ", old.Select(id => $"key {id}: {usage.CountFor(id)}"))}); the old key stays in the ring and everything is readable. Run `mote keys rotate` again to finish.");

    private async Task<long> ReencryptColumnAsync(EncryptedColumn column, int target, int batchSize, List<string> damaged,
        Action<KeyRotationProgress>? onBatch, long before, CancellationToken ct)
    {
        long done = 0;
        long lastRowId = long.MinValue;
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            var connection = db.Database.GetDbConnection();
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var changed = 0;
                var read = 0;
                var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var rows = await KeyRotationRows.ReadBatchAsync(connection, transaction.GetDbTransaction(), column, lastRowId, batchSize, ct).ConfigureAwait(false);
                    read = rows.Count;
                    foreach (var row in rows)
                    {
                        lastRowId = row.RowId;
                        if (row.Value is not { } blob || TemplateProtector.KeyIdOf(blob) is not { } id || id == target)
                        {
                            continue; // unrecognised values cannot be re-encrypted and are counted by the scan
                        }
                        byte[] fresh;
                        try
                        {
                            var plain = protector.Unprotect(row.Owner, column.Purpose(row.PurposeKey), blob);
                            fresh = protector.Protect(row.Owner, column.Purpose(row.PurposeKey), plain, target);
                            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain);
                        }
                        catch (TemplateIntegrityException e)
                        {
                            damaged.Add($"{column.Name} of {row.Owner}: {e.Message}");
                            continue;
                        }
                        changed += await KeyRotationRows.UpdateAsync(connection, transaction.GetDbTransaction(), column, row, fresh, ct).ConfigureAwait(false);
                    }
                    // Committed even when cancelled after this point: the batch is whole, the rest waits for a rerun.
                    await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                }
                done += changed;
                if (changed > 0)
                {
                    onBatch?.Invoke(new KeyRotationProgress(column.Name, before + done));
                }
                if (read < batchSize)
                {
                    return done;
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Moves the old key files into a new owner-only <c>retired-&lt;time&gt;</c> folder of the secrets directory and forgets them.</summary>
    private string MoveAside(IReadOnlyList<int> old)
    {
        var folder = Path.Combine(keys.Directory, $"retired-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}");
        for (var n = 2; Directory.Exists(folder); n++)
        {
            folder = Path.Combine(keys.Directory, $"retired-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{n}");
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnlyFiles.FolderMode);
        }
        foreach (var id in old)
        {
            var name = TemplateProtector.KeyName(id);
            File.Move(Path.Combine(keys.Directory, $"{name}.key"), Path.Combine(folder, $"{name}.key"));
            keys.Forget(name);
        }
        return folder;
    }

    private void PutBack(IReadOnlyList<int> old, string folder)
    {
        foreach (var id in old)
        {
            var name = TemplateProtector.KeyName(id);
            File.Move(Path.Combine(folder, $"{name}.key"), Path.Combine(keys.Directory, $"{name}.key"));
        }
        Directory.Delete(folder);
    }
}

/// <summary>Raw reads and conditional writes of encrypted columns (SQLite: keyset pages by rowid).</summary>
internal static class KeyRotationRows
{
    public sealed record Row(long RowId, string Owner, string PurposeKey, byte[]? Value, object Stored);

    public static byte[]? Value(DbDataReader reader, int ordinal, EncryptedColumn column)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }
        if (!column.Base64)
        {
            return (byte[])reader.GetValue(ordinal);
        }
        try
        {
            return Convert.FromBase64String(reader.GetString(ordinal));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static async Task<List<Row>> ReadBatchAsync(DbConnection connection, DbTransaction transaction, EncryptedColumn column, long afterRowId, int batchSize, CancellationToken ct)
    {
        var rows = new List<Row>(batchSize);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT rowid, {column.OwnerSql}, {column.PurposeSql}, \"{column.Column}\" FROM \"{column.Table}\" WHERE rowid > $after AND ({column.Where}) ORDER BY rowid LIMIT $n";
            Add(command, "$after", afterRowId);
            Add(command, "$n", batchSize);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), Convert.ToString(reader.GetValue(2), CultureInfo.InvariantCulture) ?? "",
                        Value(reader, 3, column), reader.GetValue(3)));
                }
            }
        }
        return rows;
    }

    /// <summary>Writes <paramref name="fresh"/> only if the row still holds what was read (returns 0 otherwise).</summary>
    public static async Task<int> UpdateAsync(DbConnection connection, DbTransaction transaction, EncryptedColumn column, Row row, byte[] fresh, CancellationToken ct)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = $"UPDATE \"{column.Table}\" SET \"{column.Column}\" = $fresh WHERE rowid = $row AND \"{column.Column}\" = $old";
            Add(command, "$fresh", column.Base64 ? Convert.ToBase64String(fresh) : fresh);
            Add(command, "$row", row.RowId);
            Add(command, "$old", row.Stored);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
