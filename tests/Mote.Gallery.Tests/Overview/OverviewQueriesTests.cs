using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Overview;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Overview;

/// <summary>The overview's figures on a real SQLite file: what each counts, for whom, and who is refused.</summary>
public sealed class OverviewQueriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 15, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task CountDecisionsToday_AuditorCountsEveryonesSinceUtcMidnight_OperatorOnlyTheirOwn()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(s => s.AddSingleton<TimeProvider>(new FakeTimeProvider(Now)));
        var person = PersonRows.Build("Tally Person");
        await db.AddPeopleAsync(person);
        var op = Actors.Operator;
        await AddDecisionsAsync(db,
            Decision(person.Id, accepted: true, Now.AddHours(-1), op.Id),
            Decision(person.Id, accepted: false, Now.AddHours(-2), op.Id),
            Decision(person.Id, accepted: true, Now.AddHours(-3), "someone-else"),
            Decision(null, accepted: false, new DateTimeOffset(Now.Date, TimeSpan.Zero).AddSeconds(1), "someone-else"),
            // Yesterday, one second before UTC midnight: not today.
            Decision(person.Id, accepted: true, new DateTimeOffset(Now.Date, TimeSpan.Zero).AddSeconds(-1), op.Id));

        var auditor = await db.InScopeAsync<CountDecisionsToday, DecisionTally>(c => c.ExecuteAsync(Actors.Auditor));
        var own = await db.InScopeAsync<CountDecisionsToday, DecisionTally>(c => c.ExecuteAsync(op));

        Assert.Equal((4, 2, true), (auditor.Total, auditor.Accepted, auditor.Everyone));
        Assert.Equal(0.5, auditor.AcceptRate);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero), auditor.SinceUtc);
        Assert.Equal((2, 1, false), (own.Total, own.Accepted, own.Everyone));
    }

    [Fact]
    public async Task CountDecisionsToday_NoDecisions_NoAcceptRate()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var tally = await db.InScopeAsync<CountDecisionsToday, DecisionTally>(c => c.ExecuteAsync(Actors.Admin));
        Assert.Equal(0, tally.Total);
        Assert.Null(tally.AcceptRate);
    }

    [Fact]
    public async Task CountPeople_EveryRoleThatSeesTheGallery_AnonymousRefused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        await db.AddPeopleAsync(PersonRows.Build("One"), PersonRows.Build("Two"));

        Assert.Equal(2, await db.InScopeAsync<CountPeople, int>(c => c.ExecuteAsync(Actors.Operator)));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<CountPeople, int>(c => c.ExecuteAsync(Actor.Anonymous(null))));
    }

    [Fact]
    public async Task ReadGalleryRiskSummary_NothingAssessedYet_Null_OperatorRefused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        Assert.Null(await db.InScopeAsync<ReadGalleryRiskSummary, GalleryRiskSummary?>(r => r.ExecuteAsync(Actors.Auditor)));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<ReadGalleryRiskSummary, GalleryRiskSummary?>(r => r.ExecuteAsync(Actors.Operator)));
    }

    [Fact]
    public async Task ReadRunningJobs_EachAreaOnlyForItsPermission()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var admin = await db.InScopeAsync<ReadRunningJobs, RunningJobs>(r => r.ExecuteAsync(Actors.Admin));
        var auditor = await db.InScopeAsync<ReadRunningJobs, RunningJobs>(r => r.ExecuteAsync(Actors.Auditor));
        var op = await db.InScopeAsync<ReadRunningJobs, RunningJobs>(r => r.ExecuteAsync(Actors.Operator));

        Assert.Equal((0, true, 0), (admin.Enrollments!.Count, admin.EvaluationVisible, admin.Explanations!.Value));
        Assert.Null(admin.Evaluation);
        Assert.Equal((null, true, 0), (auditor.Enrollments, auditor.EvaluationVisible, auditor.Explanations));
        Assert.Equal((null, false, 0), (op.Enrollments, op.EvaluationVisible, op.Explanations));
    }

    [Fact]
    public async Task ReadModelPackSummary_BeforeProvisioning_NotStartedWithConfiguredBackboneAndPack()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        var summary = await db.InScopeAsync<ReadModelPackSummary, ModelPackSummary>(r => r.ExecuteAsync(Actors.Operator));

        Assert.Equal(Models.ModelPackStatus.NotStarted, summary.Status);
        Assert.Equal("dlib-resnet", summary.Backbone);
        Assert.Equal("dlib-resnet.motepop", summary.PopulationPack);
        Assert.Empty(summary.Sources);
    }

    [Fact]
    public async Task ReadModelPackSummaryAndStatus_GalleryOnAnotherBackboneThanConfigured_ShowThatBackboneAndItsPack()
    {
        // The configuration says dlib-resnet (what a new gallery starts on); the people were enrolled on faceplugin-fr.
        await using var db = await GalleryTestDatabase.CreateAsync();
        var person = PersonRows.Build("Faceplugin Person");
        person.BackboneId = "faceplugin-fr";
        person.BackboneHash = new string('a', 64);
        await db.AddPeopleAsync(person);

        var summary = await db.InScopeAsync<ReadModelPackSummary, ModelPackSummary>(r => r.ExecuteAsync(Actors.Operator));
        var status = await db.InScopeAsync<Models.ReadModelPackStatus, Models.ModelPackStatusView>(r => r.ExecuteAsync(Actors.Admin));

        Assert.Equal(("faceplugin-fr", "faceplugin-fr.motepop"), (summary.Backbone, summary.PopulationPack));
        Assert.Equal(("faceplugin-fr.motepop", "faceplugin-fr", 512, (string?)null),
            (Path.GetFileName(status.Population.Path), status.Population.BackboneId, status.Population.Dimension, status.Population.Error));
    }

    private static Decision Decision(string? personId, bool accepted, DateTimeOffset at, string actorId) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Kind = personId is null ? "identify" : "verify",
        PersonId = personId,
        Score = accepted ? 0.9f : 0.1f,
        Threshold = 0.5f,
        Accepted = accepted,
        CreatedUtc = at,
        ActorId = actorId,
        ActorName = actorId,
    };

    private static async Task AddDecisionsAsync(GalleryTestDatabase db, params Decision[] decisions)
    {
        var scope = db.Services.CreateAsyncScope();
        await using (scope)
        {
            var context = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            context.Decisions.AddRange(decisions);
            await context.SaveChangesAsync();
        }
    }
}
