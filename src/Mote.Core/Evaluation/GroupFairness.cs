namespace Mote.Core.Evaluation;

/// <summary>Per-group error rates with identity-bootstrap intervals, and the fairness summaries over them; shared by the metrics, sweep and calibrated-threshold phases.</summary>
internal static class GroupFairness
{
    /// <summary>
    /// Rates per group of <paramref name="labels"/> (groups of ≥ 2 templates with genuine pairs), each template against the
    /// probes of its own group, at <paramref name="threshold"/> or, when given, each template's <paramref name="perTemplate"/>
    /// threshold. With <paramref name="warn"/>, adds a warning to the run for each group with fewer than 30 genuine pairs.
    /// </summary>
    public static AttributeFairness Measure(EvaluationContext context, string kind, string attribute, string?[] labels, float[][] matrix, int[] owners,
        double threshold, int seed, Func<int, double>? perTemplate = null, bool warn = true)
    {
        var options = context.Options;
        var thresholdOf = perTemplate ?? (_ => threshold);
        var groups = new List<GroupRates>();
        foreach (var group in labels.Where(l => l is not null).Distinct().Order(StringComparer.Ordinal))
        {
            var members = Enumerable.Range(0, labels.Length).Where(t => labels[t] == group).ToArray();
            if (members.Length < 2)
            {
                continue;
            }

            var inGroup = members.ToHashSet();
            var probesInGroup = Enumerable.Range(0, owners.Length).Where(p => inGroup.Contains(owners[p])).ToArray();
            var counts = new IdentityCounts[members.Length];
            var genuine = new List<float>();
            var impostor = new List<float>();
            for (var m = 0; m < members.Length; m++)
            {
                var t = members[m];
                long g = 0, fn = 0, i = 0, fm = 0;
                foreach (var p in probesInGroup)
                {
                    var s = matrix[t][p];
                    if (owners[p] == t)
                    {
                        g++;
                        fn += s < thresholdOf(t) ? 1 : 0;
                        genuine.Add(s);
                    }
                    else
                    {
                        i++;
                        fm += s >= thresholdOf(t) ? 1 : 0;
                        impostor.Add(s);
                    }
                }

                counts[m] = new IdentityCounts(g, fn, i, fm);
            }

            if (genuine.Count == 0)
            {
                continue;
            }

            var (fmr, fnmr) = IdentityBootstrap.Rates(counts, options.BootstrapReplicates, seed);
            string? warning = genuine.Count < 30 ? $"only {genuine.Count} genuine pairs (< 30): rates are not reliable" : null;
            if (warning is not null && warn)
            {
                context.Warnings.Add($"{kind} {attribute} {group}: {warning}");
            }

            groups.Add(new GroupRates(group!, members.Length, genuine.Count, impostor.Count, fmr, fnmr,
                new ScoreSet(genuine, impostor).DetCurve(40), warning));
        }

        // Summaries over the groups large enough to mean something (≥ 30 genuine pairs): a group of 2 people with
        // 2 genuine pairs drove GARBE to 1 in a 100-identity run.
        var reliable = groups.Where(g => g.Warning is null).ToArray();
        double? fdr = null, garbe = null, fmrRatio = null, fnmrRatio = null;
        if (reliable.Length >= 2)
        {
            var fmrs = reliable.Select(g => g.Fmr.Value).ToArray();
            var fnmrs = reliable.Select(g => g.Fnmr.Value).ToArray();
            fdr = FairnessMetrics.Fdr(fmrs, fnmrs);
            garbe = FairnessMetrics.Garbe(fmrs, fnmrs);
            fmrRatio = FairnessMetrics.MaxToGeometricMean(fmrs);
            fnmrRatio = FairnessMetrics.MaxToGeometricMean(fnmrs);
        }

        return new AttributeFairness(kind, attribute, threshold, options.TargetFmr, groups, fdr, garbe, fmrRatio, fnmrRatio);
    }
}
