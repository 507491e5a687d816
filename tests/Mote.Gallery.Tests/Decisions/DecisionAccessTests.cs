using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Decisions;

/// <summary>Issue 14 item 14: opening someone else's decision is refused in the same words as an unknown id, and audited.</summary>
public sealed class DecisionAccessTests
{
    private static Actor OtherOperator { get; } =
        new(ActorKind.User, "user-other-operator", "other@example.org", new HashSet<string> { Roles.Operator });

    [Fact]
    public async Task GetExplanation_AnotherOperatorsDecision_RefusedAndAuditedOnce()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var decisionId = await AddDecisionAsync(db, Actors.Operator);

        var refused = await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(OtherOperator, decisionId)));
        var unknown = await Assert.ThrowsAsync<GalleryException>(() =>
            db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(OtherOperator, "no-such-decision")));

        Assert.Equal(GalleryErrorKind.NotFound, refused.Kind);
        Assert.Equal(refused.Message.Replace(decisionId, "x", StringComparison.Ordinal), unknown.Message.Replace("no-such-decision", "x", StringComparison.Ordinal));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.DecisionAccessRefused} AND SubjectId = '{decisionId}' AND ActorId = '{OtherOperator.Id}'"));
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
        var status = await db.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actor.System));
        Assert.True(status.Verified, status.Summary);
    }

    [Fact]
    public async Task GetExplanation_OwnDecision_OpensWithoutAnEvent()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var decisionId = await AddDecisionAsync(db, Actors.Operator);

        var view = await db.InScopeAsync<GetExplanation, ExplanationView>(g => g.ExecuteAsync(Actors.Operator, decisionId));

        Assert.Equal(decisionId, view.Decision.DecisionId);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    private static async Task<string> AddDecisionAsync(GalleryTestDatabase db, Actor actor)
    {
        var scope = db.Services.CreateAsyncScope();
        await using (scope)
        {
            var context = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var row = new Decision
            {
                Id = Guid.NewGuid().ToString(),
                Kind = "identify",
                Accepted = false,
                CreatedUtc = DateTimeOffset.UtcNow,
                ActorId = actor.Id,
                ActorName = actor.Name,
                ExplanationState = ExplanationState.NoMatch,
            };
            context.Decisions.Add(row);
            await context.SaveChangesAsync();
            return row.Id;
        }
    }
}
