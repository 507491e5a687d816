using Mote.Core.Faces;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>
/// Phase 5, second half: thresholds read from the pack's real-impostor calibration for each template's group (as the
/// Gallery reads them for a person), under each policy, applied to the real pairs. Null when no calibration applies to
/// either kind of template (then only warnings say so).
/// </summary>
internal static class CalibratedThresholdsPhase
{
    /// <param name="context">The run.</param>
    /// <param name="enrollment">The enrolled identities and templates.</param>
    /// <param name="scores">The real score matrices.</param>
    /// <param name="estimateAttributes">Photo bytes → the estimator's guess, for attributes the dataset does not label (optional);
    /// called only when the pack has a calibration to use it with.</param>
    public static List<CalibratedThresholdResult>? Run(
        EvaluationContext context, Enrollment enrollment, ScoreMatrices scores, Func<byte[], AttributeEstimate?>? estimateAttributes)
    {
        // The estimator runs only when a calibration can use what it guesses.
        var uncalibrated = context.Pack.Calibration is null && context.Pack.ModelCalibration is null;
        var thresholdGroups = ThresholdGroups(context, enrollment.Identities, uncalibrated ? null : estimateAttributes);
        return CalibratedThresholds(context, enrollment.Models, scores.ModelScores, scores.VectorScores, scores.Owners,
            enrollment.Genders, enrollment.Ethnicities, thresholdGroups);
    }

    /// <summary>
    /// The group each template's calibrated threshold is read for, as the Gallery reads it for a person: labelled (declared)
    /// attributes first, the estimate of the enrollment photo for the rest.
    /// </summary>
    private static (Gender? Gender, Ethnicity? Ethnicity, AgeBand? AgeBand)[] ThresholdGroups(
        EvaluationContext context, EvaluationIdentity[] enrolled, Func<byte[], AttributeEstimate?>? estimate)
    {
        var (progress, ct) = (context.Progress, context.Ct);
        var groups = new (Gender?, Ethnicity?, AgeBand?)[enrolled.Length];
        for (var t = 0; t < enrolled.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            var identity = enrolled[t];
            var guess = estimate?.Invoke(File.ReadAllBytes(identity.Photos[0]));
            AgeBand? band = guess is not null && DemographicVocabulary.TryParseAgeBand(guess.AgeBand, out var b) ? b : null;
            groups[t] = (EvaluationContext.ParseGender(identity.Gender) ?? EvaluationContext.ParseGender(guess?.Gender), EvaluationContext.ParseEthnicity(identity.Ethnicity) ?? EvaluationContext.ParseEthnicity(guess?.Ethnicity), band);
            if (estimate is not null && ((t + 1) % 100 == 0 || t + 1 == enrolled.Length))
            {
                progress?.Report(new EvaluationProgress("estimate attributes", t + 1, enrolled.Length));
            }
        }

        return groups;
    }

