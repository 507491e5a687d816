using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>
/// Phase 6: a gender-balanced subset of the enrolled identities re-enrolled at each female share of
/// <see cref="EvaluationOptions.SweepFemaleShares"/>, scored against its own probes, with gender fairness at its own
/// global threshold. Empty when the sweep is off or the subset is too small (with a warning).
/// </summary>
internal static class SweepPhase
{
    public static List<SweepSetting> Run(EvaluationContext context, Enrollment enrollment, IReadOnlyDictionary<string, float[]?> descriptors)
    {
        var (options, time, pack) = (context.Options, context.Time, context.Pack);
        var (enrolled, references) = (enrollment.Identities, enrollment.References);
        var result = new List<SweepSetting>();
        if (options.SweepFemaleShares.Count == 0 || options.SweepIdentities < 4)
        {
            return result;
        }

        var subset = EvaluationContext.BalancedSubset(enrolled.Select(i => i.Gender).ToArray(), options.SweepIdentities / 2, options.Seed + 17);
        if (subset.Length < 4)
        {
            context.Warnings.Add("sweep skipped: fewer than 2 labelled identities per gender");
            return result;
        }

        var subsetReferences = subset.Select(i => references[i]).ToArray();
        var probeList = new List<(float[] Descriptor, int Owner)>();
        for (var s = 0; s < subset.Length; s++)
        {
            foreach (var photo in enrolled[subset[s]].Photos.Skip(1))
            {
                if (descriptors[photo] is { } d)
                {
                    probeList.Add((d, s));
                }
            }
        }

        var probes = EvaluationContext.Flatten(probeList.Select(p => p.Descriptor).ToArray(), pack.Dimension);
        var owners = probeList.Select(p => p.Owner).ToArray();
        var genders = subset.Select(i => enrolled[i].Gender).ToArray();
        foreach (var share in options.SweepFemaleShares)
        {
            var started = time.GetTimestamp();
            var balance = EvaluationRunner.FemaleShare(pack, share);
            var models = context.Enroll(subsetReferences, balance, options.Trainer, options.Seed, null, $"sweep {share:0.##}");
            var enrollSeconds = time.GetElapsedTime(started).TotalSeconds;
            var matrix = context.LogitMatrix(models, probes, owners.Length, null);
            var set = EvaluationContext.Pool(matrix, owners);
            var threshold = context.GlobalThreshold(set, $"sweep {share}");
            var fairness = GroupFairness.Measure(context, TemplateKind.Model.ReportName(), "gender", genders, matrix, owners, threshold, options.Seed + 2);
            result.Add(new SweepSetting(share, subset.Length, threshold, set.AtFmr(options.TargetFmr, 1), fairness.Groups, fairness.Fdr, fairness.Garbe, enrollSeconds));
        }

        return result;
    }
}
