using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mote.Core.Explain;
using Mote.Core.Imaging;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Decisions;

/// <summary>A decision to explain: its id, the person whose template decided, the probe (held in memory only), the figures,
/// and which face of the probe was decided (<paramref name="FaceIndex"/>, largest first; default 0, the largest).</summary>
public sealed record ExplanationRequest(string DecisionId, string PersonId, byte[] Probe, float Score, float Threshold, int FaceIndex = 0);

/// <summary>
/// Computes and stores one decision's explanation (<see cref="DecisionExplanationRecord"/>): occlusion and
/// Grad-CAM++ maps with faithfulness figures and the score context (genuine scores only when the person's reference
/// face is kept, impostor scores always; equal balance over the pack's groups). Runs as the system, after the decision
/// and its audit event are written, so it adds no audit event of its own: the explanation belongs to that decision.
/// </summary>
public sealed class ExplainDecision(MoteDbContext db, GalleryEngine engine, TemplateProtector protector, GallerySettingsStore settings, TimeProvider time)
{
    /// <summary>
    /// Explains and stores, and marks the decision <see cref="ExplanationState.Ready"/>; returns null when the analyzer
    /// cannot explain or the probe yields no face (the decision is then marked <see cref="ExplanationState.Failed"/>), or
    /// when the decision or person is gone (nothing left to mark).
    /// </summary>
    public async Task<ProbeExplanation?> ExecuteAsync(ExplanationRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        if (analyzer is not IProbeExplainer explainer)
        {
            await MarkAsync(request.DecisionId, ExplanationState.Failed, ct).ConfigureAwait(false);
            return null;
        }
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == request.PersonId, ct).ConfigureAwait(false);
        if (person is null || !await db.Decisions.AnyAsync(d => d.Id == request.DecisionId, ct).ConfigureAwait(false))
        {
            return null; // erased meanwhile: nothing to explain
        }
        var template = PersonRecords.OpenTemplate(person, protector, analyzer.Backbone);
        var population = engine.GetPopulation(analyzer.Backbone);
        float[]? reference = null;
        try
        {
            reference = (await ReferenceFaces.ResolveAsync(db, protector, analyzer, person, null, null, ct).ConfigureAwait(false)).Descriptor;
        }
        catch (GalleryException)
        {
            // No reference face kept: the context shows impostor scores only.
        }
        // Seeds from the person's seed: the same person's contexts are drawn alike, apart from training's streams.
        var seed = unchecked((int)(person.Seed * 53) + 15_485_863);
        // TorchSharp work in this process is serialised with training (PersonTemplates.TrainingGate): concurrent use
        // once failed inside AdamW; an explanation in the background can wait for a training to finish.
        ProbeExplanation? result;
        await PersonTemplates.TrainingGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            result = await Task.Run(() => explainer.Explain(request.Probe, request.FaceIndex, template, request.Score, request.Threshold, probe => reference is null
                ? ScoreContext.SampleImpostors(template, population, request.Score, request.Threshold, seed, probe)
                : ScoreContext.Sample(template, population, reference, null, request.Score, request.Threshold, seed, probe), seed, ct), ct).ConfigureAwait(false);
        }
        finally
        {
            PersonTemplates.TrainingGate.Release();
        }
        if (result is null)
        {
            await MarkAsync(request.DecisionId, ExplanationState.Failed, ct).ConfigureAwait(false);
            return null;
        }
        // The aligned crop shows the probe's face: kept only with the decision's own kept probe image, so a crop computed
        // while ErasePerson scrubbed this decision (it deletes the probe image of a decision that listed the erased
        // person) is not written back after the erasure.
        var keep = (await settings.ReadAsync(ct).ConfigureAwait(false)).KeepProbeImages
            && await db.DecisionProbeImages.AnyAsync(p => p.DecisionId == request.DecisionId, ct).ConfigureAwait(false);
        db.DecisionExplanations.Add(new DecisionExplanationRecord
        {
            DecisionId = request.DecisionId,
            Json = result.Explanation.ToJson(),
            CropBlob = keep ? protector.Protect(request.DecisionId, DecisionExplanationRecord.CropPurpose, ImageEncoding.ToPng(result.AlignedCrop)) : null,
            ElapsedMs = result.Explanation.TotalMs,
            CreatedUtc = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        // Readers take a stored explanation as ready whatever the column says, so this second statement may lag.
        await MarkAsync(request.DecisionId, ExplanationState.Ready, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>Sets the decision's <see cref="Decision.ExplanationState"/>; does nothing when the decision is gone.</summary>
    public Task MarkAsync(string decisionId, ExplanationState state, CancellationToken ct = default) =>
        db.Decisions.Where(d => d.Id == decisionId).ExecuteUpdateAsync(s => s.SetProperty(d => d.ExplanationState, state), ct);
}

/// <summary>
/// Explains decisions in the background, right after they are recorded, one at a time: an explanation costs about
/// a second on 2 cores (7x7 occlusion ≈ 0.4 s, faithfulness ≈ 0.3 s a map, Grad-CAM++ ≈ 15 ms; docs/explanations.md),
/// too slow for the verify path. The probe waits in memory only. A full queue (64) or a restart leaves that decision
/// without an explanation; the decision's <see cref="Decision.ExplanationState"/> and <see cref="Holds"/> let the
/// explanation page say which (<see cref="GetExplanation"/>).
/// </summary>
public sealed class DecisionExplanationQueue(IServiceScopeFactory scopes, ILogger<DecisionExplanationQueue> log) : BackgroundService
{
    /// <summary>At most this many decisions wait.</summary>
    public const int Capacity = 64;

    private readonly Channel<ExplanationRequest> _pending = Channel.CreateBounded<ExplanationRequest>(new BoundedChannelOptions(Capacity) { SingleReader = true });

    // Decisions queued or being explained: an id leaves only after its final state is written, so a reader that asks
    // here first and reads the database second never takes a finishing explanation for a lost one.
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private int _running;

    /// <summary>Queues a decision; false when the queue is full (the decision then has no explanation).</summary>
    public bool Enqueue(ExplanationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _held[request.DecisionId] = 0;
        if (_pending.Writer.TryWrite(request))
        {
            return true;
        }
        _held.TryRemove(request.DecisionId, out _);
        return false;
    }

    /// <summary>
    /// True while the background service runs. The command line registers the queue but never starts it: its decisions
    /// are recorded <see cref="ExplanationState.NotQueued"/> instead of waiting in a queue no one reads.
    /// </summary>
    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>True while the decision waits in this process's queue or is being explained.</summary>
    public bool Holds(string decisionId) => _held.ContainsKey(decisionId);

    /// <summary>The decisions held right now (at most <see cref="Capacity"/> + 1).</summary>
    public IReadOnlySet<string> Held() => _held.Keys.ToHashSet(StringComparer.Ordinal);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Volatile.Write(ref _running, 1);
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        await foreach (var request in _pending.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                using var scope = scopes.CreateScope();
                await scope.ServiceProvider.GetRequiredService<ExplainDecision>().ExecuteAsync(request, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Explaining decision {DecisionId} failed; it stays without an explanation.", request.DecisionId);
                await MarkFailedAsync(request.DecisionId, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                _held.TryRemove(request.DecisionId, out _);
            }
        }
    }

    private async Task MarkFailedAsync(string decisionId, CancellationToken ct)
    {
        try
        {
            // A fresh scope: the failed one's context may hold the half-written explanation.
            using var scope = scopes.CreateScope();
            await scope.ServiceProvider.GetRequiredService<ExplainDecision>().MarkAsync(decisionId, ExplanationState.Failed, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Marking decision {DecisionId}'s explanation as failed failed too; the page will call it lost.", decisionId);
        }
    }
}
