using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mote.Core.Explain;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Explanations;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The explanation page's states without the engine: decisions written straight into a real SQLite gallery, an
/// explanation stored "in the background" while the page is open, and a fake clock that drives the page's refresh.
/// Before the page refreshed itself it said "no explanation yet … reload in a moment" forever.
/// </summary>
public sealed class ExplanationStatesTests : GalleryBunitContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));

    public ExplanationStatesTests() => Services.AddSingleton<TimeProvider>(_time);

    [Fact]
    public async Task DecisionPage_ExplanationStoredWhileOpen_ShowsComputingThenRefreshesToReady()
    {
        var id = await AddDecisionAsync("verify", accepted: true, ExplanationState.Computing);
        await AddWaitingInputAsync(id);
        SignInAs(Roles.Auditor);

        var cut = Render<ExplanationsPage>(p => p.Add(x => x.DecisionId, id));
        cut.WaitForAssertion(() => Assert.Equal("Computing", cut.Find("[data-testid=explanation-pending]").GetAttribute("data-state")), Wait);
        Assert.Contains("being computed", cut.Find("[data-testid=explanation-pending]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("reload", cut.Markup, StringComparison.OrdinalIgnoreCase);

        await StoreExplanationAsync(id);
        _time.Advance(ExplanationsPage.RefreshInterval);

        cut.WaitForAssertion(() => Assert.Equal("49", cut.Find("[data-testid=heatmap]").GetAttribute("data-cells")), Wait);
        Assert.Contains("against threshold", cut.Find("[data-testid=explanation-sentence]").TextContent, StringComparison.Ordinal);
        // An occlusion-only explanation (any backbone but dlib-resnet) says why there is no Grad-CAM++ map.
        Assert.Contains("Grad-CAM++ is computed for the dlib-resnet backbone alone", cut.Find("[data-testid=occlusion-only]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=explanation-pending]"));
    }

    [Fact]
    public async Task DecisionPage_RejectedIdentification_SaysNoneWillBeMadeAndWhy()
    {
        var id = await AddDecisionAsync("identify", accepted: false, ExplanationState.NoMatch, person: null);
        SignInAs(Roles.Auditor);

        var cut = Render<ExplanationsPage>(p => p.Add(x => x.DecisionId, id));

        cut.WaitForAssertion(() => Assert.Equal("NoMatch", cut.Find("[data-testid=explanation-none]").GetAttribute("data-state")), Wait);
        Assert.Contains("No explanation will be made", cut.Find("[data-testid=explanation-none]").TextContent, StringComparison.Ordinal);
        Assert.Contains("identification was rejected", cut.Find("[data-testid=explanation-none]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=explanation-pending]"));
    }

    [Fact]
    public async Task DecisionPage_QueuedButNoLongerHeld_TurnsLostAfterAMinuteAndStopsRefreshing()
    {
        // Recorded as computing, but no input waits for it (an earlier version queued it in memory and restarted).
        var id = await AddDecisionAsync("verify", accepted: false, ExplanationState.Computing);
        SignInAs(Roles.Auditor);

        var cut = Render<ExplanationsPage>(p => p.Add(x => x.DecisionId, id));
        cut.WaitForAssertion(() => Assert.Equal("Computing", cut.Find("[data-testid=explanation-pending]").GetAttribute("data-state")), Wait);

        for (var elapsed = TimeSpan.Zero; elapsed < GetExplanation.LostAfter; elapsed += ExplanationsPage.RefreshInterval)
        {
            _time.Advance(ExplanationsPage.RefreshInterval);
        }

        cut.WaitForAssertion(() => Assert.Equal("Lost", cut.Find("[data-testid=explanation-none]").GetAttribute("data-state")), Wait);
        Assert.Contains("restarted", cut.Find("[data-testid=explanation-none]").TextContent, StringComparison.Ordinal);
        // Final: an explanation appearing now is not looked for any more (the page stopped refreshing).
        await StoreExplanationAsync(id);
        _time.Advance(ExplanationsPage.RefreshInterval * 3);
        await Task.Delay(200);
        Assert.Equal("Lost", cut.Find("[data-testid=explanation-none]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task List_ComputingRowRefreshesToReady_RejectedIdentificationAndFullQueueSayNone()
    {
        var computing = await AddDecisionAsync("verify", accepted: true, ExplanationState.Computing);
        await AddWaitingInputAsync(computing);
        var noMatch = await AddDecisionAsync("identify", accepted: false, ExplanationState.NoMatch, person: null);
        var full = await AddDecisionAsync("verify", accepted: false, ExplanationState.QueueFull);
        SignInAs(Roles.Auditor);

        var cut = Render<ExplanationsPage>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=explanation-row]").Count), Wait);
        Assert.Equal("Computing", StateOf(cut, computing));
        Assert.Equal("NoMatch", StateOf(cut, noMatch));
        Assert.Equal("QueueFull", StateOf(cut, full));
        Assert.Contains("none: no match", Row(cut, noMatch).TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("no explanation yet", cut.Markup, StringComparison.Ordinal);

        await StoreExplanationAsync(computing);
        _time.Advance(ExplanationsPage.RefreshInterval);

        cut.WaitForAssertion(() => Assert.Null(StateOf(cut, computing)), Wait);
        Assert.Contains("Explanation", Row(cut, computing).TextContent, StringComparison.Ordinal);
        Assert.Equal("NoMatch", StateOf(cut, noMatch));
    }

    [Fact]
    public async Task DecisionPage_OcclusionVariant_SaysInOneSentenceHowCellsWereRanked_OldExplanationReadsAsHiddenAlone()
    {
        var rejected = await AddDecisionAsync("verify", accepted: false, ExplanationState.Ready);
        var map = new ExplanationMap(OcclusionSensitivity.Method, 7, 7, Enumerable.Range(0, 49).Select(i => i / 48f).ToArray());
        await StoreJsonAsync(rejected, new DecisionExplanation(0.1f, 0.5f, false, [map], [], null, 800, 0, 1400, OcclusionSensitivity.BothEnds).ToJson());
        // Stored before the variant was recorded: no "occlusionVariant" in the JSON.
        var old = await AddDecisionAsync("verify", accepted: true, ExplanationState.Ready);
        var oldJson = new DecisionExplanation(0.9f, 0.5f, true, [map], [], null, 400, 0, 1000).ToJson();
        oldJson = System.Text.RegularExpressions.Regex.Replace(oldJson, @",""occlusionVariant"":""[^""]*""", "");
        Assert.DoesNotContain("occlusionVariant", oldJson, StringComparison.Ordinal);
        await StoreJsonAsync(old, oldJson);
        SignInAs(Roles.Auditor);

        var both = Render<ExplanationsPage>(p => p.Add(x => x.DecisionId, rejected));
        both.WaitForAssertion(() => Assert.Equal(OcclusionSensitivity.BothEnds, both.Find("[data-testid=occlusion-variant]").GetAttribute("data-variant")), Wait);
        Assert.Equal("Cells ranked by how much hiding each one lowers the score, plus how much showing it alone on a grey face raises it (computed so for rejected decisions).",
            both.Find("[data-testid=occlusion-variant]").TextContent.Trim());

        var hidden = Render<ExplanationsPage>(p => p.Add(x => x.DecisionId, old));
        hidden.WaitForAssertion(() => Assert.Equal(OcclusionSensitivity.HiddenAlone, hidden.Find("[data-testid=occlusion-variant]").GetAttribute("data-variant")), Wait);
        Assert.Equal("Cells ranked by how much hiding each one lowers the score (computed so for accepted decisions).",
            hidden.Find("[data-testid=occlusion-variant]").TextContent.Trim());
    }

    private const string PersonId = "person-1";

    private async Task StoreJsonAsync(string decisionId, string json)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
        db.DecisionExplanations.Add(new DecisionExplanationRecord { DecisionId = decisionId, Json = json, CreatedUtc = _time.GetUtcNow() });
        await db.SaveChangesAsync();
    }

    private bool _migrated;

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<ExplanationsPage> cut, string id) =>
        cut.FindAll("[data-testid=explanation-row]").Single(r => r.GetAttribute("data-decision") == id);

    private static string? StateOf(IRenderedComponent<ExplanationsPage> cut, string id) =>
        Row(cut, id).QuerySelector("[data-testid=explanation-state]")?.GetAttribute("data-state");

    private async Task<string> AddDecisionAsync(string kind, bool accepted, ExplanationState state, string? person = PersonId)
    {
        if (!_migrated)
        {
            await GalleryDatabase.MigrateAsync(Services);
            Render<MudPopoverProvider>();
            _migrated = true;
        }
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
        if (person is not null && await db.People.FindAsync(person) is null)
        {
            var row = TestPeople.Build("Exa Plain");
            row.Id = person;
            db.People.Add(row);
        }
        var decision = new Decision
        {
            Id = Guid.NewGuid().ToString(),
            Kind = kind,
            PersonId = person,
            Score = person is null ? null : 0.9f,
            Threshold = person is null ? null : 0.5f,
            Accepted = accepted,
            CreatedUtc = _time.GetUtcNow(),
            ActorId = "id-Operator",
            ActorName = "op@example.org",
            ExplanationState = state,
        };
        db.Decisions.Add(decision);
        await db.SaveChangesAsync();
        return decision.Id;
    }

    /// <summary>What a decision's explanation job waits with (its input beside the decision), without the engine: the bytes are never read here.</summary>
    private async Task AddWaitingInputAsync(string decisionId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
        db.DecisionExplanationInputs.Add(new DecisionExplanationInput { DecisionId = decisionId, Blob = [1, 2, 3], Score = 0.9f, Threshold = 0.5f, CreatedUtc = _time.GetUtcNow() });
        await db.SaveChangesAsync();
    }

    /// <summary>What <see cref="ExplainDecision"/> writes when it finishes, without the engine (it then deletes the input).</summary>
    private async Task StoreExplanationAsync(string decisionId)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
        var map = new ExplanationMap(OcclusionSensitivity.Method, 7, 7, Enumerable.Range(0, 49).Select(i => i / 48f).ToArray());
        var explanation = new DecisionExplanation(0.9f, 0.5f, true, [map], [], null, 400, 0, 1000);
        db.DecisionExplanations.Add(new DecisionExplanationRecord { DecisionId = decisionId, Json = explanation.ToJson(), CreatedUtc = _time.GetUtcNow() });
        await db.SaveChangesAsync();
        await scope.ServiceProvider.GetRequiredService<ExplainDecision>().MarkAsync(decisionId, ExplanationState.Ready);
        await db.DecisionExplanationInputs.Where(i => i.DecisionId == decisionId).ExecuteDeleteAsync();
    }
}
