using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Quality;
using Mote.Gallery.Decisions;
using Mote.Gallery.Engine;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Portal.Components.Pages.Explanations;
using Mote.Portal.Tests.Infrastructure;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The explanation page with the real Gallery and engine: a person enrolled from a demo photo, a verification made as
/// an Operator and explained, then the page opened as that Operator, another Operator and an Auditor.
/// </summary>
public sealed class ExplanationsPageTests : GalleryBunitContext
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task DecisionPage_OwnDecision_SentenceHeatmapToggleOpacityGaugeDistributionFaithfulness()
    {
        var (decisionId, accepted) = await VerifyAndExplainAsync(new Actor(ActorKind.User, $"id-{Roles.Operator}", "op@example.org", new HashSet<string> { Roles.Operator }));
        SignInAs(Roles.Operator);

        var cut = Render<ExplanationsPage>(p => p.Add(x => x.DecisionId, decisionId));

        cut.WaitForAssertion(() => Assert.Contains(accepted ? "was accepted" : "was rejected", cut.Find("[data-testid=explanation-sentence]").TextContent, StringComparison.Ordinal), Slow);
        Assert.Equal("49", cut.Find("[data-testid=heatmap]").GetAttribute("data-cells"));
        // Issue 16: the map is drawn over the aligned probe face although probe images are not kept (the settings above),
        // and the page says until when that face is kept (30 days by default).
        Assert.StartsWith("data:image/png;base64,", cut.Find("[data-testid=heatmap-probe]").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=heatmap-no-probe]"));
        var kept = cut.Find("[data-testid=heatmap-face-kept]").TextContent;
        Assert.Contains("(30 days, Settings, Retention)", kept, StringComparison.Ordinal);
        Assert.Contains($"until {DateTimeOffset.UtcNow.AddDays(30):yyyy-MM-dd}", kept, StringComparison.Ordinal);
        Assert.Equal(accepted ? "#2e7d32" : "#c62828", cut.Find("[data-testid=gauge-score]").GetAttribute("fill"));
        Assert.NotEmpty(cut.FindAll("[data-testid=bar-impostor]"));
        // Issue 16: on 0…1 every impostor sat in the first bin and the probe at the far right. On the log-odds scale
        // the impostors spread over several bins, and the threshold and the probe are marked on the same axis.
        Assert.Equal("log-odds", cut.Find("[data-testid=distribution]").GetAttribute("data-scale"));
        var impostorBins = cut.FindAll("[data-testid=bar-impostor]").Count(b => b.GetAttribute("data-count") != "0");
        Assert.True(impostorBins >= 3, $"impostors fill {impostorBins} of 20 bins");
        // The threshold line is drawn where the template's threshold is: right of the impostors (the explanation's own
        // figure is under 1 % of impostors at or above it), so bins that start right of the line hold almost none.
        var thresholdX = Svg(cut.Find("[data-testid=distribution-threshold]").GetAttribute("x1"));
        var impostors = cut.FindAll("[data-testid=bar-impostor]").Select(b => (X: Svg(b.GetAttribute("x")), Count: int.Parse(b.GetAttribute("data-count")!, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var rightOfThreshold = impostors.Where(b => b.X >= thresholdX).Sum(b => b.Count);
        Assert.True(rightOfThreshold <= impostors.Sum(b => b.Count) / 100, $"{rightOfThreshold} of {impostors.Sum(b => b.Count)} impostors drawn right of the threshold at x = {thresholdX}");
        Assert.Contains("Log-odds of the score", cut.Find("[data-testid=distribution-caption]").TextContent, StringComparison.Ordinal);
        // Issue 16: the margin is the distance of the probe's and the threshold's log-odds, on the accepted side when
        // accepted (it read "log-odds −1.7" for an accepted probe: a difference of probabilities written as a score),
        // and the sentence writes log-odds, not raw probabilities ("its score 1.293E-07 is 0.8199 below the threshold 0.8199").
        var caption = cut.Find("[data-testid=distribution-caption]").TextContent;
        var probe = LogOdds(System.Text.RegularExpressions.Regex.Match(caption, @"this probe \(([^)]+)\)").Groups[1].Value);
        var threshold = LogOdds(System.Text.RegularExpressions.Regex.Match(caption, @"the threshold \(([^)]+)\)").Groups[1].Value);
        var margin = LogOdds(System.Text.RegularExpressions.Regex.Match(caption, @"Margin to threshold log-odds ([^ ]+)\.").Groups[1].Value);
        Assert.Equal(probe - threshold, margin, 0.11);
        Assert.Equal(accepted, margin >= 0);
        var sentence = cut.Find("[data-testid=explanation-sentence]").TextContent;
        Assert.Contains("log-odds", sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("E-", sentence, StringComparison.Ordinal);
        Assert.Equal(2, cut.FindAll("[data-testid=faithfulness-row]").Count);
        // The curves measure the logit the maps measure (on the 0…1 score a rejected probe's curves sat flat at 0).
        Assert.Contains("in log-odds of the person's template", cut.Find("[data-testid=faithfulness-caption]").TextContent, StringComparison.Ordinal);
        Assert.Contains("the mean of 8 random maps", cut.Find("[data-testid=faithfulness-caption]").TextContent, StringComparison.Ordinal);
        var strongest = cut.FindAll("[data-testid=heatmap-cell]").Max(c => double.Parse(c.GetAttribute("fill-opacity")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.6, strongest, 3);

        cut.Find("[data-testid=opacity]").Input("100");
        cut.WaitForAssertion(() => Assert.Equal(1.0, cut.FindAll("[data-testid=heatmap-cell]").Max(c => double.Parse(c.GetAttribute("fill-opacity")!, System.Globalization.CultureInfo.InvariantCulture)), 3));
        Assert.Empty(cut.FindAll("[data-testid=occlusion-only]"));
        cut.Find("[data-testid='method-gradcam++']").Click();
        cut.WaitForAssertion(() => Assert.Equal("gradcam++", cut.Find("[data-testid=heatmap]").GetAttribute("data-method")));
        Assert.Equal("4", cut.Find("[data-testid=heatmap]").GetAttribute("data-cells"));
    }

    [Fact]
    public async Task DecisionPage_AnotherOperatorsDecision_RefusedButAuditorOpensIt()
    {
        var (decisionId, _) = await VerifyAndExplainAsync(new Actor(ActorKind.User, "someone-else", "else@example.org", new HashSet<string> { Roles.Operator }));
        SignInAs(Roles.Operator);

        var cut = Render<ExplanationsPage>(p => p.Add(x => x.DecisionId, decisionId));

        cut.WaitForAssertion(() => Assert.Contains("that you may open", cut.Find("[data-testid=explanation-error]").TextContent, StringComparison.Ordinal), Slow);
        Assert.Empty(cut.FindAll("[data-testid=heatmap]"));
        var list = Render<ExplanationsPage>();
        list.WaitForAssertion(() => Assert.Equal("No decisions yet.", list.Find("[data-testid=explanations-empty]").TextContent.Trim()), Slow);

        SignInAs(Roles.Auditor);
        var auditor = Render<ExplanationsPage>(p => p.Add(x => x.DecisionId, decisionId));
        auditor.WaitForAssertion(() => Assert.Equal("49", auditor.Find("[data-testid=heatmap]").GetAttribute("data-cells")), Slow);
        var auditorList = Render<ExplanationsPage>();
        auditorList.WaitForAssertion(() => Assert.Contains(auditorList.FindAll("[data-testid=explanation-row]"), r => r.GetAttribute("data-decision") == decisionId), Slow);
    }

    private async Task<(string Id, bool Accepted)> VerifyAndExplainAsync(Actor asker)
    {
        await GalleryDatabase.MigrateAsync(Services);
        Render<MudPopoverProvider>();
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            var sp = scope.ServiceProvider;
            var admin = new Actor(ActorKind.User, "admin", "admin@example.org", new HashSet<string> { Roles.Admin });
            await sp.GetRequiredService<UpdateGallerySettings>().ExecuteAsync(admin, new GallerySettingsChange(ReferenceRetention.None, false, 1e-3, ""));
            var photo = await DemoPhotos.ReadAsync("sample5.jpg");
            var analysis = (await sp.GetRequiredService<GalleryEngine>().GetAnalyzerAsync()).Analyze(photo, QualityPurpose.Enrollment);
            var face = analysis.Faces.Select((f, i) => (f, i)).First(x => x.f.Quality.IsAccepted).i;
            var person = (await sp.GetRequiredService<EnrollPerson>().ExecuteAsync(admin, new EnrollmentRequest("Exa Plain", photo, face, Seed: 5))).Person;
            // The probe: the enrolled face cut out with a margin, so it is the largest (and only) face.
            var box = analysis.Faces[face].Box;
            var margin = (int)(box.Width * 0.6);
            var probe = await DemoPhotos.CropAsync("sample5.jpg", Math.Max(0, (int)box.X - margin), Math.Max(0, (int)box.Y - margin), (int)box.Width + (2 * margin), (int)box.Height + (2 * margin));
            var verified = await sp.GetRequiredService<VerifyProbe>().ExecuteAsync(asker, person.Id, probe);
            Assert.NotNull(await sp.GetRequiredService<ExplainDecision>().ExecuteAsync(new ExplanationRequest(verified.DecisionId, person.Id, probe, verified.Score, verified.Threshold)));
            return (verified.DecisionId, verified.Accepted);
        }
    }

    private static double Svg(string? value) => double.Parse(value!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A signed one-decimal number as the page writes it ("+2.4", "−15.9" with a real minus sign).</summary>
    private static double LogOdds(string text) =>
        double.Parse(text.Trim().Replace("\u2212", "-", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
}
