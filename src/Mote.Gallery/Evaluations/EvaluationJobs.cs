using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mote.Core;
using Mote.Core.Evaluation;
using Mote.Core.Imaging;
using Mote.Core.Population.Labels;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Engine;
using Mote.Gallery.Models;
using Mote.Gallery.Security;

namespace Mote.Gallery.Evaluations;

/// <summary>What a portal-started evaluation runs on.</summary>
/// <param name="Dataset">A dataset's folder name under the datasets root (from <see cref="ListEvaluationDatasets"/>).</param>
/// <param name="Identities">Evaluate this many identities (a seeded subset of those with ≥ 2 photos); null: all. Default 100.</param>
/// <param name="Seed">Seed of every draw; default 1.</param>
/// <param name="Sweep">Run the balance sweep (female shares 0, 0.25, 0.5, 0.75, 1); default on.</param>
/// <param name="Privacy">Run the attribute-inference attacks; default on.</param>
public sealed record EvaluationRunRequest(string Dataset, int? Identities = EvaluationRunRequest.DefaultIdentities, int Seed = 1, bool Sweep = true, bool Privacy = true)
{
    /// <summary>
    /// 100 identities: a first look rather than a full run. Measured on lfw-dev with 1 training at a time (the portal's
    /// setting; 2026-11-30, 2 cores, load average 3–7): 17.5 min with sweep and privacy (describe 17 s, enroll 121 s,
    /// sweep 771 s, privacy 139 s), so about 2.5 min with both off.
    /// </summary>
    public const int DefaultIdentities = 100;

    /// <summary>The command-line equivalent, recorded in the report's settings.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"portal: dataset {Dataset}, {(Identities is { } n ? $"{n} identities" : "all identities")}, seed {Seed}, sweep {(Sweep ? "on" : "off")}, privacy {(Privacy ? "on" : "off")}");
}

/// <summary>Where a portal-started evaluation stands.</summary>
public enum EvaluationJobState
{
    /// <summary>Describing, enrolling, scoring… (see the progress).</summary>
    Running,

    /// <summary>Finished; the report is being written to the database.</summary>
    Recording,

    /// <summary>Recorded: <see cref="EvaluationJobStatus.RunId"/> opens it.</summary>
    Succeeded,

    /// <summary>Stopped with an error (in <see cref="EvaluationJobStatus.Message"/>); nothing recorded.</summary>
    Failed,

    /// <summary>Cancelled by someone, or stopped with the server; nothing recorded.</summary>
    Cancelled,
}

/// <summary>A portal-started evaluation run as the page polls it. Holds no biometric data.</summary>
/// <param name="Id">Job id (not a run id: a run id exists only once recorded).</param>
/// <param name="Request">What was asked.</param>
/// <param name="StartedBy">Who started it.</param>
/// <param name="StartedUtc">When.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Progress">The runner's last progress report (phase, done, total).</param>
/// <param name="Message">Failure or cancellation in words; null while running.</param>
/// <param name="RunId">The recorded run's id once <see cref="EvaluationJobState.Succeeded"/>.</param>
/// <param name="FinishedUtc">When it ended.</param>
/// <param name="CancelRequestedBy">Who asked to cancel, while the runner winds down.</param>
public sealed record EvaluationJobStatus(
    string Id, EvaluationRunRequest Request, string StartedBy, DateTimeOffset StartedUtc, EvaluationJobState State,
    EvaluationProgress Progress, string? Message, string? RunId, DateTimeOffset? FinishedUtc, string? CancelRequestedBy)
{
    public bool IsFinished => State is EvaluationJobState.Succeeded or EvaluationJobState.Failed or EvaluationJobState.Cancelled;
}

