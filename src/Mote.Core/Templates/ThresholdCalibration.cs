using Mote.Core.Numerics;

namespace Mote.Core.Templates;

/// <summary>
/// Sets decision thresholds at a target false-match rate (FMR) from impostor scores. A probe is accepted when
/// <c>score ≥ threshold</c>; the threshold returned is the smallest value that accepts at most
/// <c>⌊FMR · n⌋</c> of the n impostor scores.
/// </summary>
public static class ThresholdCalibration
{
    /// <summary>The FMR used when none is given: 1e-3, as in the MOTE paper.</summary>
    public const double DefaultTargetFmr = 1e-3;

    /// <summary>Threshold from impostor scores; the input is not mutated.</summary>
    /// <exception cref="ArgumentException">No scores, a non-finite score, or an FMR outside (0, 1).</exception>
    public static float FromImpostorScores(ReadOnlySpan<float> impostorScores, double targetFmr = DefaultTargetFmr)
    {
        if (!(targetFmr > 0 && targetFmr < 1))
        {
            throw new ArgumentException($"Target FMR {targetFmr} is not in (0, 1).", nameof(targetFmr));
        }

        if (impostorScores.IsEmpty)
        {
            throw new ArgumentException("No impostor scores to calibrate on.", nameof(impostorScores));
        }

        var sorted = impostorScores.ToArray();
        if (sorted.Any(s => !float.IsFinite(s)))
        {
            throw new ArgumentException("An impostor score is NaN or infinite.", nameof(impostorScores));
        }

        Array.Sort(sorted);
        Array.Reverse(sorted);
        var allowed = (int)Math.Floor(targetFmr * sorted.Length);

        // Just above the (allowed+1)-th highest impostor score: ties at that value are all rejected, so the
        // measured FMR never exceeds the target (it may undershoot with ties or few scores).
        return MathF.BitIncrement(sorted[Math.Min(allowed, sorted.Length - 1)]);
    }

    /// <summary>A person-specific threshold: scores the impostor descriptors with the template and calibrates.</summary>
    /// <param name="template">The person's template.</param>
    /// <param name="impostors">Impostor descriptors (row-major, each of the template's dimension).</param>
    /// <param name="targetFmr">Target FMR; default 1e-3.</param>
    public static float ForTemplate(ITemplate template, IReadOnlyList<float[]> impostors, double targetFmr = DefaultTargetFmr)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(impostors);
        var scores = new float[impostors.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = template.Score(impostors[i]);
        }

        return FromImpostorScores(scores, targetFmr);
    }

    /// <summary>
    /// One global threshold for a gallery: pools every template's scores on the impostor descriptors
    /// (which must not include the templates' own people) and calibrates on the pool.
    /// </summary>
    public static float Global(ITemplateScorer scorer, IReadOnlyList<float[]> impostors, double targetFmr = DefaultTargetFmr)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(impostors);
        var probes = new float[impostors.Count * scorer.Dimension];
        for (var i = 0; i < impostors.Count; i++)
        {
            Kernels.EnsureLength(impostors[i], scorer.Dimension, "impostor descriptor");
            impostors[i].CopyTo(probes, i * scorer.Dimension);
        }

        var scores = new float[impostors.Count * scorer.Count];
        scorer.ScoreBatch(probes, impostors.Count, scores);
        return FromImpostorScores(scores, targetFmr);
    }
}
