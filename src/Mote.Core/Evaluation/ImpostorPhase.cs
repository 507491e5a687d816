using Mote.Core.Faces;
using Mote.Core.Population;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Evaluation;

/// <summary>
/// Phase 9: the impostor-only analysis on a dataset without identities: templates drawn per gender × ethnicity × age-band
/// cell, every other photo a probe, same-group FMR per group at the global, synthetic personal and calibrated thresholds.
/// </summary>
internal static class ImpostorPhase
{
    /// <summary>The impostor-only analysis; with privacy on, adds the attribute-inference attacks on its templates to <paramref name="privacy"/>.</summary>
    public static ImpostorAnalysis Run(
        EvaluationContext context, ImpostorDataset data, Func<byte[], float[]?> describe, DescriptorCache? cache,
        IReadOnlyDictionary<string, double> globalThresholds, List<AttackResult> privacy)
    {
        var (options, pack, backbone, warnings) = (context.Options, context.Pack, context.Backbone, context.Warnings);
        var descriptors = DescribePhase.Run(context, data.Photos.Select(p => p.Path).ToArray(), describe, cache, "impostor-describe");
        var usable = data.Photos.Where(p => descriptors[p.Path] is not null).ToArray();
        static string? Cell(LabelledPhoto p) => p.Gender is { } g && p.Ethnicity is { } e && p.AgeBand is { } a ? $"{g}/{e}/{a}" : null;

        // Templates: up to K photos per intersectional cell (seeded), so small cells get templates too; probes: the rest.
        var random = new Random(options.Seed + 41);
        var isTemplate = new bool[usable.Length];
        foreach (var cell in Enumerable.Range(0, usable.Length).Where(i => Cell(usable[i]) is not null).GroupBy(i => Cell(usable[i])!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = cell.ToArray();
            random.Shuffle(members);
            foreach (var i in members.Take(options.ImpostorTemplatesPerCell))
            {
                isTemplate[i] = true;
            }
        }

        var templatePhotos = usable.Where((_, i) => isTemplate[i]).ToArray();
        var probePhotos = usable.Where((_, i) => !isTemplate[i]).ToArray();
        if (templatePhotos.Length < 2 || probePhotos.Length == 0)
        {
            throw new ArgumentException($"Dataset '{data.Root}' gave {templatePhotos.Length} template(s) and {probePhotos.Length} probe(s) with faces and full labels; the impostor analysis needs at least 2 and 1.");
        }

        var references = templatePhotos.Select(p => descriptors[p.Path]!).ToArray();
        var models = context.Enroll(references, Balance.EqualOver(pack), options.Trainer, options.Seed + 43, null, "impostor-enroll");
        var vectors = references.Select(r => new VectorTemplate(backbone, r)).ToArray();
        var probes = EvaluationContext.Flatten(probePhotos.Select(p => descriptors[p.Path]!).ToArray(), pack.Dimension);
        var modelScores = context.LogitMatrix(models, probes, probePhotos.Length, "impostor-score");
        var vectorScores = context.CosineMatrix(vectors, probes, probePhotos.Length);
        var personal = PersonalThresholdsPhase.SyntheticThresholds(context, models);
        if (options.Privacy)
        {
            // Every template here has gender and ethnicity labels (drawn per cell): the ethnicity attack that lfw-dev's
            // few labels cannot support (5 classes of 93–120 people on UTKFace).
            var (responseFlat, responseCount) = PrivacyPhase.ResponseProbes(context);
            PrivacyPhase.AttackStoredForms(context, privacy, vectors, models, responseFlat, responseCount, $", {System.IO.Path.GetFileName(data.Root.TrimEnd('/'))} templates",
                [("gender", templatePhotos.Select(p => p.Gender).ToArray()), ("ethnicity", templatePhotos.Select(p => p.Ethnicity).ToArray())]);
        }

        var attributes = new (string Name, Func<LabelledPhoto, string?> Label)[]
        {
            ("gender", p => p.Gender),
            ("ethnicity", p => p.Ethnicity),
            ("age band", p => p.AgeBand),
            (EvaluationRunner.IntersectionOf("gender", "ethnicity", "age band"), Cell),
        };
        var results = new List<ImpostorFairness>();
        var (model, vector) = (TemplateKind.Model.ReportName(), TemplateKind.Vector.ReportName());
        var sources = new List<(TemplateKind, float[][], string, Func<int, double>)>
        {
            (TemplateKind.Model, modelScores, "global", _ => globalThresholds[model]),
            (TemplateKind.Model, modelScores, "personal", t => personal[t]),
            (TemplateKind.Vector, vectorScores, "global", _ => globalThresholds[vector]),
        };
        foreach (var (kind, matrix, scale) in new[]
        {
            (TemplateKind.Model, modelScores, CalibratedScale.ForKind(TemplateKind.Model, models[0].Anchor, pack, options.Trainer.SignatureWith(options.TrainingSet))),
            (TemplateKind.Vector, vectorScores, CalibratedScale.ForKind(TemplateKind.Vector, null, pack, null)),
        })
        {
            if (scale is not null)
            {
                // Each template's own calibrated group (gender × ethnicity × age band where the calibration has it).
                var groups = templatePhotos.Select(p => (Gender: EvaluationContext.ParseGender(p.Gender), Ethnicity: EvaluationContext.ParseEthnicity(p.Ethnicity),
                    AgeBand: p.AgeBand is { } a && DemographicVocabulary.TryParseAgeBand(a, out var band) ? band : (AgeBand?)null)).ToArray();
                var raw = groups.Select(g => scale.Calibration.ThresholdFor("own group", g.Gender, g.Ethnicity, g.AgeBand, options.TargetFmr) is { } v
                    ? scale.RawFromUnit(v) : double.PositiveInfinity).ToArray();
                sources.Add((kind, matrix, "calibrated", t => raw[t]));
                if (kind == TemplateKind.Model && context.HasCosineBound(models))
                {
                    var bounded = groups.Select((g, t) => scale.CosineBound(models[t].Anchor, options.Trainer.CorrectionCap, pack.Calibration,
                        g.Gender, g.Ethnicity, g.AgeBand, options.TargetFmr) is { } b ? Math.Max(raw[t], b.Raw) : raw[t]).ToArray();
                    sources.Add((kind, matrix, "calibrated, cosine-bounded", t => bounded[t]));
                }
            }
        }

        foreach (var (kind, matrix, source, threshold) in sources)
        {
            foreach (var (name, label) in attributes)
            {
                var rows = SameGroupRates(templatePhotos.Select(label).ToArray(), probePhotos.Select(label).ToArray(), matrix, threshold,
                    options.TargetFmr, options.BootstrapReplicates, options.Seed + 100);
                if (kind == TemplateKind.Vector)
                {
                    // Reliability depends on counts only, the same for every kind: warn once.
                    warnings.AddRange(rows.Where(r => r.Warning is not null).Select(r => $"impostors {name} {r.Group}: {r.Warning}"));
                }

                results.Add(ImpostorSummary(kind.ReportName(), source, source == "global" ? threshold(0) : null, name, rows));
            }
        }

        var byCell = templatePhotos.GroupBy(p => Cell(p)!).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new ImpostorAnalysis(data.Root, data.Photos.Count, data.Photos.Count - usable.Length, templatePhotos.Length, probePhotos.Length,
            options.ImpostorTemplatesPerCell, byCell, results);
    }

    /// <summary>Same-group FMR per group: each template of the group against every probe of the group, at each template's
    /// threshold; 95% intervals by resampling the group's templates.</summary>
    /// <param name="templateLabels">Group of each template (null: in no group).</param>
    /// <param name="probeLabels">Group of each probe.</param>
    /// <param name="matrix">Scores, template-major <c>[t][p]</c>.</param>
    /// <param name="threshold">Template index → its threshold (a score ≥ it is a match).</param>
    /// <param name="targetFmr">Sets the reliability floor: fewer than 10/FMR pairs (or 5 templates) gets a warning.</param>
    /// <param name="replicates">Bootstrap replicates.</param>
    /// <param name="seed">Bootstrap seed (the i-th group uses seed + i).</param>
    internal static List<ImpostorGroupRate> SameGroupRates(
        string?[] templateLabels, string?[] probeLabels, float[][] matrix, Func<int, double> threshold, double targetFmr, int replicates, int seed)
    {
        var rows = new List<ImpostorGroupRate>();
        var minimumPairs = (long)Math.Ceiling(10 / targetFmr);
        foreach (var group in templateLabels.OfType<string>().Distinct().Order(StringComparer.Ordinal))
        {
            var members = Enumerable.Range(0, templateLabels.Length).Where(t => templateLabels[t] == group).ToArray();
            var probesInGroup = Enumerable.Range(0, probeLabels.Length).Where(p => probeLabels[p] == group).ToArray();
            if (probesInGroup.Length == 0)
            {
                continue;
            }

            var counts = members.Select(t =>
            {
                var limit = threshold(t);
                var row = matrix[t];
                return new IdentityCounts(0, 0, probesInGroup.Length, probesInGroup.Count(p => row[p] >= limit));
            }).ToArray();
            var (fmr, _) = IdentityBootstrap.Rates(counts, replicates, seed + rows.Count);
            var pairs = (long)members.Length * probesInGroup.Length;
            var warning = members.Length < 5 || pairs < minimumPairs
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"only {members.Length} template(s) and {pairs:N0} pairs (< 5 or < 10/FMR): the rate is not reliable")
                : null;
            rows.Add(new ImpostorGroupRate(group, members.Length, probesInGroup.Length, pairs, fmr, warning));
        }

        return rows;
    }

    private static ImpostorFairness ImpostorSummary(string kind, string source, double? threshold, string attribute, List<ImpostorGroupRate> rows)
    {
        var fmrs = rows.Where(r => r.Warning is null).Select(r => r.Fmr.Value).ToArray();
        double? ratio = null, gini = null, maxToMin = null;
        if (fmrs.Length >= 2)
        {
            ratio = FairnessMetrics.MaxToGeometricMean(fmrs);
            gini = FairnessMetrics.Gini(fmrs);
            maxToMin = fmrs.Min() > 0 ? fmrs.Max() / fmrs.Min() : null;
        }

        return new ImpostorFairness(kind, source, threshold, attribute, rows, ratio, gini, maxToMin);
    }
}
