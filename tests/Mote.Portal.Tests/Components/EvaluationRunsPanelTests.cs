using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Evaluation;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Fairness;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

public sealed class EvaluationRunsPanelTests : GalleryBunitContext
{
    [Fact]
    public async Task EvaluationRunsPanel_NoRun_SaysHowToMakeOne()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Auditor);
        Render<MudPopoverProvider>();

        var cut = Render<EvaluationRunsPanel>();

        cut.WaitForAssertion(() => Assert.Contains("-- evaluate --dataset", cut.Find("[data-testid=evaluation-none]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EvaluationRunsPanel_RecordedRun_ShowsBothKindsGroupsWarningsSweepPrivacyAndDet()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<RecordEvaluationRun>().ExecuteAsync(Actor.Terminal("eval"), Report(), null);
        }
        SignInAs(Roles.Auditor);
        Render<MudPopoverProvider>();

        var cut = Render<EvaluationRunsPanel>();

        cut.WaitForElement("[data-testid=evaluation-run]", TimeSpan.FromSeconds(15));
        var recognition = cut.Find("[data-testid=recognition-table]").TextContent;
        Assert.Contains("MOTE model-template", recognition, StringComparison.Ordinal);
        Assert.Contains("Vector (baseline)", recognition, StringComparison.Ordinal);
        Assert.Contains("11.6 %", recognition, StringComparison.Ordinal); // FNMR @ FMR 1e-3 of MOTE
        var gender = cut.Find("[data-testid=fairness-gender]");
        Assert.Equal(4, gender.QuerySelectorAll("tbody tr").Length); // 2 groups × 2 kinds
        Assert.Contains("24.0 % (14.7 %–34.2 %)", gender.TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=small-group]"));
        Assert.Contains("0.928", cut.Find("[data-testid=fairness-summary-gender]").TextContent, StringComparison.Ordinal);
        Assert.Equal(2, cut.FindAll("[data-testid=det-chart]").Count);
        Assert.Equal(2, cut.FindAll("[data-testid=det-chart] polyline[data-group=female]").Count);
        Assert.Equal(3, cut.FindAll("[data-testid=sweep-table] tbody tr").Count);
        Assert.Contains("0.890", cut.Find("[data-testid=privacy-table]").TextContent, StringComparison.Ordinal);
        Assert.Contains("9.1× the target", cut.Find("[data-testid=personal-thresholds]").TextContent, StringComparison.Ordinal);
        Assert.Contains("fewer than 30", cut.Find("[data-testid=evaluation-warnings]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluationRunsPanel_Operator_ToldInWordsNotShown()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Operator);
        Render<MudPopoverProvider>();

        var cut = Render<EvaluationRunsPanel>();

        cut.WaitForAssertion(() => Assert.Contains("ViewFairness", cut.Find("[data-testid=evaluation-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=evaluation-run]"));
    }

    /// <summary>A report shaped like the 300-identity LFW run's (figures from docs/evaluation.md), small enough to read.</summary>
    internal static EvaluationReport Report()
    {
        static ErrorPoint[] Det(double scale) => [new(3, 1e-4, 0.2 * scale), new(2, 1e-3, 0.1 * scale), new(1, 1e-2, 0.03 * scale)];
        static GroupRates Group(string name, int identities, double fnmr, double low, double high, string? warning = null) =>
            new(name, identities, identities * 6L, identities * 900L, new RateInterval(0.001, 0.0005, 0.002), new RateInterval(fnmr, low, high), Det(fnmr * 5), warning);
        var modelGroups = new[] { Group("female", 70, 0.240, 0.147, 0.342), Group("male", 230, 0.097, 0.07, 0.12) };
        var vectorGroups = new[] { Group("female", 70, 0.06, 0.03, 0.09, "fewer than 30 genuine pairs in one fold"), Group("male", 230, 0.045, 0.03, 0.06) };
        return new EvaluationReport(
            EvaluationReport.CurrentSchemaVersion, new DateTimeOffset(2026, 11, 29, 22, 0, 0, TimeSpan.Zero),
            new EvaluationSettings("../shared/datasets/lfw-dev", "dlib-resnet", "4b583403", "dlib-resnet/20261129200908", 1, 300, "equal", 2000, 4000, 1,
                "128→128→64→16→1", 0, 120, 1e-3, [0, 0.5, 1], 30, 10, 400, 100, 2, "mote evaluate --dataset ../shared/datasets/lfw-dev --identities 300", "0718bad"),
            new DataSummary(4036, 300, 300, 0, 1821, 0, 1821, 544479, new Dictionary<string, int> { ["female"] = 70, ["male"] = 230 }, new Dictionary<string, int>()),
            [
                new KindRecognition("model", "logit", 1821, 544479, 0.991, new ErrorPoint(0, 0.036, 0.036), new ErrorPoint(2, 1e-3, 0.116), new ErrorPoint(3, 1e-4, 0.203), Det(1), new Dictionary<string, double>(), new Dictionary<string, double>()),
                new KindRecognition("vector", "cosine", 1821, 544479, 0.997, new ErrorPoint(0.9, 0.011, 0.011), new ErrorPoint(0.92, 1e-3, 0.05), new ErrorPoint(0.94, 1e-4, 0.17), Det(0.5), new Dictionary<string, double>(), new Dictionary<string, double>()),
            ],
            new PersonalThresholdResult(1e-3, 400, 0.0091, 0.031, 1e-6, 1e-8, 1e-4, 0.007),
            new VariationCheck(40, 1, 0.981, 0.954),
            [
                new AttributeFairness("model", "gender", 2, 1e-3, modelGroups, 0.928, 0.25, 1.1, 1.6),
                new AttributeFairness("vector", "gender", 0.92, 1e-3, vectorGroups, 0.979, 0.08, 1.0, 1.1),
            ],
            new[] { 0.0, 0.5, 1.0 }.Select(share => new SweepSetting(share, 30, 2, new ErrorPoint(2, 1e-3, 0.1 + share / 10), modelGroups, 0.93, 0.2, 25)).ToArray(),
            [
                new AttackResult("gender", "MOTE weights (flattened)", 200, ["female", "male"], 100, 5, 0.89, 0.84, 0.93, [0.9, 0.88, 0.89, 0.9, 0.88], 0.5),
                new AttackResult("gender", "vector templates", 200, ["female", "male"], 100, 5, 0.98, 0.95, 0.99, [0.98, 0.98, 0.97, 0.99, 0.98], 0.5),
            ],
            [new KindCosts("model", 104115, 900, 1200, 15, 0.2, 300), new KindCosts("vector", 512, 0, 0, 0.3, 0.01, 300)],
            [new ScoreHistogram("model", -10, 10, [0.5, 0.5], [0.5, 0.5])],
            [new PhaseTime("enroll", 600), new PhaseTime("score", 180)],
            ["Group 'female' (vector): fewer than 30 genuine pairs in one fold."]);
    }
}
