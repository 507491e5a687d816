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
/// 1:N: who, if anyone, is each usable face in the probe? Analyses every face; each that passes the decision quality
/// check is searched on its own: screens every template at once (int8, both cores), rescores exactly those that could
/// pass, and keeps up to <c>top</c> people who pass their own threshold, best first, or "no match" — the same answer as
/// scoring each template alone. Each searched face is its own decision (the probe stored only when the settings keep
/// probe images; default not) with one <see cref="AuditEventCode.ProbeIdentified"/> event; faces that fail the check are
/// returned with their reasons and decide nothing. Refused as a whole only when no face is usable. Needs
/// <see cref="Permission.Identify"/>.
/// </summary>
public sealed class IdentifyProbe(MoteDbContext db, GalleryEngine engine, GalleryIndex index, TemplateProtector protector, GallerySettingsStore settings, AuditTrail audit, TimeProvider time,
    DecisionExplanationQueue? explanations = null)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="probe">The probe photo (PNG or JPEG).</param>
    /// <param name="top">How many matching people to return per face at most; clamped to 1..50.</param>
    /// <param name="ct">Cancels the request.</param>
    public async Task<IdentificationOutcome> ExecuteAsync(Actor actor, ReadOnlyMemory<byte> probe, int top = 5, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.Identify);
        top = Math.Clamp(top, 1, 50);
        var started = Stopwatch.StartNew();
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        var analysis = DecisionRecorder.ProbeFaces(analyzer, probe, ct);
        if (!analysis.Faces.Any(f => f.Quality.IsAccepted))
        {
            throw DecisionRecorder.Unusable(analysis);
        }
        var gallery = await index.GetAsync(analyzer.Backbone, ct).ConfigureAwait(false);
        var faces = new List<IdentifiedFace>();
        for (var i = 0; i < analysis.Faces.Count; i++)
        {
            var face = analysis.Faces[i];
            var decided = DecisionRecorder.Describe(analysis, i);
            if (!face.Quality.IsAccepted)
            {
                faces.Add(new IdentifiedFace(decided, false, face.Quality.Reasons, null, []));
                continue;
            }
            var faceStarted = Stopwatch.StartNew();
            var matches = await SearchAsync(analyzer, gallery, face.Descriptor, top, ct).ConfigureAwait(false);
            var decisionId = await RecordAsync(actor, probe, decided, face, matches, gallery.People.Count, faceStarted.Elapsed, ct).ConfigureAwait(false);
            faces.Add(new IdentifiedFace(decided, true, [], decisionId, matches));
        }
        var first = faces.First(f => f.Usable);
        return new IdentificationOutcome(first.DecisionId!, first.Matches, gallery.People.Count, started.Elapsed, faces);
    }

    private async Task<List<IdentificationMatch>> SearchAsync(IFaceAnalyzer analyzer, GalleryIndex.Snapshot gallery, float[] descriptor, int top, CancellationToken ct)
    {
        var matches = new List<IdentificationMatch>();
        if (gallery.Identifier is { } identifier)
        {
            var result = identifier.Identify(analyzer.Backbone, descriptor, gallery.Thresholds, top);
            matches.AddRange(result.Candidates.Select(c => new IdentificationMatch(gallery.People[c.TemplateIndex].Id, gallery.People[c.TemplateIndex].Name, c.Score, c.Threshold)));
        }
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
                    var template = PersonRowMapper.OpenTemplate(person, protector, analyzer.Backbone);
                    var group = PersonGroup.Of(person);
                    matches[i] = matches[i] with
                    {
                        Reading = ScoreReading.For(template, population, engine.TemplateSignatureFor(population.BackboneId), group, matches[i].Score, person.TargetFmr),
                        ThresholdReading = ScoreReading.For(template, population, engine.TemplateSignatureFor(population.BackboneId), group, matches[i].Threshold, person.TargetFmr),
                    };
                }
            }
        }
        return matches;
    }

    private async Task<string> RecordAsync(Actor actor, ReadOnlyMemory<byte> probe, DecidedFace face, AnalyzedFace analyzed, List<IdentificationMatch> matches, int gallerySize, TimeSpan elapsed, CancellationToken ct)
    {
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
        await DecisionRecorder.RecordAsync(db, settings, protector, audit, actor, row, probe, face, AuditEventCode.ProbeIdentified, best?.PersonId,
            (best is null ? $"decision {row.Id}: no match among {gallerySize}" : $"decision {row.Id}: {matches.Count} match(es), best {best.PersonName}: score {best.Reading?.Text ?? ReadableScore.LogOdds(best.Score)} vs threshold {best.ThresholdReading?.Text ?? ReadableScore.LogOdds(best.Threshold)}")
            + DecisionRecorder.AuditSuffix(face), ct).ConfigureAwait(false);
        if (best is not null)
        {
            // A 1:N decision is explained for its best match, on its own face (a decision with no match has no template to explain).
            await DecisionRecorder.QueueExplanationAsync(db, explanations, row.Id, analyzed, best.Score, best.Threshold, face.Index, ct).ConfigureAwait(false);
        }
        return row.Id;
    }
}
