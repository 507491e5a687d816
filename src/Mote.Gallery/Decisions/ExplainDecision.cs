using System.Buffers.Binary;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Explain;
using Mote.Core.Imaging;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Jobs;
using Mote.Core.Templates;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Decisions;

/// <summary>A decision to explain: its id, the person whose template decided, the probe (held in memory only), the figures,
/// and which face of the probe was decided (<paramref name="FaceIndex"/>, largest first; default 0, the largest).</summary>
public sealed record ExplanationRequest(string DecisionId, string PersonId, byte[] Probe, float Score, float Threshold, int FaceIndex = 0);

/// <summary>
/// Computes and stores one decision's explanation (<see cref="DecisionExplanationRecord"/>): occlusion (the variant picked by
/// the stored outcome, <see cref="OcclusionSensitivity.VariantFor"/>) and Grad-CAM++ maps with faithfulness figures and the score context (genuine scores only when the person's reference
/// face is kept, impostor scores always; equal balance over the pack's groups). Runs as the system, after the decision
/// and its audit event are written, so it adds no audit event of its own: the explanation belongs to that decision.
/// </summary>
public sealed class ExplainDecision(MoteDbContext db, GalleryEngine engine, TemplateProtector protector, GallerySettingsStore settings, TimeProvider time)
{
    /// <summary>
    /// Explains and stores, and marks the decision <see cref="ExplanationState.Ready"/>; returns null when the analyzer
    /// cannot explain or the probe yields no face (the decision is then marked <see cref="ExplanationState.Failed"/>), or
    /// when the decision or person is gone (nothing left to mark). Detects and aligns the probe again: for an explanation
    /// computed at once (<c>mote explain</c>); the background job uses <see cref="ExecuteStoredAsync"/>.
    /// </summary>
    public Task<ProbeExplanation?> ExecuteAsync(ExplanationRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ExplainAsync(request.DecisionId, request.PersonId, request.Score, request.Threshold, false,
            (explainer, template, context, seed, accepted) => explainer.Explain(request.Probe, request.FaceIndex, template, request.Score, request.Threshold, context, seed, ct, accepted), ct);
    }

