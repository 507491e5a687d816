using System.Text.Json;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mote.Core;
using Mote.Core.Evaluation;
using Mote.Core.Imaging;
using Mote.Core.Population.Labels;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Engine;
using Mote.Gallery.Jobs;
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
    /// <summary>True once the run succeeded, failed or was cancelled: nothing will change any more.</summary>
    public bool IsFinished => State is EvaluationJobState.Succeeded or EvaluationJobState.Failed or EvaluationJobState.Cancelled;
}

/// <summary>
/// Evaluations started from the portal, as durable jobs of the <see cref="JobRuntime"/> (kind <see cref="JobKind.Evaluate"/>):
/// one at a time, the same protocol as <c>mote evaluate</c> (Core's <see cref="EvaluationRunner"/> on the dlib backbone, best
/// face per photo, the population pack, a descriptor cache), with <see cref="EvaluationRunSettings.Parallelism"/> workers
/// (default 1); every training waits for the process's one native gate (<see cref="Core.Templates.NativeWorkGate"/>), so a
/// run never trains beside an enrollment. Progress (phase, done/total) is written to the job store once a second, so any page
/// of any instance shows it. The report is recorded through <see cref="RecordEvaluationRun"/> as the starting actor only when
/// the whole run finished; a failed or cancelled run records nothing. A server stop interrupts a run, which then runs again
/// from the start at the next start (the descriptor cache makes describing fast).
/// Starting and cancelling need <see cref="Permission.RunEvaluations"/> (starting writes <see cref="AuditEventCode.EvaluationStarted"/>;
/// a cancelled or failed run <see cref="AuditEventCode.EvaluationAbandoned"/>); reading the status needs <see cref="Permission.ViewFairness"/>.
/// </summary>
public sealed class EvaluationJobs(JobRuntime runtime, EvaluationRunSettings settings, IServiceScopeFactory scopes)
{
    /// <summary>The running job, or the last one to finish; null when none was ever started (or it was pruned).</summary>
    public async Task<EvaluationJobStatus?> CurrentAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        return await runtime.LatestAsync(JobKind.Evaluate, ct).ConfigureAwait(false) is { } row ? ToStatus(row) : null;
    }

    /// <summary>
    /// Checks the request, refuses while another run is queued or going, writes the <see cref="AuditEventCode.EvaluationStarted"/>
    /// event and queues the run. Returns at once.
    /// </summary>
    /// <exception cref="GalleryException">A bad request or a run in progress, in words; nothing started, no event.</exception>
    public async Task<EvaluationJobStatus> StartAsync(Actor actor, EvaluationRunRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.RunEvaluations);
        var data = Open(settings, request);
        if (await runtime.ActiveAsync(JobKind.Evaluate, ct).ConfigureAwait(false) is [var running, ..])
        {
            throw new GalleryException(string.Create(CultureInfo.InvariantCulture,
                $"An evaluation run is already in progress (started by {running.ActorName} at {running.CreatedUtc:HH:mm} UTC on {running.Subject}); wait for it to finish or cancel it."));
        }
        var row = await runtime.SubmitAsync(JobKind.Evaluate, actor, request.Dataset, request, null, capacity: 1, ct).ConfigureAwait(false);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await scope.ServiceProvider.GetRequiredService<AuditTrail>().AppendAsync(actor, AuditEventCode.EvaluationStarted, row.Id,
                $"{request.Describe()} ({data.Identities.Count} identities, {data.PhotoCount} photos)", CancellationToken.None).ConfigureAwait(false);
        }
        return ToStatus(row);
    }

    /// <summary>Asks the queued or running job to stop (it stops between steps, within seconds); it records nothing. Writes
    /// <see cref="AuditEventCode.EvaluationAbandoned"/> as <paramref name="actor"/>.</summary>
    /// <exception cref="GalleryException">No run is in progress, or it is already being recorded.</exception>
    public async Task<EvaluationJobStatus> CancelAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.RunEvaluations);
        if (await runtime.ActiveAsync(JobKind.Evaluate, ct).ConfigureAwait(false) is not [var running, ..])
        {
            throw new GalleryException("No evaluation run is in progress.");
        }
        if (running.Phase == RecordingPhase)
        {
            throw new GalleryException("The run has finished and is being recorded; it can no longer be cancelled.");
        }
        var cancelled = await runtime.CancelAsync(running.Id, actor, ct).ConfigureAwait(false);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await scope.ServiceProvider.GetRequiredService<AuditTrail>().AppendAsync(actor, AuditEventCode.EvaluationAbandoned, running.Id,
                $"Cancelled by {actor.Name}; nothing was recorded.", CancellationToken.None).ConfigureAwait(false);
        }
        return ToStatus(cancelled);
    }

    /// <summary>Waits until the newest job (if any) has finished; for tests.</summary>
    public async Task<EvaluationJobStatus?> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        if (await runtime.LatestAsync(JobKind.Evaluate, cts.Token).ConfigureAwait(false) is not { } latest)
        {
            return null;
        }
        try
        {
            return ToStatus((await runtime.WaitAsync(latest.Id, cts.Token).ConfigureAwait(false)).Row);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"The evaluation job did not finish within {timeout}.");
        }
    }

    internal const string RecordingPhase = "recording";

    internal static EvaluationJobStatus ToStatus(BackgroundJob row)
    {
        var request = JsonSerializer.Deserialize<EvaluationRunRequest>(row.RequestJson, JobRuntime.Json) ?? new EvaluationRunRequest(row.Subject);
        var state = row.State switch
        {
            JobState.Succeeded => EvaluationJobState.Succeeded,
            JobState.Failed => EvaluationJobState.Failed,
            JobState.Cancelled => EvaluationJobState.Cancelled,
            _ when row.Phase == RecordingPhase => EvaluationJobState.Recording,
            _ => EvaluationJobState.Running,
        };
        var phase = row.State == JobState.Queued ? (row.Message is { } note ? $"queued: {note}" : "queued") : row.Phase ?? "starting";
        return new EvaluationJobStatus(row.Id, request, row.ActorName, row.CreatedUtc, state, new EvaluationProgress(phase, row.Done, row.Total),
            row.IsFinished && row.State != JobState.Succeeded ? row.Message : null, row.State == JobState.Succeeded ? row.ResultId : null,
            row.FinishedUtc, row.CancelRequestedBy);
    }

    internal static EvaluationDataset Open(EvaluationRunSettings settings, EvaluationRunRequest request)
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
}

