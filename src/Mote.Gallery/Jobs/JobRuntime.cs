using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Data;
using Mote.Gallery.Errors;
using Mote.Gallery.Security;
using Quartz;

namespace Mote.Gallery.Jobs;

/// <summary>A job in progress as its handler sees it: who asked, what, the decrypted input, and where to report progress.</summary>
public sealed class JobRun
{
    private readonly Lock _gate = new();
    private (string? Phase, int Done, int Total, int Percent) _progress;
    private int _version;

    internal JobRun(BackgroundJob row, Actor actor, byte[]? payload, IServiceProvider services)
    {
        Id = row.Id;
        Kind = row.Kind;
        Actor = actor;
        RequestJson = row.RequestJson;
        Payload = payload;
        Attempt = row.Attempts;
        Services = services;
        _progress = (row.Phase, row.Done, row.Total, row.Percent);
    }

    /// <summary>The job's id (<see cref="BackgroundJob.Id"/>).</summary>
    public string Id { get; }

    /// <summary>What sort of job it is; picks its <see cref="IJobHandler"/>.</summary>
    public JobKind Kind { get; }

    /// <summary>Who submitted it; the job's use case runs as this actor and checks its permission again.</summary>
    public Actor Actor { get; }

    /// <summary>The request as stored (JSON, no biometric data); <see cref="Request{T}"/> reads it.</summary>
    public string RequestJson { get; }

    /// <summary>The decrypted input (an enrollment's photo), or null.</summary>
    public byte[]? Payload { get; }

    /// <summary>1 on the first run; more when a restart interrupted earlier runs.</summary>
    public int Attempt { get; }

    /// <summary>The job's own scope (a fresh DbContext).</summary>
    public IServiceProvider Services { get; }

    /// <summary>Records progress; written to the store within a second (phase changes at once), never blocking the caller.</summary>
    public void Report(string? phase, int done = 0, int total = 0, int percent = 0)
    {
        lock (_gate)
        {
            _progress = (phase, done, total, Math.Clamp(percent, 0, 100));
            _version++;
        }
    }

    internal (string? Phase, int Done, int Total, int Percent, int Version) Snapshot()
    {
        lock (_gate)
        {
            return (_progress.Phase, _progress.Done, _progress.Total, _progress.Percent, _version);
        }
    }

    /// <summary>Reads the request as <typeparamref name="T"/>.</summary>
    public T Request<T>() => JsonSerializer.Deserialize<T>(RequestJson, JobRuntime.Json) ?? throw new InvalidDataException($"Job {Id} has no request.");
}

/// <summary>
/// What a finished job made: the id of its result and a sentence; <see cref="Value"/> goes to an in-process waiter only,
/// <see cref="Json"/> is stored with the job (<see cref="BackgroundJob.ResultJson"/>) for every instance to read.
/// </summary>
public sealed record JobResult(string? ResultId, string Message, object? Value = null, string? Json = null);

/// <summary>Runs one kind of job. Registered scoped; <see cref="JobRuntime"/> picks it by <see cref="Kind"/>.</summary>
public interface IJobHandler
{
    /// <summary>The kind of job this handler runs (one handler per kind).</summary>
    JobKind Kind { get; }

    /// <summary>Does the work. Throw <see cref="GalleryException"/> (or <see cref="PermissionDeniedException"/>) to fail in words; an
    /// <see cref="OperationCanceledException"/> on <paramref name="ct"/> is a cancel or a server stop. Must leave nothing half-written.</summary>
    Task<JobResult> RunAsync(JobRun run, CancellationToken ct);

    /// <summary>Called once the job failed or was cancelled (not when a server stop interrupted it), e.g. to audit it; default nothing.</summary>
    Task OnEndedAsync(JobRun run, JobState state, string message) => Task.CompletedTask;
}

/// <summary>The end of a job as an in-process waiter sees it.</summary>
public sealed record JobEnd(BackgroundJob Row, object? Value);

