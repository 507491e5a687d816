using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Portal.Components.Pages.Gallery;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The person page's decision history (issue 16) with the real Gallery on a SQLite file: the person's last decisions,
/// newest first, with time, outcome, a readable score and a link to the explanation — everyone's for an Auditor, only
/// one's own for an Operator.
/// </summary>
public sealed class PersonPageHistoryTests : GalleryBunitContext
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task History_Auditor_EveryonesDecisionsAboutThePersonNewestFirst_ReadableScoresAndExplanationLinks()
    {
        var (person, decisions) = await SeedAsync();
        SignInAs(Roles.Auditor);

        var cut = Render<PersonPage>(p => p.Add(x => x.Id, person.Id));

        cut.WaitForElement("[data-testid=person-history-table]", TimeSpan.FromSeconds(15));
        var rows = cut.FindAll("[data-testid=person-history-row]");
        // The three about this person, newest first; the one about someone else is not listed.
        Assert.Equal([decisions[2].Id, decisions[1].Id, decisions[0].Id], rows.Select(r => r.GetAttribute("data-decision")));
        Assert.Equal(["match", "rejected", "accepted"], rows.Select(r => r.QuerySelector("[data-testid=person-history-outcome]")!.TextContent.Trim()));
        Assert.Equal("log-odds +2.2 vs log-odds 0.0", rows[2].QuerySelector("[data-testid=person-history-score]")!.TextContent.Trim());
        Assert.Contains("2026-12-05 12:00:00", rows[2].TextContent, StringComparison.Ordinal);
        var link = rows[0].QuerySelector("[data-testid=person-history-explanation]")!;
        Assert.Equal($"explanations/{decisions[2].Id}", link.GetAttribute("href"));
        Assert.Equal("none: made outside the portal", link.TextContent.Trim());
    }

    [Fact]
    public async Task History_Operator_OnlyTheirOwnDecisions()
    {
        var (person, decisions) = await SeedAsync();
        SignInAs(Roles.Operator);

        var cut = Render<PersonPage>(p => p.Add(x => x.Id, person.Id));

        cut.WaitForElement("[data-testid=person-history-table]", TimeSpan.FromSeconds(15));
        Assert.Equal([decisions[1].Id, decisions[0].Id], cut.FindAll("[data-testid=person-history-row]").Select(r => r.GetAttribute("data-decision")));
        Assert.Contains("yours only", cut.Find("[data-testid=person-history]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_NoDecisions_SaysSo()
    {
        await GalleryDatabase.MigrateAsync(Services);
        Render<MudPopoverProvider>();
        var quiet = TestPeople.Build("Quiet Person");
        await TestPeople.AddAsync(Services, quiet);
        SignInAs(Roles.Admin);

        var cut = Render<PersonPage>(p => p.Add(x => x.Id, quiet.Id));

        cut.WaitForAssertion(() => Assert.Contains("No decisions about Quiet Person yet", cut.Find("[data-testid=person-history-empty]").TextContent, StringComparison.Ordinal));
    }

    private async Task<(Person Person, Decision[] Decisions)> SeedAsync()
    {
        await GalleryDatabase.MigrateAsync(Services);
        Render<MudPopoverProvider>();
        var person = TestPeople.Build("Hist Ory");
        var other = TestPeople.Build("Some One Else");
        await TestPeople.AddAsync(Services, person, other);
        // SignInAs gives the test user the id "id-<role>".
        var decisions = new[]
        {
            Decision(person.Id, "verify", true, Noon, $"id-{Roles.Operator}"),
            Decision(person.Id, "verify", false, Noon.AddMinutes(1), $"id-{Roles.Operator}"),
            Decision(person.Id, "identify", true, Noon.AddMinutes(2), "someone-else"),
            Decision(other.Id, "verify", true, Noon.AddMinutes(3), $"id-{Roles.Operator}"),
        };
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            db.Decisions.AddRange(decisions);
            await db.SaveChangesAsync();
        }
        return (person, decisions);
    }

    private static Decision Decision(string personId, string kind, bool accepted, DateTimeOffset at, string actorId) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Kind = kind,
        PersonId = personId,
        Score = accepted ? 0.9f : 0.1f,
        Threshold = 0.5f,
        Accepted = accepted,
        CreatedUtc = at,
        ActorId = actorId,
        ActorName = actorId,
        ExplanationState = ExplanationState.NotQueued,
    };
}
