using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Quality;
using Mote.Gallery.Engine;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Fairness;
using Mote.Portal.Tests.Infrastructure;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>The Fairness page's Gallery risk tab with the real Gallery and engine on real enrolled people.</summary>
public sealed class GalleryRiskTabTests : GalleryBunitContext
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task RiskTable_Assess_RowPerPersonWithGroupRates_FilterFlaggedAndLinkToBalanceEditor()
    {
        var ids = await EnrollAsync(("Rita Risk", "sample5.jpg", 5L), ("Sam Safe", "sample1.jpg", 1L));
        SignInAs(Roles.Auditor);
        var cut = Render<GalleryRiskTab>();

        // A tiny limit flags whoever accepts any impostor; the table shows one row per person.
        Input(cut, "risk-limit").Change("0.01");
        Input(cut, "risk-impostors").Change("200");
        cut.Find("[data-testid=risk-run]").Click();
        cut.WaitForElement("[data-testid=risk-table]", Slow);

        var rows = cut.FindAll("[data-testid=risk-name]");
        Assert.Equal(2, rows.Count);
        var groupCells = cut.FindAll("[data-testid=risk-group]");
        Assert.True(groupCells.Count >= 8, $"{groupCells.Count} group cells");
        Assert.All(groupCells, c => Assert.Matches(@"^\d(\.\d+)?$", c.TextContent.Trim()));
        Assert.Contains("200 impostors per group", cut.Find("[data-testid=risk-summary]").TextContent, StringComparison.Ordinal);
        var links = cut.FindAll("[data-testid=risk-edit-balance]").Select(a => a.GetAttribute("href")).ToArray();
        Assert.Equal(ids.Select(i => $"gallery/{i}").Order(), links.Order());

        // Flagged only: exactly the rows carrying the flag chip remain.
        var flagged = cut.FindAll("[data-testid=risk-flag]").Count;
        Input(cut, "risk-flagged-only").Change(true);
        cut.WaitForAssertion(() => Assert.Equal(flagged, cut.FindAll("[data-testid=risk-name]").Count));

        // Name filter.
        Input(cut, "risk-flagged-only").Change(false);
        Input(cut, "risk-search").Input("sam");
        cut.WaitForAssertion(() => Assert.Equal(["Sam Safe"], cut.FindAll("[data-testid=risk-name]").Select(r => r.TextContent.Replace("above limit", "", StringComparison.Ordinal).Trim())));
    }

    [Fact]
    public async Task RiskTable_BadLimit_ErrorInWords()
    {
        await GalleryDatabase.MigrateAsync(Services);
        Render<MudPopoverProvider>();
        SignInAs(Roles.Admin);
        var cut = Render<GalleryRiskTab>();
        Input(cut, "risk-limit").Change("0");
        cut.Find("[data-testid=risk-run]").Click();
        cut.WaitForAssertion(() => Assert.Contains("positive multiple", cut.Find("[data-testid=risk-error]").TextContent, StringComparison.Ordinal), Slow);
        Assert.Empty(cut.FindAll("[data-testid=risk-table]"));
    }

    [Fact]
    public async Task RiskLimit_SavedPolicyIsTheFieldsValue_ATypedLimitIsATrialNotSaved()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<Mote.Gallery.Settings.UpdateGallerySettings>().ExecuteAsync(Actors.Admin,
                new Mote.Gallery.Settings.GallerySettingsChange(Mote.Gallery.Settings.ReferenceRetention.None, false, 1e-3, "", RiskLimitMultiple: 25));
        }
        Render<MudPopoverProvider>();
        SignInAs(Roles.Auditor);

        var cut = Render<GalleryRiskTab>();

        cut.WaitForAssertion(() => Assert.Equal("25", Input(cut, "risk-limit").GetAttribute("value")));
        Assert.Contains("The saved policy (25×; Settings → Thresholds)", cut.Markup, StringComparison.Ordinal);
        Input(cut, "risk-limit").Change("3");
        cut.WaitForAssertion(() => Assert.Contains("Trying a limit; not saved (policy 25×)", cut.Markup, StringComparison.Ordinal));
    }

    /// <summary>MudBlazor puts the test id on the input itself or on its wrapper, depending on the component.</summary>
    private static AngleSharp.Dom.IElement Input(IRenderedComponent<GalleryRiskTab> cut, string testId)
    {
        var e = cut.Find($"[data-testid={testId}]");
        return e.TagName == "INPUT" ? e : e.QuerySelector("input")!;
    }

    [Fact]
    public async Task Assessment_IsAJob_AnotherTabSeesItAndCancelsIt_TheNextRunsReportIsWhatEveryTabShows()
    {
        await EnrollAsync(("Tess Tab", "sample1.jpg", 3L));
        SignInAs(Roles.Auditor);
        // A scheduler in standby fires nothing: the assessment waits, deterministically, while the tabs look at it.
        var scheduler = await Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        await scheduler.Standby();
        var cut = Render<GalleryRiskTab>();
        Input(cut, "risk-impostors").Change("100");
        cut.Find("[data-testid=risk-run]").Click();
        cut.WaitForElement("[data-testid=risk-progress]");
        Assert.Contains("Waiting to start", cut.Find("[data-testid=risk-progress-text]").TextContent, StringComparison.Ordinal);

        // Another tab (another user, another instance) reads the same job from the store; the button waits for it.
        var other = Render<GalleryRiskTab>();
        other.WaitForElement("[data-testid=risk-progress]");
        Assert.True(other.Find("[data-testid=risk-run]").HasAttribute("disabled"));
        other.Find("[data-testid=risk-cancel]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Cancelled by", cut.Find("[data-testid=risk-notice]").TextContent, StringComparison.Ordinal), Slow);
        Assert.Empty(cut.FindAll("[data-testid=risk-table]"));

        cut.Find("[data-testid=risk-run]").Click();
        await scheduler.Start();
        cut.WaitForElement("[data-testid=risk-table]", Slow);
        Assert.Equal(["Tess Tab"], cut.FindAll("[data-testid=risk-name]").Select(r => r.TextContent.Replace("above limit", "", StringComparison.Ordinal).Trim()));
        Assert.Contains("100 impostors per group", cut.Find("[data-testid=risk-summary]").TextContent, StringComparison.Ordinal);

        // A tab opened afterwards shows the stored report at once, with when it finished.
        var later = Render<GalleryRiskTab>();
        later.WaitForElement("[data-testid=risk-table]");
        Assert.Equal(cut.Find("[data-testid=risk-summary]").TextContent, later.Find("[data-testid=risk-summary]").TextContent);
        Assert.Matches(@"finished \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", later.Find("[data-testid=risk-assessed]").TextContent);
        Assert.Equal("Reassess", later.Find("[data-testid=risk-run]").TextContent.Trim());
    }

    private async Task<string[]> EnrollAsync(params (string Name, string Photo, long Seed)[] people)
    {
        await GalleryDatabase.MigrateAsync(Services);
        // The assessment is a durable job: the scheduler runs it, as in the portal.
        await StartJobsAsync();
        Render<MudPopoverProvider>();
        var ids = new List<string>();
        foreach (var (name, file, seed) in people)
        {
            var scope = Services.CreateAsyncScope();
            await using (scope)
            {
                var sp = scope.ServiceProvider;
                var photo = await DemoPhotos.ReadAsync(file);
                var analysis = (await sp.GetRequiredService<GalleryEngine>().GetAnalyzerAsync()).Analyze(photo, QualityPurpose.Enrollment);
                var face = analysis.Faces.Select((f, i) => (f, i)).First(x => x.f.Quality.IsAccepted).i;
                ids.Add((await sp.GetRequiredService<EnrollPerson>().ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, photo, face, Seed: seed))).Person.Id);
            }
        }
        return [.. ids];
    }
}
