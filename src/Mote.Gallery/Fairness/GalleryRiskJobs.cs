using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;

namespace Mote.Gallery.Fairness;

/// <summary>A gallery risk assessment job as the Fairness page polls it (read from the job store, so any instance shows the same).</summary>
/// <param name="Id">The job id.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Done">People scored so far.</param>
/// <param name="Total">People to score (0 until it starts).</param>
/// <param name="Message">While it runs, the latest note; once finished, how it ended in words.</param>
/// <param name="StartedBy">Who asked for it.</param>
/// <param name="SubmittedUtc">When it was asked for.</param>
/// <param name="FinishedUtc">When it finished.</param>
public sealed record GalleryRiskJobStatus(
    string Id, JobState State, int Done, int Total, string? Message, string StartedBy, DateTimeOffset SubmittedUtc, DateTimeOffset? FinishedUtc)
{
    /// <summary>True once nothing will change it any more.</summary>
    public bool IsFinished => State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}

/// <summary>
/// The gallery risk assessment (<see cref="AssessGalleryRisk"/>) as a durable job of the <see cref="JobRuntime"/> (kind
/// <see cref="JobKind.AssessGalleryRisk"/>): one at a time for the whole gallery (a second request while one waits or runs is
/// refused in words, not dropped), its progress and its report stored with the job (<see cref="BackgroundJob.ResultJson"/>),
/// so every instance, a reloaded page and another user see the same latest report. The job runs as the actor who asked,
/// and <see cref="AssessGalleryRisk"/> checks <see cref="Permission.ViewFairness"/> again. Read-only: writes no audit event.
/// </summary>
public sealed class GalleryRiskJobs(JobRuntime runtime, MoteDbContext db)
{
    /// <summary>Starts an assessment as <paramref name="actor"/>; returns its status.</summary>
    /// <exception cref="GalleryBusyException">An assessment already waits or runs; nothing was queued.</exception>
    /// <exception cref="GalleryException">A bad limit or impostor count, in words.</exception>
    public async Task<GalleryRiskJobStatus> SubmitAsync(Actor actor, GalleryRiskRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ViewFairness);
        AssessGalleryRisk.Check(request);
        BackgroundJob row;
        try
        {
            row = await runtime.SubmitAsync(JobKind.AssessGalleryRisk, actor, "gallery risk", request, null, capacity: 1, ct).ConfigureAwait(false);
        }
        catch (GalleryBusyException e)
        {
            var running = (await runtime.ActiveAsync(JobKind.AssessGalleryRisk, ct).ConfigureAwait(false)).FirstOrDefault();
            throw new GalleryBusyException(running is null
                ? "A gallery risk assessment is already running; wait for it to finish, then assess again."
                : $"A gallery risk assessment started by {running.ActorName} is already running; wait for it to finish (or cancel it), then assess again.", e.RetryAfter);
        }
        return ToStatus(row);
    }

    /// <summary>The newest assessment job, finished or not; null when there was none (or it was pruned after a week).</summary>
    public async Task<GalleryRiskJobStatus?> CurrentAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        return await runtime.LatestAsync(JobKind.AssessGalleryRisk, ct).ConfigureAwait(false) is { } row ? ToStatus(row) : null;
    }

    /// <summary>The job's status, or null when there is no such assessment job.</summary>
    public async Task<GalleryRiskJobStatus?> GetAsync(Actor actor, string jobId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        return await runtime.GetAsync(jobId, ct).ConfigureAwait(false) is { Kind: JobKind.AssessGalleryRisk } row ? ToStatus(row) : null;
    }

    /// <summary>The newest finished report and when it finished; null before the first (or after a week without one).</summary>
    public async Task<LatestGalleryRisk?> LatestReportAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        return await ReadLatestAsync(db, ct).ConfigureAwait(false);
    }

    /// <summary>The newest report stored by a finished assessment job (no permission check: for read use cases that checked it).</summary>
    internal static async Task<LatestGalleryRisk?> ReadLatestAsync(MoteDbContext db, CancellationToken ct)
    {
        var latest = await db.BackgroundJobs.AsNoTracking()
            .Where(j => j.Kind == JobKind.AssessGalleryRisk && j.State == JobState.Succeeded && j.ResultJson != null)
            .OrderByDescending(j => j.FinishedUtc)
            .Select(j => new { j.ResultJson, j.FinishedUtc })
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return latest is { ResultJson: { } json, FinishedUtc: { } finished }
            && JsonSerializer.Deserialize<GalleryRiskReport>(json, JobRuntime.Json) is { } report
            ? new LatestGalleryRisk(report, finished)
            : null;
    }

    /// <summary>Cancels a waiting or running assessment; nothing is stored.</summary>
    /// <exception cref="GalleryException">No such job, or it already finished.</exception>
    public async Task<GalleryRiskJobStatus> CancelAsync(Actor actor, string jobId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        if (await runtime.GetAsync(jobId, ct).ConfigureAwait(false) is not { Kind: JobKind.AssessGalleryRisk })
        {
            throw new GalleryException("There is no such gallery risk assessment.", GalleryErrorKind.NotFound);
        }
        return ToStatus(await runtime.CancelAsync(jobId, actor, ct).ConfigureAwait(false));
    }

    private static GalleryRiskJobStatus ToStatus(BackgroundJob row) =>
        new(row.Id, row.State, row.Done, row.Total, row.Message, row.ActorName, row.CreatedUtc, row.FinishedUtc);
}

/// <summary>Runs one assessment as the job's actor; people scored as the job's progress, the report stored with the job.</summary>
internal sealed class GalleryRiskJobHandler(AssessGalleryRisk assess) : IJobHandler
{
    public JobKind Kind => JobKind.AssessGalleryRisk;

    public async Task<JobResult> RunAsync(JobRun run, CancellationToken ct)
    {
        run.Report("scoring people");
        var report = await assess.ExecuteAsync(run.Actor, run.Request<GalleryRiskRequest>(), new Counted(run), ct).ConfigureAwait(false);
        return new JobResult(null, $"{report.FlaggedCount} of {report.People.Count} people above the limit.", report, JsonSerializer.Serialize(report, JobRuntime.Json));
    }

    /// <summary>Reports on the scoring thread itself (no synchronisation context to post to).</summary>
    private sealed class Counted(JobRun run) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) =>
            run.Report("scoring people", value.Done, value.Total, value.Total == 0 ? 0 : 100 * value.Done / value.Total);
    }
}
