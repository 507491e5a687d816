using System.Runtime.InteropServices;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>A template built from a reference descriptor, ready to encrypt and store.</summary>
internal sealed record BuiltTemplate(ITemplate Template, TemplateKind Kind, byte[] PlainBytes, string Purpose, TrainingSummary? Training);

/// <summary>
/// Training, calibration and impostor sampling shared by enrollment, retraining and the balance preview,
/// so the three always build a template the same way.
/// </summary>
internal static class PersonTemplateBuilder
{
    /// <summary>Parses a requested balance against the pack; an empty part stays equal over the pack's groups. Words on refusal.</summary>
    public static Balance ResolveBalance(PopulationPack population, (IReadOnlyDictionary<string, double> Negatives, IReadOnlyDictionary<string, double> Variation)? requested)
    {
        try
        {
            var equal = Balance.EqualOver(population).ToIds();
            var balance = requested is { } b
                ? Balance.FromIds(b.Negatives.Count > 0 ? b.Negatives : equal.Negatives, b.Variation.Count > 0 ? b.Variation : equal.Variation)
                : Balance.EqualOver(population);
            balance.Validate(population);
            return balance;
        }
        catch (InvalidBalanceException e)
        {
            throw new GalleryException(e.Message);
        }
    }

    /// <summary>Trains (or, for the vector baseline, wraps) a template from <paramref name="reference"/>. CPU-bound: runs on the thread pool.</summary>
    public static async Task<BuiltTemplate> BuildAsync(GalleryEngine engine, float[] reference, PopulationPack population, Balance balance, long seed, BackboneIdentity backbone, CancellationToken ct)
    {
        if (engine.Settings.TemplateKind == TemplateKind.Vector)
        {
            // The baseline stores the descriptor itself: nothing to train.
            var vector = new VectorTemplate(backbone, reference);
            return new BuiltTemplate(vector, TemplateKind.Vector, MemoryMarshal.AsBytes(vector.UnitVector).ToArray(), PersonRowMapper.VectorTemplatePurpose, null);
        }
        // The trainer takes the process's one native gate itself (NativeWorkGate), whoever calls it.
        var model = await Task.Run(() => Train(engine, reference, population, balance, seed, backbone, ct), ct).ConfigureAwait(false);
        return new BuiltTemplate(model, TemplateKind.Model, model.ToBytes(), PersonRowMapper.ModelTemplatePurpose, model.Training);
    }

    private static ModelTemplate Train(GalleryEngine engine, float[] reference, PopulationPack population, Balance balance, long seed, BackboneIdentity backbone, CancellationToken ct)
    {
        var sample = new TrainingSetSampler(population).Sample(reference, balance, unchecked((int)seed), engine.SamplingOptions);
        var set = Core.Templates.TrainingSet.FromRows(sample.Positives, sample.Negatives);
        var entries = balance.Negatives.Keys.Union(balance.Variation.Keys)
            .Select(g => new BalanceEntry(g.Id, (float)balance.Negatives.GetValueOrDefault(g), (float)balance.Variation.GetValueOrDefault(g)))
            .ToArray();
        var guards = BalanceGuards.For(population, balance, engine.Settings.GuardStrength);
        return engine.CreateTrainer(population.BackboneId).Train(set, seed, new ModelTemplateProvenance(backbone, PackId(population), entries), reference, guards, ct);
    }

    /// <summary>
    /// The person's threshold at <paramref name="targetFmr"/> (in <see cref="ITemplate.Score"/> units): from the pack's
    /// real-impostor calibration for <paramref name="group"/> under the engine's <see cref="Settings.EngineSettings.ThresholdPolicy"/>
    /// when the template's score is on the calibration's scale, else on synthetic impostors pooled over every negative group.
    /// </summary>
    public static float Calibrate(GalleryEngine engine, ITemplate template, PopulationPack population, long seed, double targetFmr, PersonGroup group) =>
        CalibratedThreshold(engine.Settings.ThresholdPolicy, template, population, engine.TemplateSignatureFor(population.BackboneId), targetFmr, group, engine.Settings.CorrectionCap)
        ?? ThresholdCalibration.ForTemplate(template, CalibrationImpostors(engine, population, seed).SelectMany(g => g.Impostors).ToList(), targetFmr);

    /// <summary>The calibrated threshold (score units), or null when the policy is synthetic, the pack has no calibration,
    /// the template is not on the cosine scale, or the calibration cannot reach the rate. Under
    /// <see cref="CalibratedScale.BoundedPolicy"/>, a model-template trained with <paramref name="correctionCap"/> gets the
    /// own-group threshold raised to its cosine bound where that applies (<see cref="CalibratedScale.CosineBound"/>).</summary>
    public static float? CalibratedThreshold(
        string policy, ITemplate template, PopulationPack population, string trainerSignature, double targetFmr, PersonGroup group, double? correctionCap = null)
    {
        if (policy == "synthetic" || CalibratedScale.For(template, population, trainerSignature) is not { } scale)
        {
            return null;
        }

        var bounded = policy == CalibratedScale.BoundedPolicy;
        var value = scale.Calibration.ThresholdFor(bounded ? "own group" : policy, group.Gender, group.Ethnicity, group.AgeBand, targetFmr);
        if (value is null)
        {
            return null;
        }

        var raw = scale.RawFromUnit(value.Value);
        if (bounded && scale.CosineBound((template as ModelTemplate)?.Anchor, correctionCap, population.Calibration, group.Gender, group.Ethnicity, group.AgeBand, targetFmr) is { } bound)
        {
            raw = Math.Max(raw, bound.Raw);
        }

        return scale.ScoreFromRaw(raw);
    }

    /// <summary>Synthetic impostors per negative group, drawn with a seed apart from training's.</summary>
    public static List<(DemographicGroup Group, float[][] Impostors)> CalibrationImpostors(GalleryEngine engine, PopulationPack population, long seed) =>
        Impostors(engine, population, unchecked((int)(seed * 31) + 7919));

    /// <summary>
    /// Synthetic impostors per negative group for a preview: a seed stream apart from both training's and
    /// calibration's, so the preview measures the threshold on impostors it was not set on.
    /// </summary>
    public static List<(DemographicGroup Group, float[][] Impostors)> PreviewImpostors(GalleryEngine engine, PopulationPack population, long seed) =>
        Impostors(engine, population, unchecked((int)(seed * 131) + 104_729));

    private static List<(DemographicGroup, float[][])> Impostors(GalleryEngine engine, PopulationPack population, int baseSeed)
    {
        var sampler = new TrainingSetSampler(population);
        var result = new List<(DemographicGroup, float[][])>();
        var k = 0;
        foreach (var group in population.Negatives.Keys)
        {
            result.Add((group, sampler.SampleImpostors(group, engine.Settings.CalibrationImpostorsPerGroup, baseSeed + k++)));
        }
        return result;
    }

    /// <summary>The id a person's record keeps of the pack they were trained with.</summary>
    public static string PackId(PopulationPack pack) =>
        $"{pack.BackboneId}/{pack.Provenance.CreatedUtc:yyyyMMddHHmmss}";

    /// <summary>Encrypts a built template into <paramref name="person"/> (bound to their id).</summary>
    public static void Store(Person person, BuiltTemplate built, TemplateProtector protector)
    {
        person.TemplateKind = built.Kind;
        person.TemplateBytes = built.Kind == TemplateKind.Vector ? built.Template.StorageBytes : built.PlainBytes.Length;
        person.TemplateBlob = protector.Protect(person.Id, built.Purpose, built.PlainBytes);
    }
}
