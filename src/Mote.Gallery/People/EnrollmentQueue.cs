using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>Where a background enrollment stands.</summary>
public enum EnrollmentJobState
{
    /// <summary>Waiting for its turn.</summary>
    Queued,
    /// <summary>Finding and describing the face in the photo.</summary>
    Analysing,
    /// <summary>Training the model-template.</summary>
    Training,
    /// <summary>Setting the person's threshold.</summary>
    Calibrating,
    /// <summary>Storing the person and the encrypted template.</summary>
    Saving,
    /// <summary>Enrolled.</summary>
    Done,
    /// <summary>Stopped with an error; the message says why.</summary>
    Failed,
    /// <summary>Cancelled before it finished.</summary>
    Cancelled,
}

/// <summary>A background enrollment as the page polls it (read from the job store, so any instance can show it).</summary>
/// <param name="Id">Unguessable job id (128 random bits); the page keeps it in its address so a refresh re-attaches.</param>
/// <param name="Name">The name being enrolled.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Percent">Rough progress for the indicator (by stage, not by epoch).</param>
/// <param name="Message">The current stage or, when failed or cancelled, why in words.</param>
/// <param name="PersonId">The enrolled person's id once done.</param>
/// <param name="SubmittedUtc">When it was queued.</param>
/// <param name="FinishedUtc">When it finished (done, failed or cancelled).</param>
public sealed record EnrollmentJobStatus(
    string Id, string Name, EnrollmentJobState State, int Percent, string Message, string? PersonId,
    DateTimeOffset SubmittedUtc, DateTimeOffset? FinishedUtc)
{
    /// <summary>True once done, failed or cancelled: nothing will change it any more.</summary>
    public bool IsFinished => State is EnrollmentJobState.Done or EnrollmentJobState.Failed or EnrollmentJobState.Cancelled;
}

/// <summary>
/// Enrollments in the background, as durable jobs of the <see cref="JobRuntime"/> (kind <see cref="JobKind.Enroll"/>): one
/// at a time, in the order submitted; the photo waits encrypted in the job store (bound to the job) and is deleted when the
/// job ends, whichever way; a restart runs a queued or interrupted enrollment again (from the start: enrollment commits in
/// one transaction at its end, and a repeated run finds the person an earlier run stored). At most <see cref="Capacity"/>
/// wait; beyond that a submission is refused with <see cref="GalleryBusyException"/> (503 with Retry-After in the API).
/// Submitting, reading and cancelling need <see cref="Permission.ManageGallery"/>; the job runs as the submitting actor, so
/// <see cref="EnrollPerson"/> checks the permission again and writes the one audit event. The portal's pages and the REST
/// API both enroll through here, so every enrollment waits its turn.
/// </summary>
public sealed class EnrollmentQueue(JobRuntime runtime, IServiceScopeFactory scopes)
{
    /// <summary>At most this many enrollments wait or run (each holds a photo of up to 10 MB in the store).</summary>
    public const int Capacity = 32;