/// <summary>
/// Runs evaluations started from the portal, one at a time, in the background: the same protocol as <c>mote evaluate</c>
/// (Core's <see cref="EvaluationRunner"/> on the dlib backbone, best face per photo, the population pack, a descriptor
/// cache), with <see cref="EvaluationRunSettings.Parallelism"/> trainings (default 1) so the portal stays responsive.
/// The report is recorded through <see cref="RecordEvaluationRun"/> as the starting actor only when the whole run
/// finished; a failed or cancelled run records nothing. Job state is in memory only (the last job is kept until the
/// next starts); a restart stops a run, which is then audited as abandoned.
/// Starting and cancelling need <see cref="Permission.RunEvaluations"/>, each writing one audit event
/// (<see cref="AuditEventCode.EvaluationStarted"/>; a cancelled or failed run <see cref="AuditEventCode.EvaluationAbandoned"/>);
/// reading the status needs <see cref="Permission.ViewFairness"/>.
/// </summary>
public sealed class EvaluationJobs(
    IServiceScopeFactory scopes, EvaluationRunSettings settings, TimeProvider time, ILogger<EvaluationJobs> log)
    : IHostedService, IDisposable, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private EvaluationJobStatus? _current;
    private CancellationTokenSource? _cancel;
    private Actor? _cancellingActor;
    private Task _running = Task.CompletedTask;
    private int _disposed;

    /// <summary>The running job, or the last one to finish; null when none was started since the server started.</summary>
    public EvaluationJobStatus? Current(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        lock (_gate)
        {
            return _current;
        }
    }

    /// <summary>
    /// Checks the request, refuses while another run is going, writes the <see cref="AuditEventCode.EvaluationStarted"/>
    /// event and starts the run in the background. Returns at once.
    /// </summary>
    /// <exception cref="GalleryException">A bad request or a run in progress, in words; nothing started, no event.</exception>
    public async Task<EvaluationJobStatus> StartAsync(Actor actor, EvaluationRunRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.RunEvaluations);
        var data = Open(request);

        EvaluationJobStatus status;
        EvaluationJobStatus? previous;
        lock (_gate)
        {
            if (_current is { IsFinished: false } running)
            {
                throw new GalleryException(string.Create(CultureInfo.InvariantCulture,
                    $"An evaluation run is already in progress (started by {running.StartedBy} at {running.StartedUtc:HH:mm} UTC on {running.Request.Dataset}); wait for it to finish or cancel it."));
            }
            previous = _current;
            status = new EvaluationJobStatus(Guid.NewGuid().ToString("N"), request, actor.Name, time.GetUtcNow(), EvaluationJobState.Running,
                new EvaluationProgress("starting", 0, 0), null, null, null, null);
            // Reserved before the audit write, so a second start in the meantime is refused.
            _current = status;
        }

        try
        {
            await AuditAsync(actor, AuditEventCode.EvaluationStarted, status.Id,
                $"{request.Describe()} ({data.Identities.Count} identities, {data.PhotoCount} photos)", ct).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                _current = previous;
            }
            throw;
        }

        lock (_gate)
        {
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var token = _cancel.Token;
            _running = Task.Run(() => RunAsync(status.Id, actor, request, data, token), CancellationToken.None);
        }
        return status;
    }

    /// <summary>Asks the running job to stop (it stops between steps, within seconds); the job then records nothing and audits
    /// <see cref="AuditEventCode.EvaluationAbandoned"/> as <paramref name="actor"/>.</summary>
    /// <exception cref="GalleryException">No run is in progress, or it is already being recorded.</exception>
    public EvaluationJobStatus Cancel(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.RunEvaluations);
        lock (_gate)
        {
            if (_current is not { IsFinished: false } running || _cancel is null)
            {
                throw new GalleryException("No evaluation run is in progress.");
            }
            if (running.State == EvaluationJobState.Recording)
            {
                throw new GalleryException("The run has finished and is being recorded; it can no longer be cancelled.");
            }
            _current = running with { CancelRequestedBy = actor.Name };
            _cancellingActor = actor;
            _cancel.Cancel();
            return _current;
        }
    }

    /// <summary>Waits until the current job (if any) has finished; for tests and shutdown.</summary>
    public async Task<EvaluationJobStatus?> WaitAsync(TimeSpan timeout)
    {
        Task running;
        lock (_gate)
        {
            running = _running;
        }
        await running.WaitAsync(timeout).ConfigureAwait(false);
        lock (_gate)
        {
            return _current;
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops a running job with the server (it records nothing and is audited as abandoned).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return; // already stopped and disposed
        }
        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return; // disposed in the meantime: nothing left to stop
        }
        Task running;
        lock (_gate)
        {
            running = _running;
        }
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            log.LogWarning("An evaluation run did not stop within 20 s of shutdown.");
        }
    }

    /// <remarks>
    /// Idempotent: the container disposes this one instance twice at shutdown — once as the <see cref="EvaluationJobs"/>
    /// singleton and once as the hosted service its factory returned — and the second call used to cancel an already
    /// disposed token source, so every graceful stop (SIGTERM) ended in <see cref="ObjectDisposedException"/> (issue 14 item 14).
    /// </remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        try
        {
            _running.Wait(TimeSpan.FromSeconds(20));
        }
        catch (AggregateException)
        {
            // RunAsync catches everything it can; nothing useful to add at disposal.
        }
        _stopping.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Dispose();
    }

    private EvaluationDataset Open(EvaluationRunRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Dataset))
        {
            throw new GalleryException("Choose a dataset.");
        }
        if (request.Identities is < 2)
        {
            throw new GalleryException("Evaluate at least 2 identities (or leave the limit empty for all of them).");
        }
        var list = ListEvaluationDatasets.List(settings.DatasetsRoot!);
        // Only a listed name is accepted: a request never names a path of its own.
        var dataset = list.Datasets.FirstOrDefault(d => string.Equals(d.Name, request.Dataset, StringComparison.Ordinal))
            ?? throw new GalleryException(list.RootExists
                ? $"There is no dataset '{request.Dataset}' under {list.Root} with the images/<identity>/ layout."
                : $"The datasets folder {list.Root} does not exist; set Mote:Evaluation:DatasetsRoot or MOTE_DATASETS.");
        try
        {
            return EvaluationDataset.Open(dataset.Path, request.Identities, request.Seed);
        }
        catch (Exception e) when (e is ArgumentException or LabelFormatException or IOException)
        {
            throw new GalleryException($"Dataset '{dataset.Name}' cannot be evaluated: {e.Message}");
        }
    }

    private async Task RunAsync(string id, Actor actor, EvaluationRunRequest request, EvaluationDataset data, CancellationToken ct)
    {
        try
        {
            var report = await ProduceAsync(id, request, data, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            lock (_gate)
            {
                _current = _current! with { State = EvaluationJobState.Recording };
            }
            var scope = scopes.CreateAsyncScope();
            string runId;
            await using (scope.ConfigureAwait(false))
            {
                // Not cancellable: one short transaction, all or nothing.
                runId = await scope.ServiceProvider.GetRequiredService<RecordEvaluationRun>().ExecuteAsync(actor, report, null, CancellationToken.None).ConfigureAwait(false);
            }
            Finish(EvaluationJobState.Succeeded, null, runId);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Actor? canceller;
            lock (_gate)
            {
                canceller = _cancellingActor;
            }
            var message = _stopping.IsCancellationRequested || canceller is null
                ? "The server stopped before the run finished; nothing was recorded."
                : $"Cancelled by {canceller.Name}; nothing was recorded.";
            await AbandonAsync(canceller ?? Actor.System, id, message).ConfigureAwait(false);
            Finish(EvaluationJobState.Cancelled, message, null);
        }
        catch (Exception e) when (e is GalleryException or PermissionDeniedException or ArgumentException or InvalidDataException or ImageRejectedException)
        {
            var message = $"The run failed: {e.Message} Nothing was recorded.";
            await AbandonAsync(Actor.System, id, message).ConfigureAwait(false);
            Finish(EvaluationJobState.Failed, message, null);
        }
#pragma warning disable CA1031 // A background job must report any failure to its page instead of dying unseen.
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.LogError(e, "Evaluation job {JobId} failed", id);
            var message = $"The run failed unexpectedly ({e.GetType().Name}: {e.Message.Split('\n')[0]}). Nothing was recorded.";
            await AbandonAsync(Actor.System, id, message).ConfigureAwait(false);
            Finish(EvaluationJobState.Failed, message, null);
        }
    }

    /// <summary>The protocol of <c>mote evaluate</c>, on a face pipeline of its own (disposed after the run).</summary>
    private async Task<EvaluationReport> ProduceAsync(string id, EvaluationRunRequest request, EvaluationDataset data, CancellationToken ct)
    {
        var progress = new InlineProgress<EvaluationProgress>(p => Report(id, p));
        progress.Report(new EvaluationProgress("preparing the model pack", 0, 1));
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var modelPack = await scope.ServiceProvider.GetRequiredService<ModelPackService>().GetAsync(ct).ConfigureAwait(false);
            var engine = scope.ServiceProvider.GetRequiredService<GalleryEngine>();
            using var inputs = EvaluationInputs.Open(modelPack, engine, settings.DescriptorCache!, engine.ConfiguredBackbone);
            var options = new EvaluationOptions
            {
                // The engine's trainer for this backbone (its measured anchor), as enrollment trains on it.
                Trainer = TemplateTrainerOptions.EngineFor(inputs.Backbone.Id),
                Seed = request.Seed,
                SweepFemaleShares = request.Sweep ? new EvaluationOptions().SweepFemaleShares : [],
                Privacy = request.Privacy,
                Parallelism = settings.Parallelism,
            };
            // A thread of its own: the run blocks for minutes, which the thread pool should not lend.
            return await Task.Factory.StartNew(
                () => inputs.Run(new EvaluationRunner(options, time), data, impostors: null, request.Describe(), commit: null, progress, ct),
                ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private void Report(string id, EvaluationProgress progress)
    {
        lock (_gate)
        {
            if (_current is { } current && current.Id == id && !current.IsFinished)
            {
                _current = current with { Progress = progress };
            }
        }
    }

    private void Finish(EvaluationJobState state, string? message, string? runId)
    {
        lock (_gate)
        {
            _current = _current! with { State = state, Message = message, RunId = runId, FinishedUtc = time.GetUtcNow() };
            _cancellingActor = null;
            _cancel?.Dispose();
            _cancel = null;
        }
    }

    private async Task AbandonAsync(Actor actor, string id, string message)
    {
        try
        {
            await AuditAsync(actor, AuditEventCode.EvaluationAbandoned, id, message, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The job must still finish (and say why) when the audit write fails, e.g. during shutdown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.LogError(e, "Could not audit the end of evaluation job {JobId}", id);
        }
    }

    private async Task AuditAsync(Actor actor, AuditEventCode code, string id, string detail, CancellationToken ct)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await scope.ServiceProvider.GetRequiredService<AuditTrail>().AppendAsync(actor, code, id, detail, ct).ConfigureAwait(false);
        }
    }
}
