using System.Text;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Erasure;
using Mote.Gallery.People;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;

namespace Mote.Gallery.Tests.Erasure;

/// <summary>
/// Erasure that sticks, on a real SQLite file with the real engine (a gallery of its own, so the byte scans see only
/// this test's data): after <see cref="ErasePerson"/> nothing of the person survives in any file the Gallery writes
/// (database, WAL, shared memory, secrets), and no other decision still names them or keeps a probe of their face.
/// </summary>
public sealed class ErasureTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    private GalleryTestDatabase Db => gallery.Db;

    [Fact]
    [Trait("Provider", "SqliteOnly")] // reads the SQLite file's bytes
    public async Task ErasePerson_AfterDecisions_NoTraceInAnyFileOrOtherDecision()
    {
        await Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(async u =>
        {
            var current = await Db.InScopeAsync<GallerySettingsStore, GallerySettingsView>(s => s.ReadAsync());
            return await u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.ReferencePhoto, true, current.TargetFmr, current.ConcurrencyStamp));
        });
        // Two people enrolled from the same face, so one 1:N decision lists both: the one erased is the runner-up, and
        // that decision (about the other person) stays.
        var face = gallery.EnrollableFace("sample2.jpg");
        string[] names = ["Zephyrine Quillfeather", "Oyelaran Brightwater"];
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i];
            await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, gallery.Photo("sample2.jpg"), face, Seed: 40 + i)));
        }
        var probe = gallery.FaceCrop("sample2.jpg", face);
        var identified = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(x => x.ExecuteAsync(Actors.Operator, probe, 5));
        Assert.Equal(2, identified.Matches.Count);
        var (erasedId, erasedName) = (identified.Matches[1].PersonId, identified.Matches[1].PersonName);
        var keptId = identified.Matches[0].PersonId;
        var ownDecision = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, erasedId, probe));
        var othersVerify = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, keptId, probe));
        await Db.InScopeAsync<ExplainDecision, Mote.Gallery.Engine.ProbeExplanation?>(e => e.ExecuteAsync(
            new ExplanationRequest(identified.DecisionId, keptId, probe, identified.Matches[0].Score, identified.Matches[0].Threshold)));
        var secrets = await Db.InScopeAsync<MoteDbContext, List<byte[]>>(async c =>
        {
            var blobs = new List<byte[]> { (await c.People.AsNoTracking().SingleAsync(p => p.Id == erasedId)).TemplateBlob };
            blobs.AddRange(await c.PersonImages.AsNoTracking().Where(i => i.PersonId == erasedId).Select(i => i.Blob).ToListAsync());
            blobs.AddRange(await c.DecisionProbeImages.AsNoTracking().Where(p => p.DecisionId == ownDecision.DecisionId || p.DecisionId == identified.DecisionId).Select(p => p.Blob).ToListAsync());
            blobs.Add((await c.DecisionExplanations.AsNoTracking().SingleAsync(x => x.DecisionId == identified.DecisionId)).CropBlob!);
            return blobs;
        });
        Assert.Equal(6, secrets.Count); // template, thumbnail, reference, two probes, one explanation crop
        Assert.True(FilesContaining(Encoding.UTF8.GetBytes(erasedName)).Count > 0, "the name should be on disk before erasure");

        await Db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, erasedId));

        Assert.Empty(FilesContaining(Encoding.UTF8.GetBytes(erasedName)));
        Assert.Empty(FilesContaining(Encoding.UTF8.GetBytes(erasedName.ToUpperInvariant())));
        Assert.Empty(FilesContaining(Encoding.UTF8.GetBytes(erasedName.ToLowerInvariant())));
        for (var i = 0; i < secrets.Count; i++)
        {
            // 48 bytes from the middle of each ciphertext: long enough that a chance match is impossible.
            var slice = secrets[i].AsSpan((secrets[i].Length / 2) - 24, 48).ToArray();
            Assert.True(FilesContaining(slice).Count == 0, $"ciphertext {i} of the erased person survives in {string.Join(", ", FilesContaining(slice))}");
        }
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM Decisions WHERE PersonId = '{erasedId}' OR CandidatesJson LIKE '%{erasedId}%'"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM Decisions WHERE Id = '{identified.DecisionId}' AND CandidatesJson LIKE '%{keptId}%'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionProbeImages WHERE DecisionId = '{identified.DecisionId}'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionExplanations WHERE DecisionId = '{identified.DecisionId}' AND CropBlob IS NOT NULL"));
        // A decision about the other person that did not involve the erased one keeps its probe.
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM DecisionProbeImages WHERE DecisionId = '{othersVerify.DecisionId}'"));
        Assert.Equal(0, new FileInfo(Db.DatabasePath + "-wal") is { Exists: true } wal ? wal.Length : 0);
    }

    /// <summary>Every file under the gallery's folder that holds <paramref name="needle"/>, relative to it.</summary>
    private List<string> FilesContaining(byte[] needle) =>
        DiskSearch.FilesContaining([Db.Folder], needle).Select(f => Path.GetRelativePath(Db.Folder, f)).ToList();
}
