using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>What a finished retraining stored (kept with its job as JSON, so any instance can show it).</summary>
/// <param name="PersonId">Who was retrained.</param>
/// <param name="Name">Their name.</param>
/// <param name="TemplateKind">The kind of the new template (its JSON reads "model" or "vector").</param>
/// <param name="Threshold">The new, recalibrated threshold.</param>
/// <param name="Seconds">How long the retraining took.</param>
public sealed record RetrainOutcome(string PersonId, string Name, Core.Templates.TemplateKind TemplateKind, float Threshold, double Seconds);

/// <summary>A retraining as the person page polls it (read from the job store, so any instance can show it).</summary>
/// <param name="Id">The job id (128 random bits).</param>
/// <param name="PersonId">Who is retrained.</param>
/// <param name="Name">Their name when it was submitted.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Percent">Rough progress, by stage.</param>
/// <param name="Message">The current stage or, once finished, how it ended in words.</param>
/// <param name="Outcome">What it stored, once it succeeded.</param>
/// <param name="FailureKind">Which sort of refusal a failure was (<see cref="GalleryErrorKind.Conflict"/>: someone else changed the person).</param>
/// <param name="SubmittedUtc">When it was queued.</param>
/// <param name="FinishedUtc">When it finished.</param>
public sealed record RetrainJobStatus(
    string Id, string PersonId, string Name, JobState State, int Percent, string Message, RetrainOutcome? Outcome,
    GalleryErrorKind? FailureKind, DateTimeOffset SubmittedUtc, DateTimeOffset? FinishedUtc)
{
    /// <summary>True once nothing will change it any more.</summary>
    public bool IsFinished => State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>True when it failed because someone else changed the person since the page loaded.</summary>
    public bool IsStale => State == JobState.Failed && FailureKind == GalleryErrorKind.Conflict;
}

/// <summary>
/// Retrainings in the background, as durable jobs of the <see cref="JobRuntime"/> (kind <see cref="JobKind.Retrain"/>, one
/// at a time and in turn with nothing else of the kind; training itself takes the process's one native gate). Submitting
/// checks the permission, the photo's size and the person's concurrency stamp at once (a stale page is refused before
/// anything is queued), and the job checks the stamp again when it runs. A new photo waits encrypted as the job's input,
/// bound to the job, and is deleted when the job ends. The person's next stamp is fixed at submission, so a run repeated
/// after a restart finds a retraining an earlier run already stored instead of refusing it as stale; a retraining writes in
/// one transaction (<see cref="RetrainPerson"/>), so nothing is ever half-written. Needs <see cref="Permission.ManageGallery"/>.
/// </summary>
public sealed class RetrainQueue(JobRuntime runtime, MoteDbContext db)
{
    /// <summary>At most this many retrainings wait or run (each may hold a photo of up to 10 MB in the store).</summary>
    public const int Capacity = 32;

