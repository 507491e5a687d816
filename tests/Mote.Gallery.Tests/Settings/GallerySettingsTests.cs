using Mote.Gallery.Audit;
using Mote.Gallery.Fairness;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Settings;

public sealed class GallerySettingsTests
{
    [Fact]
    public async Task ReadGallerySettings_NeverSaved_PrivacyPreservingDefaults()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var view = await db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));

        Assert.Equal(ReferenceRetention.None, view.ReferenceRetention);
        Assert.False(view.KeepProbeImages);
        Assert.Equal(1e-3, view.TargetFmr);
        Assert.True(view.TargetFmrIsDefault);
        Assert.Equal("", view.ConcurrencyStamp);
    }

    [Fact]
    public async Task UpdateGallerySettings_Changed_SavedWithExactlyOneAuditEventNamingTheChanges()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var saved = await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.Thumbnail, false, 1e-4, "")));
        var reread = await db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));

        Assert.Equal(ReferenceRetention.Thumbnail, reread.ReferenceRetention);
        Assert.Equal(1e-4, reread.TargetFmr);
        Assert.False(reread.TargetFmrIsDefault);
        Assert.Equal(saved.ConcurrencyStamp, reread.ConcurrencyStamp);
        Assert.NotEqual("", reread.ConcurrencyStamp);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SettingsChanged}"));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditPayloads WHERE Detail LIKE '%reference retention None → Thumbnail%' AND Detail LIKE '%target FMR 0.001 → 0.0001%'"));
    }

    [Fact]
    public async Task UpdateGallerySettings_NothingChanged_NoWriteAndNoEvent()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.None, false, 1e-3, "")));

        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM GallerySettings"));
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SettingsChanged}"));
    }

    [Fact]
    public async Task UpdateGallerySettings_SecondAdminWithStaleStamp_RefusedAndFirstSaveKept()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var opened = await db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));
        await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.ReferencePhoto, false, 1e-3, opened.ConcurrencyStamp)));

        var stale = await Assert.ThrowsAsync<GalleryConcurrencyException>(() => db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.None, true, 1e-2, opened.ConcurrencyStamp))));

        Assert.Contains("reload", stale.Message, StringComparison.Ordinal);
        var now = await db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));
        Assert.Equal(ReferenceRetention.ReferencePhoto, now.ReferenceRetention);
        Assert.False(now.KeepProbeImages);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SettingsChanged}"));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(1e-9)]
    public async Task UpdateGallerySettings_TargetFmrOutOfRange_RefusedInWords(double fmr)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var refused = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.None, false, fmr, ""))));

        Assert.Contains("target false-match rate", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM GallerySettings"));
    }

    [Fact]
    public async Task SettingsUseCases_OperatorOrAuditor_PermissionDenied()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Operator)));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Auditor, new GallerySettingsChange(ReferenceRetention.Thumbnail, false, 1e-3, ""))));
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM GallerySettings"));
    }

    [Fact]
    public async Task UpdateGallerySettings_RiskLimit_SavedAuditedAndReadByTheRiskTabPolicy()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var before = await db.InScopeAsync<ReadGalleryRiskPolicy, GalleryRiskPolicy>(r => r.ExecuteAsync(Actors.Auditor));
        Assert.Equal(GalleryRiskRequest.DefaultLimitMultiple, before.LimitMultiple);
        Assert.True(before.IsDefault);

        await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.None, false, 1e-3, "", RiskLimitMultiple: 25)));

        var settings = await db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));
        Assert.Equal(25, settings.RiskLimitMultiple);
        Assert.False(settings.RiskLimitIsDefault);
        var policy = await db.InScopeAsync<ReadGalleryRiskPolicy, GalleryRiskPolicy>(r => r.ExecuteAsync(Actors.Auditor));
        Assert.Equal(25, policy.LimitMultiple);
        Assert.False(policy.IsDefault);
        Assert.Equal(0.025, policy.Limit, 12);
        Assert.Equal(25, db.Scalar("SELECT RiskLimitMultiple FROM GallerySettings"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SettingsChanged}"));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditPayloads WHERE Detail = 'gallery-risk limit 10× → 25× target FMR'"));
    }

    [Fact]
    public async Task UpdateGallerySettings_RiskLimitNotGiven_KeepsTheSavedLimit()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var first = await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.None, false, 1e-3, "", RiskLimitMultiple: 4)));

        // A caller that does not know the limit (e.g. an older form) changes something else.
        var second = await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.Thumbnail, false, 1e-3, first.ConcurrencyStamp)));

        Assert.Equal(4, second.RiskLimitMultiple);
        Assert.Equal(2, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SettingsChanged}"));
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AuditPayloads WHERE Detail LIKE '%Thumbnail%' AND Detail LIKE '%gallery-risk%'"));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    [InlineData(1001.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public async Task UpdateGallerySettings_RiskLimitOutOfRange_RefusedInWordsAndNothingWritten(double limit)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var refused = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.Thumbnail, false, 1e-3, "", limit))));

        Assert.Contains("gallery-risk limit must be between 1 and 1000", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM GallerySettings"));
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SettingsChanged}"));
    }

    [Fact]
    public async Task RiskLimit_AuditorMayReadThePolicyButNotChangeIt_OperatorMayNotRead()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Auditor, new GallerySettingsChange(ReferenceRetention.None, false, 1e-3, "", 5))));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<ReadGalleryRiskPolicy, GalleryRiskPolicy>(r => r.ExecuteAsync(Actors.Operator)));
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM GallerySettings"));
    }

    [Fact]
    public async Task UpdateGallerySettings_ExplanationFaceDays_DefaultThirtySavedAuditedAndKeptWhenNotGiven()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        Assert.Equal(30, (await db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin))).ExplanationFaceDays);

        var saved = await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.None, false, 1e-3, "", ExplanationFaceDays: 7)));
        var later = await db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.Thumbnail, false, 1e-3, saved.ConcurrencyStamp)));

        Assert.Equal(7, saved.ExplanationFaceDays);
        Assert.Equal(7, later.ExplanationFaceDays);
        Assert.Equal(7, db.Scalar("SELECT ExplanationFaceDays FROM GallerySettings"));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditPayloads WHERE Detail = 'explanation faces kept 30 → 7 days'"));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3651)]
    public async Task UpdateGallerySettings_ExplanationFaceDaysOutOfRange_RefusedInWordsAndNothingWritten(int days)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var refused = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u =>
            u.ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.None, false, 1e-3, "", ExplanationFaceDays: days))));

        Assert.Equal("Explanation faces are kept between 0 (not kept) and 3650 days.", refused.Message);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM GallerySettings"));
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SettingsChanged}"));
    }
}
