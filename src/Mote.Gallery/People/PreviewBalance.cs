using Microsoft.EntityFrameworkCore;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.People;

/// <summary>A proposed balance to preview for one person.</summary>
/// <param name="Person">Name or id.</param>
/// <param name="Balance">Proposed weights by group id (an empty part stays equal).</param>
/// <param name="Photo">A new photo to train the candidate from; null = the retained reference face, if any.</param>
/// <param name="FaceIndex">Which face of <paramref name="Photo"/>; null = the largest.</param>
public sealed record BalancePreviewRequest(
    string Person,
    (IReadOnlyDictionary<string, double> Negatives, IReadOnlyDictionary<string, double> Variation) Balance,
    ReadOnlyMemory<byte>? Photo = null,
    int? FaceIndex = null);

/// <summary>Expected false-match rate against one group's synthetic impostors.</summary>
/// <param name="Group">The negative group.</param>
/// <param name="Impostors">How many impostors of that group were scored.</param>
/// <param name="CurrentFalseMatches">How many the stored template accepts at its threshold.</param>
/// <param name="CandidateFalseMatches">How many the candidate accepts at its own threshold; null without a candidate.</param>
public sealed record GroupFalseMatchRate(string Group, int Impostors, int CurrentFalseMatches, int? CandidateFalseMatches)
{
    /// <summary>The stored template's false-match rate against this group: <see cref="CurrentFalseMatches"/> / <see cref="Impostors"/>.</summary>
    public double CurrentFmr => (double)CurrentFalseMatches / Impostors;

    /// <summary>The candidate's false-match rate against this group; null without a candidate.</summary>
    public double? CandidateFmr => CandidateFalseMatches is { } c ? (double)c / Impostors : null;
}

/// <summary>The preview: per group, the stored template beside a candidate trained with the proposed balance.</summary>
/// <param name="CurrentThreshold">The stored template's threshold.</param>
/// <param name="CandidateThreshold">The candidate's threshold (calibrated like a retraining would); null without a candidate.</param>
/// <param name="Groups">One row per negative group of the population pack.</param>
/// <param name="CandidateUnavailable">Why there is no candidate (no reference kept and no photo given); null when there is one.</param>
/// <param name="TargetFmr">The target FMR thresholds are calibrated to.</param>
/// <param name="Notes">What the preview can and cannot show, in words: e.g. a raised group whose rate did not drop, and why.</param>
public sealed record BalancePreview(float CurrentThreshold, float? CandidateThreshold, IReadOnlyList<GroupFalseMatchRate> Groups, string? CandidateUnavailable, double TargetFmr,
    IReadOnlyList<string>? Notes = null);