    /// <summary>
    /// Explains a decision from the input stored with it when it was made (<see cref="DecisionExplanationInput"/>: the aligned
    /// probe face and its descriptor, never the upload), stores the explanation, marks the decision and deletes the input.
    /// Returns null when the decision, its person or its input is gone (erased meanwhile) or when an earlier run already stored
    /// the explanation (a run repeated after a restart).
    /// </summary>
    public async Task<ProbeExplanation?> ExecuteStoredAsync(string decisionId, CancellationToken ct = default)
    {
        if (await db.DecisionExplanations.AnyAsync(e => e.DecisionId == decisionId, ct).ConfigureAwait(false))
        {
            await DropInputAsync(decisionId, ct).ConfigureAwait(false);
            await MarkAsync(decisionId, ExplanationState.Ready, ct).ConfigureAwait(false);
            return null;
        }
        var input = await db.DecisionExplanationInputs.AsNoTracking().SingleOrDefaultAsync(i => i.DecisionId == decisionId, ct).ConfigureAwait(false);
        var decision = await db.Decisions.AsNoTracking().SingleOrDefaultAsync(d => d.Id == decisionId, ct).ConfigureAwait(false);
        if (input is null || decision?.PersonId is null)
        {
            return null; // erased meanwhile: nothing to explain
        }
        var (descriptor, crop) = DecisionExplanationInputs.Open(protector, input);
        try
        {
            return await ExplainAsync(decisionId, decision.PersonId, input.Score, input.Threshold, true,
                (explainer, template, context, seed, accepted) => explainer.ExplainAligned(crop, descriptor, template, input.Score, input.Threshold, context, seed, accepted), ct).ConfigureAwait(false);
        }
        finally
        {
            // Done with it either way (a failure is marked, never retried with the same input); not cancellable, so a stop
            // between storing the explanation and this line leaves the input for the repeated run, which finds the explanation.
            await DropInputAsync(decisionId, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private Task<int> DropInputAsync(string decisionId, CancellationToken ct) =>
        db.DecisionExplanationInputs.Where(i => i.DecisionId == decisionId).ExecuteDeleteAsync(ct);

    private async Task<ProbeExplanation?> ExplainAsync(string decisionId, string personId, float score, float threshold, bool fromInput,
        Func<IProbeExplainer, ITemplate, Func<float[], ScoreContext?>, int, bool, ProbeExplanation?> explain, CancellationToken ct)
    {
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        if (analyzer is not IProbeExplainer explainer)
        {
            await MarkAsync(decisionId, ExplanationState.Failed, ct).ConfigureAwait(false);
            return null;
        }
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, ct).ConfigureAwait(false);
        // The stored outcome picks the occlusion variant: hidden alone for an accepted decision (a verification at or above
        // the person's threshold, or an identification's match, the only identifications explained), both ends for a rejected
        // one. The candidate list as read now is compared again when the explanation is stored (see StoreAsync).
        var decision = await db.Decisions.AsNoTracking().Where(d => d.Id == decisionId)
            .Select(d => new { d.Accepted, d.CandidatesJson }).SingleOrDefaultAsync(ct).ConfigureAwait(false);
        if (person is null || decision is null)
        {
            return null; // erased meanwhile: nothing to explain
        }
        var template = PersonRowMapper.OpenTemplate(person, protector, analyzer.Backbone);
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
        Func<float[], ScoreContext?> context = probe => reference is null
            ? ScoreContext.SampleImpostors(template, population, score, threshold, seed, probe)
            : ScoreContext.Sample(template, population, reference, null, score, threshold, seed, probe);
        // Grad-CAM++ runs TorchSharp autograd: it waits for the process's one native gate (NativeWorkGate), with trainings.
        ProbeExplanation? result;
        using (await NativeWorkGate.Process.EnterAsync("explanation", ct).ConfigureAwait(false))
        {
            result = await Task.Run(() => explain(explainer, template, context, seed, decision.Accepted), ct).ConfigureAwait(false);
        }
        if (result is null)
        {
            await MarkAsync(decisionId, ExplanationState.Failed, ct).ConfigureAwait(false);
            return null;
        }
        if (!await StoreAsync(decisionId, decision.CandidatesJson, fromInput, result, ct).ConfigureAwait(false))
        {
            return null; // the decision was erased while it was being explained
        }
        return result;
    }

    /// <summary>
    /// Stores the explanation, marks the decision ready and drops its waiting input, in one transaction; false (nothing
    /// stored) when the decision is gone. The aligned probe face is kept with it, encrypted, when the settings keep
    /// explanation faces (<see cref="GallerySettings.ExplanationFaceDays"/> above 0; <see cref="ExplanationFaceRetention"/>
    /// and the reader drop it after that many days), unless an erasure scrubbed this decision while it was explained.
    /// <see cref="Erasure.ErasePerson"/> rewrites the candidate list of every decision that named the erased person, deletes its
    /// waiting input, then clears its crop. So the candidate list must still read as before explaining
    /// (<paramref name="candidatesJson"/>), and a job's input must still be there to delete (<paramref name="fromInput"/>).
    /// Each check is a write on a row the erasure writes too: it waits for an erasure that holds the row (then finds it
    /// changed), or makes the erasure wait until this commit, after which the erasure's crop statement clears this crop.
    /// </summary>
    internal async Task<bool> StoreAsync(string decisionId, string? candidatesJson, bool fromInput, ProbeExplanation result, CancellationToken ct)
    {
        var faceDays = (await settings.ReadAsync(ct).ConfigureAwait(false)).ExplanationFaceDays;
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            // The decision row first, then the input: the order ErasePerson takes them in, so neither waits for the other in a circle.
            var listKept = await db.Decisions.Where(d => d.Id == decisionId && d.CandidatesJson == candidatesJson)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.ExplanationState, ExplanationState.Ready), ct).ConfigureAwait(false) == 1;
            if (!listKept && await MarkAsync(decisionId, ExplanationState.Ready, ct).ConfigureAwait(false) == 0)
            {
                return false;
            }
            var inputKept = !fromInput || await DropInputAsync(decisionId, ct).ConfigureAwait(false) == 1;
            db.DecisionExplanations.Add(new DecisionExplanationRecord
            {
                DecisionId = decisionId,
                Json = result.Explanation.ToJson(),
                CropBlob = inputKept && listKept && faceDays > 0
                    ? protector.Protect(decisionId, DecisionExplanationRecord.CropPurpose, ImageEncoding.ToPng(result.AlignedCrop))
                    : null,
                ElapsedMs = result.Explanation.TotalMs,
                CreatedUtc = time.GetUtcNow(),
            });
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Sets the decision's <see cref="Decision.ExplanationState"/>; returns the rows changed (0 when the decision is gone).</summary>
    public Task<int> MarkAsync(string decisionId, ExplanationState state, CancellationToken ct = default) =>
        db.Decisions.Where(d => d.Id == decisionId).ExecuteUpdateAsync(s => s.SetProperty(d => d.ExplanationState, state), ct);
}

/// <summary>
/// Explains decisions in the background, right after they are recorded, as durable jobs of the <see cref="JobRuntime"/>
/// (kind <see cref="JobKind.Explain"/>), one at a time: an explanation costs about a second on 2 cores (7x7 occlusion ≈ 0.4 s, about twice that for a rejected decision (both ends),
/// faithfulness ≈ 0.3 s a map, Grad-CAM++ ≈ 15 ms; docs/explanations.md), too slow for the verify path. What the job needs —
/// the aligned probe face and its descriptor, as the decision computed them — is stored with the decision, encrypted
/// (<see cref="DecisionExplanationInput"/>), so a queued explanation survives a restart and never needs the upload again.
/// There is no limit: a burst of decisions waits queued (until 2026-12 an in-memory queue held 64 and dropped the rest).
/// </summary>
public sealed class DecisionExplanationQueue(JobRuntime runtime, TemplateProtector protector, TimeProvider time)
{
    /// <summary>
    /// True where a scheduler runs jobs (the portal). The command line never starts one: its decisions are recorded
    /// <see cref="ExplanationState.NotQueued"/> (<c>mote explain</c> explains at once).
    /// </summary>
    public bool IsRunning => runtime.IsRunning;

