using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Pipeline;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Engine;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Fairness;
using Mote.Gallery.Jobs;
using Mote.Gallery.Models;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Overview;

// The overview page's figures. Each is its own use case with its own permission, so the page shows a card only to whom
// may see that area and the use case refuses everyone else; each is one cheap query (or none: in-memory state), so the
// overview opens in milliseconds at 10,000 people.

/// <summary>How many people are enrolled: one <c>COUNT</c>. Needs <see cref="Permission.ViewGallery"/>; read-only.</summary>
public sealed class CountPeople(MoteDbContext db)
{
    /// <summary>The number of people enrolled.</summary>
    public async Task<int> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        return await db.People.CountAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>Decisions of one UTC day.</summary>
/// <param name="SinceUtc">The start of the day counted (UTC midnight).</param>
/// <param name="Total">Verifications and identifications recorded since then.</param>
/// <param name="Accepted">How many of them accepted (1:1) or matched someone (1:N).</param>
/// <param name="Everyone">True when everyone's decisions are counted; false when only the actor's own (they may not read the audit trail).</param>
public sealed record DecisionTally(DateTimeOffset SinceUtc, int Total, int Accepted, bool Everyone)
{
    /// <summary>Accepted ÷ total; null without decisions.</summary>
    public double? AcceptRate => Total == 0 ? null : (double)Accepted / Total;
}

/// <summary>
/// Today's decisions (since UTC midnight by the injected clock) and how many accepted: one grouped query over the indexed
/// <c>CreatedUtc</c>. Needs <see cref="Permission.ViewExplanations"/> and counts what <see cref="GetExplanation"/> would
/// list: everyone's decisions for those who may read the audit trail, else only the actor's own. Read-only.
/// </summary>
public sealed class CountDecisionsToday(MoteDbContext db, TimeProvider time)
{
    /// <summary>The decisions since UTC midnight and how many accepted: everyone's with <see cref="Permission.ViewAudit"/>, else the actor's own.</summary>
    public async Task<DecisionTally> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewExplanations);
        var now = time.GetUtcNow();
        var since = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var everyone = actor.Has(Permission.ViewAudit);
        var query = db.Decisions.AsNoTracking().Where(d => d.CreatedUtc >= since);
        if (!everyone)
        {
            query = query.Where(d => d.ActorId == actor.Id);
        }
        var counts = await query.GroupBy(d => d.Accepted).Select(g => new { Accepted = g.Key, Count = g.Count() }).ToListAsync(ct).ConfigureAwait(false);
        return new DecisionTally(since, counts.Sum(c => c.Count), counts.Where(c => c.Accepted).Sum(c => c.Count), everyone);
    }
}

/// <summary>The gallery-risk flags as of the latest assessment, counted at the saved limit.</summary>
/// <param name="AssessedUtc">When the assessment ran.</param>
/// <param name="Assessed">People in it.</param>
/// <param name="Flagged">People whose worst synthetic-group rate or real-stranger rate is above <paramref name="Limit"/>.</param>
/// <param name="Limit">The saved limit as a false-match rate (multiple × target), as saved now.</param>
/// <param name="LimitMultiple">The saved multiple.</param>
/// <param name="EnrolledNow">People enrolled now (differs from <paramref name="Assessed"/> after enrollments or erasures since).</param>
public sealed record GalleryRiskSummary(DateTimeOffset AssessedUtc, int Assessed, int Flagged, double Limit, double LimitMultiple, int EnrolledNow);

/// <summary>
/// How many people the latest gallery-risk assessment (Fairness → Gallery risk, a job stored for every instance; or a compliance report of this process)
/// flags at the <em>saved</em> limit — recounted from its stored rates, so a trial limit on the Fairness page does not
/// leak into the overview. Assessing scores every person against thousands of impostors, far too slow for an overview,
/// so this never assesses; null when nothing was assessed (in the last week, or since this process started). One query for the saved limit, one
/// count. Needs <see cref="Permission.ViewFairness"/>; read-only.
/// </summary>
public sealed class ReadGalleryRiskSummary(MoteDbContext db, GallerySettingsStore settings, GalleryRiskCache cache)
{
    /// <summary>The latest assessment's people flagged at the saved limit; null when there is no assessment to count.</summary>
    public async Task<GalleryRiskSummary?> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        // The newest of the assessment job's stored report (any instance ran it) and this process's own latest (a compliance report's).
        var stored = await Fairness.GalleryRiskJobs.ReadLatestAsync(db, ct).ConfigureAwait(false);
        var latest = cache.Latest is { } own && (stored is null || own.AssessedUtc > stored.AssessedUtc) ? own : stored;
        if (latest is null)
        {
            return null;
        }
        var saved = await settings.ReadAsync(ct).ConfigureAwait(false);
        var limit = saved.RiskLimitMultiple * saved.TargetFmr;
        var flagged = latest.Report.People.Count(p => (p.Error is null && p.WorstFmr > limit) || p.RealFmr > limit);
        var enrolled = await db.People.CountAsync(ct).ConfigureAwait(false);
        return new GalleryRiskSummary(latest.AssessedUtc, latest.Report.People.Count, flagged, limit, saved.RiskLimitMultiple, enrolled);
    }
}

