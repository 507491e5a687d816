using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;

namespace Mote.Gallery.Tests.Decisions;

/// <summary>
/// Probe retention with the real engine on real photos: by default nothing of the probe is stored; with
/// "keep probe images" on, the exact bytes are stored encrypted for their decision only, and go when the
/// person the decision is about is erased.
/// </summary>
public sealed class ProbeRetentionTests(EngineGallery gallery) : IClassFixture<EngineGallery>
{
    private GalleryTestDatabase Db => gallery.Db;

    [Fact]
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
            Assert.Equal(probe, protector.Unprotect(verified.DecisionId, DecisionProbeImage.Purpose, blob));
            Assert.Throws<GalleryException>(() => protector.Unprotect(identified.DecisionId, DecisionProbeImage.Purpose, blob));
            Assert.Equal(-1, (await File.ReadAllBytesAsync(Db.DatabasePath)).AsSpan().IndexOf(probe.AsSpan(100, 64)));
            Assert.Equal(1, Db.Scalar($"SELECT COUNT(*) FROM AuditPayloads p JOIN AuditEvents e ON e.Id = p.EventId WHERE e.Code = {(int)AuditEventCode.ProbeVerified} AND p.Detail LIKE 'decision {verified.DecisionId}:%probe image kept (encrypted)'"));
        }
        finally
        {
            await SetKeepProbeImagesAsync(false);
        }
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
        await Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u => u.ExecuteAsync(Actors.Admin,
            new GallerySettingsChange(current.ReferenceRetention, keep, current.TargetFmr, current.ConcurrencyStamp)));
    }
}