    /// <summary>Queues a retraining; returns its status (state <see cref="JobState.Queued"/>).</summary>
    /// <exception cref="GalleryConcurrencyException">Someone else changed the person since <paramref name="request"/>'s stamp; nothing queued.</exception>
    /// <exception cref="GalleryBusyException"><see cref="Capacity"/> retrainings already wait.</exception>
    public async Task<RetrainJobStatus> SubmitAsync(Actor actor, RetrainRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ManageGallery);
        if (request.Photo is { } photo)
        {
            PhotoPolicy.CheckSize(photo);
        }
        var person = await db.People.AsNoTracking().FindByNameOrIdAsync(request.Person, ct).ConfigureAwait(false);
        RetrainPerson.EnsureStamp(person, request.ConcurrencyStamp);
        var stored = StoredRetrain.From(person.Id, person.Name, request, Guid.NewGuid().ToString("N"));
        var row = await runtime.SubmitAsync(JobKind.Retrain, actor, person.Name, stored, request.Photo, Capacity, ct).ConfigureAwait(false);
        return ToStatus(row);
    }

    /// <summary>
    /// Queues a retraining and waits for its end, for in-process callers that need one answer. <paramref name="ct"/> ends the
    /// wait only: the accepted job goes on, and survives a stop.
    /// </summary>
    /// <exception cref="GalleryException">It failed or was cancelled, in its words (a stale stamp as <see cref="GalleryConcurrencyException"/>); nothing was stored.</exception>
    public async Task<RetrainResult> RetrainAndWaitAsync(Actor actor, RetrainRequest request, CancellationToken ct = default)
    {
        var status = await SubmitAsync(actor, request, ct).ConfigureAwait(false);
        JobEnd end;
        try
        {
            end = await runtime.WaitAsync(status.Id, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new GalleryBusyException($"Stopped waiting before retraining job {status.Id} finished; it stays queued and completes when the server runs.", TimeSpan.FromSeconds(60));
        }
        return end switch
        {
            { Value: RetrainResult result } => result,
            { Row.State: JobState.Succeeded } => throw new GalleryException($"{end.Row.Message} (retrained by another instance).", GalleryErrorKind.Conflict),
            { Row.FailureKind: GalleryErrorKind.Conflict } => throw new GalleryConcurrencyException(end.Row.Message ?? "Someone else changed the person."),
            _ => throw new GalleryException(end.Row.Message ?? "The retraining did not finish.", end.Row.FailureKind ?? GalleryErrorKind.Invalid),
        };
    }

    /// <summary>The job's status, or null when there is no such retraining job (unknown, or finished over a week ago).</summary>
    public async Task<RetrainJobStatus?> GetAsync(Actor actor, string jobId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        return await runtime.GetAsync(jobId, ct).ConfigureAwait(false) is { Kind: JobKind.Retrain } row ? ToStatus(row) : null;
    }

    /// <summary>The newest retraining of <paramref name="personId"/> still queued or running, or null: a page opened (anywhere) while one runs shows it.</summary>
    public async Task<RetrainJobStatus?> ActiveForAsync(Actor actor, string personId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        return (await runtime.ActiveAsync(JobKind.Retrain, ct).ConfigureAwait(false)).Select(ToStatus)
            .LastOrDefault(s => string.Equals(s.PersonId, personId, StringComparison.Ordinal));
    }

    /// <summary>Cancels a queued or running retraining; nothing is stored.</summary>
    /// <exception cref="GalleryException">No such job, or it already finished.</exception>
    public async Task<RetrainJobStatus> CancelAsync(Actor actor, string jobId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        if (await runtime.GetAsync(jobId, ct).ConfigureAwait(false) is not { Kind: JobKind.Retrain })
        {
            throw new GalleryException("There is no such retraining job.", GalleryErrorKind.NotFound);
        }
        return ToStatus(await runtime.CancelAsync(jobId, actor, ct).ConfigureAwait(false));
    }

    internal static RetrainJobStatus ToStatus(BackgroundJob row)
    {
        var stored = JsonSerializer.Deserialize<StoredRetrain>(row.RequestJson, JobRuntime.Json);
        var outcome = row is { State: JobState.Succeeded, ResultJson: { } json } ? JsonSerializer.Deserialize<RetrainOutcome>(json, JobRuntime.Json) : null;
        var (percent, message) = row.State switch
        {
            JobState.Queued => (0, row.Message ?? "waiting for earlier retrainings"),
            JobState.Running => (EnrollmentStages.PercentOf(row.Phase), row.Phase ?? EnrollmentStages.Analysing),
            _ => (100, row.Message ?? ""),
        };
        return new RetrainJobStatus(row.Id, stored?.PersonId ?? "", row.Subject, row.State, percent, message, outcome,
            row.FailureKind, row.CreatedUtc, row.FinishedUtc);
    }
}