/// <summary>The model pack in use, in a few words.</summary>
/// <param name="Status">Provisioning state in this process.</param>
/// <param name="Stage">What it is doing (while preparing) or the error (failed).</param>
/// <param name="Backbone">The gallery's face-embedding backbone id (the configured one for a gallery nobody is enrolled in yet).</param>
/// <param name="Sources">The npm packages the provisioned models came from (<c>name@version</c>); empty until ready.</param>
/// <param name="PopulationPack">The file name of that backbone's population pack.</param>
/// <param name="TemplateKind">MOTE model-templates or the vector baseline (<see cref="EngineSettings.TemplateKind"/>).</param>
public sealed record ModelPackSummary(ModelPackStatus Status, string Stage, string Backbone, IReadOnlyList<string> Sources, string PopulationPack, Core.Templates.TemplateKind TemplateKind);

/// <summary>
/// The model pack in use: its state in this process, the gallery's backbone, the packages and that backbone's population pack.
/// Reads in-memory state and the gallery's backbone (starts and loads nothing). Needs <see cref="Permission.ViewGallery"/> (every
/// role: which models decide is no secret to anyone who sees the gallery; hashes and licences stay on Settings). Read-only.
/// </summary>
public sealed class ReadModelPackSummary(ModelPackService models, MoteDbContext db, GalleryEngine engine, EngineSettings settings, PopulationPackLocator populations)
{
    /// <summary>The model pack's state, the gallery's backbone, the model packages, that backbone's population pack and the template kind.</summary>
    public async Task<ModelPackSummary> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        var state = models.State;
        var sources = state.Pack?.Models.Values.Select(m => m.Manifest.Source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray() ?? [];
        var backbone = await engine.GalleryBackboneIdAsync(db, ct).ConfigureAwait(false);
        return new ModelPackSummary(state.Status, state.Error ?? state.Stage, backbone, sources, Path.GetFileName(populations.ResolvePath(backbone)), settings.TemplateKind);
    }
}

/// <summary>
/// The last backup recorded for this database (<see cref="Backup.BackupStatus"/>), or null when none was. Needs
/// <see cref="Permission.ManageSettings"/>, as the Settings → Backup tab that shows the same. Reads one small file.
/// </summary>
public sealed class ReadLastBackup(Backup.BackupStatus backups)
{
    /// <summary>The last recorded backup; null when none was recorded.</summary>
    public Backup.LastBackup? Execute(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        return backups.Read();
    }
}

/// <summary>One background job waiting or running, as the overview lists it (read from the job store, so every instance lists the same).</summary>
/// <param name="Id">The job id.</param>
/// <param name="Kind">What it does.</param>
/// <param name="State"><see cref="JobState.Queued"/> or <see cref="JobState.Running"/>.</param>
/// <param name="Subject">What it is for: the person's name (a retraining), the archive's file name (a backup), "gallery risk", "audit chain".</param>
/// <param name="RequestedBy">Who asked: a user's name, or the system's for scheduled work.</param>
/// <param name="Progress">Where it stands in words: "queued", or the phase with done / total or a percentage where the job reports one.</param>
/// <param name="PersonId">The person a retraining is for (the page links to them); null for the other kinds.</param>
/// <param name="SubmittedUtc">When it was queued.</param>
public sealed record ActiveJob(string Id, JobKind Kind, JobState State, string Subject, string RequestedBy, string Progress, string? PersonId, DateTimeOffset SubmittedUtc);

/// <summary>Background work in progress, for the areas the actor may see (null or empty where they may not).</summary>
/// <param name="Enrollments">Enrollments queued or running (<see cref="Permission.ManageGallery"/>).</param>
/// <param name="Evaluation">The running evaluation, null when none runs (or the actor may not see evaluations: <see cref="EvaluationVisible"/>).</param>
/// <param name="EvaluationVisible">Whether the actor may see evaluations (<see cref="Permission.ViewFairness"/>).</param>
/// <param name="Explanations">Explanations waiting or being computed that the actor may open (<see cref="Permission.ViewExplanations"/>).</param>
/// <param name="OtherKindsVisible">Which of the other kinds (<see cref="ReadRunningJobs.OtherKinds"/>) the actor may see, in that order.</param>
/// <param name="Others">Jobs of those kinds queued or running, oldest first.</param>
public sealed record RunningJobs(
    IReadOnlyList<EnrollmentJobStatus>? Enrollments, EvaluationJobStatus? Evaluation, bool EvaluationVisible, int? Explanations,
    IReadOnlyList<JobKind> OtherKindsVisible, IReadOnlyList<ActiveJob> Others);

