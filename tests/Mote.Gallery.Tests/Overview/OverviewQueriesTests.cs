using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mote.Gallery.Backbones;
using Mote.Gallery.Backup;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Fairness;
using Mote.Gallery.Jobs;
using Mote.Gallery.Overview;
using Mote.Gallery.People;
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
        Assert.Empty(admin.Others);
        Assert.Equal([JobKind.Retrain, JobKind.AssessGalleryRisk, JobKind.Backup, JobKind.VerifyAudit], admin.OtherKindsVisible);
        Assert.Equal([JobKind.AssessGalleryRisk, JobKind.VerifyAudit], auditor.OtherKindsVisible);
        Assert.Empty(op.OtherKindsVisible);
    }

    [Fact]
    public async Task ReadRunningJobs_RetrainRiskBackupAuditCheck_ListedFromTheStoreOnAnotherInstance_EachForItsPermission()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var person = PersonRows.Build("Rita Retrain");
        await db.AddPeopleAsync(person);
        // Submitted as the use cases and schedules submit them; the scheduler is not started here, so they wait.
        await db.InScopeAsync<RetrainQueue, RetrainJobStatus>(q => q.SubmitAsync(Actors.Admin, new RetrainRequest(person.Id, person.ConcurrencyStamp)));
        var risk = await db.InScopeAsync<GalleryRiskJobs, GalleryRiskJobStatus>(j => j.SubmitAsync(Actors.Auditor, new GalleryRiskRequest()));
        var runtime = db.Services.GetRequiredService<JobRuntime>();
        await runtime.SubmitAsync(JobKind.Backup, BackupSchedule.ScheduledActor, "mote-20261207.motebak", new BackupJobRequest("/backups/mote-20261207.motebak"), null, capacity: 1);
        await runtime.SubmitAsync(JobKind.VerifyAudit, Actor.System, "audit chain", new { }, null, capacity: 1);
        var finished = await runtime.SubmitAsync(JobKind.VerifyAudit, Actor.System, "audit chain (earlier)", new { }, null, capacity: null);
        await db.InScopeAsync<MoteDbContext, int>(async context =>
        {
            // The assessment runs on some instance and reports its progress to the store; the earlier check has ended.
            var running = await context.BackgroundJobs.SingleAsync(j => j.Id == risk.Id);
            (running.State, running.Phase, running.Done, running.Total) = (JobState.Running, "scoring people", 3, 10);
            (await context.BackgroundJobs.SingleAsync(j => j.Id == finished.Id)).State = JobState.Succeeded;
            return await context.SaveChangesAsync();
        });

        // Another instance (its own services on the same database) lists the same.
        await using var other = await db.OpenAnotherInstanceAsync();
        async Task<RunningJobs> ReadAsync(Actor actor)
        {
            var scope = other.CreateAsyncScope();
            await using (scope)
            {
                return await scope.ServiceProvider.GetRequiredService<ReadRunningJobs>().ExecuteAsync(actor);
            }
        }
        var admin = await ReadAsync(Actors.Admin);
        var auditor = await ReadAsync(Actors.Auditor);
        var op = await ReadAsync(Actors.Operator);

        Assert.Equal([JobKind.Retrain, JobKind.AssessGalleryRisk, JobKind.Backup, JobKind.VerifyAudit], admin.Others.Select(j => j.Kind));
        var retrain = admin.Others[0];
        Assert.Equal(("Rita Retrain", Actors.Admin.Name, "queued", person.Id, JobState.Queued), (retrain.Subject, retrain.RequestedBy, retrain.Progress, retrain.PersonId, retrain.State));
        var assessing = admin.Others[1];
        Assert.Equal(("gallery risk", Actors.Auditor.Name, "scoring people 3 / 10", JobState.Running), (assessing.Subject, assessing.RequestedBy, assessing.Progress, assessing.State));
        Assert.Null(assessing.PersonId);
        Assert.Equal(("mote-20261207.motebak", "system (scheduled backup)"), (admin.Others[2].Subject, admin.Others[2].RequestedBy));
        Assert.Equal("audit chain", admin.Others[3].Subject);
        // An Auditor sees the fairness and audit work, not who is retrained nor the backups; an Operator none of them.
        Assert.Equal([JobKind.AssessGalleryRisk, JobKind.VerifyAudit], auditor.Others.Select(j => j.Kind));
        Assert.Empty(op.Others);
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
        var status = await db.InScopeAsync<ReadModelPackStatus, ModelPackStatusView>(r => r.ExecuteAsync(Actors.Admin));

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