    private static List<CalibratedThresholdResult>? CalibratedThresholds(
        EvaluationContext context, ModelTemplate[] models, float[][] modelScores, float[][] vectorScores, int[] owners, string?[] genders, string?[] ethnicities,
        (Gender? Gender, Ethnicity? Ethnicity, AgeBand? AgeBand)[] thresholdGroups)
    {
        var (options, pack, warnings) = (context.Options, context.Pack, context.Warnings);
        var results = new List<CalibratedThresholdResult>();
        var kinds = new List<(TemplateKind Kind, float[][] Matrix, CalibratedScale? Scale)>
        {
            (TemplateKind.Model, modelScores, CalibratedScale.ForKind(TemplateKind.Model, models[0].Anchor, pack, options.Trainer.SignatureWith(options.TrainingSet))),
            (TemplateKind.Vector, vectorScores, CalibratedScale.ForKind(TemplateKind.Vector, null, pack, null)),
        };
        foreach (var (templateKind, matrix, scale) in kinds)
        {
            var kind = templateKind.ReportName();
            if (scale is null)
            {
                warnings.Add($"{kind}: no real-impostor calibration in the pack applies to these templates; only synthetic per-person thresholds were measured");
                continue;
            }

            // Capped, anchored model-templates: also the own-group threshold with the cosine bound.
            var policies = templateKind == TemplateKind.Model && context.HasCosineBound(models) ? [.. RealImpostorCalibration.Policies, EvaluationRunner.BoundedPolicy] : RealImpostorCalibration.Policies;
            foreach (var policy in policies)
            {
                var thresholds = new double[models.Length];
                var readFrom = new Dictionary<string, int>(StringComparer.Ordinal);
                var missing = false;
                for (var t = 0; t < models.Length; t++)
                {
                    var (gender, ethnicity, ageBand) = thresholdGroups[t];
                    var value = scale.Calibration.ThresholdFor(policy == EvaluationRunner.BoundedPolicy ? "own group" : policy, gender, ethnicity, ageBand, options.TargetFmr);
                    var group = policy == "worst group" ? null : scale.Calibration.GroupFor(gender, ethnicity, ageBand, options.TargetFmr).Group;
                    if (value is null)
                    {
                        missing = true;
                        break;
                    }

                    thresholds[t] = scale.RawFromUnit(value.Value);
                    if (policy == EvaluationRunner.BoundedPolicy
                        && scale.CosineBound(models[t].Anchor, options.Trainer.CorrectionCap, pack.Calibration, gender, ethnicity, ageBand, options.TargetFmr) is { } bound)
                    {
                        thresholds[t] = Math.Max(thresholds[t], bound.Raw);
                        group = $"{group} → bound by cosine {bound.CosineGroup}";
                    }
                    if (group is not null)
                    {
                        readFrom[group] = readFrom.GetValueOrDefault(group) + 1;
                    }
                }

                if (missing)
                {
                    warnings.Add($"{kind} calibrated thresholds ({policy}): the calibration has too few pairs to reach FMR {options.TargetFmr:G}");
                    continue;
                }

                long genuine = 0, falseNonMatch = 0, impostor = 0, falseMatch = 0;
                for (var t = 0; t < matrix.Length; t++)
                {
                    var row = matrix[t];
                    for (var p = 0; p < owners.Length; p++)
                    {
                        var accepted = row[p] >= thresholds[t];
                        if (owners[p] == t)
                        {
                            genuine++;
                            falseNonMatch += accepted ? 0 : 1;
                        }
                        else
                        {
                            impostor++;
                            falseMatch += accepted ? 1 : 0;
                        }
                    }
                }

                var groups = new List<GroupRates>();
                foreach (var (attribute, labels, seed) in new[] { ("gender", genders, options.Seed + 5), ("ethnicity", ethnicities, options.Seed + 6) })
                {
                    groups.AddRange(GroupFairness.Measure(context, kind, attribute, labels, matrix, owners, double.NaN, seed, t => thresholds[t], warn: false).Groups
                        .Select(g => g with { Group = $"{attribute}: {g.Group}", Det = [] }));
                }

                var fmr = impostor == 0 ? 0 : falseMatch / (double)impostor;
                var minimumPairs = 10 / options.TargetFmr;
                var reliable = groups.Where(g => g.Warning is null && g.ImpostorPairs >= minimumPairs).ToArray();
                double? worst = reliable.Length == 0 ? null : reliable.Max(g => g.Fmr.Value) / options.TargetFmr;
                var pooledRatio = fmr / options.TargetFmr;
                results.Add(new CalibratedThresholdResult(kind, policy, options.TargetFmr, $"{scale.Basis}: {scale.Calibration.Source}", fmr,
                    genuine == 0 ? 0 : falseNonMatch / (double)genuine, groups, pooledRatio, worst, pooledRatio <= 1.5 && (worst ?? 0) <= 2,
                    policy == "worst group" ? null : readFrom));
            }
        }

        return results.Count == 0 ? null : results;
    }
}
