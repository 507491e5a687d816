using Bunit;
using Mote.Core.Evaluation;
using Mote.Portal.Components.Pages.Fairness;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

public sealed class ImpostorAnalysisViewTests : PortalBunitContext
{
    [Fact]
    public void ImpostorAnalysisView_ShowsTheIntersectionFirst_HighestMoteFmrFirst_EverySeriesAndSummary()
    {
        Render<MudPopoverProvider>();

        var cut = Render<ImpostorAnalysisView>(p => p.Add(v => v.Analysis, Analysis()));

        var table = cut.Find("[data-testid=impostor-table]");
        var headers = table.QuerySelectorAll("thead th").Select(h => h.TextContent).ToArray();
        Assert.Contains("FMR, MOTE global (95% CI)", headers);
        Assert.Contains("FMR, MOTE personal (95% CI)", headers);
        Assert.Contains("FMR, vector global (95% CI)", headers);
        var rows = cut.FindAll("[data-testid=impostor-row]");
        // The intersection is shown first, ordered by MOTE's global FMR: black women over 60 lead.
        Assert.Equal(["female/black/60+", "male/white/18-59"], rows.Select(r => r.QuerySelector("td")!.TextContent));
        var cells = rows[0].QuerySelectorAll("td").Select(c => c.TextContent).ToArray();
        Assert.Equal(["female/black/60+", "4", "120", "0.8 % (0.2 %–1.5 %)", "2.0 % (1.0 %–3.0 %)", "0.4 % (0.1 %–0.9 %)"], cells[..6]);
        Assert.Contains("not reliable", cells[6], StringComparison.Ordinal);
        Assert.Contains("3.100", cut.Find("[data-testid=impostor-summary]").TextContent, StringComparison.Ordinal);
    }

    /// <summary>Two cells and the gender marginal; figures invented to be told apart.</summary>
    private static ImpostorAnalysis Analysis()
    {
        static ImpostorGroupRate Row(string group, int templates, int probes, double fmr, double low, double high, string? warning = null) =>
            new(group, templates, probes, (long)templates * probes, new RateInterval(fmr, low, high), warning);
        const string Cell = "gender × ethnicity × age band";
        return new ImpostorAnalysis("../shared/datasets/utkface-part1", 9778, 12, 24, 9742, 20,
            new Dictionary<string, int> { ["female/black/60+"] = 4, ["male/white/18-59"] = 20 },
            [
                new ImpostorFairness("model", "global", 2.5, "gender", [Row("female", 4, 5000, 0.002, 0.001, 0.003), Row("male", 20, 4000, 0.001, 0.0005, 0.002)], 1.4, 0.3, 2),
                new ImpostorFairness("model", "global", 2.5, Cell, [Row("male/white/18-59", 20, 2000, 0.0005, 0.0001, 0.001), Row("female/black/60+", 4, 120, 0.008, 0.002, 0.015, "only 4 template(s) and 480 pairs (< 5 or < 10/FMR): the rate is not reliable")], 3.1, 0.5, 16),
                new ImpostorFairness("model", "personal", null, Cell, [Row("male/white/18-59", 20, 2000, 0.01, 0.005, 0.02), Row("female/black/60+", 4, 120, 0.02, 0.01, 0.03, "few")], 1.2, 0.2, 2),
                new ImpostorFairness("vector", "global", 0.6, Cell, [Row("male/white/18-59", 20, 2000, 0.001, 0.0005, 0.002), Row("female/black/60+", 4, 120, 0.004, 0.001, 0.009, "few")], 1.5, 0.25, 4),
            ]);
    }
}