/// <summary>
/// The background jobs queued or running now, every kind the job store holds, each only when the actor holds that area's
/// permission: the enrollment queue and retrainings (<see cref="Permission.ManageGallery"/>, as <see cref="EnrollmentQueue"/>
/// and <see cref="RetrainQueue"/> demand), a portal-started evaluation and a gallery-risk assessment
/// (<see cref="Permission.ViewFairness"/>), explanations (<see cref="Permission.ViewExplanations"/>, counted as
/// <see cref="GetExplanation"/> would list them), backups (<see cref="Permission.ManageSettings"/>, as Settings → Backup) and
/// audit-chain checks (<see cref="Permission.ViewAudit"/>). Read from the job store, so every instance shows the same; the
/// jobs' encrypted inputs are never read. Needs <see cref="Permission.ViewGallery"/>; read-only.
/// </summary>
public sealed class ReadRunningJobs(MoteDbContext db, EnrollmentQueue enrollments, EvaluationJobs evaluations)
{
    /// <summary>The kinds listed job by job besides enrollments, the evaluation and explanations, with the permission that shows each.</summary>
    public static readonly IReadOnlyList<(JobKind Kind, Permission Permission)> OtherKinds =
    [
        (JobKind.Retrain, Permission.ManageGallery),
        (JobKind.AssessGalleryRisk, Permission.ViewFairness),
        (JobKind.Backup, Permission.ManageSettings),
        (JobKind.VerifyAudit, Permission.ViewAudit),
    ];

    /// <summary>The jobs queued or running in the areas the actor may see; the others are null or empty.</summary>
    public async Task<RunningJobs> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        var enrolling = actor.Has(Permission.ManageGallery) ? await enrollments.ActiveAsync(actor, ct).ConfigureAwait(false) : null;
        var evaluationVisible = actor.Has(Permission.ViewFairness);
        var evaluation = evaluationVisible && await evaluations.CurrentAsync(actor, ct).ConfigureAwait(false) is { IsFinished: false } running ? running : null;
        int? explaining = null;
        if (actor.Has(Permission.ViewExplanations))
        {
            // Waiting explanations keep their input beside the decision until their job has run.
            var waiting = db.DecisionExplanationInputs.AsNoTracking().Join(db.Decisions, i => i.DecisionId, d => d.Id, (i, d) => d);
            explaining = actor.Has(Permission.ViewAudit)
                ? await waiting.CountAsync(ct).ConfigureAwait(false)
                : await waiting.CountAsync(d => d.ActorId == actor.Id, ct).ConfigureAwait(false);
        }
        var kinds = OtherKinds.Where(k => actor.Has(k.Permission)).Select(k => k.Kind).ToArray();
        return new RunningJobs(enrolling, evaluation, evaluationVisible, explaining, kinds, kinds.Length == 0 ? [] : await OthersAsync(kinds, ct).ConfigureAwait(false));
    }

    private async Task<IReadOnlyList<ActiveJob>> OthersAsync(JobKind[] kinds, CancellationToken ct)
    {
        // One query; the projection leaves out the encrypted input (a retraining's photo, up to 10 MB) and the results.
        var rows = await db.BackgroundJobs.AsNoTracking()
            .Where(j => kinds.Contains(j.Kind) && (j.State == JobState.Queued || j.State == JobState.Running))
            .Select(j => new BackgroundJob
            {
                Id = j.Id, Kind = j.Kind, State = j.State, Subject = j.Subject, ActorName = j.ActorName, RequestJson = j.RequestJson,
                Phase = j.Phase, Done = j.Done, Total = j.Total, Percent = j.Percent, Message = j.Message, CreatedUtc = j.CreatedUtc,
            })
            .ToListAsync(ct).ConfigureAwait(false);
        // Ordered here: SQLite cannot order by a DateTimeOffset column (as JobRuntime.ActiveAsync).
        return rows.OrderBy(j => j.CreatedUtc).Select(ToActive).ToArray();
    }

    private static ActiveJob ToActive(BackgroundJob row)
    {
        if (row.Kind == JobKind.Retrain)
        {
            var retrain = RetrainQueue.ToStatus(row);
            var progress = row.State == JobState.Queued ? "queued" : retrain.Percent > 0 ? $"{retrain.Message} ({retrain.Percent} %)" : retrain.Message;
            return new ActiveJob(row.Id, row.Kind, row.State, row.Subject, row.ActorName, progress, retrain.PersonId is { Length: > 0 } id ? id : null, row.CreatedUtc);
        }
        return new ActiveJob(row.Id, row.Kind, row.State, row.Subject, row.ActorName, Progress(row), null, row.CreatedUtc);
    }

    /// <summary>"queued"; else the phase, with "done / total" when the job counts or "n %" when it only estimates.</summary>
    private static string Progress(BackgroundJob row)
    {
        if (row.State == JobState.Queued)
        {
            return "queued";
        }
        var phase = string.IsNullOrWhiteSpace(row.Phase) ? "running" : row.Phase;
        return row.Total > 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{phase} {row.Done:N0} / {row.Total:N0}")
            : row.Percent > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{phase} ({row.Percent} %)") : phase;
    }
}
