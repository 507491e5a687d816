using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Gallery.Backup;
using Mote.Gallery.Decisions;
using Mote.Gallery.Keys;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Users;

namespace Mote.Gallery.Tests.Keys;

/// <summary>
/// Issue 14 item 12: key rotation on real SQLite files with real LFW people, their kept images, probe images, an
/// explanation crop and one account's TOTP secret. After `RotateTemplateKey` a row scan of every encrypted column finds no
/// value naming the old key id, every value decrypts to the same bytes, every person verifies with the same score, the
/// TOTP secret still checks codes, and a backup taken afterwards restores elsewhere and reads. A rotation cancelled
/// mid-way leaves everything readable and a rerun finishes it.
/// </summary>
[Trait("Provider", "SqliteOnly")] // rowid key rotation (refused on PostgreSQL, PostgreSqlProviderTests)
public sealed class TemplateKeyRotationTests
{
    private const string Passphrase = "correct horse battery staple";

    // (table, column, where, base64): every column TemplateProtector writes to, listed independently of the product's own list.
    private static readonly (string Table, string Column, string Where, bool Base64)[] EncryptedColumns =
    [
        ("People", "TemplateBlob", "1", false),
        ("PersonImages", "Blob", "1", false),
        ("DecisionProbeImages", "Blob", "1", false),
        ("DecisionExplanations", "CropBlob", "CropBlob IS NOT NULL", false),
        ("AspNetUserTokens", "Value", "LoginProvider = 'Mote' AND Name IN ('AuthenticatorKey', 'PendingAuthenticatorKey')", true),
    ];

    [DatasetFact("lfw-dev")]
    public async Task Rotate_GalleryWithImagesProbesAndMfa_NoValueUsesOldKey_AllReadTheSame_BackupAfterRestoresAndReads()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await KeepEverythingAsync(db);
        var people = await LfwPeople.EnrollAsync(db, count: 3, stride: 41, offset: 2);
        Assert.Equal(3, people.Count);
        var scores = new List<(string Name, byte[] Probe, float Score)>();
        foreach (var (name, files) in people)
        {
            var probe = File.ReadAllBytes(files[1]);
            var verified = await VerifyAsync(db, name, probe);
            scores.Add((name, probe, verified.Score));
            if (scores.Count == 1)
            {
                var explained = await db.InScopeAsync<ExplainDecision, Mote.Gallery.Engine.ProbeExplanation?>(e =>
                    e.ExecuteAsync(new ExplanationRequest(verified.DecisionId, verified.PersonId, probe, verified.Score, verified.Threshold)));
                Assert.NotNull(explained);
            }
        }
        var (adaId, secret) = await EnableMfaAsync(db);
        var before = Plaintexts(db);
        Assert.Equal(3, before.Count(v => v.Table == "People"));
        Assert.True(before.Count(v => v.Table == "PersonImages") >= 3, "thumbnails and reference faces were not kept");
        Assert.Equal(3, before.Count(v => v.Table == "DecisionProbeImages"));
        Assert.Equal(1, before.Count(v => v.Table == "DecisionExplanations"));
        Assert.Equal(1, before.Count(v => v.Table == "AspNetUserTokens"));
        Assert.All(RowKeyIds(db.DatabasePath), v => Assert.Equal(1, v.KeyId)); // nothing rotated yet: the original format, key 1
        var oldTemplate = (byte[])Values(db.DatabasePath, "People", "TemplateBlob", "Id", "1", false)[0].Value.Clone();
        var usageBefore = await db.InScopeAsync<ReadTemplateKeyUsage, TemplateKeyUsage>(u => u.ExecuteAsync(Actors.Admin));
        Assert.Equal(before.Count, usageBefore.CountFor(1));
        Assert.Equal([1], usageBefore.KeyIds);

        var result = await db.InScopeAsync<RotateTemplateKey, KeyRotationResult>(r => r.ExecuteAsync(Actors.Admin));