    /// <summary>Stores the decision's explanation input with it (in <paramref name="db"/>'s context) and queues its job.</summary>
    public async Task EnqueueAsync(MoteDbContext db, string decisionId, AnalyzedFace face, float score, float threshold, int faceIndex, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(face);
        if (face.AlignedCrop is not { } crop)
        {
            // An analyzer that keeps no aligned face cannot be explained later.
            await db.Decisions.Where(d => d.Id == decisionId)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.ExplanationState, ExplanationState.Failed), ct).ConfigureAwait(false);
            return;
        }
        db.DecisionExplanationInputs.Add(new DecisionExplanationInput
        {
            DecisionId = decisionId,
            Blob = DecisionExplanationInputs.Seal(protector, decisionId, face.Descriptor, crop),
            FaceIndex = faceIndex,
            Score = score,
            Threshold = threshold,
            CreatedUtc = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        // Not the request's token: once the input is stored, the job must be scheduled (a crash in between is reconciled at start).
        await runtime.SubmitAsync(JobKind.Explain, Actor.System, decisionId, new ExplainJobRequest(decisionId), null, capacity: null, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>The request an explanation job stores: which decision (its input is stored with the decision).</summary>
internal sealed record ExplainJobRequest(string DecisionId);

/// <summary>Runs one explanation job through <see cref="ExplainDecision.ExecuteStoredAsync"/>.</summary>
internal sealed class ExplainJobHandler(ExplainDecision explain, IServiceScopeFactory scopes) : IJobHandler
{
    public JobKind Kind => JobKind.Explain;

    public async Task<JobResult> RunAsync(JobRun run, CancellationToken ct)
    {
        var decisionId = run.Request<ExplainJobRequest>().DecisionId;
        run.Report("explaining", percent: 10);
        var result = await explain.ExecuteStoredAsync(decisionId, ct).ConfigureAwait(false);
        return new JobResult(decisionId, result is null ? "Nothing to explain (the decision was erased, or an earlier run explained it)." : "Explained.");
    }

    public async Task OnEndedAsync(JobRun run, JobState state, string message)
    {
        // A failed or cancelled explanation says so on its page instead of "being computed" forever; a fresh scope, as the
        // failed one's context may hold the half-written explanation.
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var mark = scope.ServiceProvider.GetRequiredService<ExplainDecision>();
            var decisionId = run.Request<ExplainJobRequest>().DecisionId;
            await mark.MarkAsync(decisionId, ExplanationState.Failed, CancellationToken.None).ConfigureAwait(false);
            await scope.ServiceProvider.GetRequiredService<MoteDbContext>().DecisionExplanationInputs.Where(i => i.DecisionId == decisionId)
                .ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}

/// <summary>Seals and opens <see cref="DecisionExplanationInput.Blob"/>.</summary>
internal static class DecisionExplanationInputs
{
    public static byte[] Seal(TemplateProtector protector, string decisionId, float[] descriptor, RgbImage crop)
    {
        var png = ImageEncoding.ToPng(crop);
        var plain = new byte[4 + (descriptor.Length * 4) + png.Length];
        BinaryPrimitives.WriteInt32LittleEndian(plain, descriptor.Length);
        for (var i = 0; i < descriptor.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(plain.AsSpan(4 + (i * 4)), descriptor[i]);
        }
        png.CopyTo(plain, 4 + (descriptor.Length * 4));
        return protector.Protect(decisionId, DecisionExplanationInput.Purpose, plain);
    }

    public static (float[] Descriptor, RgbImage Crop) Open(TemplateProtector protector, DecisionExplanationInput input)
    {
        var plain = protector.Unprotect(input.DecisionId, DecisionExplanationInput.Purpose, input.Blob);
        var length = BinaryPrimitives.ReadInt32LittleEndian(plain);
        if (length <= 0 || 4 + (length * 4) > plain.Length)
        {
            throw new InvalidDataException($"The explanation input of decision {input.DecisionId} is damaged.");
        }
        var descriptor = new float[length];
        for (var i = 0; i < length; i++)
        {
            descriptor[i] = BinaryPrimitives.ReadSingleLittleEndian(plain.AsSpan(4 + (i * 4)));
        }
        using var decoder = new ImageDecoder();
        return (descriptor, decoder.Decode(plain.AsSpan(4 + (length * 4))));
    }
}