/// <summary>Runs one evaluation job; records the report only when the whole run finished.</summary>
internal sealed class EvaluateJobHandler(
    EvaluationRunSettings settings, ModelPackService modelPacks, GalleryEngine engine, RecordEvaluationRun record, AuditTrail audit,
    TimeProvider time, ILogger<EvaluateJobHandler> log) : IJobHandler
{
    public JobKind Kind => JobKind.Evaluate;

    public async Task<JobResult> RunAsync(JobRun run, CancellationToken ct)
    {
        var request = run.Request<EvaluationRunRequest>();
        EvaluationReport report;
        try
        {
            report = await ProduceAsync(run, request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GalleryException or ArgumentException or InvalidDataException or ImageRejectedException)
        {
            throw new GalleryException($"The run failed: {e.Message} Nothing was recorded.");
        }
        ct.ThrowIfCancellationRequested();
        run.Report(EvaluationJobs.RecordingPhase, 1, 1, 99);
        // Not cancellable: one short transaction, all or nothing.
        var runId = await record.ExecuteAsync(run.Actor, report, null, CancellationToken.None).ConfigureAwait(false);
        return new JobResult(runId, "Recorded.");
    }

    private async Task<EvaluationReport> ProduceAsync(JobRun run, EvaluationRunRequest request, CancellationToken ct)
    {
        var data = EvaluationJobs.Open(settings, request);
        run.Report("preparing the model pack", 0, 1);
        var modelPack = await modelPacks.GetAsync(ct).ConfigureAwait(false);
        using var inputs = EvaluationInputs.Open(modelPack, engine, settings.DescriptorCache!);
        var options = new EvaluationOptions
        {
            // The engine's trainer for this backbone, as enrollment trains on it (its measured anchor and the Mote:Engine settings).
            Trainer = engine.TrainerOptionsFor(inputs.Backbone.Id),
            Seed = request.Seed,
            SweepFemaleShares = request.Sweep ? new EvaluationOptions().SweepFemaleShares : [],
            Privacy = request.Privacy,
            Parallelism = settings.Parallelism,
        };
        var progress = new InlineProgress<EvaluationProgress>(p => run.Report(p.Phase, p.Done, p.Total, p.Total > 0 ? 100 * p.Done / p.Total : 0));
        // A thread of its own: the run blocks for minutes, which the thread pool should not lend.
        return await Task.Factory.StartNew(
            () => inputs.Run(new EvaluationRunner(options, time), data, impostors: null, request.Describe(), commit: null, progress, ct),
            ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
    }

    public async Task OnEndedAsync(JobRun run, JobState state, string message)
    {
        if (state != JobState.Failed)
        {
            return; // a cancel is audited by EvaluationJobs.CancelAsync, as whoever cancelled
        }
        try
        {
            await audit.AppendAsync(Actor.System, AuditEventCode.EvaluationAbandoned, run.Id, message, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The job must still finish (and say why) when the audit write fails, e.g. during shutdown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.LogError(e, "Could not audit the end of evaluation job {JobId}", run.Id);
        }
    }
}