    /// <summary>Queues an enrollment; returns its status (state <see cref="EnrollmentJobState.Queued"/>). Checks size and name up front.</summary>
    /// <exception cref="GalleryBusyException"><see cref="Capacity"/> enrollments already wait.</exception>
    public async Task<EnrollmentJobStatus> SubmitAsync(Actor actor, EnrollmentRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ManageGallery);
        PhotoPolicy.CheckSize(request.Photo);
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new GalleryException("Give the person a name of 1 to 200 characters.");
        }
        var stored = StoredEnrollment.From(request with { Name = request.Name.Trim(), PersonId = request.PersonId ?? Guid.NewGuid().ToString() });
        var row = await runtime.SubmitAsync(JobKind.Enroll, actor, stored.Name, stored, request.Photo, Capacity, ct).ConfigureAwait(false);
        return ToStatus(row);
    }

    /// <summary>
    /// Queues an enrollment and waits for its end (the REST API: one answer when the person is stored, yet in turn with every
    /// other enrollment). <paramref name="ct"/> ends the wait only (a client that hangs up, a server that stops): the
    /// accepted job goes on, and survives the stop.
    /// </summary>
    /// <exception cref="GalleryException">The enrollment failed or was cancelled, in its words; nothing was stored.</exception>
    /// <exception cref="GalleryBusyException">The queue is full (nothing queued), or the wait ended before the job did.</exception>
    public async Task<EnrollmentResult> EnrollAndWaitAsync(Actor actor, EnrollmentRequest request, CancellationToken ct = default)
    {
        var status = await SubmitAsync(actor, request, ct).ConfigureAwait(false);
        JobEnd end;
        try
        {
            end = await runtime.WaitAsync(status.Id, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new GalleryBusyException($"The server stopped waiting before enrollment job {status.Id} finished; it stays queued and completes when the server runs (look the person up by name later).", TimeSpan.FromSeconds(60));
        }
        return end switch
        {
            { Value: EnrollmentResult result } => result,
            // Another instance's scheduler ran the job (several portals on one PostgreSQL): the person it stored is the answer,
            // read from the database (issue 15, docs/scale.md: this used to answer 409 "enrolled by another instance").
            { Row.State: JobState.Succeeded, Row.ResultId: { } personId } => await StoredResultAsync(end.Row, personId, ct).ConfigureAwait(false),
            _ => throw new GalleryException(end.Row.Message ?? "The enrollment did not finish.", end.Row.FailureKind ?? GalleryErrorKind.Invalid),
        };
    }

    private async Task<EnrollmentResult> StoredResultAsync(BackgroundJob row, string personId, CancellationToken ct)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct).ConfigureAwait(false)
                ?? throw new GalleryException($"{row.Message} The person was erased since.", GalleryErrorKind.NotFound);
            var took = row.FinishedUtc is { } finished && row.StartedUtc is { } started ? finished - started : TimeSpan.Zero;
            return new EnrollmentResult(PersonRowMapper.ToSummary(person), Training: null, took);
        }
    }

    /// <summary>The job's status, or null when there is no such enrollment job (unknown, or finished over a week ago).</summary>
    public async Task<EnrollmentJobStatus?> GetAsync(Actor actor, string jobId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        return await runtime.GetAsync(jobId, ct).ConfigureAwait(false) is { Kind: JobKind.Enroll } row ? ToStatus(row) : null;
    }

    /// <summary>The enrollments queued or running now, oldest first; for the overview.</summary>
    public async Task<IReadOnlyList<EnrollmentJobStatus>> ActiveAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        return (await runtime.ActiveAsync(JobKind.Enroll, ct).ConfigureAwait(false)).Select(ToStatus).ToArray();
    }

    /// <summary>Cancels a queued or running enrollment; nothing is stored.</summary>
    /// <exception cref="GalleryException">No such job, or it already finished.</exception>
    public async Task<EnrollmentJobStatus> CancelAsync(Actor actor, string jobId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        if (await runtime.GetAsync(jobId, ct).ConfigureAwait(false) is not { Kind: JobKind.Enroll })
        {
            throw new GalleryException("There is no such enrollment job.", GalleryErrorKind.NotFound);
        }
        return ToStatus(await runtime.CancelAsync(jobId, actor, ct).ConfigureAwait(false));
    }

    internal static EnrollmentJobStatus ToStatus(BackgroundJob row)
    {
        var state = row.State switch
        {
            JobState.Queued => EnrollmentJobState.Queued,
            JobState.Succeeded => EnrollmentJobState.Done,
            JobState.Failed => EnrollmentJobState.Failed,
            JobState.Cancelled => EnrollmentJobState.Cancelled,
            _ => row.Phase switch
            {
                EnrollmentStages.Training => EnrollmentJobState.Training,
                EnrollmentStages.Calibrating => EnrollmentJobState.Calibrating,
                EnrollmentStages.Saving => EnrollmentJobState.Saving,
                _ => EnrollmentJobState.Analysing,
            },
        };
        var message = state switch
        {
            EnrollmentJobState.Queued => row.Message ?? "waiting for earlier enrollments",
            EnrollmentJobState.Done or EnrollmentJobState.Failed or EnrollmentJobState.Cancelled => row.Message ?? "",
            _ => row.Phase ?? EnrollmentStages.Analysing,
        };
        var percent = state switch
        {
            EnrollmentJobState.Queued => 0,
            EnrollmentJobState.Done or EnrollmentJobState.Failed or EnrollmentJobState.Cancelled => 100,
            _ => EnrollmentStages.PercentOf(row.Phase),
        };
        return new EnrollmentJobStatus(row.Id, row.Subject, state, percent, message,
            state == EnrollmentJobState.Done ? row.ResultId : null, row.CreatedUtc, row.FinishedUtc);
    }

}

/// <summary>An enrollment request as its job stores it: everything but the photo (which waits encrypted as the job's input).</summary>
internal sealed record StoredEnrollment(
    string Name, int? FaceIndex, DeclaredAttributes? Declared, Dictionary<string, double>? Negatives, Dictionary<string, double>? Variation,
    long? Seed, string? ExternalId, string PersonId)
{
    public static StoredEnrollment From(EnrollmentRequest r) => new(
        r.Name, r.FaceIndex, r.Declared,
        r.Balance is { } b ? new Dictionary<string, double>(b.Negatives, StringComparer.Ordinal) : null,
        r.Balance is { } v ? new Dictionary<string, double>(v.Variation, StringComparer.Ordinal) : null,
        r.Seed, r.ExternalId, r.PersonId!);

    public EnrollmentRequest ToRequest(byte[] photo) => new(
        Name, photo, FaceIndex, Declared,
        Negatives is not null || Variation is not null
            ? (Negatives ?? new Dictionary<string, double>(), (IReadOnlyDictionary<string, double>)(Variation ?? new Dictionary<string, double>()))
            : null,
        Seed, ExternalId, PersonId);
}

/// <summary>Runs one enrollment job: <see cref="EnrollPerson"/> as the submitting actor, its stages as the job's progress.</summary>
internal sealed class EnrollJobHandler(EnrollPerson enroll, MoteDbContext db) : IJobHandler
{
    public JobKind Kind => JobKind.Enroll;

    public async Task<JobResult> RunAsync(JobRun run, CancellationToken ct)
    {
        var stored = run.Request<StoredEnrollment>();
        // A run repeated after a restart: the earlier run may have stored the person just before the server stopped.
        if (await db.People.AsNoTracking().AnyAsync(p => p.Id == stored.PersonId, ct).ConfigureAwait(false))
        {
            return new JobResult(stored.PersonId, $"{stored.Name} is enrolled.");
        }
        var photo = run.Payload ?? throw new GalleryException("The enrollment's photo is gone; enroll again.");
        run.Report(EnrollmentStages.Analysing, percent: EnrollmentStages.PercentOf(EnrollmentStages.Analysing));
        var result = await enroll.ExecuteAsync(run.Actor, stored.ToRequest(photo), new StageProgress(run), ct).ConfigureAwait(false);
        return new JobResult(result.Person.Id, $"{result.Person.Name} is enrolled.", result);
    }

    private sealed class StageProgress(JobRun run) : IProgress<string>
    {
        public void Report(string value) => run.Report(value, percent: EnrollmentStages.PercentOf(value));
    }
}