/// <summary>
/// The gallery's one job runtime (docs/decisions/0019): every background job is a <see cref="BackgroundJob"/> row (request,
/// encrypted input, progress, outcome) plus a Quartz.NET trigger in the same database's persistent job store. Quartz decides
/// when it runs (one at a time per kind: <see cref="DurableJob"/> disallows concurrent execution per job detail); this class
/// submits, cancels, reports progress and records outcomes, and on start re-schedules any job a stop or a crash left without
/// a trigger, so a queued or interrupted job runs again (from the start: every job writes its result in one transaction at
/// its end, and checks first whether an earlier run already wrote it). Native work (TorchSharp) additionally waits for the
/// process's one <see cref="Core.Templates.NativeWorkGate"/>.
/// </summary>
public sealed class JobRuntime(IServiceScopeFactory scopes, ISchedulerFactory schedulers, TemplateProtector protector, TimeProvider time, ILogger<JobRuntime> log)
{
    /// <summary>The Quartz trigger group every submitted job's trigger is in (its name is the job id).</summary>
    public const string TriggerGroup = "mote";

    /// <summary>The group of the recurring schedules (the audit check's, the backup's), apart from the one-shot triggers of jobs.</summary>
    public const string ScheduleGroup = "mote-schedule";

    internal const string JobIdKey = "moteJobId";

    /// <summary>A run interrupted this many times by server stops is given up, in words.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Finished jobs are deleted after this long (at start-up).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JobEnd>> _waiters = new(StringComparer.Ordinal);
    private int _running;

    /// <summary>True once this process's scheduler runs jobs (the portal); false in the command line, which never starts it.</summary>
    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>The Quartz job key of a kind: one durable job detail per kind.</summary>
    public static JobKey KeyOf(JobKind kind) => new(kind.ToString().ToLowerInvariant(), TriggerGroup);

    /// <summary>
    /// Stores the job and schedules it. <paramref name="capacity"/>: at most this many of the kind may wait or run, else
    /// <see cref="GalleryBusyException"/> (the REST API answers 503 with Retry-After); null: no limit, the job waits queued.
    /// </summary>
    public async Task<BackgroundJob> SubmitAsync(JobKind kind, Actor actor, string subject, object request, ReadOnlyMemory<byte>? payload, int? capacity, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var scope = scopes.CreateAsyncScope();
        BackgroundJob row;
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            if (capacity is { } limit)
            {
                var waiting = await db.BackgroundJobs.CountAsync(j => j.Kind == kind && (j.State == JobState.Queued || j.State == JobState.Running), ct).ConfigureAwait(false);
                if (waiting >= limit)
                {
                    throw new GalleryBusyException($"{waiting} {Noun(kind)} jobs are already waiting or running (at most {limit}); try again in a minute.", TimeSpan.FromSeconds(60));
                }
            }
            row = NewRow(kind, actor, subject, request, payload);
            db.BackgroundJobs.Add(row);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        // A second transaction: a crash in between leaves a row without a trigger, which the next start schedules (ReconcileAsync).
        await ScheduleAsync(row.Id, kind, CancellationToken.None).ConfigureAwait(false);
        return row;
    }

    /// <summary>
    /// Stores work that ran outside the scheduler (an audit check run on demand) as a job that succeeded with
    /// <paramref name="result"/>, so it is listed and read like the ones the scheduler ran.
    /// </summary>
    public async Task RecordAsync(JobKind kind, Actor actor, string subject, JobResult result, DateTimeOffset startedUtc, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(result);
        var row = NewRow(kind, actor, subject, new { }, null);
        row.State = JobState.Succeeded;
        row.Phase = "done";
        row.Percent = 100;
        row.Attempts = 1;
        row.Message = result.Message;
        row.ResultId = result.ResultId;
        row.ResultJson = result.Json;
        row.CreatedUtc = startedUtc;
        row.StartedUtc = startedUtc;
        row.FinishedUtc = row.UpdatedUtc;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            db.BackgroundJobs.Add(row);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>A new queued job row: a fresh id, the actor, the request as JSON and the input encrypted to that id.</summary>
    private BackgroundJob NewRow(JobKind kind, Actor actor, string subject, object request, ReadOnlyMemory<byte>? payload)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        return new BackgroundJob
        {
            Id = id,
            Kind = kind,
            State = JobState.Queued,
            Subject = subject.Length > 256 ? subject[..256] : subject,
            ActorJson = JsonSerializer.Serialize(StoredActor.From(actor), Json),
            ActorName = actor.Name,
            RequestJson = JsonSerializer.Serialize(request, request.GetType(), Json),
            Payload = payload is { } p ? protector.Protect(id, PayloadPurpose(kind), p.Span) : null,
            Phase = "queued",
            CreatedUtc = now,
            UpdatedUtc = now,
        };
    }

