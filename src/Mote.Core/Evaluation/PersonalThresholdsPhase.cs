using Mote.Core.Numerics;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>Per-person thresholds calibrated on synthetic impostors, and how the synthetic variation compares with real probes.</summary>
/// <param name="Personal">Real pairs at each model's own synthetic-impostor threshold; null when <see cref="EvaluationOptions.CalibrationImpostorsPerGroup"/> is 0.</param>
/// <param name="Variation">Mean cosine of synthetic positives and of real probes to the reference.</param>
internal sealed record PersonalThresholds(PersonalThresholdResult? Personal, VariationCheck Variation);

/// <summary>Phase 5, first half: each model's own threshold at the target FMR on synthetic impostors (as enrollment calibrates it), applied to real pairs.</summary>
internal static class PersonalThresholdsPhase
{
    public static PersonalThresholds Run(EvaluationContext context, Enrollment enrollment, ScoreMatrices scores) =>
        new(Personal(context, enrollment.Models, scores.ModelScores, scores.Owners),
            CheckVariation(context, enrollment.References, scores.ProbeList, enrollment.Balance));

    /// <summary>Each model's own threshold at the target FMR on synthetic impostors, as enrollment calibrates it.</summary>
    public static float[] SyntheticThresholds(EvaluationContext context, ModelTemplate[] models)
    {
        var options = context.Options;
        var pack = context.Pack;
        // One shared synthetic impostor set (enrollment draws one per person; sharing it changes nothing about the
        // question asked here and saves 1,196 draws).
        var sampler = new TrainingSetSampler(pack);
        var impostors = new List<float[]>();
        var k = 0;
        foreach (var group in pack.Negatives.Keys)
        {
            impostors.AddRange(sampler.SampleImpostors(group, options.CalibrationImpostorsPerGroup, unchecked(options.Seed * 31 + 7919 + k++)));
        }

        var flat = EvaluationContext.Flatten(impostors.ToArray(), pack.Dimension);
        var thresholds = new float[models.Length];
        Parallel.For(0, models.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = context.Ct }, t =>
        {
            thresholds[t] = ThresholdCalibration.FromImpostorScores(EvaluationRunner.Logits(models[t], flat, impostors.Count), options.TargetFmr);
        });
        return thresholds;
    }

    private static PersonalThresholdResult? Personal(EvaluationContext context, ModelTemplate[] models, float[][] matrix, int[] owners)
    {
        var options = context.Options;
        if (options.CalibrationImpostorsPerGroup <= 0)
        {
            return null;
        }

        var thresholds = SyntheticThresholds(context, models);
        long genuine = 0, falseNonMatch = 0, impostor = 0, falseMatch = 0;
        var perPersonFmr = new double[models.Length];
        for (var t = 0; t < models.Length; t++)
        {
            long ti = 0, tfm = 0;
            for (var p = 0; p < owners.Length; p++)
            {
                var accepted = matrix[t][p] >= thresholds[t];
                if (owners[p] == t)
                {
                    genuine++;
                    falseNonMatch += accepted ? 0 : 1;
                }
                else
                {
                    ti++;
                    tfm += accepted ? 1 : 0;
                }
            }

            impostor += ti;
            falseMatch += tfm;
            perPersonFmr[t] = ti == 0 ? 0 : tfm / (double)ti;
        }

        var sigmoid = thresholds.Select(l => 1.0 / (1.0 + Math.Exp(-l))).Order().ToArray();
        return new PersonalThresholdResult(options.TargetFmr, options.CalibrationImpostorsPerGroup,
            impostor == 0 ? 0 : falseMatch / (double)impostor, genuine == 0 ? 0 : falseNonMatch / (double)genuine,
            IdentityBootstrap.Percentile(sigmoid, 0.5), IdentityBootstrap.Percentile(sigmoid, 0.05), IdentityBootstrap.Percentile(sigmoid, 0.95),
            IdentityBootstrap.Percentile(perPersonFmr.Order().ToArray(), 0.5));
    }

    private static VariationCheck CheckVariation(EvaluationContext context, float[][] references, List<(float[] Descriptor, int Owner)> probes, Balance balance)
    {
        var options = context.Options;
        var count = Math.Min(50, references.Length);
        var sampler = new TrainingSetSampler(context.Pack);
        double synthetic = 0, real = 0;
        int syntheticN = 0, realN = 0;
        for (var t = 0; t < count; t++)
        {
            var unit = references[t].ToArray();
            Kernels.NormalizeInPlace(unit);
            var set = sampler.Sample(references[t], balance, unchecked(options.Seed * 1_000_003 + t),
                options.TrainingSet with { Negatives = 0, Positives = Math.Min(options.TrainingSet.Positives, 500), IncludeReference = false });
            foreach (var p in set.Positives)
            {
                synthetic += Kernels.Dot(unit, p);
                syntheticN++;
            }

            foreach (var (descriptor, owner) in probes)
            {
                if (owner == t)
                {
                    var probe = descriptor.ToArray();
                    Kernels.NormalizeInPlace(probe);
                    real += Kernels.Dot(unit, probe);
                    realN++;
                }
            }
        }

        return new VariationCheck(count, options.TrainingSet.VariationScale, syntheticN == 0 ? double.NaN : synthetic / syntheticN, realN == 0 ? double.NaN : real / realN);
    }
}
