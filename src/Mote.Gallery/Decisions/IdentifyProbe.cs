using System.Diagnostics;
using System.Text.Json;
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
/// 1:N: who, if anyone, is the largest face in the probe? Screens every template at once (int8, both cores),
/// rescores exactly those that could pass, and returns up to <c>top</c> people who pass their own threshold,
/// best first, or "no match" — the same answer as scoring each template alone. Stores the
/// decision (the probe only when the settings keep probe images; default not) and writes one <see cref="AuditEventCode.ProbeIdentified"/> event. Needs
/// <see cref="Permission.Identify"/>.
/// </summary>
public sealed class IdentifyProbe(MoteDbContext db, GalleryEngine engine, GalleryIndex index, TemplateProtector protector, GallerySettingsStore settings, AuditTrail audit, TimeProvider time,
    DecisionExplanationQueue? explanations = null)
{
    public async Task<IdentificationOutcome> ExecuteAsync(Actor actor, ReadOnlyMemory<byte> probe, int top = 5, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.Identify);
        top = Math.Clamp(top, 1, 50);
        var started = Stopwatch.StartNew();
        var analyzer = await engine.GetAnalyzerAsync(ct).ConfigureAwait(false);
        var face = DecisionRecorder.ProbeFace(analyzer, probe, ct);
        var gallery = await index.GetAsync(analyzer.Backbone, ct).ConfigureAwait(false);
        var matches = new List<IdentificationMatch>();
        if (gallery.Identifier is { } identifier)
        {
            var result = identifier.Identify(analyzer.Backbone, face.Descriptor, gallery.Thresholds, top);
            matches.AddRange(result.Candidates.Select(c => new IdentificationMatch(gallery.People[c.TemplateIndex].Id, gallery.People[c.TemplateIndex].Name, c.Score, c.Threshold)));
        }
        var elapsed = started.Elapsed;
        if (matches.Count > 0)
        {
            // Readable scores for the few candidates: their groups and templates (scale) from their records.
            var population = engine.GetPopulation(analyzer.Backbone);
            var ids = matches.Select(m => m.PersonId).ToArray();
            var people = await db.People.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct).ConfigureAwait(false);
            for (var i = 0; i < matches.Count; i++)
            {
                if (people.TryGetValue(matches[i].PersonId, out var person))
                {
                    var template = PersonRecords.OpenTemplate(person, protector, analyzer.Backbone);
                    var group = PersonGroup.Of(person);
                    matches[i] = matches[i] with
                    {
                        Reading = ScoreReading.For(template, population, engine.TemplateSignature, group, matches[i].Score, person.TargetFmr),
                        ThresholdReading = ScoreReading.For(template, population, engine.TemplateSignature, group, matches[i].Threshold, person.TargetFmr),
                    };
                }
            }
        }

        var best = matches.FirstOrDefault();
        var row = new Decision
        {
            Id = Guid.NewGuid().ToString(),
            Kind = "identify",
            PersonId = best?.PersonId,
            Score = best?.Score,
            Threshold = best?.Threshold,
            Accepted = best is not null,
            CandidatesJson = JsonSerializer.Serialize(matches.Select(m => new { personId = m.PersonId, score = m.Score, threshold = m.Threshold })),
            DurationMs = elapsed.TotalMilliseconds,
            CreatedUtc = time.GetUtcNow(),
            ActorId = actor.Id,
            ActorName = actor.Name,
            ExplanationState = best is null ? ExplanationState.NoMatch : explanations is not { IsRunning: true } ? ExplanationState.NotQueued : ExplanationState.Computing,
        };
        await DecisionRecorder.RecordAsync(db, settings, protector, audit, actor, row, probe, AuditEventCode.ProbeIdentified, best?.PersonId,
            best is null ? $"decision {row.Id}: no match among {gallery.People.Count}" : $"decision {row.Id}: {matches.Count} match(es), best {best.PersonName}: score {best.Reading?.Text ?? ReadableScore.LogOdds(best.Score)} vs threshold {best.ThresholdReading?.Text ?? ReadableScore.LogOdds(best.Threshold)}", ct).ConfigureAwait(false);
        if (best is not null)
        {
            // A 1:N decision is explained for its best match (a decision with no match has no template to explain).
            await DecisionRecorder.QueueExplanationAsync(db, explanations, new ExplanationRequest(row.Id, best.PersonId, probe.ToArray(), best.Score, best.Threshold), ct).ConfigureAwait(false);
        }
        return new IdentificationOutcome(row.Id, matches, gallery.People.Count, elapsed);
    }
}