    /// <summary>The job, or null when there is none with that id (or it was pruned).</summary>
    public async Task<BackgroundJob?> GetAsync(string id, CancellationToken ct = default)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await scope.ServiceProvider.GetRequiredService<MoteDbContext>().BackgroundJobs.AsNoTracking()
                .SingleOrDefaultAsync(j => j.Id == (id ?? ""), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Jobs of <paramref name="kind"/> waiting or running, oldest first (without their input).</summary>
    public async Task<IReadOnlyList<BackgroundJob>> ActiveAsync(JobKind kind, CancellationToken ct = default)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var rows = await scope.ServiceProvider.GetRequiredService<MoteDbContext>().BackgroundJobs.AsNoTracking()
                .Where(j => j.Kind == kind && (j.State == JobState.Queued || j.State == JobState.Running))
                .ToListAsync(ct).ConfigureAwait(false);
            return rows.OrderBy(j => j.CreatedUtc).ToArray();
        }
    }

    /// <summary>The newest job of <paramref name="kind"/>, finished or not; null when there was none.</summary>
    public async Task<BackgroundJob?> LatestAsync(JobKind kind, CancellationToken ct = default)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await scope.ServiceProvider.GetRequiredService<MoteDbContext>().BackgroundJobs.AsNoTracking()
                .Where(j => j.Kind == kind).OrderByDescending(j => j.CreatedUtc).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Cancels a job: a queued one ends <see cref="JobState.Cancelled"/> at once; a running one is asked to stop (it stops
    /// between steps and records nothing). Returns the job as it stands after the request.
    /// </summary>
    /// <exception cref="GalleryException">No such job, or it has already finished.</exception>
    public async Task<BackgroundJob> CancelAsync(string id, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var now = time.GetUtcNow();
            var message = $"Cancelled by {actor.Name} before it started; nothing was stored.";
            var queued = await db.BackgroundJobs.Where(j => j.Id == id && j.State == JobState.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Cancelled).SetProperty(j => j.CancelRequestedBy, actor.Name)
                    .SetProperty(j => j.Message, message).SetProperty(j => j.Payload, (byte[]?)null)
                    .SetProperty(j => j.FinishedUtc, now).SetProperty(j => j.UpdatedUtc, now), ct).ConfigureAwait(false);
            if (queued == 1)
            {
                var scheduler = await schedulers.GetScheduler(ct).ConfigureAwait(false);
                await scheduler.UnscheduleJob(new TriggerKey(id, TriggerGroup), ct).ConfigureAwait(false);
                var cancelled = await db.BackgroundJobs.AsNoTracking().SingleAsync(j => j.Id == id, ct).ConfigureAwait(false);
                Complete(cancelled, null);
                return cancelled;
            }
            var running = await db.BackgroundJobs.Where(j => j.Id == id && j.State == JobState.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequestedBy, actor.Name).SetProperty(j => j.UpdatedUtc, now), ct).ConfigureAwait(false);
            if (running == 0)
            {
                throw new GalleryException(await db.BackgroundJobs.AnyAsync(j => j.Id == id, ct).ConfigureAwait(false)
                    ? "That job has already finished; there is nothing to cancel."
                    : "There is no such job.", GalleryErrorKind.NotFound);
            }
            // This process runs it: stop it now. Another instance's job sees the request at its next progress write (≤ 1 s).
            if (_local.TryGetValue(id, out var cts))
            {
                await cts.CancelAsync().ConfigureAwait(false);
            }
            return await db.BackgroundJobs.AsNoTracking().SingleAsync(j => j.Id == id, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the job has finished (run here or by another instance) and returns it, with the handler's value when it ran here.</summary>
    public async Task<JobEnd> WaitAsync(string id, CancellationToken ct = default)
    {
        var waiter = _waiters.GetOrAdd(id, _ => new TaskCompletionSource<JobEnd>(TaskCreationOptions.RunContinuationsAsynchronously));
        while (true)
        {
            var row = await GetAsync(id, ct).ConfigureAwait(false) ?? throw new GalleryException("There is no such job.", GalleryErrorKind.NotFound);
            if (row.IsFinished)
            {
                _waiters.TryRemove(id, out _);
                return waiter.Task.IsCompletedSuccessfully ? waiter.Task.Result : new JobEnd(row, null);
            }
            try
            {
                return await waiter.Task.WaitAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Poll the store: the job may finish in another instance.
            }
        }
    }

    /// <summary>Schedules the job's trigger (fires now; a trigger that waited past the misfire threshold fires as soon as it can).</summary>
    internal async Task ScheduleAsync(string id, JobKind kind, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct).ConfigureAwait(false);
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(id, TriggerGroup)
            .ForJob(KeyOf(kind))
            .UsingJobData(JobIdKey, id)
            .StartNow()
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        try
        {
            await scheduler.ScheduleJob(trigger, new ScheduleJobOptions(), ct).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Already scheduled (submission and start-up reconciliation met): one trigger is enough.
        }
    }

    /// <summary>
    /// On start: deletes finished jobs older than <see cref="Retention"/>, and gives every job still waiting or interrupted a
    /// trigger if it has none (a stop ends the running job's trigger; a crash between storing a job and scheduling it leaves
    /// none). Then marks the runtime running.
    /// </summary>
    internal async Task ReconcileAsync(CancellationToken ct)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var cutoff = time.GetUtcNow() - Retention;
            await db.BackgroundJobs.Where(j => j.FinishedUtc != null && j.FinishedUtc < cutoff).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var open = await db.BackgroundJobs.AsNoTracking()
                .Where(j => j.State == JobState.Queued || j.State == JobState.Running)
                .Select(j => new { j.Id, j.Kind }).ToListAsync(ct).ConfigureAwait(false);
            var scheduler = await schedulers.GetScheduler(ct).ConfigureAwait(false);
            var rescheduled = 0;
            foreach (var job in open)
            {
                if (!await scheduler.Exists(new TriggerKey(job.Id, TriggerGroup), ct).ConfigureAwait(false))
                {
                    await ScheduleAsync(job.Id, job.Kind, ct).ConfigureAwait(false);
                    rescheduled++;
                }
            }
            if (rescheduled > 0)
            {
                log.LogInformation("Scheduled {Count} background job(s) again that a stop or crash had interrupted.", rescheduled);
            }
        }
        Volatile.Write(ref _running, 1);
    }

    /// <summary>Runs one job (called by <see cref="DurableJob"/> when its trigger fires).</summary>
    internal async Task ExecuteAsync(string id, CancellationToken schedulerToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var row = await db.BackgroundJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, schedulerToken).ConfigureAwait(false);
            if (row is null || row.IsFinished)
            {
                return; // cancelled while queued, or a second trigger for a job an earlier one finished
            }
            if (row.Attempts >= MaxAttempts)
            {
                await FinishAsync(row, JobState.Failed, $"Interrupted {row.Attempts} times by server stops; given up. Nothing was stored.", null, null, GalleryErrorKind.Invalid).ConfigureAwait(false);
                return;
            }
            var now = time.GetUtcNow();
            var started = await db.BackgroundJobs.Where(j => j.Id == id && (j.State == JobState.Queued || j.State == JobState.Running))
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Running).SetProperty(j => j.Attempts, j => j.Attempts + 1)
                    .SetProperty(j => j.StartedUtc, now).SetProperty(j => j.UpdatedUtc, now)
                    .SetProperty(j => j.Message, row.Attempts > 0 ? "running again after a server stop" : null), schedulerToken).ConfigureAwait(false);
            if (started == 0)
            {
                return;
            }
            row = await db.BackgroundJobs.AsNoTracking().SingleAsync(j => j.Id == id, schedulerToken).ConfigureAwait(false);
            if (row.CancelRequestedBy is { } early)
            {
                await FinishAsync(row, JobState.Cancelled, $"Cancelled by {early}; nothing was stored.", null, null).ConfigureAwait(false);
                return;
            }

            var handler = scope.ServiceProvider.GetServices<IJobHandler>().Single(h => h.Kind == row.Kind);
            var actor = (JsonSerializer.Deserialize<StoredActor>(row.ActorJson, Json) ?? throw new InvalidDataException($"Job {id} has no actor.")).ToActor();
            byte[]? payload = row.Payload is { } blob ? protector.Unprotect(id, PayloadPurpose(row.Kind), blob) : null;
            var run = new JobRun(row, actor, payload, scope.ServiceProvider);
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(schedulerToken);
            _local[id] = cancel;
            using var heartbeatStop = new CancellationTokenSource();
            var heartbeat = HeartbeatAsync(run, cancel, heartbeatStop.Token);
            try
            {
                var result = await handler.RunAsync(run, cancel.Token).ConfigureAwait(false);
                await StopHeartbeatAsync(heartbeatStop, heartbeat).ConfigureAwait(false);
                // The last counts reported, which the heartbeat may not have written yet (a job quicker than its period).
                var (_, done, total, _, _) = run.Snapshot();
                await FinishAsync(row, JobState.Succeeded, result.Message, result.ResultId, result.Value, json: result.Json, counts: (done, total)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                await StopHeartbeatAsync(heartbeatStop, heartbeat).ConfigureAwait(false);
                var by = await CancelRequesterAsync(id).ConfigureAwait(false);
                if (by is null && schedulerToken.IsCancellationRequested)
                {
                    // A server stop: back to the queue with its input; the next start runs it again from the beginning.
                    await RequeueAsync(id).ConfigureAwait(false);
                    return;
                }
                var message = $"Cancelled by {by ?? "the server"}; nothing was stored.";
                await EndAsync(handler, run, JobState.Cancelled, message).ConfigureAwait(false);
                await FinishAsync(row, JobState.Cancelled, message, null, null).ConfigureAwait(false);
            }
            catch (Exception e) when (GalleryErrors.Classify(e) is { } refusal)
            {
                // A refusal keeps its kind, so the request waiting for this job (the REST API's enrollment) answers in kind.
                await StopHeartbeatAsync(heartbeatStop, heartbeat).ConfigureAwait(false);
                await EndAsync(handler, run, JobState.Failed, refusal.Message).ConfigureAwait(false);
                await FinishAsync(row, JobState.Failed, refusal.Message, null, null, refusal.Kind).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A job must end with its reason stored, whatever went wrong, instead of dying unseen.
            catch (Exception e)
#pragma warning restore CA1031
            {
                await StopHeartbeatAsync(heartbeatStop, heartbeat).ConfigureAwait(false);
                log.LogError(e, "Background job {JobId} ({Kind}) failed", id, row.Kind);
                var message = $"It failed unexpectedly ({e.GetType().Name}: {e.Message.Split('\n')[0]}); nothing was stored. The server's log has the details.";
                await EndAsync(handler, run, JobState.Failed, message).ConfigureAwait(false);
                await FinishAsync(row, JobState.Failed, message, null, null, GalleryErrorKind.Invalid).ConfigureAwait(false);
            }
            finally
            {
                _local.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Writes progress at most once a second, and picks up a cancel requested in another instance.</summary>
    private async Task HeartbeatAsync(JobRun run, CancellationTokenSource cancel, CancellationToken stop)
    {
        var written = -1;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var (phase, done, total, percent, version) = run.Snapshot();
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
                    if (version != written)
                    {
                        var now = time.GetUtcNow();
                        await db.BackgroundJobs.Where(j => j.Id == run.Id && j.State == JobState.Running)
                            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Phase, phase).SetProperty(j => j.Done, done).SetProperty(j => j.Total, total)
                                .SetProperty(j => j.Percent, percent).SetProperty(j => j.UpdatedUtc, now), stop).ConfigureAwait(false);
                        written = version;
                    }
                    if (await db.BackgroundJobs.AnyAsync(j => j.Id == run.Id && j.CancelRequestedBy != null, stop).ConfigureAwait(false))
                    {
                        await cancel.CancelAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The job ended.
        }
#pragma warning disable CA1031 // Progress is best effort: a failed write must not fail the job.
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.LogWarning(e, "Writing progress of job {JobId} failed; the job goes on.", run.Id);
        }
    }

    private static async Task StopHeartbeatAsync(CancellationTokenSource stop, Task heartbeat)
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
    }

    private async Task<string?> CancelRequesterAsync(string id) =>
        (await GetAsync(id, CancellationToken.None).ConfigureAwait(false))?.CancelRequestedBy;

    private async Task RequeueAsync(string id)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var now = time.GetUtcNow();
            await scope.ServiceProvider.GetRequiredService<MoteDbContext>().BackgroundJobs.Where(j => j.Id == id && j.State == JobState.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Queued).SetProperty(j => j.Phase, "queued")
                    .SetProperty(j => j.Message, "Interrupted by a server stop; it runs again from the start when the server is back.")
                    .SetProperty(j => j.UpdatedUtc, now), CancellationToken.None).ConfigureAwait(false);
        }
        log.LogInformation("Background job {JobId} was interrupted by the stop; it stays queued.", id);
    }

    private async Task EndAsync(IJobHandler handler, JobRun run, JobState state, string message)
    {
        try
        {
            await handler.OnEndedAsync(run, state, message).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The job must still end (and say why) when its end hook fails, e.g. an audit write during shutdown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.LogError(e, "The end hook of job {JobId} failed", run.Id);
        }
    }

    private async Task FinishAsync(BackgroundJob row, JobState state, string message, string? resultId, object? value, GalleryErrorKind? failure = null, string? json = null,
        (int Done, int Total)? counts = null)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var now = time.GetUtcNow();
            int? done = counts?.Done, total = counts?.Total;
            // Not cancellable: the outcome must be stored even while the server stops. One write (the counts in it too): a
            // second one was one more chance for a busy SQLite file to fail a job whose work had already succeeded.
            await db.BackgroundJobs.Where(j => j.Id == row.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, state).SetProperty(j => j.Message, message).SetProperty(j => j.ResultId, resultId).SetProperty(j => j.ResultJson, json)
                    .SetProperty(j => j.FailureKind, failure).SetProperty(j => j.Payload, (byte[]?)null).SetProperty(j => j.Percent, 100).SetProperty(j => j.Phase, j => state == JobState.Succeeded ? "done" : j.Phase)
                    .SetProperty(j => j.Done, j => done ?? j.Done).SetProperty(j => j.Total, j => total ?? j.Total)
                    .SetProperty(j => j.FinishedUtc, now).SetProperty(j => j.UpdatedUtc, now), CancellationToken.None).ConfigureAwait(false);
            var finished = await db.BackgroundJobs.AsNoTracking().SingleAsync(j => j.Id == row.Id, CancellationToken.None).ConfigureAwait(false);
            Complete(finished, value);
        }
    }

    private void Complete(BackgroundJob finished, object? value)
    {
        if (_waiters.TryRemove(finished.Id, out var waiter))
        {
            waiter.TrySetResult(new JobEnd(finished, value));
        }
    }

    private static string PayloadPurpose(JobKind kind) => $"job-input/{kind.ToString().ToLowerInvariant()}";

    private static string Noun(JobKind kind) => kind switch
    {
        JobKind.Enroll => "enrollment",
        JobKind.Explain => "explanation",
        JobKind.Evaluate => "evaluation",
        JobKind.VerifyAudit => "audit check",
        JobKind.Retrain => "retraining",
        JobKind.AssessGalleryRisk => "gallery risk assessment",
        JobKind.Backup => "backup",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>An <see cref="Actor"/> as stored with its job.</summary>
    private sealed record StoredActor(ActorKind Kind, string Id, string Name, string[] Roles, Permission[]? Granted)
    {
        public static StoredActor From(Actor a) => new(a.Kind, a.Id, a.Name, a.Roles.ToArray(), a.Granted?.ToArray());

        public Actor ToActor() => new(Kind, Id, Name, Roles.ToHashSet(StringComparer.Ordinal), Granted?.ToHashSet());
    }
}

/// <summary>
/// The job an enrollment trigger fires when <see cref="JobStoreConfiguration.ParallelEnrollmentsSetting"/> is on: the same
/// work as <see cref="DurableJob"/>, without the one-at-a-time rule (trainings still wait for the process's native gate).
/// </summary>
internal sealed class ParallelDurableJob(JobRuntime runtime) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        new DurableJob(runtime).Execute(context, cancellationToken);
}

/// <summary>The Quartz job every trigger fires: one job detail per <see cref="JobKind"/>, never two runs of a kind at once.</summary>
[DisallowConcurrentExecution]
internal sealed class DurableJob(JobRuntime runtime) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // Either token may carry the scheduler's interruption at a stop.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken);
        await runtime.ExecuteAsync(context.MergedJobDataMap.GetString(JobRuntime.JobIdKey) ?? "", stop.Token).ConfigureAwait(false);
    }
}
