using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>Recognition and fairness at the global thresholds.</summary>
/// <param name="ModelSet">Pooled model-template scores.</param>
/// <param name="VectorSet">Pooled vector-template scores.</param>
/// <param name="Recognition">ROC, DET and rates per kind (model, vector).</param>
/// <param name="Fairness">Per-group rates per kind: gender always, ethnicity and gender × ethnicity where ≥ 2 groups qualify.</param>
/// <param name="GlobalThresholds">Kind → its threshold at the target FMR on the real impostor scores.</param>
internal sealed record RecognitionMetrics(
    ScoreSet ModelSet, ScoreSet VectorSet, KindRecognition[] Recognition, List<AttributeFairness> Fairness, IReadOnlyDictionary<string, double> GlobalThresholds);

/// <summary>Phase 4: genuine and impostor scores pooled per kind; the global threshold at the target FMR; per-group rates.</summary>
internal static class MetricsPhase
{
    public static RecognitionMetrics Run(EvaluationContext context, Enrollment enrollment, ScoreMatrices scores)
    {
        var seed = context.Options.Seed;
        var (genders, ethnicities, owners) = (enrollment.Genders, enrollment.Ethnicities, scores.Owners);
        var modelSet = EvaluationContext.Pool(scores.ModelScores, owners);
        var vectorSet = EvaluationContext.Pool(scores.VectorScores, owners);
        var recognition = new[] { Recognition(TemplateKind.Model.ReportName(), "logit", modelSet), Recognition(TemplateKind.Vector.ReportName(), "cosine", vectorSet) };
        // Intersectional groups where both labels are known (on lfw-dev about 15 % of identities have an ethnicity).
        var intersections = enrollment.Identities.Select(i => i.Gender is { } g && i.Ethnicity is { } e ? $"{g}/{e}" : null).ToArray();
        var fairness = new List<AttributeFairness>();
        var globalThresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (kind, matrix, set) in new[] { (TemplateKind.Model.ReportName(), scores.ModelScores, modelSet), (TemplateKind.Vector.ReportName(), scores.VectorScores, vectorSet) })
        {
            var threshold = context.GlobalThreshold(set, kind);
            globalThresholds[kind] = threshold;
            fairness.Add(GroupFairness.Measure(context, kind, "gender", genders, matrix, owners, threshold, seed));
            foreach (var (attribute, labels, attributeSeed) in new[] { ("ethnicity", ethnicities, seed + 1), (EvaluationRunner.IntersectionOf("gender", "ethnicity"), intersections, seed + 2) })
            {
                var byGroup = GroupFairness.Measure(context, kind, attribute, labels, matrix, owners, threshold, attributeSeed);
                if (byGroup.Groups.Count >= 2)
                {
                    fairness.Add(byGroup);
                }
            }
        }

        return new RecognitionMetrics(modelSet, vectorSet, recognition, fairness, globalThresholds);
    }

    private static KindRecognition Recognition(string kind, string unit, ScoreSet set)
    {
        static Dictionary<string, double> Quantiles(ReadOnlySpan<float> sorted)
        {
            var q = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in new[] { 0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999 })
            {
                q[p.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)] = sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
            }

            return q;
        }

        return new KindRecognition(kind, unit, set.Genuine.Length, set.Impostor.Length, set.RocAuc(), set.EqualErrorRate(),
            set.AtFmr(1e-3), set.AtFmr(1e-4), set.DetCurve(60), Quantiles(set.Genuine), Quantiles(set.Impostor));
    }
}