/// <summary>A retraining request as its job stores it: everything but the photo (which waits encrypted as the job's input).</summary>
/// <param name="PersonId">Who, by id (fixed at submission).</param>
/// <param name="Name">Their name, for messages.</param>
/// <param name="ConcurrencyStamp">The stamp the page was loaded with.</param>
/// <param name="NewStamp">The stamp the retraining stores: a repeated run that finds it knows an earlier run finished.</param>
/// <param name="Negatives">Negative group weights, or null.</param>
/// <param name="Variation">Variation group weights, or null.</param>
/// <param name="FaceIndex">Which face of the photo.</param>
/// <param name="Seed">Training seed, or null to keep the person's.</param>
/// <param name="HasPhoto">True when a new photo travels as the job's input.</param>
internal sealed record StoredRetrain(
    string PersonId, string Name, string ConcurrencyStamp, string NewStamp, Dictionary<string, double>? Negatives, Dictionary<string, double>? Variation,
    int? FaceIndex, long? Seed, bool HasPhoto)
{
    public static StoredRetrain From(string personId, string name, RetrainRequest r, string newStamp) => new(
        personId, name, r.ConcurrencyStamp,
        newStamp,
        r.Balance is { } b ? new Dictionary<string, double>(b.Negatives, StringComparer.Ordinal) : null,
        r.Balance is { } v ? new Dictionary<string, double>(v.Variation, StringComparer.Ordinal) : null,
        r.FaceIndex, r.Seed, r.Photo is not null);

    public RetrainRequest ToRequest(byte[]? photo) => new(
        PersonId, ConcurrencyStamp,
        Negatives is not null || Variation is not null
            ? (Negatives ?? new Dictionary<string, double>(), (IReadOnlyDictionary<string, double>)(Variation ?? new Dictionary<string, double>()))
            : null,
        // Not `photo is null ? null : photo`: null converts to an empty (present) memory through the conversion from arrays.
        photo is null ? default(ReadOnlyMemory<byte>?) : photo.AsMemory(), FaceIndex, Seed);
}

/// <summary>Runs one retraining job: <see cref="RetrainPerson"/> as the submitting actor, its stages as the job's progress.</summary>
internal sealed class RetrainJobHandler(RetrainPerson retrain, MoteDbContext db) : IJobHandler
{
    public JobKind Kind => JobKind.Retrain;

    public async Task<JobResult> RunAsync(JobRun run, CancellationToken ct)
    {
        var stored = run.Request<StoredRetrain>();
        // A run repeated after a restart: the earlier run may have stored the retraining just before the server stopped.
        var done = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == stored.PersonId && p.ConcurrencyStamp == stored.NewStamp, ct).ConfigureAwait(false);
        if (done is not null)
        {
            return Result(new RetrainOutcome(done.Id, done.Name, done.TemplateKind, done.Threshold, 0), null);
        }
        if (stored.HasPhoto && run.Payload is null)
        {
            throw new GalleryException("The retraining's photo is gone; retrain again.");
        }
        run.Report(EnrollmentStages.Analysing, percent: EnrollmentStages.PercentOf(EnrollmentStages.Analysing));
        var result = await retrain.RetrainAsync(run.Actor, stored.ToRequest(stored.HasPhoto ? run.Payload : null), stored.NewStamp, new StageProgress(run), ct).ConfigureAwait(false);
        var p = result.Person;
        return Result(new RetrainOutcome(p.Id, p.Name, p.TemplateKind, p.Threshold, result.Duration.TotalSeconds), result);
    }

    private static JobResult Result(RetrainOutcome outcome, RetrainResult? value) => new(
        outcome.PersonId,
        $"{outcome.Name} was retrained; new threshold {Core.Templates.ReadableScore.OfKind(outcome.TemplateKind, outcome.Threshold)}.",
        value, JsonSerializer.Serialize(outcome, JobRuntime.Json));

    private sealed class StageProgress(JobRun run) : IProgress<string>
    {
        public void Report(string value) => run.Report(value, percent: EnrollmentStages.PercentOf(value));
    }
}
