namespace Mote.Core.Templates;

/// <summary>One gallery entry that passed its threshold for a probe.</summary>
/// <param name="TemplateIndex">Index of the template in the scorer.</param>
/// <param name="Score">Its score for the probe.</param>
/// <param name="Threshold">The threshold it passed (score ≥ threshold).</param>
public sealed record IdentificationCandidate(int TemplateIndex, float Score, float Threshold);

/// <summary>The outcome of 1:N identification for one probe: the top-k candidates that passed, best first.</summary>
/// <param name="Candidates">Best first; empty means "no match".</param>
public sealed record IdentificationResult(IReadOnlyList<IdentificationCandidate> Candidates)
{
    /// <summary>True when nobody passed their threshold.</summary>
    public bool IsNoMatch => Candidates.Count == 0;
}

/// <summary>1:N identification over any <see cref="ITemplateScorer"/> (model-templates or vectors alike).</summary>
public static class Identification
{
    /// <summary>
    /// Scores the probes against the gallery and returns, per probe, the (at most) <paramref name="topK"/>
    /// best templates whose score reaches their threshold. Mutates nothing.
    /// </summary>
    /// <param name="scorer">The gallery.</param>
    /// <param name="probeBackbone">The backbone that produced the probes; must be the gallery's.</param>
    /// <param name="probes">Probes, row-major <c>probeCount × Dimension</c>.</param>
    /// <param name="probeCount">Number of probes.</param>
    /// <param name="thresholds">One global threshold (length 1) or one per template (length <c>Count</c>).</param>
    /// <param name="topK">How many candidates at most; default 1.</param>
    /// <exception cref="BackboneMismatchException">The probes come from another backbone.</exception>
    /// <exception cref="ArgumentException">Lengths do not match or <paramref name="topK"/> &lt; 1.</exception>
    public static IdentificationResult[] Identify(
        ITemplateScorer scorer, BackboneIdentity probeBackbone, ReadOnlySpan<float> probes, int probeCount,
        ReadOnlySpan<float> thresholds, int topK = 1)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        scorer.Backbone.EnsureSameAs(probeBackbone, "The gallery");
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        if (thresholds.Length != 1 && thresholds.Length != scorer.Count)
        {
            throw new ArgumentException($"Give one global threshold or {scorer.Count} per-template thresholds; got {thresholds.Length}.", nameof(thresholds));
        }

        var scores = new float[probeCount * scorer.Count];
        scorer.ScoreBatch(probes, probeCount, scores);
        var results = new IdentificationResult[probeCount];
        for (var p = 0; p < probeCount; p++)
        {
            var row = scores.AsSpan(p * scorer.Count, scorer.Count);
            var best = new List<IdentificationCandidate>(topK + 1);
            for (var t = 0; t < row.Length; t++)
            {
                var threshold = thresholds.Length == 1 ? thresholds[0] : thresholds[t];
                if (row[t] < threshold || (best.Count == topK && row[t] <= best[^1].Score))
                {
                    continue;
                }

                var score = row[t];
                var at = best.FindIndex(c => c.Score < score);
                best.Insert(at < 0 ? best.Count : at, new IdentificationCandidate(t, score, threshold));
                if (best.Count > topK)
                {
                    best.RemoveAt(best.Count - 1);
                }
            }

            results[p] = new IdentificationResult(best);
        }

        return results;
    }
}
