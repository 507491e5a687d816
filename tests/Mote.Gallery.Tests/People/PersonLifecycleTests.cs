using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Mote.Core.Imaging;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Erasure;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// The person page's use cases with the real engine on real photos: photo analysis for the picker, retention of
/// thumbnails and reference faces, the balance preview, retraining with its stale-save refusal, erasure of images,
/// and the background enrollment queue.
/// </summary>
public sealed class PersonLifecycleTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    private GalleryTestDatabase Db => gallery.Db;

    [Fact]
    public async Task AnalyzePhoto_GroupPhoto_EveryFaceWithBoxLandmarksVerdictAndGroups()
    {
        var photo = MultiFacePhoto();

        var analysis = await Db.InScopeAsync<AnalyzePhoto, PhotoAnalysis>(a => a.ExecuteAsync(Actors.Admin, gallery.Photo(photo)));

        Assert.True(analysis.Faces.Count > 1, $"{photo}: {analysis.Faces.Count} face(s)");
        Assert.Equal(Enumerable.Range(0, analysis.Faces.Count), analysis.Faces.Select(f => f.Index));
        Assert.All(analysis.Faces, f =>
        {
            Assert.InRange(f.X, 0, analysis.Width);
            Assert.InRange(f.Y, 0, analysis.Height);
            Assert.True(f.Width > 0 && f.Height > 0);
            Assert.NotEmpty(f.Landmarks);
            Assert.Equal(f.Accepted, f.Reasons.Count == 0);
        });
        // Largest first, as EnrollmentRequest.FaceIndex numbers them.
        Assert.True(analysis.Faces[0].Width * analysis.Faces[0].Height >= analysis.Faces[^1].Width * analysis.Faces[^1].Height);
        Assert.Equal([0xFF, 0xD8], analysis.PreviewJpeg[..2]);
        Assert.True(analysis.NegativeGroups.Count >= 4);
        Assert.NotEmpty(analysis.VariationGroups);
    }

    [Fact]
    public async Task AnalyzePhoto_BadInput_RefusedInWords()
    {
        var blank = ImageEncoding.ToPng(RgbImage.Create(300, 300, px => px.Fill(128)));
        var tooLarge = new byte[PhotoPolicy.MaxBytes + 1];

        var noFace = await Assert.ThrowsAsync<GalleryException>(() => AnalyzeAsync(Actors.Admin, blank));
        var notImage = await Assert.ThrowsAsync<GalleryException>(() => AnalyzeAsync(Actors.Admin, "not a picture at all"u8.ToArray()));
        var large = await Assert.ThrowsAsync<GalleryException>(() => AnalyzeAsync(Actors.Admin, tooLarge));
        var empty = await Assert.ThrowsAsync<GalleryException>(() => AnalyzeAsync(Actors.Admin, []));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => AnalyzeAsync(Actors.Operator, gallery.Photo("sample1.jpg")));

        Assert.Equal("No face was found in this photo.", noFace.Message);
        Assert.Contains("not an image", notImage.Message, StringComparison.Ordinal);
        Assert.Contains("too large", large.Message, StringComparison.Ordinal);
        Assert.Contains("10 MB", large.Message, StringComparison.Ordinal);
        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ReferenceRetention.None, 0)]
    [InlineData(ReferenceRetention.Thumbnail, 1)]
    [InlineData(ReferenceRetention.ReferencePhoto, 2)]
    public async Task Enroll_Retention_KeepsExactlyTheImagesItSaysEncrypted(ReferenceRetention retention, int expectedImages)
    {
        await SetRetentionAsync(retention);

        var enrolled = await EnrollDemoAsync($"Ret {retention}", "sample3.jpg", seed: 31);

        var id = enrolled.Person.Id;
        Assert.Equal(expectedImages, Db.Scalar($"SELECT COUNT(*) FROM PersonImages WHERE PersonId = '{id}'"));
        var details = await Db.InScopeAsync<GetPerson, PersonDetails>(g => g.ExecuteAsync(Actors.Auditor, id));
        if (retention == ReferenceRetention.None)
        {
            Assert.Null(details.ThumbnailJpeg);
            Assert.False(details.HasReference);
            return;
        }
        var stored = await Db.InScopeAsync<MoteDbContext, List<PersonImage>>(c => c.PersonImages.AsNoTracking().Where(i => i.PersonId == id).ToListAsync());
        Assert.All(stored, i => Assert.NotEqual(0xFF, i.Blob[0])); // ciphertext, not a JPEG/PNG
        Assert.NotNull(details.ThumbnailJpeg);
        Assert.Equal([0xFF, 0xD8], details.ThumbnailJpeg![..2]);
        Assert.Equal(retention == ReferenceRetention.ReferencePhoto, details.HasReference);
        using var decoder = new ImageDecoder();
        var thumbnail = decoder.Decode(details.ThumbnailJpeg);
        Assert.True(Math.Max(thumbnail.Width, thumbnail.Height) <= PhotoRules.ThumbnailSide);
    }

    [Fact]
    public async Task Erase_KeptImages_RemovedWithThePerson()
    {
        await SetRetentionAsync(ReferenceRetention.ReferencePhoto);
        var enrolled = await EnrollDemoAsync("Er Images", "sample5.jpg", seed: 41);
        var id = enrolled.Person.Id;
        Assert.Equal(2, Db.Scalar($"SELECT COUNT(*) FROM PersonImages WHERE PersonId = '{id}'"));

        var removed = await Db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, id, enrolled.Person.ConcurrencyStamp));

        // The person, their two images and the payload of their enrollment event (it names them).
        Assert.Equal(4, removed);
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM PersonImages WHERE PersonId = '{id}'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{id}'"));
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonErased} AND SubjectId = '{id}'"));
    }

    [Fact]
    public async Task Erase_StaleStamp_RefusedAndNothingRemoved()
    {
        await SetRetentionAsync(ReferenceRetention.None);
        var enrolled = await EnrollDemoAsync("Er Stale", "sample2.jpg", seed: 43);

        var e = await Assert.ThrowsAsync<GalleryConcurrencyException>(() => Db.InScopeAsync<ErasePerson, int>(x => x.ExecuteAsync(Actors.Admin, enrolled.Person.Id, "stale")));

        Assert.Contains("changed by someone else", e.Message, StringComparison.Ordinal);
        Assert.Contains("reload", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{enrolled.Person.Id}'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonErased} AND SubjectId = '{enrolled.Person.Id}'"));
    }

    [Fact]
    public async Task Retrain_FromKeptReference_ReplacesTemplateAndBalanceWithExactlyOneAuditEvent()
    {
        await SetRetentionAsync(ReferenceRetention.ReferencePhoto);
        var enrolled = await EnrollDemoAsync("Re Train", "sample4.jpg", seed: 53);
        var id = enrolled.Person.Id;
        var before = await PersonRowAsync(id);
        var groups = await GroupsAsync();
        var skewed = groups.ToDictionary(g => g, g => g == groups[0] ? 5.0 : 1.0);

        var result = await Db.InScopeAsync<RetrainPerson, RetrainResult>(r => r.ExecuteAsync(Actors.Admin,
            new RetrainRequest(id, before.ConcurrencyStamp, (skewed, new Dictionary<string, double>()))));

        var after = await PersonRowAsync(id);
        Assert.NotEqual(before.TemplateBlob, after.TemplateBlob);
        Assert.NotEqual(before.ConcurrencyStamp, after.ConcurrencyStamp);
        Assert.Equal(after.ConcurrencyStamp, result.Person.ConcurrencyStamp);
        Assert.NotNull(after.RetrainedUtc);
        Assert.Contains(groups[0], after.BalanceJson, StringComparison.Ordinal);
        Assert.NotEqual(before.BalanceJson, after.BalanceJson);
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonRetrained} AND SubjectId = '{id}'"));
        // Still recognises their own face after retraining.
        var own = await Db.InScopeAsync<Mote.Gallery.Decisions.VerifyProbe, Mote.Gallery.Decisions.VerificationResult>(v =>
            v.ExecuteAsync(Actors.Operator, id, gallery.FaceCrop("sample4.jpg", gallery.EnrollableFace("sample4.jpg"))));
        Assert.True(own.Accepted, $"own face scored {own.Score} against {own.Threshold}");
    }

    [Fact]
    public async Task Retrain_StaleStamp_RefusedAndNothingChanged()
    {
        await SetRetentionAsync(ReferenceRetention.ReferencePhoto);
        var enrolled = await EnrollDemoAsync("Re Stale", "sample6.jpg", seed: 59);
        var id = enrolled.Person.Id;
        var before = await PersonRowAsync(id);
        var audits = Db.Scalar("SELECT COUNT(*) FROM AuditEvents");

        var e = await Assert.ThrowsAsync<GalleryConcurrencyException>(() => Db.InScopeAsync<RetrainPerson, RetrainResult>(r =>
            r.ExecuteAsync(Actors.Admin, new RetrainRequest(id, "someone-elses-stamp"))));

        var after = await PersonRowAsync(id);
        Assert.Contains("changed by someone else", e.Message, StringComparison.Ordinal);
        Assert.Equal(before.TemplateBlob, after.TemplateBlob);
        Assert.Equal(before.ConcurrencyStamp, after.ConcurrencyStamp);
        Assert.Equal(before.BalanceJson, after.BalanceJson);
        Assert.Null(after.RetrainedUtc);
        Assert.Equal(audits, Db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => Db.InScopeAsync<RetrainPerson, RetrainResult>(r =>
            r.ExecuteAsync(Actors.Auditor, new RetrainRequest(id, before.ConcurrencyStamp))));
    }

    [Fact]
    public async Task Retrain_NoReferenceKeptAndNoPhoto_RefusedInWords()
    {
        await SetRetentionAsync(ReferenceRetention.Thumbnail);
        var enrolled = await EnrollDemoAsync("Re NoRef", "sample1.jpg", seed: 61);

        var e = await Assert.ThrowsAsync<GalleryException>(() => Db.InScopeAsync<RetrainPerson, RetrainResult>(r =>
            r.ExecuteAsync(Actors.Admin, new RetrainRequest(enrolled.Person.Id, enrolled.Person.ConcurrencyStamp))));

        Assert.Contains("upload a new photo", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonRetrained} AND SubjectId = '{enrolled.Person.Id}'"));
    }

    [Fact]
    public async Task PreviewBalance_KeptReferenceSameBalance_ReproducesTheEnrolledTemplate()
    {
        // Enrollment trains on the face as found again in the kept reference crop, so retraining from that crop with the
        // same balance and seed gives the same template: a preview of an unchanged balance changes no rate. (Trained on the
        // photo's own descriptor instead, one group went from 1 to 7 false matches in 2,000 with nothing changed.)
        await SetRetentionAsync(ReferenceRetention.ReferencePhoto);
        var enrolled = await EnrollDemoAsync("Same Balance", "sample2.jpg", seed: 67);
        var groups = await GroupsAsync();
        var preview = await Db.InScopeAsync<PreviewBalance, BalancePreview>(p => p.ExecuteAsync(Actors.Admin,
            new BalancePreviewRequest(enrolled.Person.Id, (groups.ToDictionary(g => g, _ => 1.0), new Dictionary<string, double>()))));

        Assert.Null(preview.CandidateUnavailable);
        Assert.Equal(preview.CurrentThreshold, preview.CandidateThreshold);
        Assert.Contains(preview.Groups, g => g.CurrentFalseMatches > 0);
        Assert.All(preview.Groups, g => Assert.Equal(g.CurrentFalseMatches, g.CandidateFalseMatches));
    }

    [Fact]
    public async Task PreviewBalance_WithKeptReference_PerGroupRatesForCurrentAndCandidate_StoresNothing()
    {
        await SetRetentionAsync(ReferenceRetention.ReferencePhoto);
        var enrolled = await EnrollDemoAsync("Pre View", "sample2.jpg", seed: 67);
        var groups = await GroupsAsync();
        var audits = Db.Scalar("SELECT COUNT(*) FROM AuditEvents");
        var before = await PersonRowAsync(enrolled.Person.Id);

        var preview = await Db.InScopeAsync<PreviewBalance, BalancePreview>(p => p.ExecuteAsync(Actors.Admin,
            new BalancePreviewRequest(enrolled.Person.Id, (groups.ToDictionary(g => g, g => g == groups[^1] ? 4.0 : 1.0), new Dictionary<string, double>()))));

        Assert.Null(preview.CandidateUnavailable);
        Assert.NotNull(preview.CandidateThreshold);
        Assert.Equal(groups, preview.Groups.Select(g => g.Group));
        Assert.All(preview.Groups, g =>
        {
            Assert.True(g.Impostors >= 1000, $"{g.Group}: {g.Impostors}");
            // Calibrated to 1e-3, no group may sit an order of magnitude above it. Measured (seed 67, 2,000 impostors a
            // group): 0 in 21 of 23 groups, 0.0005 for female|white|18-59 and 0.0035 (7 of 2,000) for female|other|18-59.
            Assert.True(g.CurrentFmr <= 10 * preview.TargetFmr, $"{g.Group}: FMR {g.CurrentFmr} against a target of {preview.TargetFmr}");
            Assert.NotNull(g.CandidateFmr);
        });
        // Calibrated to 1e-3 on other impostors, the pooled rate on fresh ones stays of that order.
        var pooled = preview.Groups.Sum(g => g.CurrentFalseMatches) / (double)preview.Groups.Sum(g => g.Impostors);
        Assert.True(pooled < 0.02, $"pooled current FMR {pooled}");
        // The raise folds a guard into the equal-balance template (same seed, same draw): no group's rate can rise, and the
        // raised group's falls unless nothing passed to begin with, in which case a note says so.
        Assert.Equal(preview.CurrentThreshold, preview.CandidateThreshold);
        Assert.All(preview.Groups, g => Assert.True(g.CandidateFalseMatches <= g.CurrentFalseMatches, $"{g.Group}: {g.CurrentFalseMatches} -> {g.CandidateFalseMatches}"));
        var raised = preview.Groups.Single(g => g.Group == groups[^1]);
        if (raised.CurrentFalseMatches > 0)
        {
            Assert.True(raised.CandidateFalseMatches < raised.CurrentFalseMatches, $"{raised.CurrentFalseMatches} -> {raised.CandidateFalseMatches}");
        }
        else
        {
            Assert.Contains(preview.Notes!, n => n.Contains("cannot lower this rate further", StringComparison.Ordinal));
        }

        Assert.Equal(audits, Db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
        Assert.Equal(before.TemplateBlob, (await PersonRowAsync(enrolled.Person.Id)).TemplateBlob);
    }

    [Fact]
    public async Task PreviewBalance_NoReference_CurrentOnlyAndSaysWhy()
    {
        await SetRetentionAsync(ReferenceRetention.None);
        var enrolled = await EnrollDemoAsync("Pre NoRef", "sample6.jpg", seed: 71);

        var preview = await Db.InScopeAsync<PreviewBalance, BalancePreview>(p => p.ExecuteAsync(Actors.Admin,
            new BalancePreviewRequest(enrolled.Person.Id, (new Dictionary<string, double>(), new Dictionary<string, double>()))));

        Assert.Contains("No reference photo", preview.CandidateUnavailable, StringComparison.Ordinal);
        Assert.Null(preview.CandidateThreshold);
        Assert.All(preview.Groups, g => Assert.Null(g.CandidateFalseMatches));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => Db.InScopeAsync<PreviewBalance, BalancePreview>(p => p.ExecuteAsync(Actors.Auditor,
            new BalancePreviewRequest(enrolled.Person.Id, (new Dictionary<string, double>(), new Dictionary<string, double>())))));
    }

    private string MultiFacePhoto()
    {
        foreach (var name in new[] { "sample1.jpg", "sample2.jpg", "sample3.jpg", "sample4.jpg", "sample5.jpg", "sample6.jpg" })
        {
            if (gallery.Analyzer.Analyze(gallery.Photo(name), Core.Faces.Quality.QualityPurpose.Detection).Faces.Count > 1)
            {
                return name;
            }
        }
        throw new InvalidOperationException("No demo photo shows several faces.");
    }

    private Task<PhotoAnalysis> AnalyzeAsync(Actor actor, byte[] photo) =>
        Db.InScopeAsync<AnalyzePhoto, PhotoAnalysis>(a => a.ExecuteAsync(actor, photo));

    private async Task<IReadOnlyList<string>> GroupsAsync() =>
        (await AnalyzeAsync(Actors.Admin, gallery.Photo("sample1.jpg"))).NegativeGroups;

    private Task<Person> PersonRowAsync(string id) =>
        Db.InScopeAsync<MoteDbContext, Person>(c => c.People.AsNoTracking().SingleAsync(p => p.Id == id));

    private async Task SetRetentionAsync(ReferenceRetention retention)
    {
        var current = await Db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));
        await Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(retention, current.KeepProbeImages, current.TargetFmr, current.ConcurrencyStamp)));
    }

    private async Task<EnrollmentResult> EnrollDemoAsync(string name, string photo, long seed)
    {
        var face = gallery.EnrollableFace(photo);
        return await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, gallery.Photo(photo), face, Seed: seed)));
    }
}
