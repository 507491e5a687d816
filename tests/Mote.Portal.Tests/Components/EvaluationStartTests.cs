using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Evaluation;
using Mote.Core.Tests;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Fairness;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>The Fairness page's "start an evaluation run" form (real policies, real Gallery, a temporary datasets root).</summary>
public sealed class EvaluationStartTests : GalleryBunitContext
{
    private readonly string _root = Directory.CreateTempSubdirectory("mote-bunit-datasets-").FullName;

    public EvaluationStartTests()
    {
        foreach (var dataset in new[] { "alpha", "beta" })
        {
            foreach (var identity in new[] { "Ann_A", "Bob_B", "Cy_C" })
            {
                Directory.CreateDirectory(Path.Combine(_root, dataset, "images", identity));
            }
        }
        Directory.CreateDirectory(Path.Combine(_root, "not-a-dataset"));
        Services.AddSingleton(new EvaluationRunSettings { DatasetsRoot = _root, DescriptorCache = Path.Combine(_root, "cache") }.Resolve(_root));
    }

    [Fact]
    public async Task RunsPanel_Admin_SeesTheStartFormWithTheDatasetsAndDefaults()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();

        var cut = Render<EvaluationRunsPanel>();

        cut.WaitForElement("[data-testid=evaluation-start]", TimeSpan.FromSeconds(15));
        Assert.Contains("alpha (3 identities, no labels)", cut.Find("[data-testid=evaluation-dataset]").OuterHtml, StringComparison.Ordinal);
        Assert.Equal("100", Input(cut, "evaluation-identities").GetAttribute("value"));
        Assert.Equal("1", Input(cut, "evaluation-seed").GetAttribute("value"));
        Assert.False(cut.Find("[data-testid=evaluation-start-button]").HasAttribute("disabled"));
        Assert.Contains("No evaluation run is recorded yet", cut.Find("[data-testid=evaluation-none]").TextContent, StringComparison.Ordinal); // the list is still there below the form
    }

    [Fact]
    public async Task RunsPanel_Auditor_SeesTheListButNoStartForm()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Auditor);
        Render<MudPopoverProvider>();

        var cut = Render<EvaluationRunsPanel>();

        cut.WaitForAssertion(() => Assert.Contains("No evaluation run is recorded yet", cut.Find("[data-testid=evaluation-none]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=evaluation-start]"));
        Assert.Empty(cut.FindAll("[data-testid=evaluation-start-button]"));
        Assert.Empty(cut.FindAll("[data-testid=evaluation-cancel]"));
    }

    [Fact]
    public async Task StartForm_OneIdentity_RefusedInWords_NothingStarted()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<EvaluationRunStarter>();
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=evaluation-start-button]").HasAttribute("disabled")));

        Input(cut, "evaluation-identities").Change("1");
        cut.Find("[data-testid=evaluation-start-button]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Evaluate at least 2 identities (or leave the limit empty for all of them).", cut.Find("[data-testid=evaluation-start-error]").TextContent.Trim()));
        Assert.Null(await Services.GetRequiredService<EvaluationJobs>().CurrentAsync(Actor.Terminal("t")));
        Assert.Empty(cut.FindAll("[data-testid=evaluation-job]"));
    }

    [Fact]
    public async Task StartForm_DatasetRemovedAfterListing_RefusedInWords()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<EvaluationRunStarter>();
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=evaluation-start-button]").HasAttribute("disabled")));

        Directory.Delete(Path.Combine(_root, "alpha"), recursive: true);
        cut.Find("[data-testid=evaluation-start-button]").Click();

        cut.WaitForAssertion(() => Assert.Contains($"There is no dataset 'alpha' under {_root}", cut.Find("[data-testid=evaluation-start-error]").TextContent, StringComparison.Ordinal));
        Assert.Null(await Services.GetRequiredService<EvaluationJobs>().CurrentAsync(Actor.Terminal("t")));
    }

    [Fact]
    public async Task StartForm_NoDatasets_SaysWhereItLookedAndStartIsDisabled()
    {
        Services.AddSingleton(new EvaluationRunSettings { DatasetsRoot = Path.Combine(_root, "missing") }.Resolve(_root));
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();

        var cut = Render<EvaluationRunStarter>();

        cut.WaitForAssertion(() => Assert.Contains($"The datasets folder {Path.Combine(_root, "missing")} does not exist.", cut.Find("[data-testid=evaluation-datasets-none]").TextContent, StringComparison.Ordinal));
        Assert.True(cut.Find("[data-testid=evaluation-start-button]").HasAttribute("disabled"));
    }

    [DatasetFact("lfw-dev")]
    public async Task StartForm_TinyLfwRun_ProgressThenTheRecordedRunIsListedAndShown()
    {
        Services.AddSingleton(new EvaluationRunSettings { DatasetsRoot = TestDatasets.Root, DescriptorCache = Path.Combine(_root, "cache") }.Resolve(_root));
        await GalleryDatabase.MigrateAsync(Services);
        await StartJobsAsync(); // the portal's job runtime runs the evaluation
        SignInAs(Roles.Admin);
        Render<MudPopoverProvider>();
        var cut = Render<EvaluationRunsPanel>();
        cut.WaitForAssertion(() => Assert.Contains("lfw-dev (", cut.Find("[data-testid=evaluation-dataset]").OuterHtml, StringComparison.Ordinal));

        // 4 identities, no sweep, no privacy: seconds, not minutes.
        Input(cut, "evaluation-identities").Change("4");
        Input(cut, "evaluation-sweep").Change(false);
        Input(cut, "evaluation-privacy").Change(false);
        cut.Find("[data-testid=evaluation-start-button]").Click();

        cut.WaitForElement("[data-testid=evaluation-progress]", TimeSpan.FromSeconds(15));
        Assert.Contains("Evaluating lfw-dev (started by tester@example.org", cut.Find("[data-testid=evaluation-phase]").TextContent, StringComparison.Ordinal);
        // Issue 16: phase, an estimate and the elapsed time under the bar (EvaluationProgressClockTests pins the wording).
        Assert.Matches(@"^Phase: .+ · elapsed \d+ s$", cut.Find("[data-testid=evaluation-timing]").TextContent.Trim());
        Assert.True(cut.Find("[data-testid=evaluation-start-button]").HasAttribute("disabled"));
        cut.WaitForAssertion(() => Assert.Contains("finished and is recorded", cut.Find("[data-testid=evaluation-job-outcome]").TextContent, StringComparison.Ordinal), TimeSpan.FromMinutes(5));
        cut.WaitForAssertion(() => Assert.Contains("first 4 identities only", cut.Find("[data-testid=evaluation-run]").TextContent, StringComparison.Ordinal));
        Assert.Contains("portal: dataset lfw-dev, 4 identities, seed 1, sweep off, privacy off", cut.Find("[data-testid=evaluation-run]").TextContent, StringComparison.Ordinal);
        Assert.Contains("lfw-dev", cut.Find("[data-testid=evaluation-picker]").OuterHtml, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=sweep-chart]")); // sweep off: no chart
    }

    [Fact]
    public void SweepChart_OnePolylinePerGenderAndRate_PointsPlacedFromTheData()
    {
        // FMR and FNMR of each gender at three shares, distinct enough to tell the points apart.
        SweepSetting Setting(double share, double femaleFmr, double femaleFnmr, double maleFmr, double maleFnmr) =>
            new(share, 40, 1.5, new ErrorPoint(1.5, 1e-3, 0.1), [Rates("female", femaleFmr, femaleFnmr), Rates("male", maleFmr, maleFnmr)], 0.9, 0.2, 12);
        var sweep = new[]
        {
            Setting(0, 1e-2, 0.05, 1e-4, 0.2),
            Setting(0.5, 1e-3, 0.1, 1e-3, 0.1),
            Setting(1, 0, 0.3, 1e-2, 0.01), // a rate of 0 sits on the 1e-5 floor
        };

        var cut = Render<SweepChart>(p => p.Add(c => c.Title, "sweep").Add(c => c.Sweep, sweep));

        var lines = cut.FindAll("[data-testid=sweep-chart] polyline");
        Assert.Equal(["FMR female", "FNMR female", "FMR male", "FNMR male"], lines.Select(l => l.GetAttribute("data-series")));
        Assert.Equal("5 3", lines[0].GetAttribute("stroke-dasharray"));
        Assert.Null(lines[1].GetAttribute("stroke-dasharray"));
        Assert.Equal(Expected((0, 1e-2), (0.5, 1e-3), (1, 1e-5)), lines[0].GetAttribute("points"));
        Assert.Equal(Expected((0, 0.05), (0.5, 0.1), (1, 0.3)), lines[1].GetAttribute("points"));
        Assert.Equal(Expected((0, 1e-4), (0.5, 1e-3), (1, 1e-2)), lines[2].GetAttribute("points"));
        Assert.Equal(Expected((0, 0.2), (0.5, 0.1), (1, 0.01)), lines[3].GetAttribute("points"));
        // Spot-check by hand: FMR 1e-2 is three decades above the 1e-5 floor, 3/5 of the way up the 220-pixel plot.
        Assert.StartsWith("46,98 ", lines[0].GetAttribute("points"), StringComparison.Ordinal);
        var marker = cut.Find("circle[data-series='FNMR male'][data-share='1']");
        Assert.Equal("0.01", marker.GetAttribute("data-rate"));
    }

    [Fact]
    public async Task RunView_WithSweep_ChartAboveTheTable()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<RecordEvaluationRun>().ExecuteAsync(Actor.Terminal("eval"), EvaluationRunsPanelTests.Report(), null);
        }
        SignInAs(Roles.Auditor);
        Render<MudPopoverProvider>();

        var cut = Render<EvaluationRunsPanel>();

        cut.WaitForElement("[data-testid=sweep-chart]", TimeSpan.FromSeconds(15));
        Assert.Equal(4, cut.FindAll("[data-testid=sweep-chart] polyline").Count); // 2 genders × FMR, FNMR
        Assert.Equal(3, cut.FindAll("[data-testid=sweep-table] tbody tr").Count);
        var html = cut.Markup;
        Assert.True(html.IndexOf("data-testid=\"sweep-chart\"", StringComparison.Ordinal) < html.IndexOf("data-testid=\"sweep-table\"", StringComparison.Ordinal));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    /// <summary>The points string computed independently of the component: x linear in the share, y log10 of the rate from 1e-5 to 1.</summary>
    private static string Expected(params (double Share, double Rate)[] points) =>
        string.Join(' ', points.Select(p =>
        {
            var x = SweepChart.Left + SweepChart.PlotW * p.Share;
            var y = SweepChart.Top + SweepChart.PlotH - SweepChart.PlotH * (Math.Log10(Math.Max(p.Rate, 1e-5)) + 5) / 5;
            return $"{x.ToString("0.#", CultureInfo.InvariantCulture)},{y.ToString("0.#", CultureInfo.InvariantCulture)}";
        }));

    private static GroupRates Rates(string group, double fmr, double fnmr) =>
        new(group, 20, 100, 1000, new RateInterval(fmr, fmr / 2, fmr * 2), new RateInterval(fnmr, fnmr / 2, fnmr * 2), [], null);

    private static AngleSharp.Dom.IElement Input<T>(IRenderedComponent<T> cut, string testId)
        where T : Microsoft.AspNetCore.Components.IComponent
    {
        var e = cut.Find($"[data-testid={testId}]");
        return e.TagName == "INPUT" ? e : e.QuerySelector("input")!;
    }
}
