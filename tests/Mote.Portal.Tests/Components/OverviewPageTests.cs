using System.Globalization;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Quality;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Engine;
using Mote.Gallery.Fairness;
using Mote.Gallery.Hosting;
using Mote.Gallery.Jobs;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Portal.Components.Pages;
using Mote.Portal.Services;
using Mote.Portal.Tests.Infrastructure;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The overview (/) with the real Gallery: figures come from the use cases over a real SQLite file, and each card shows
/// only to a role that may see its area.
/// </summary>
public sealed class OverviewPageTests : GalleryBunitContext
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(3);
    private static readonly Actor Auditor = new(ActorKind.User, "id-auditor-setup", "auditor@example.org", new HashSet<string> { Roles.Auditor });

    [Fact]
    public async Task Overview_Admin_CountsRiskAuditChainModelPackAndJobs()
    {
        await GalleryDatabase.MigrateAsync(Services);
        Render<MudPopoverProvider>();
        var enrolled = await EnrollAsync("Ovi Overview");
        await TestPeople.AddAsync(Services, TestPeople.Build("Second Person"));
        var now = DateTimeOffset.UtcNow;
        await AddDecisionsAsync(
            Decision(enrolled.Id, true, now, "someone"), Decision(enrolled.Id, true, now, "someone"),
            Decision(enrolled.Id, false, now, "someone"), Decision(null, false, now, "other"),
            Decision(enrolled.Id, true, now.AddDays(-2), "someone"));
        // A gallery-risk assessment as the Fairness page runs it, with a trial limit: the overview counts at the saved limit.
        GalleryRiskReport report;
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            report = await scope.ServiceProvider.GetRequiredService<AssessGalleryRisk>().ExecuteAsync(Auditor, new GalleryRiskRequest(LimitMultiple: 1e-6, ImpostorsPerGroup: 100));
        }
        var savedLimit = 10 * 1e-3;
        var flagged = report.People.Count(p => (p.Error is null && p.WorstFmr > savedLimit) || p.RealFmr > savedLimit);
        await Services.GetRequiredService<AuditChainMonitor>().VerifyNowAsync(Auditor);
        // The record `mote backup` leaves beside the database (BackupStatus reads it).
        var backups = Services.GetRequiredService<Mote.Gallery.Backup.BackupStatus>();
        var taken = DateTimeOffset.UtcNow.AddDays(-10); // older than a week: the card says to take a new one
        await File.WriteAllBytesAsync(backups.FilePath, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new Mote.Gallery.Backup.LastBackup(taken, "mote-20261201.motebak", 123_456, new string('a', 64), 2, 5, 40)));
        SignInAs(Roles.Admin);

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=overview-people-count]").TextContent.Trim()), Slow);
        Assert.Equal("4", cut.Find("[data-testid=overview-decisions-count]").TextContent.Trim());
        Assert.Contains("accept rate 50%", cut.Find("[data-testid=overview-accept-rate]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Decisions today", cut.Find("[data-testid=overview-decisions]").TextContent, StringComparison.Ordinal);
        Assert.Equal(flagged.ToString(CultureInfo.InvariantCulture), cut.Find("[data-testid=overview-risk-flagged]").TextContent.Trim());
        var riskDetail = cut.Find("[data-testid=overview-risk-detail]").TextContent;
        Assert.Contains($"of {report.People.Count} assessed", riskDetail, StringComparison.Ordinal);
        Assert.Contains("10× the target", riskDetail, StringComparison.Ordinal);
        Assert.Equal("Verified", cut.Find("[data-testid=overview-audit-status]").TextContent.Trim());
        Assert.Equal("Ready", cut.Find("[data-testid=overview-model-pack-status]").TextContent.Trim());
        Assert.Equal("dlib-resnet", cut.Find("[data-testid=overview-backbone]").TextContent.Trim());
        Assert.Contains("@vladmandic/", cut.Find("[data-testid=overview-model-pack]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Enrollment queue: empty", cut.Find("[data-testid=overview-jobs-enrollments]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Evaluation: none running", cut.Find("[data-testid=overview-jobs-evaluation]").TextContent, StringComparison.Ordinal);
        Assert.Matches(@"^Explanations being computed: \d+$", cut.Find("[data-testid=overview-jobs-explanations]").TextContent.Trim());
        Assert.Equal("Retraining, Gallery risk assessment, Backup, Audit chain check: none running", cut.Find("[data-testid=overview-jobs-others-none]").TextContent.Trim());
        Assert.Equal(taken.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC", cut.Find("[data-testid=overview-backup-time]").TextContent.Trim());
        var backupDetail = cut.Find("[data-testid=overview-backup-detail]").TextContent;
        Assert.Contains("mote-20261201.motebak · 2 people", backupDetail, StringComparison.Ordinal);
        Assert.Contains("more than 7 days ago", backupDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_Operator_OwnDecisionsOnly_NoRiskAuditEnrollmentOrEvaluationCards()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var person = TestPeople.Build("Op Seen");
        await TestPeople.AddAsync(Services, person);
        var now = DateTimeOffset.UtcNow;
        // SignInAs gives the test user the id "id-Operator".
        await AddDecisionsAsync(Decision(person.Id, true, now, $"id-{Roles.Operator}"), Decision(person.Id, false, now, "someone-else"));
        SignInAs(Roles.Operator);

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("[data-testid=overview-people-count]").TextContent.Trim()));
        Assert.Contains("Your decisions today", cut.Find("[data-testid=overview-decisions]").TextContent, StringComparison.Ordinal);
        Assert.Equal("1", cut.Find("[data-testid=overview-decisions-count]").TextContent.Trim());
        Assert.Contains("accept rate 100%", cut.Find("[data-testid=overview-accept-rate]").TextContent, StringComparison.Ordinal);
        Assert.Equal("dlib-resnet", cut.Find("[data-testid=overview-model-pack] [data-testid=overview-backbone]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=overview-risk]"));
        Assert.Empty(cut.FindAll("[data-testid=overview-audit]"));
        Assert.Empty(cut.FindAll("[data-testid=overview-jobs-enrollments]"));
        Assert.Empty(cut.FindAll("[data-testid=overview-jobs-evaluation]"));
        Assert.Matches(@"^Explanations being computed: \d+$", cut.Find("[data-testid=overview-jobs-explanations]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=overview-backup]"));
    }

    [Fact]
    public async Task Overview_Auditor_RiskNotAssessedYet_AuditChainNotCheckedYet_NoEnrollmentQueue()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Auditor);

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Contains("Not assessed since the portal started", cut.Find("[data-testid=overview-risk-none]").TextContent, StringComparison.Ordinal));
        Assert.Equal("Not checked yet", cut.Find("[data-testid=overview-audit-status]").TextContent.Trim());
        Assert.Equal("0", cut.Find("[data-testid=overview-decisions-count]").TextContent.Trim());
        Assert.Contains("no decisions yet today", cut.Find("[data-testid=overview-accept-rate]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=overview-jobs-enrollments]"));
        Assert.Contains("Evaluation: none running", cut.Find("[data-testid=overview-jobs-evaluation]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=overview-backup]")); // Settings' business (Admins)
    }

    [Fact]
    public async Task Overview_RetrainingAndRiskAssessmentInTheJobStore_ListedWithWhoProgressAndLink_ForWhomMaySeeThem()
    {
        await GalleryDatabase.MigrateAsync(Services);
        var person = TestPeople.Build("Rita Retrain");
        await TestPeople.AddAsync(Services, person);
        // Queued as the person page and the Fairness page queue them; no scheduler runs here, so the store is all there is
        // (as on an instance other than the one running them). The assessment reports its progress to the store.
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            var sp = scope.ServiceProvider;
            await sp.GetRequiredService<RetrainQueue>().SubmitAsync(Actors.Admin, new RetrainRequest(person.Id, person.ConcurrencyStamp));
            var risk = await sp.GetRequiredService<GalleryRiskJobs>().SubmitAsync(Auditor, new GalleryRiskRequest());
            var db = sp.GetRequiredService<MoteDbContext>();
            var running = await db.BackgroundJobs.SingleAsync(j => j.Id == risk.Id);
            (running.State, running.Phase, running.Done, running.Total) = (JobState.Running, "scoring people", 3, 10);
            await db.SaveChangesAsync();
        }
        SignInAs(Roles.Admin);

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=overview-job]").Count), Slow);
        var lines = cut.FindAll("[data-testid=overview-job]");
        Assert.Equal(nameof(JobKind.Retrain), lines[0].GetAttribute("data-kind"));
        Assert.Equal($"Retraining Rita Retrain, asked by {Actors.Admin.Name}: queued · Open", Squeeze(lines[0].TextContent));
        Assert.Equal($"gallery/{person.Id}", lines[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Gallery risk assessment, asked by auditor@example.org: scoring people 3 / 10 · Open", Squeeze(lines[1].TextContent));
        Assert.Equal("fairness", lines[1].QuerySelector("a")!.GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=overview-jobs-others-none]"));

        // An Auditor sees the assessment (Fairness) but not who is being retrained (managing the gallery is an Admin's).
        SignInAs(Roles.Auditor);
        var auditor = Render<Home>();
        auditor.WaitForAssertion(() => Assert.Single(auditor.FindAll("[data-testid=overview-job]")), Slow);
        Assert.Equal(nameof(JobKind.AssessGalleryRisk), auditor.Find("[data-testid=overview-job]").GetAttribute("data-kind"));
        Assert.DoesNotContain("Rita Retrain", auditor.Find("[data-testid=overview-jobs]").TextContent, StringComparison.Ordinal);

        // An Operator sees neither, and no line about kinds they may not see.
        SignInAs(Roles.Operator);
        var op = Render<Home>();
        op.WaitForAssertion(() => Assert.NotEmpty(op.FindAll("[data-testid=overview-jobs-explanations]")), Slow);
        Assert.Empty(op.FindAll("[data-testid=overview-job]"));
        Assert.Empty(op.FindAll("[data-testid=overview-jobs-others-none]"));
    }

    private static string Squeeze(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    private async Task<PersonSummary> EnrollAsync(string name)
    {
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            var sp = scope.ServiceProvider;
            await sp.GetRequiredService<UpdateGallerySettings>().ExecuteAsync(Actors.Admin, new GallerySettingsChange(ReferenceRetention.None, false, 1e-3, ""));
            var photo = await DemoPhotos.ReadAsync("sample5.jpg");
            var analysis = (await sp.GetRequiredService<GalleryEngine>().GetAnalyzerAsync()).Analyze(photo, QualityPurpose.Enrollment);
            var face = analysis.Faces.Select((f, i) => (f, i)).First(x => x.f.Quality.IsAccepted).i;
            return (await sp.GetRequiredService<EnrollPerson>().ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, photo, face, Seed: 5))).Person;
        }
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
        ExplanationState = ExplanationState.NotQueued,
    };

    private async Task AddDecisionsAsync(params Decision[] decisions)
    {
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            db.Decisions.AddRange(decisions);
            await db.SaveChangesAsync();
        }
    }
}
