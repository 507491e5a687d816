using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Decisions;

/// <summary><see cref="GetExplanation.ListForPersonAsync"/> on a real SQLite file: the person page's decision history.</summary>
public sealed class PersonDecisionHistoryTests
{
    [Fact]
    public async Task ListForPerson_AuditorAllOperatorOwn_NewestFirst_CappedAtTake_OthersLeftOut()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var person = PersonRows.Build("History Person");
        var other = PersonRows.Build("Other Person");
        await db.AddPeopleAsync(person, other);
        var start = new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
        var mine = Enumerable.Range(0, 3).Select(i => Row(person.Id, start.AddMinutes(i), Actors.Operator.Id)).ToArray();
        var theirs = Row(person.Id, start.AddMinutes(10), "someone-else");
        await AddAsync(db, [.. mine, theirs, Row(other.Id, start.AddMinutes(20), Actors.Operator.Id)]);

        var auditor = await db.InScopeAsync<GetExplanation, IReadOnlyList<ExplainableDecision>>(g => g.ListForPersonAsync(Actors.Auditor, person.Id));
        var op = await db.InScopeAsync<GetExplanation, IReadOnlyList<ExplainableDecision>>(g => g.ListForPersonAsync(Actors.Operator, person.Id, 2));

        Assert.Equal([theirs.Id, mine[2].Id, mine[1].Id, mine[0].Id], auditor.Select(d => d.DecisionId));
        Assert.All(auditor, d => Assert.Equal(0.5f, d.Threshold));
        Assert.Equal([mine[2].Id, mine[1].Id], op.Select(d => d.DecisionId));
    }

    [Fact]
    public async Task ListForPerson_KeyThatSeesTheGalleryButNotDecisions_Refused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var manageKey = new Actor(ActorKind.ApiKey, "apikey:x", "API key 'x'", new HashSet<string>(), new HashSet<Permission> { Permission.ViewGallery, Permission.ManageGallery });

        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<GetExplanation, IReadOnlyList<ExplainableDecision>>(g => g.ListForPersonAsync(manageKey, "anyone")));
    }

    private static Decision Row(string personId, DateTimeOffset at, string actorId) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Kind = "verify",
        PersonId = personId,
        Score = 0.9f,
        Threshold = 0.5f,
        Accepted = true,
        CreatedUtc = at,
        ActorId = actorId,
        ActorName = actorId,
        ExplanationState = ExplanationState.NotQueued,
    };

    private static async Task AddAsync(GalleryTestDatabase db, Decision[] rows)
    {
        var scope = db.Services.CreateAsyncScope();
        await using (scope)
        {
            var context = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            context.Decisions.AddRange(rows);
            await context.SaveChangesAsync();
        }
    }
}
