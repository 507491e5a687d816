using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Decisions;

/// <summary>
/// 1:1: does a face in the probe (the one picked by index, else the largest usable face) belong to the named person? Scores the probe's descriptor
/// with the person's template against their threshold, stores the decision (the probe only when the settings keep
/// probe images; default not) and writes one
/// <see cref="AuditEventCode.ProbeVerified"/> event. Needs <see cref="Permission.Verify"/>.
/// </summary>
public sealed class VerifyProbe(MoteDbContext db, GalleryEngine engine, TemplateProtector protector, GallerySettingsStore settings, AuditTrail audit, TimeProvider time,
    DecisionExplanationQueue? explanations = null)
{
    /// <summary>Verifies the probe's largest usable face.</summary>
    public Task<VerificationResult> ExecuteAsync(Actor actor, string person, ReadOnlyMemory<byte> probe, CancellationToken ct = default) =>
        ExecuteAsync(actor, person, probe, null, ct);

    /// <param name="actor">Who asks.</param>
    /// <param name="person">The person's name or id.</param>
    /// <param name="probe">The probe photo (PNG or JPEG).</param>
    /// <param name="faceIndex">Which face to verify, largest first (0 = largest); null: the largest face that passes the quality check.
    /// A picked face that fails the check is refused with its reasons.</param>
    /// <param name="ct">Cancels the request.</param>
    public async Task<VerificationResult> ExecuteAsync(Actor actor, string person, ReadOnlyMemory<byte> probe, int? faceIndex, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.Verify);
        var started = Stopwatch.StartNew();
        var claimed = await db.People.AsNoTracking().FindByNameOrIdAsync(person, ct).ConfigureAwait(false);
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        var analysis = DecisionRecorder.ProbeFaces(analyzer, probe, ct);
        var used = DecisionRecorder.Describe(analysis, DecisionRecorder.PickProbeFace(analysis, faceIndex));
        var face = analysis.Faces[used.Index];
        var template = PersonRowMapper.OpenTemplate(claimed, protector, analyzer.Backbone);
        var decision = TemplateDecision.Verify(template, analyzer.Backbone, face.Descriptor, claimed.Threshold);
        var elapsed = started.Elapsed;
        var population = engine.GetPopulation(analyzer.Backbone);
        var group = PersonGroup.Of(claimed);
        var reading = ScoreReading.For(template, population, engine.TemplateSignatureFor(population.BackboneId), group, decision.Score, claimed.TargetFmr);
        var thresholdReading = ScoreReading.For(template, population, engine.TemplateSignatureFor(population.BackboneId), group, decision.Threshold, claimed.TargetFmr);

        var row = new Decision
        {
            Id = Guid.NewGuid().ToString(),
            Kind = "verify",
            PersonId = claimed.Id,
            Score = decision.Score,
            Threshold = decision.Threshold,
            Accepted = decision.Accepted,
            DurationMs = elapsed.TotalMilliseconds,
            CreatedUtc = time.GetUtcNow(),
            ActorId = actor.Id,
            ActorName = actor.Name,
            ExplanationState = explanations is not { IsRunning: true } ? ExplanationState.NotQueued : ExplanationState.Computing,
        };
        await DecisionRecorder.RecordAsync(db, settings, protector, audit, actor, row, probe, used, AuditEventCode.ProbeVerified, claimed.Id,
            $"decision {row.Id}: {(decision.Accepted ? "accepted" : "rejected")}, score {reading.Text} vs threshold {thresholdReading.Text}{DecisionRecorder.AuditSuffix(used)}", ct).ConfigureAwait(false);
        // Explained in the background (about a second on 2 cores), so the decision's latency does not grow.
        await DecisionRecorder.QueueExplanationAsync(db, explanations, row.Id, face, decision.Score, decision.Threshold, used.Index, ct).ConfigureAwait(false);
        return new VerificationResult(row.Id, claimed.Id, claimed.Name, decision.Score, decision.Threshold, decision.Accepted, elapsed, reading, thresholdReading, used);
    }
}
