using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Gallery.Backup;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Erasure;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;

namespace Mote.Gallery.Tests.Erasure;

/// <summary>
/// The erasure ledger (issue 14 item 8): an erased person stays erased when a database from before their erasure comes
/// back, by <c>mote restore</c> or by a file copied into place, because the ledger in the secrets folder (owner-only,
/// HMAC-sealed, ids only) is applied again before anything is served, and each re-erasure is audited.
/// </summary>
public sealed class ErasureLedgerTests(EngineGallery gallery) : IClassFixture<EngineGallery>, IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";

    private readonly string _archives = Directory.CreateTempSubdirectory("mote-ledger-archives-").FullName;

    private GalleryTestDatabase Db => gallery.Db;

    [DatasetFact("lfw-dev")]
    [Trait("Provider", "SqliteOnly")] // reads the SQLite file's bytes
    public async Task Restore_BackupFromBeforeAnErasure_PersonStaysErasedAudited_NoTraceInAnyFile()
    {
        await Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(async u =>
        {
            var current = await Db.InScopeAsync<GallerySettingsStore, GallerySettingsView>(s => s.ReadAsync());
            return await u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.ReferencePhoto, true, current.TargetFmr, current.ConcurrencyStamp));
        });
        var people = await LfwPeople.EnrollAsync(Db, 2, stride: 41, offset: 7);
        Assert.Equal(2, people.Count);
        foreach (var (name, files) in people)
        {
            await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, File.ReadAllBytes(files[1])));
        }
        var (erasedName, erasedFiles) = people[0];
        await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(x => x.ExecuteAsync(Actors.Operator, File.ReadAllBytes(erasedFiles[1]), 5));
        var erasedId = await Db.InScopeAsync<MoteDbContext, string>(c => c.People.Where(p => p.Name == erasedName).Select(p => p.Id).SingleAsync());
        var secrets = await Db.InScopeAsync<MoteDbContext, List<byte[]>>(async c =>
        {
            var blobs = new List<byte[]> { (await c.People.AsNoTracking().SingleAsync(p => p.Id == erasedId)).TemplateBlob };
            blobs.AddRange(await c.PersonImages.AsNoTracking().Where(i => i.PersonId == erasedId).Select(i => i.Blob).ToListAsync());
            var own = await c.Decisions.AsNoTracking().Where(d => d.PersonId == erasedId).Select(d => d.Id).ToListAsync();
            blobs.AddRange(await c.DecisionProbeImages.AsNoTracking().Where(p => own.Contains(p.DecisionId)).Select(p => p.Blob).ToListAsync());
            return blobs;
        });
        Assert.True(secrets.Count >= 4, $"expected the template, thumbnail, reference and a probe; found {secrets.Count}"); // template, thumbnail, reference, probes
        var archive = Path.Combine(_archives, "before-erasure.motebak");
        await Db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, Passphrase));

        await Db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, erasedId));
        var ledger = Db.Services.GetRequiredService<ErasureLedger>();
        Assert.Contains(ledger.Read(), e => e.PersonId == erasedId);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(ledger.FilePath));
        }

        var restored = await Db.InScopeAsync<RestoreBackup, RestoreResult>(r => r.ExecuteAsync(Actors.Admin, archive, Passphrase, force: true));

        Assert.Equal([erasedId], restored.ErasuresReapplied);
        Assert.True(restored.Chain.Verified, restored.Chain.Summary);
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{erasedId}'"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM People WHERE Name = '{people[1].Name.Replace("'", "''", StringComparison.Ordinal)}'"));
        var last = Db.Scalar("SELECT MAX(Id) FROM AuditEvents");
        Assert.Equal((long)AuditEventCode.ErasureReapplied, Db.Scalar($"SELECT Code FROM AuditEvents WHERE Id = {last}"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Id = {last} AND SubjectId = '{erasedId}' AND ActorKind = {(int)ActorKind.System}"));
        Assert.Equal((long)AuditEventCode.BackupRestored, Db.Scalar($"SELECT Code FROM AuditEvents WHERE Id = {last - 1}"));
        await Assert.ThrowsAsync<GalleryException>(() => Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, erasedName, File.ReadAllBytes(erasedFiles[1]))));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM Decisions WHERE PersonId = '{erasedId}' OR CandidatesJson LIKE '%{erasedId}%'"));

        // Nothing of them in any file the product wrote: the database, its WAL, the copy kept aside, the secrets folder (keys,
        // ledger, anchor), the last-backup record, and the archive (encrypted).
        string[] roots = [Db.Folder, _archives];
        foreach (var text in new[] { erasedName, erasedName.ToUpperInvariant(), erasedName.ToLowerInvariant() })
        {
            Assert.Empty(FilesContaining(roots, Encoding.UTF8.GetBytes(text)));
        }
        for (var i = 0; i < secrets.Count; i++)
        {
            var slice = secrets[i].AsSpan((secrets[i].Length / 2) - 24, 48).ToArray();
            var found = FilesContaining(roots, slice);
            Assert.True(found.Count == 0, $"ciphertext {i} of the erased person survives in {string.Join(", ", found)}");
        }
        Assert.Equal(0, new FileInfo(Db.DatabasePath + "-wal") is { Exists: true } wal ? wal.Length : 0);
    }

    [Fact]
    [Trait("Provider", "SqliteOnly")] // reads the SQLite file's bytes
    public async Task Start_DatabaseFileFromBeforeAnErasureCopiedBack_ErasedAgainBeforeServing()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var kept = PersonRows.Build("Kept Person");
        var erased = PersonRows.Build("Erased Person");
        await db.AddPeopleAsync(kept, erased);
        var copy = Path.Combine(db.Folder, "copy-before-erasure.db");
        await CreateBackup.SnapshotAsync(db.DatabasePath, copy, CancellationToken.None);
        await db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, erased.Id));
        // An operator copies the old file into place (the way not to restore, but it happens).
        SqliteConnection.ClearAllPools();
        File.Delete(db.DatabasePath + "-wal");
        File.Delete(db.DatabasePath + "-shm");
        File.Copy(copy, db.DatabasePath, overwrite: true);
        File.Delete(copy);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{erased.Id}'"));

        // What the portal and every CLI command run before they serve anything.
        await GalleryDatabase.MigrateAsync(db.Services);

        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{erased.Id}'"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{kept.Id}'"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ErasureReapplied} AND SubjectId = '{erased.Id}'"));
        // Applied once: the next start finds nobody to erase.
        await GalleryDatabase.MigrateAsync(db.Services);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ErasureReapplied}"));
    }

    [Fact]
    public async Task Ledger_AlteredOrDamaged_StartRefusedInWords_NoNameInIt()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var first = PersonRows.Build("Ledger Person One");
        var second = PersonRows.Build("Ledger Person Two");
        await db.AddPeopleAsync(first, second);
        await db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, first.Id));
        await db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, second.Id));
        var ledger = db.Services.GetRequiredService<ErasureLedger>();
        var text = await File.ReadAllTextAsync(ledger.FilePath);
        Assert.Contains(first.Id, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Ledger Person", text, StringComparison.OrdinalIgnoreCase);

        // Dropping an entry (to bring someone back) breaks the seal.
        var document = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        document["Entries"]!.AsArray().RemoveAt(0);
        await File.WriteAllTextAsync(ledger.FilePath, document.ToJsonString());
        var altered = await Assert.ThrowsAsync<GalleryException>(() => GalleryDatabase.MigrateAsync(db.Services));
        Assert.Contains("has been altered: its seal does not match", altered.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(ledger.FilePath, "{ not json");
        var damaged = await Assert.ThrowsAsync<GalleryException>(() => GalleryDatabase.MigrateAsync(db.Services));
        Assert.Contains("is damaged", damaged.Message, StringComparison.Ordinal);
    }

    private static List<string> FilesContaining(string[] roots, byte[] needle) => DiskSearch.FilesContaining(roots, needle);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_archives, recursive: true);
        return Task.CompletedTask;
    }
}
