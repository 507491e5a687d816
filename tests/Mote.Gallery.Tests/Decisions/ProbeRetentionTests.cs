using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Imaging;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Erasure;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;

namespace Mote.Gallery.Tests.Decisions;

/// <summary>
/// Probe retention with the real engine on real photos: by default nothing of the probe is stored; with
/// "keep probe images" on, the probe is stored re-encoded from its decoded pixels (no EXIF, no GPS) and encrypted
/// for its decision only, and goes when the person the decision is about is erased.
/// </summary>
public sealed class ProbeRetentionTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    private GalleryTestDatabase Db => gallery.Db;

    [Fact]
    [Trait("Provider", "SqliteOnly")] // reads the SQLite file's bytes
    public async Task Verify_DefaultSettings_StoresTheDecisionButNoProbeImage()
    {
        await SetKeepProbeImagesAsync(false);
        var (name, face) = await EnrollAsync("Pia Default", "sample3.jpg", seed: 21);
        var probe = gallery.FaceCrop("sample3.jpg", face);

        var result = await VerifyAsync(name, probe);

        Assert.True(result.Accepted, $"own face scored {result.Score} against {result.Threshold}");
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM Decisions WHERE Id = '{result.DecisionId}'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionProbeImages WHERE DecisionId = '{result.DecisionId}'"));
        Assert.Equal(-1, (await File.ReadAllBytesAsync(Db.DatabasePath)).AsSpan().IndexOf(probe.AsSpan(100, 64)));
    }

    [Fact]
    [Trait("Provider", "SqliteOnly")] // reads the SQLite file's bytes
    public async Task VerifyAndIdentify_KeepProbeImagesOn_EncryptedImageOpensForItsDecisionOnly()
    {
        var (name, face) = await EnrollAsync("Kai Kept", "sample4.jpg", seed: 22);
        await SetKeepProbeImagesAsync(true);
        try
        {
            var probe = gallery.FaceCrop("sample4.jpg", face);

            var verified = await VerifyAsync(name, probe);
            var identified = await Db.InScopeAsync<IdentifyProbe, IdentificationOutcome>(i => i.ExecuteAsync(Actors.Operator, probe, 3));

            var protector = Db.Services.GetRequiredService<TemplateProtector>();
            var stored = await Db.InScopeAsync<MoteDbContext, List<DecisionProbeImage>>(c => c.DecisionProbeImages.AsNoTracking().ToListAsync());
            var blob = Assert.Single(stored, s => s.DecisionId == verified.DecisionId).Blob;
            Assert.Contains(stored, s => s.DecisionId == identified.DecisionId);
            var kept = protector.Unprotect(verified.DecisionId, DecisionProbeImage.Purpose, blob);
            using (var decoder = new ImageDecoder())
            {
                var original = decoder.Decode(probe);
                var reopened = decoder.Decode(kept);
                // The probe is already a face crop: the kept region (half a face width each side) is at most the probe.
                Assert.True(reopened.Width <= original.Width && reopened.Height <= original.Height,
                    $"kept {reopened.Width}x{reopened.Height} of a {original.Width}x{original.Height} probe");
            }
            Assert.Throws<TemplateIntegrityException>(() => protector.Unprotect(identified.DecisionId, DecisionProbeImage.Purpose, blob));
            Assert.Equal(-1, (await File.ReadAllBytesAsync(Db.DatabasePath)).AsSpan().IndexOf(probe.AsSpan(100, 64)));
            Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditPayloads p JOIN AuditEvents e ON e.Id = p.EventId WHERE e.Code = {(int)AuditEventCode.ProbeVerified} AND p.Detail LIKE 'decision {verified.DecisionId}:%probe image kept (encrypted)'"));
        }
        finally
        {
            await SetKeepProbeImagesAsync(false);
        }
    }

    [Fact]
    public async Task Verify_GroupPhotoWithProbesKept_StoresTheDecidedFaceRegionOnly()
    {
        // Issue 14 item 13: a kept probe was the whole photo re-encoded (8 MB for a 12-Mpx photo, every bystander with it).
        var (name, face) = await EnrollAsync("Rae Region", "sample2.jpg", seed: 25);
        var upload = gallery.Photo("sample2.jpg"); // 1920x1367, several people
        await SetKeepProbeImagesAsync(true);
        VerificationResult verified;
        try
        {
            verified = await Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, upload, face));
        }
        finally
        {
            await SetKeepProbeImagesAsync(false);
        }

        var protector = Db.Services.GetRequiredService<TemplateProtector>();
        var blob = await Db.InScopeAsync<MoteDbContext, byte[]>(c => c.DecisionProbeImages.AsNoTracking().Where(p => p.DecisionId == verified.DecisionId).Select(p => p.Blob).SingleAsync());
        var kept = protector.Unprotect(verified.DecisionId, DecisionProbeImage.Purpose, blob);
        using var decoder = new ImageDecoder();
        var image = decoder.Decode(kept);
        var box = verified.Face!.Box;
        // The face with half its width each side (cut at the photo's edges), at most 480 px: not the 1920x1367 photo.
        Assert.InRange(Math.Max(image.Width, image.Height), 1, PhotoRules.ProbeSide);
        Assert.InRange(image.Width, (int)box.Width, (int)Math.Ceiling(box.Width * 2) + 2);
        Assert.InRange(image.Height, (int)box.Height, (int)Math.Ceiling(box.Height * 2) + 2);
        Assert.True(kept.Length < upload.Length / 5, $"kept {kept.Length:N0} bytes of a {upload.Length:N0}-byte photo");
        Assert.False(StoredImageMetadata.HasMetadata(kept), "the kept probe carries EXIF/XMP metadata");
        // It is the decided face: it verifies as that person again.
        var again = await VerifyAsync(name, kept);
        Assert.True(again.Accepted, $"the kept region scored {again.Score} against {again.Threshold}");
    }

    [Fact]
    public async Task ErasePerson_WithKeptProbeImages_ImagesGoWithTheirDecisions()
    {
        var (name, face) = await EnrollAsync("Eli Erased", "sample5.jpg", seed: 23);
        await SetKeepProbeImagesAsync(true);
        VerificationResult verified;
        try
        {
            verified = await VerifyAsync(name, gallery.FaceCrop("sample5.jpg", face));
        }
        finally
        {
            await SetKeepProbeImagesAsync(false);
        }
        Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM DecisionProbeImages WHERE DecisionId = '{verified.DecisionId}'"));

        await Db.InScopeAsync<ErasePerson, int>(e => e.ExecuteAsync(Actors.Admin, name));

        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM Decisions WHERE Id = '{verified.DecisionId}'"));
        Assert.Equal(0, Db.Scalar($"SELECT COUNT(*) FROM DecisionProbeImages WHERE DecisionId = '{verified.DecisionId}'"));
    }

    [Fact]
    public async Task StoredImages_UploadWithExifGps_AreReencodedWithoutMetadata()
    {
        // The face-api demo photos are real camera JPEGs with an EXIF block that points to a GPS IFD (tag 0x8825).
        var upload = gallery.Photo("sample6.jpg");
        Assert.True(StoredImageMetadata.HasExifGps(upload), "fixture lost its EXIF GPS block");
        var before = await Db.InScopeAsync<GallerySettingsStore, GallerySettingsView>(s => s.ReadAsync());
        await SetRetentionAsync(ReferenceRetention.ReferencePhoto, keepProbes: true);
        try
        {
            var (name, _) = await EnrollAsync("Gus Gps", "sample6.jpg", seed: 24);
            var verified = await VerifyAsync(name, upload);
            await Db.InScopeAsync<ExplainDecision, Mote.Gallery.Engine.ProbeExplanation?>(e =>
                e.ExecuteAsync(new ExplanationRequest(verified.DecisionId, verified.PersonId, upload, verified.Score, verified.Threshold)));

            var protector = Db.Services.GetRequiredService<TemplateProtector>();
            var stored = await Db.InScopeAsync<MoteDbContext, List<(string What, byte[] Plain)>>(async c =>
            {
                var all = new List<(string, byte[])>();
                foreach (var image in await c.PersonImages.AsNoTracking().Where(i => i.PersonId == verified.PersonId).ToListAsync())
                {
                    all.Add((image.Kind, protector.Unprotect(image.PersonId, PersonImage.Purpose(image.Kind), image.Blob)));
                }
                var probeImage = await c.DecisionProbeImages.AsNoTracking().SingleAsync(p => p.DecisionId == verified.DecisionId);
                all.Add(("probe", protector.Unprotect(probeImage.DecisionId, DecisionProbeImage.Purpose, probeImage.Blob)));
                var explanation = await c.DecisionExplanations.AsNoTracking().SingleAsync(x => x.DecisionId == verified.DecisionId);
                all.Add(("explanation crop", protector.Unprotect(explanation.DecisionId, DecisionExplanationRecord.CropPurpose, explanation.CropBlob!)));
                return all;
            });

            Assert.Equal(["explanation crop", "probe", "reference", "thumbnail"], stored.Select(s => s.What).Order(StringComparer.Ordinal));
            Assert.All(stored, s =>
            {
                Assert.False(StoredImageMetadata.HasMetadata(s.Plain), $"the stored {s.What} carries EXIF/XMP metadata");
                Assert.False(s.Plain.AsSpan().SequenceEqual(upload), $"the stored {s.What} is the upload, byte for byte");
            });
        }
        finally
        {
            await SetRetentionAsync(before.ReferenceRetention, before.KeepProbeImages);
        }
    }

    private async Task<(string Name, int Face)> EnrollAsync(string name, string photo, long seed)
    {
        var face = gallery.EnrollableFace(photo);
        await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, gallery.Photo(photo), face, Seed: seed)));
        return (name, face);
    }

    private Task<VerificationResult> VerifyAsync(string name, byte[] probe) =>
        Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, probe));

    /// <summary>Saves the probe-retention switch as an administrator would (the tests share one gallery, so each restores it).</summary>
    private async Task SetKeepProbeImagesAsync(bool keep)
    {
        var current = await Db.InScopeAsync<GallerySettingsStore, GallerySettingsView>(s => s.ReadAsync());
        await SetRetentionAsync(current.ReferenceRetention, keep);
    }

    private async Task SetRetentionAsync(ReferenceRetention retention, bool keepProbes)
    {
        var current = await Db.InScopeAsync<GallerySettingsStore, GallerySettingsView>(s => s.ReadAsync());
        await Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u => u.ExecuteAsync(Actors.Admin,
            new GallerySettingsChange(retention, keepProbes, current.TargetFmr, current.ConcurrencyStamp)));
    }
}
