using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>
/// Phase 7: attribute-inference attacks on the three stored forms of the enrolled people (vector templates, flattened
/// MOTE weights, each model's responses to fixed synthetic probes), and on a gender-balanced subset retrained with
/// width jitter. An attack the labels cannot support becomes a warning instead of a result.
/// </summary>
internal static class PrivacyPhase
{
    public static List<AttackResult> Run(EvaluationContext context, Enrollment enrollment)
    {
        var (options, pack) = (context.Options, context.Pack);
        var attacks = new List<AttackResult>();
        var (genders, ethnicities) = (enrollment.Genders, enrollment.Ethnicities);
        // Ethnicity classes with at least 20 identities; the rest are too small to balance against.
        var bigEthnicities = ethnicities.Where(e => e is not null).GroupBy(e => e).Where(g => g.Count() >= 20).Select(g => g.Key).ToHashSet();
        var ethnicityLabels = ethnicities.Select(e => e is not null && bigEthnicities.Contains(e) ? e : null).ToArray();

        var (responseFlat, responseCount) = ResponseProbes(context);
        void Attack(string attribute, string source, IReadOnlyList<float[]> features, string?[] labels) =>
            RunAttack(context, attacks, attribute, source, features, labels);

        AttackStoredForms(context, attacks, enrollment.Vectors, enrollment.Models, responseFlat, responseCount, "", bigEthnicities.Count >= 2
            ? [("gender", genders), ("ethnicity", ethnicityLabels)] : [("gender", genders)]);

        if (options.PrivacyPerClass >= 5 && options.PrivacyWidthJitter > 0)
        {
            // Width jitter changes each person's architecture: retrain a balanced subset with it; weights are
            // zero-padded to the widest layer sizes, as an attacker reading them would.
            var subset = EvaluationContext.BalancedSubset(genders, options.PrivacyPerClass, options.Seed + 29);
            var jittered = context.Enroll(subset.Select(i => enrollment.References[i]).ToArray(), Balance.EqualOver(pack),
                options.Trainer with { WidthJitter = options.PrivacyWidthJitter }, options.Seed, null, "privacy jitter");
            var maxWidths = Enumerable.Range(0, jittered[0].Architecture.Widths.Count).Select(l => jittered.Max(m => m.Architecture.Widths[l])).ToArray();
            var subsetGenders = subset.Select(i => genders[i]).ToArray();
            Attack("gender", $"MOTE weights, width jitter ±{options.PrivacyWidthJitter}", jittered.Select(m => FlattenWeights(m, maxWidths)).ToArray(), subsetGenders);
            Attack("gender", $"MOTE responses, width jitter ±{options.PrivacyWidthJitter}", jittered.Select(m => EvaluationRunner.Logits(m, responseFlat, responseCount)).ToArray(), subsetGenders);
        }

        return attacks;
    }

    /// <summary>The fixed synthetic descriptors every model is probed with in the response-pattern attack (equal over groups).</summary>
    public static (float[] Flat, int Count) ResponseProbes(EvaluationContext context)
    {
        var pack = context.Pack;
        var probes = new TrainingSetSampler(pack).Sample(new float[pack.Dimension].Select((_, j) => j == 0 ? 1f : 0f).ToArray(), Balance.EqualOver(pack),
            context.Options.Seed + 23, new TrainingSetOptions { Positives = 0, Negatives = context.Options.ResponseProbes }).Negatives;
        return (EvaluationContext.Flatten(probes, pack.Dimension), probes.Length);
    }

    /// <summary>
    /// Each attribute inferred from the three stored forms of the same people: vector templates, flattened MOTE weights, and
    /// each model's responses to the fixed synthetic probes. <paramref name="suffix"/> names the template set in the source.
    /// Adds the results to <paramref name="attacks"/>.
    /// </summary>
    public static void AttackStoredForms(
        EvaluationContext context, List<AttackResult> attacks, VectorTemplate[] vectors, ModelTemplate[] models, float[] responseFlat, int responseCount,
        string suffix, IEnumerable<(string Attribute, string?[] Labels)> attributes)
    {
        var forms = new (string Source, float[][] Features)[]
        {
            ("vector templates", vectors.Select(v => v.UnitVector.ToArray()).ToArray()),
            ("MOTE weights", models.Select(m => FlattenWeights(m, null)).ToArray()),
            ("MOTE responses", models.Select(m => EvaluationRunner.Logits(m, responseFlat, responseCount)).ToArray()),
        };
        foreach (var (attribute, labels) in attributes)
        {
            foreach (var (source, features) in forms)
            {
                RunAttack(context, attacks, attribute, source + suffix, features, labels);
            }
        }
    }

    private static void RunAttack(EvaluationContext context, List<AttackResult> attacks, string attribute, string source, IReadOnlyList<float[]> features, string?[] labels)
    {
        context.Ct.ThrowIfCancellationRequested();
        context.Progress?.Report(new EvaluationProgress($"privacy {attribute} from {source}", attacks.Count, 8));
        try
        {
            attacks.Add(AttributeInferenceAttack.Run(attribute, source, features, labels, context.Options.Seed + 31));
        }
        catch (ArgumentException e)
        {
            context.Warnings.Add($"privacy attack {attribute} from {source} skipped: {e.Message}");
        }
    }

    private static float[] FlattenWeights(ModelTemplate model, int[]? paddedWidths)
    {
        var widths = paddedWidths ?? model.Architecture.Widths.ToArray();
        var size = 0;
        for (var l = 0; l < widths.Length - 1; l++)
        {
            size += widths[l] * widths[l + 1] + widths[l + 1];
        }

        var flat = new float[size];
        var offset = 0;
        for (var l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            int inputs = widths[l], outputs = widths[l + 1];
            for (var r = 0; r < layer.Outputs; r++)
            {
                layer.Weights.Slice(r * layer.Inputs, layer.Inputs).CopyTo(flat.AsSpan(offset + r * inputs, layer.Inputs));
            }

            offset += inputs * outputs;
            layer.Bias.CopyTo(flat.AsSpan(offset, layer.Outputs));
            offset += outputs;
        }

        return flat;
    }
}
