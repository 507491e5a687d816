using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Portal.Components;

namespace Mote.Portal.Tests.Components;

/// <summary>The Retention, Thresholds and Model pack tabs of the settings page, with the real use cases on a temporary Gallery.</summary>
public sealed class SettingsTabsTests : GalleryBunitContext
{
    [Fact]
    public async Task Thresholds_NotANumberOrOutOfRange_RefusedInWordsAndNothingSaved()
    {
        var cut = await OpenTabAsync("Thresholds");

        SetFmr(cut, "abc");
        cut.Find("[data-testid=save-thresholds]").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("Enter a number such as 0.001", cut.Find("[data-testid=settings-message]").TextContent.Trim(), StringComparison.Ordinal));

        SetFmr(cut, "0.5");
        cut.Find("[data-testid=save-thresholds]").Click();
        cut.WaitForAssertion(() => Assert.Equal("The target false-match rate must be between 0.000001 and 0.1.", cut.Find("[data-testid=settings-message]").TextContent.Trim()));

        Assert.Equal(0, await CountAsync(db => db.Settings.Count()));
        Assert.Equal(0, await CountAsync(db => db.AuditEvents.Count(e => e.Code == (int)AuditEventCode.SettingsChanged)));
    }

    [Fact]
    public async Task Thresholds_ValidFmr_SavedWithOneAuditEventAndExplained()
    {
        var cut = await OpenTabAsync("Thresholds");
        Assert.Contains("applies to new enrollments and retrainings", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("0.001", cut.Find("[data-testid=target-fmr] input").GetAttribute("value"));

        SetFmr(cut, "1e-4");
        cut.Find("[data-testid=save-thresholds]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Saved.", cut.Find("[data-testid=settings-message]").TextContent.Trim()));
        Assert.Contains("1 false match in 10,000", cut.Markup, StringComparison.Ordinal);
        var saved = await ReadAsync();
        Assert.Equal(1e-4, saved.TargetFmr);
        Assert.Equal(1, await CountAsync(db => db.AuditEvents.Count(e => e.Code == (int)AuditEventCode.SettingsChanged)));
    }

    [Fact]
    public async Task Thresholds_RiskLimit_SavedWithOneAuditEvent_OutOfRangeRefusedInWords()
    {
        var cut = await OpenTabAsync("Thresholds");
        cut.WaitForAssertion(() => Assert.Equal("10", cut.Find("[data-testid=risk-limit-setting] input").GetAttribute("value")));
        Assert.Equal("The default of 10 applies until someone saves a value here.", cut.Find("[data-testid=risk-limit-default]").TextContent.Trim());

        cut.Find("[data-testid=risk-limit-setting] input").Input("0.5");
        cut.Find("[data-testid=save-thresholds]").Click();
        cut.WaitForAssertion(() => Assert.Equal("The gallery-risk limit must be between 1 and 1000 times the target false-match rate.", cut.Find("[data-testid=settings-message]").TextContent.Trim()));
        Assert.Equal(0, await CountAsync(db => db.Settings.Count()));

        cut.Find("[data-testid=risk-limit-setting] input").Input("20");
        cut.Find("[data-testid=save-thresholds]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Saved.", cut.Find("[data-testid=settings-message]").TextContent.Trim()));
        var saved = await ReadAsync();
        Assert.Equal(20, saved.RiskLimitMultiple);
        Assert.False(saved.RiskLimitIsDefault);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=risk-limit-default]")));
        Assert.Equal(1e-3, saved.TargetFmr); // the other field on the tab is untouched
        Assert.Equal(1, await CountAsync(db => db.AuditEvents.Count(e => e.Code == (int)AuditEventCode.SettingsChanged)));
    }

    [Fact]
    public async Task Retention_ThenThresholds_FromOnePage_BothSavedNotMistakenForStale()
    {
        var cut = await OpenTabAsync("Retention");
        Assert.Contains("not kept by default", cut.Markup, StringComparison.Ordinal);
        cut.Find("[data-testid=keep-probe-images] input").Change(true);
        cut.Find("[data-testid=save-retention]").Click();
        cut.WaitForAssertion(() => Assert.Equal("Saved.", cut.Find("[data-testid=settings-message]").TextContent.Trim()));

        ClickTab(cut, "Thresholds");
        cut.WaitForElement("[data-testid=target-fmr] input", TimeSpan.FromSeconds(15));
        SetFmr(cut, "0.0005");
        cut.Find("[data-testid=save-thresholds]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Saved.", cut.Find("[data-testid=settings-message]").TextContent.Trim()));
        var saved = await ReadAsync();
        Assert.True(saved.KeepProbeImages);
        Assert.Equal(5e-4, saved.TargetFmr);
        Assert.Equal(2, await CountAsync(db => db.AuditEvents.Count(e => e.Code == (int)AuditEventCode.SettingsChanged)));
    }

    [Fact]
    public async Task Retention_ExplanationFaceDays_ShowsTheDefaultAndSavesWithOneAuditEvent()
    {
        var cut = await OpenTabAsync("Retention");
        Assert.Contains("whether or not probe images are kept", cut.Find("[data-testid=retention-settings]").TextContent, StringComparison.Ordinal);
        Assert.Equal("30", cut.Find("[data-testid=explanation-face-days] input").GetAttribute("value"));

        cut.Find("[data-testid=explanation-face-days] input").Change("7");
        cut.Find("[data-testid=save-retention]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Saved.", cut.Find("[data-testid=settings-message]").TextContent.Trim()));
        var saved = await ReadAsync();
        Assert.Equal(7, saved.ExplanationFaceDays);
        Assert.False(saved.KeepProbeImages);
        Assert.Equal(1, await CountAsync(db => db.AuditEvents.Count(e => e.Code == (int)AuditEventCode.SettingsChanged)));
    }

    [Fact]
    public async Task Retention_SomeoneElseSavedMeanwhile_StaleMessageAndTheirValuesKept()
    {
        var cut = await OpenTabAsync("Retention");
        var other = new Actor(ActorKind.User, "other-admin", "grace@example.org", new HashSet<string> { Roles.Admin });
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<UpdateGallerySettings>()
                .ExecuteAsync(other, new GallerySettingsChange(ReferenceRetention.Thumbnail, false, 1e-3, ""));
        }

        cut.Find("[data-testid=keep-probe-images] input").Change(true);
        cut.Find("[data-testid=save-retention]").Click();

        cut.WaitForAssertion(() => Assert.Contains("changed by someone else", cut.Find("[data-testid=settings-message]").TextContent, StringComparison.Ordinal));
        Assert.False(cut.Find("[data-testid=settings-reload]").HasAttribute("disabled"));
        Assert.True(cut.Find("[data-testid=save-retention]").HasAttribute("disabled"));
        var kept = await ReadAsync();
        Assert.Equal(ReferenceRetention.Thumbnail, kept.ReferenceRetention);
        Assert.False(kept.KeepProbeImages);
        Assert.Equal(1, await CountAsync(db => db.AuditEvents.Count(e => e.Code == (int)AuditEventCode.SettingsChanged)));

        cut.Find("[data-testid=settings-reload]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=settings-message]")));
        Assert.False(cut.Find("[data-testid=save-retention]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task ModelPack_NotPreparedInThisProcess_SaysSoAndShowsTheCacheAndPopulationPack()
    {
        var cut = await OpenTabAsync("Model pack");

        cut.WaitForAssertion(() => Assert.Equal("not-started", cut.Find("[data-testid=model-pack-status]").GetAttribute("data-state")));
        Assert.Equal("not started", cut.Find("[data-testid=model-pack-state]").TextContent.Trim());
        Assert.False(string.IsNullOrWhiteSpace(cut.Find("[data-testid=model-cache-dir]").TextContent));
        Assert.Contains("No models listed until the pack is ready.", cut.Find("[data-testid=models-table]").TextContent, StringComparison.Ordinal);
        // The temporary Gallery's content root has no population pack unless the build copied one beside the tests.
        Assert.True(cut.FindAll("[data-testid=population-pack]").Count + cut.FindAll("[data-testid=population-error]").Count == 1);
    }

    [Fact]
    public async Task ModelPack_Backbones_EachListedWithTrainingDataAndPack_TheGallerysMarked_NoMoveToItself()
    {
        var cut = await OpenTabAsync("Model pack");

        cut.WaitForAssertion(() => Assert.Equal("dlib-resnet", cut.Find("[data-testid=backbone-choice]").GetAttribute("data-gallery-backbone")));
        Assert.Contains("Nobody is enrolled yet: the gallery starts on dlib-resnet", cut.Find("[data-testid=gallery-backbone]").TextContent, StringComparison.Ordinal);
        var rows = cut.FindAll("[data-testid=backbones-table] tbody tr");
        Assert.Equal(["dlib-resnet", "mobileface", "faceplugin-fr", "fused", "custom"],
            rows.Select(r => r.QuerySelector("td b")!.TextContent.Trim()).ToArray());
        Assert.NotNull(rows[0].QuerySelector("[data-testid=backbone-in-use]"));
        Assert.All(rows.Skip(1), r => Assert.Null(r.QuerySelector("[data-testid=backbone-in-use]")));
        // faceplugin-fr and fused ship calibrated packs (issue 13 item 4); no mobileface pack ships: nobody could be enrolled on it, and the page says so.
        Assert.Contains("yes, calibrated on real impostors", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("yes, calibrated on real impostors", rows[3].TextContent, StringComparison.Ordinal);
        Assert.Contains("none: nobody can be enrolled on it", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("yours to check", rows[4].TextContent, StringComparison.Ordinal);
        // The form starts on the gallery's own backbone: there is nothing to move to.
        Assert.True(cut.Find("[data-testid=backbone-migrate]").HasAttribute("disabled"));
    }

    private async Task<IRenderedComponent<Routes>> OpenTabAsync(string tab)
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Services.GetRequiredService<NavigationManager>().NavigateTo("settings");
        var cut = Render<Routes>();
        cut.WaitForElement("[data-testid=settings-tabs]", TimeSpan.FromSeconds(15));
        ClickTab(cut, tab);
        return cut;
    }

    private static void ClickTab(IRenderedComponent<Routes> cut, string tab)
    {
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll(".mud-tab"), t => t.TextContent.Trim() == tab));
        cut.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == tab).Click();
    }

    private static void SetFmr(IRenderedComponent<Routes> cut, string text)
    {
        cut.WaitForElement("[data-testid=target-fmr] input", TimeSpan.FromSeconds(15));
        cut.Find("[data-testid=target-fmr] input").Input(text);
    }

    private async Task<GallerySettingsView> ReadAsync()
    {
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            return await scope.ServiceProvider.GetRequiredService<GallerySettingsStore>().ReadAsync();
        }
    }

    private async Task<int> CountAsync(Func<MoteDbContext, int> count)
    {
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            return count(scope.ServiceProvider.GetRequiredService<MoteDbContext>());
        }
    }
}