/// <summary>
/// Previews a balance before retraining: this person's expected false-match rate against synthetic impostors of
/// each group, for the stored template at its threshold and — when a reference face is available (retained, or a
/// new photo) — for a candidate trained with the proposed balance and the person's seed, i.e. exactly what
/// <see cref="RetrainPerson"/> would store. The impostors come from a seed stream apart from training's and
/// calibration's. Stores nothing, writes no audit event. Needs <see cref="Permission.ManageGallery"/>.
/// </summary>
public sealed class PreviewBalance(MoteDbContext db, GalleryEngine engine, TemplateProtector protector, GallerySettingsStore settings)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="request">The person, the proposed balance and, optionally, a new photo.</param>
    /// <param name="ct">Cancels the preview.</param>
    public async Task<BalancePreview> ExecuteAsync(Actor actor, BalancePreviewRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        actor.Demand(Permission.ManageGallery);
        var person = await db.People.AsNoTracking().FindByNameOrIdAsync(request.Person, ct).ConfigureAwait(false);
        var analyzer = await engine.GetGalleryAnalyzerAsync(db, ct).ConfigureAwait(false);
        var population = engine.GetPopulation(analyzer.Backbone);
        var balance = PersonTemplateBuilder.ResolveBalance(population, request.Balance);
        var current = PersonRowMapper.OpenTemplate(person, protector, analyzer.Backbone);
        var targetFmr = (await settings.ReadAsync(ct).ConfigureAwait(false)).TargetFmr;

        Core.Templates.ITemplate? candidate = null;
        float? candidateThreshold = null;
        string? unavailable = null;
        float[]? reference = null;
        try
        {
            var face = await ReferenceFaces.ResolveAsync(db, protector, analyzer, person, request.Photo, request.FaceIndex, ct).ConfigureAwait(false);
            reference = request.Photo is { } newPhoto
                ? await ReferenceFaces.TrainingDescriptorAsync(analyzer, newPhoto, face, (await settings.ReadAsync(ct).ConfigureAwait(false)).ReferenceRetention, ct).ConfigureAwait(false)
                : face.Descriptor;
            candidate = (await PersonTemplateBuilder.BuildAsync(engine, reference, population, balance, person.Seed, analyzer.Backbone, ct).ConfigureAwait(false)).Template;
            candidateThreshold = await Task.Run(() => PersonTemplateBuilder.Calibrate(engine, candidate, population, person.Seed, targetFmr, PersonGroup.Of(person)), ct).ConfigureAwait(false);
        }
        catch (GalleryException e) when (request.Photo is null)
        {
            // Without a new photo the preview still shows the stored template; it says why there is no candidate.
            unavailable = e.Message;
        }

        // Sampling and scoring some 10^4-10^5 impostors is CPU work: off the caller's (e.g. a page circuit's) thread.
        var rows = await Task.Run(() => PersonTemplateBuilder.PreviewImpostors(engine, population, person.Seed)
            .Select(g => new GroupFalseMatchRate(g.Group.Id, g.Impostors.Length,
                g.Impostors.Count(x => current.Score(x) >= person.Threshold),
                candidate is null ? null : g.Impostors.Count(x => candidate.Score(x) >= candidateThreshold!.Value)))
            .OrderBy(r => r.Group, StringComparer.Ordinal)
            .ToArray(), ct).ConfigureAwait(false);
        return new BalancePreview(person.Threshold, candidateThreshold, rows, unavailable, targetFmr,
            Notes(population, balance, PersonRowMapper.BalanceFromJson(person.BalanceJson), rows, candidate is not null, current, engine.TemplateSignatureFor(population.BackboneId), targetFmr, PersonGroup.Of(person),
                BalanceGuards.For(population, balance, engine.Settings.GuardStrength), reference));
    }

    /// <summary>
    /// Says how the threshold is set; for each raised group, when raising it cannot help (no guard, a capped weight, no
    /// impostor left to stop) or did not help here, and why; and when the person's own face looks like a raised group, so
    /// that the guard also lowers their genuine scores.
    /// </summary>
    internal static List<string> Notes(
        Core.Population.Packs.PopulationPack population, Core.Population.Sampling.Balance proposed, Core.Population.Sampling.Balance stored,
        IReadOnlyList<GroupFalseMatchRate> rows, bool hasCandidate, Core.Templates.ITemplate current, string trainerSignature, double targetFmr, PersonGroup group,
        IReadOnlyList<Core.Templates.GroupGuard> guards, float[]? reference)
    {
        var notes = new List<string>();
        if (Core.Templates.CalibratedScale.For(current, population, trainerSignature) is { } scale)
        {
            var calibrated = scale.Calibration.GroupFor(group.Gender, group.Ethnicity, group.AgeBand, targetFmr);
            notes.Add($"The threshold is set from real impostors of the group '{calibrated.Group}' ({scale.Calibration.Source}); the balance changes which synthetic faces the template learns to reject, not how the threshold is set.");
        }

        if (!hasCandidate)
        {
            return notes;
        }

        static double Share(Core.Population.Sampling.Balance b, string id)
        {
            var total = b.Negatives.Values.Sum();
            return total <= 0 ? 0 : b.Negatives.Where(kv => kv.Key.Id == id).Sum(kv => kv.Value) / total;
        }

        foreach (var row in rows)
        {
            if (Share(proposed, row.Group) <= Share(stored, row.Group) + 1e-9)
            {
                continue;
            }

            var label = row.Group.Replace("|", ", ", StringComparison.Ordinal);
            var guard = guards.FirstOrDefault(g => g.Group == row.Group);
            if (guard is null)
            {
                notes.Add($"Raising {label} cannot help here: it is not above the level most groups have in this balance, or guards are switched off (Mote:Engine:GuardStrength = 0), so only the synthetic mix changes.");
            }
            else if (row.CurrentFalseMatches == 0 && row.CandidateFalseMatches == 0)
            {
                notes.Add($"Raising {label} cannot lower this rate further here: none of the {row.Impostors:N0} synthetic impostors of that group passes either threshold (the rate is below 1 in {row.Impostors:N0}, the most these impostors can show).");
            }
            else if (row.CandidateFalseMatches >= row.CurrentFalseMatches)
            {
                notes.Add($"Raising {label} did not lower the expected false-match rate against it ({row.CurrentFalseMatches} → {row.CandidateFalseMatches} of {row.Impostors:N0}): the faces that pass this person's threshold do not look enough like {label} to the group detector for its guard (up to {guard.Margin:0.0} log-odds) to stop them.");
            }

            if (guard is not null && proposed.Negatives.FirstOrDefault(kv => kv.Key.Id == row.Group).Value / proposed.ReferenceLevel(population) > BalanceGuards.MaxRatio)
            {
                notes.Add($"{label} is raised past {BalanceGuards.MaxRatio:0}× the other groups; a guard grows no further beyond that.");
            }

            if (guard is not null && reference is not null && guard.Activation(reference) is var own and > 0.05f)
            {
                notes.Add($"This person's own face looks like {label} to the group detector ({own:P0} of a typical member), so the guard also takes up to {own * guard.Margin:0.0} log-odds off their own genuine scores: expect more false non-matches for them.");
            }
        }

        return notes;
    }
}