        Assert.Equal(2, result.NewKeyId);
        Assert.False(result.ResumedRotation);
        Assert.Equal(before.Count, result.Total);
        Assert.Equal([1], result.RetiredKeyIds);
        var secrets = Path.Combine(db.Folder, "secrets");
        Assert.False(File.Exists(Path.Combine(secrets, "templates.key")), "the old key is still in the ring");
        Assert.True(File.Exists(Path.Combine(result.RetiredTo!, "templates.key")), "the old key was not kept in the retired folder");
        Assert.StartsWith("retired-", Path.GetFileName(result.RetiredTo!), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyMode, File.GetUnixFileMode(Path.Combine(secrets, "templates-2.key")));
            Assert.Equal(OwnerOnlyMode, File.GetUnixFileMode(Path.Combine(result.RetiredTo!, "templates.key")));
        }
        // The row scan: every encrypted value names key 2 in its header, none key 1.
        var rows = RowKeyIds(db.DatabasePath);
        Assert.Equal(before.Count, rows.Count);
        Assert.All(rows, v => Assert.Equal(2, v.KeyId));
        // A byte scan of the database file and its WAL: the old ciphertext (tag and first bytes) is gone, not left in freed pages.
        foreach (var file in new[] { db.DatabasePath, db.DatabasePath + "-wal" }.Where(File.Exists))
        {
            Assert.Equal(-1, File.ReadAllBytes(file).AsSpan().IndexOf(oldTemplate.AsSpan(13, 48)));
        }
        // Every value decrypts (with the ring as it is now) to exactly the bytes it held before.
        Assert.Equal(before.Select(v => (v.Table, v.Owner, Convert.ToHexString(v.Plain))).Order(),
            Plaintexts(db).Select(v => (v.Table, v.Owner, Convert.ToHexString(v.Plain))).Order());
        foreach (var (name, probe, score) in scores)
        {
            Assert.Equal(score, (await VerifyAsync(db, name, probe)).Score);
        }
        Assert.True(await db.InScopeAsync<AuthenticatorStore, bool>(s => s.VerifyCodeAsync(adaId, NextCode(secret), CancellationToken.None)),
            "the TOTP secret no longer checks codes after rotation");
        var usage = await db.InScopeAsync<ReadTemplateKeyUsage, TemplateKeyUsage>(u => u.ExecuteAsync(Actors.Admin));
        Assert.Equal([2], usage.KeyIds);
        Assert.Equal(0, usage.CountFor(1));
        Assert.Equal(RowKeyIds(db.DatabasePath).Count, usage.CountFor(2)); // the re-verifications above added probe images, under key 2
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.TemplateKeyRotated}"));
        Assert.Contains($"re-encrypted {before.Count} value(s) (templates 3,", AuditDetail(db), StringComparison.Ordinal);
        // A new value after rotation is written under key 2 as well.
        await VerifyAsync(db, scores[1].Name, scores[1].Probe);
        Assert.All(RowKeyIds(db.DatabasePath), v => Assert.Equal(2, v.KeyId));

        // A backup after rotation carries the new key (not the retired one) and restores on another machine, readable.
        var archive = Path.Combine(db.Folder, "after-rotation.motebak");
        var backup = await db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, Passphrase));
        Assert.Contains("templates-2.key", backup.Manifest.Secrets);
        Assert.DoesNotContain("templates.key", backup.Manifest.Secrets);
        await using var elsewhere = await GalleryTestDatabase.CreateAsync();
        var restored = await elsewhere.InScopeAsync<RestoreBackup, RestoreResult>(r => r.ExecuteAsync(Actors.Admin, archive, Passphrase, force: false));
        Assert.True(restored.Chain.Verified, restored.Chain.Summary);
        Assert.Equal(Plaintexts(db).Select(v => (v.Table, v.Owner, Convert.ToHexString(v.Plain))).Order(),
            Plaintexts(elsewhere).Select(v => (v.Table, v.Owner, Convert.ToHexString(v.Plain))).Order());
        foreach (var (name, probe, score) in scores)
        {
            Assert.Equal(score, (await VerifyAsync(elsewhere, name, probe)).Score);
        }
        // The restored account's TOTP secret reads back as the one its authenticator app holds.
        Assert.Equal(secret, await elsewhere.InScopeAsync<AuthenticatorStore, byte[]?>(s => s.ActiveKeyAsync(adaId, CancellationToken.None)));
    }

    [DatasetFact("lfw-dev")]
    public async Task Rotate_CancelledMidway_EverythingStillReads_RerunFinishesWithoutANewKey()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await KeepEverythingAsync(db);
        var people = await LfwPeople.EnrollAsync(db, count: 3, stride: 41, offset: 5);
        Assert.Equal(3, people.Count);
        var scores = new List<(string Name, byte[] Probe, float Score)>();
        foreach (var (name, files) in people)
        {
            var probe = File.ReadAllBytes(files[1]);
            scores.Add((name, probe, (await VerifyAsync(db, name, probe)).Score));
        }
        var before = Plaintexts(db);
        using var cancel = new CancellationTokenSource();
        var batches = 0;

        // One value per transaction; cancelled after the second committed batch (Ctrl+C, a killed terminal).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.InScopeAsync<RotateTemplateKey, KeyRotationResult>(r => r.ExecuteAsync(
            Actors.Admin, batchSize: 1, onBatch: _ =>
            {
                if (++batches == 2)
                {
                    cancel.Cancel();
                }
            }, ct: cancel.Token)));

        var secrets = Path.Combine(db.Folder, "secrets");
        Assert.True(File.Exists(Path.Combine(secrets, "templates.key")), "an interrupted rotation must keep the old key");
        Assert.True(File.Exists(Path.Combine(secrets, "templates-2.key")));
        var halfway = RowKeyIds(db.DatabasePath);
        Assert.Equal(2, halfway.Count(v => v.KeyId == 2));
        Assert.Equal(before.Count - 2, halfway.Count(v => v.KeyId == 1));
        Assert.Equal(before.Select(v => Convert.ToHexString(v.Plain)).Order(), Plaintexts(db).Select(v => Convert.ToHexString(v.Plain)).Order());
        foreach (var (name, probe, score) in scores)
        {
            Assert.Equal(score, (await VerifyAsync(db, name, probe)).Score); // also writes new probe images, under key 2
        }
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.TemplateKeyRotated}"));

        var result = await db.InScopeAsync<RotateTemplateKey, KeyRotationResult>(r => r.ExecuteAsync(Actors.Admin, destroyOld: true, batchSize: 2));

        Assert.True(result.ResumedRotation);
        Assert.Equal(2, result.NewKeyId);
        Assert.Equal(before.Count - 2, result.Total);
        Assert.Equal([1], result.RetiredKeyIds);
        Assert.Null(result.RetiredTo);
        Assert.Equal(["templates-2.key"], Directory.GetFiles(secrets, "templates*.key").Select(Path.GetFileName));
        Assert.Empty(Directory.GetDirectories(secrets, "retired-*")); // --destroy-old keeps no copy
        Assert.All(RowKeyIds(db.DatabasePath), v => Assert.Equal(2, v.KeyId));
        Assert.Equal(before.Select(v => (v.Table, v.Owner, Convert.ToHexString(v.Plain))).Order(),
            Plaintexts(db).Where(v => before.Any(b => b.Table == v.Table && b.Owner == v.Owner)).Select(v => (v.Table, v.Owner, Convert.ToHexString(v.Plain))).Order());
        foreach (var (name, probe, score) in scores)
        {
            Assert.Equal(score, (await VerifyAsync(db, name, probe)).Score);
        }
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.TemplateKeyRotated}"));
        Assert.Contains("(an interrupted rotation finished)", AuditDetail(db), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_ValueUnderOldKeyDoesNotDecrypt_RefusedNamingIt_OldKeyKeptOthersReadable()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        var (adaId, _) = await EnableMfaAsync(db);
        // A second account's secret, then damaged in place (one ciphertext bit).
        var bob = await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actor.Terminal("test"), "bob@example.org", "correct horse battery", Roles.Operator));
        await db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(new Actor(ActorKind.User, bob.Id, "bob@example.org", new HashSet<string> { Roles.Operator })));
        using (var connection = db.OpenRaw())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT Value FROM AspNetUserTokens WHERE UserId = $u AND Name = 'PendingAuthenticatorKey'";
            command.Parameters.AddWithValue("$u", bob.Id);
            var blob = Convert.FromBase64String((string)command.ExecuteScalar()!);
            blob[^1] ^= 1;
            command.CommandText = "UPDATE AspNetUserTokens SET Value = $v WHERE UserId = $u AND Name = 'PendingAuthenticatorKey'";
            command.Parameters.AddWithValue("$v", Convert.ToBase64String(blob));
            command.ExecuteNonQuery();
        }

        var e = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<RotateTemplateKey, KeyRotationResult>(r => r.ExecuteAsync(Actors.Admin)));

        Assert.Contains($"authenticator secrets of {bob.Id}", e.Message, StringComparison.Ordinal);
        Assert.Contains("the old key stays in the ring", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(db.Folder, "secrets", "templates.key")));
        Assert.Equal([1, 2], protector.KeyIds());
        Assert.NotNull(await db.InScopeAsync<AuthenticatorStore, byte[]?>(s => s.ActiveKeyAsync(adaId, CancellationToken.None))); // moved to key 2, reads
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.TemplateKeyRotated}"));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<RotateTemplateKey, KeyRotationResult>(r => r.ExecuteAsync(Actors.Auditor)));
    }

    [Fact]
    public async Task Protect_KeyOneKeepsTheOriginalFormat_NewKeyPrefixesItsId_RetiredKeyNamedWhenMissing()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        byte[] plain = [1, 2, 3, 4, 5];

        var original = protector.Protect("p", "model-template", plain);
        Assert.Equal(1, original[0]); // version 1, byte for byte the format before key ids: old databases read unchanged
        Assert.Equal(1 + 12 + 16 + plain.Length, original.Length);
        Assert.Equal(1, TemplateProtector.KeyIdOf(original));
        Assert.Equal(2, protector.CreateNextKey());

        var rotated = protector.Protect("p", "model-template", plain);
        Assert.Equal(2, rotated[0]);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(rotated.AsSpan(1, 4)));
        Assert.Equal(plain, protector.Unprotect("p", "model-template", original));
        Assert.Equal(plain, protector.Unprotect("p", "model-template", rotated));
        rotated[1] = 9; // a key id that is not in the ring
        Assert.Contains("template key 9", Assert.Throws<TemplateIntegrityException>(() => protector.Unprotect("p", "model-template", rotated)).Message, StringComparison.Ordinal);
    }

    private const UnixFileMode OwnerOnlyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static Task<VerificationResult> VerifyAsync(GalleryTestDatabase db, string name, byte[] probe) =>
        db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, probe));

    /// <summary>Reference photos and probe images kept, so every kind of encrypted image exists.</summary>
    private static async Task KeepEverythingAsync(GalleryTestDatabase db)
    {
        var current = await db.InScopeAsync<GallerySettingsStore, GallerySettingsView>(s => s.ReadAsync());
        await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u => u.ExecuteAsync(Actors.Admin,
            new GallerySettingsChange(ReferenceRetention.ReferencePhoto, true, current.TargetFmr, current.ConcurrencyStamp)));
    }

    /// <summary>An Admin account with two-factor sign-in on; returns its id and TOTP secret.</summary>
    private static async Task<(string UserId, byte[] Secret)> EnableMfaAsync(GalleryTestDatabase db)
    {
        var user = await db.InScopeAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(Actor.Terminal("test"), "ada@example.org", "correct horse battery", Roles.Admin));
        var actor = new Actor(ActorKind.User, user.Id, "ada@example.org", new HashSet<string> { Roles.Admin });
        var setup = await db.InScopeAsync<BeginMfaSetup, MfaSetup>(u => u.ExecuteAsync(actor));
        var secret = Base32.Decode(setup.Secret);
        await db.InScopeAsync<ConfirmMfaSetup, IReadOnlyList<string>>(u => u.ExecuteAsync(actor, Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow))));
        return (user.Id, secret);
    }

    // The set-up spent the current step; a code one or two steps ahead is inside the accepted window and not yet spent.
    private static string NextCode(byte[] secret) => Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow) + 1);

    private static string AuditDetail(GalleryTestDatabase db)
    {
        using var connection = db.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT p.Detail FROM AuditEvents e JOIN AuditPayloads p ON p.EventId = e.Id WHERE e.Code = {(int)AuditEventCode.TemplateKeyRotated}";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>The key id each stored encrypted value names, read from its header bytes (version 1 → key 1; version 2 → the next four bytes).</summary>
    private static List<(string Table, int KeyId)> RowKeyIds(string databasePath)
    {
        var found = new List<(string, int)>();
        foreach (var (table, column, where, base64) in EncryptedColumns)
        {
            foreach (var (_, value) in Values(databasePath, table, column, "rowid", where, base64))
            {
                found.Add((table, value[0] switch
                {
                    1 => 1,
                    2 => BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(1, 4)),
                    _ => -value[0],
                }));
            }
        }
        return found;
    }

    /// <summary>Every encrypted value decrypted through the Gallery's protector (throws if any is unreadable).</summary>
    private static List<(string Table, string Owner, byte[] Plain)> Plaintexts(GalleryTestDatabase db)
    {
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        var all = new List<(string, string, byte[])>();
        foreach (var (owner, value) in Values(db.DatabasePath, "People", "TemplateBlob", "Id || '|' || TemplateKind", "1", false))
        {
            var parts = owner.Split('|');
            all.Add(("People", parts[0], protector.Unprotect(parts[0], parts[1] == "vector" ? PersonRowMapper.VectorTemplatePurpose : PersonRowMapper.ModelTemplatePurpose, value)));
        }
        foreach (var (owner, value) in Values(db.DatabasePath, "PersonImages", "Blob", "PersonId || '|' || Kind", "1", false))
        {
            var parts = owner.Split('|');
            all.Add(("PersonImages", owner, protector.Unprotect(parts[0], PersonImage.Purpose(parts[1]), value)));
        }
        foreach (var (owner, value) in Values(db.DatabasePath, "DecisionProbeImages", "Blob", "DecisionId", "1", false))
        {
            all.Add(("DecisionProbeImages", owner, protector.Unprotect(owner, DecisionProbeImage.Purpose, value)));
        }
        foreach (var (owner, value) in Values(db.DatabasePath, "DecisionExplanations", "CropBlob", "DecisionId", "CropBlob IS NOT NULL", false))
        {
            all.Add(("DecisionExplanations", owner, protector.Unprotect(owner, DecisionExplanationRecord.CropPurpose, value)));
        }
        foreach (var (owner, value) in Values(db.DatabasePath, "AspNetUserTokens", "Value", "UserId", "LoginProvider = 'Mote' AND Name IN ('AuthenticatorKey', 'PendingAuthenticatorKey')", true))
        {
            all.Add(("AspNetUserTokens", owner, protector.Unprotect(owner, "authenticator-key", value)));
        }
        return all;
    }

    private static List<(string Owner, byte[] Value)> Values(string databasePath, string table, string column, string owner, string where, bool base64)
    {
        var values = new List<(string, byte[])>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {owner}, \"{column}\" FROM \"{table}\" WHERE {where}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            values.Add((Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!,
                base64 ? Convert.FromBase64String(reader.GetString(1)) : (byte[])reader.GetValue(1)));
        }
        return values;
    }
}
