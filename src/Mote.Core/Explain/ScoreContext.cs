using System.Globalization;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;

namespace Mote.Core.Explain;

/// <summary>
/// Where a decision's score sits on the person's synthetic score distributions: the genuine scores (the
/// reference plus residuals drawn as enrollment draws positives) and impostor scores (the population's
/// negative groups), both through the person's own template. Immutable.
/// </summary>
/// <param name="Score">The decision's score.</param>
/// <param name="Threshold">The threshold it was compared with.</param>
/// <param name="Margin">Score minus threshold (positive = accepted).</param>
/// <param name="GenuineBelow">Fraction of synthetic genuine scores below the score (0..1); null when no reference descriptor was available to draw them.</param>
/// <param name="ImpostorsAtOrAbove">Fraction of synthetic impostor scores at or above the score (0..1).</param>
/// <param name="GenuineHistogram">Counts of genuine scores in <see cref="Bins"/> equal bins over [0, 1].</param>
/// <param name="ImpostorHistogram">Counts of impostor scores in the same bins.</param>
/// <param name="Sentence">One plain-language sentence an auditor can read.</param>
/// <param name="Readable">The same distributions on the readable score scale (log-odds for a model-template, as thresholds and
/// scores are written everywhere else; the cosine for a vector template); null in explanations stored before it existed.</param>
public sealed record ScoreContext(
    float Score, float Threshold, float Margin, double? GenuineBelow, double ImpostorsAtOrAbove,
    int[] GenuineHistogram, int[] ImpostorHistogram, string Sentence, ReadableHistograms? Readable = null)
{
    /// <summary>Histogram bins over [0, 1].</summary>
    public const int Bins = 20;

    /// <summary>The context of <paramref name="score"/> given sampled genuine and impostor scores. Mutates nothing.</summary>
    /// <param name="score">The decision's score.</param>
    /// <param name="threshold">The decision's threshold.</param>
    /// <param name="genuine">Synthetic genuine scores (histogram).</param>
    /// <param name="impostors">Synthetic impostor scores (histogram).</param>
    /// <param name="ranking">Optional values to rank by instead of the scores (the probe's, the genuine ones', the impostors'):
    /// a model-template's logits, because sigmoid scores round to exactly 1.000 or 0.000 for most samples and then tie.</param>
    /// <exception cref="ArgumentException">Either sample is empty, or a ranking sample's length differs from its scores'.</exception>
    public static ScoreContext FromScores(float score, float threshold, IReadOnlyList<float> genuine, IReadOnlyList<float> impostors,
        (float Probe, IReadOnlyList<float> Genuine, IReadOnlyList<float> Impostors)? ranking = null)
    {
        ArgumentNullException.ThrowIfNull(genuine);
        ArgumentNullException.ThrowIfNull(impostors);
        if (impostors.Count == 0)
        {
            throw new ArgumentException("Score context needs at least one impostor score.", nameof(impostors));
        }
        var (probe, rankGenuine, rankImpostors) = ranking ?? (score, genuine, impostors);
        if (rankGenuine.Count != genuine.Count || rankImpostors.Count != impostors.Count)
        {
            throw new ArgumentException("Ranking samples must match the score samples in length.", nameof(ranking));
        }
        double? genuineBelow = genuine.Count == 0 ? null : rankGenuine.Count(g => g < probe) / (double)genuine.Count;
        var impostorsAbove = rankImpostors.Count(i => i >= probe) / (double)impostors.Count;
        var margin = score - threshold;
        return new ScoreContext(score, threshold, margin, genuineBelow, impostorsAbove, Histogram(genuine), Histogram(impostors),
            Describe(score, threshold, margin, genuineBelow, impostorsAbove, impostors.Count, ranking is null ? null : (probe, CalibratedScale.LogOdds(threshold))),
            ReadableHistograms.From(ranking is null ? "score" : "log-odds", probe,
                ranking is null ? threshold : CalibratedScale.LogOdds(threshold), rankGenuine, rankImpostors));
    }

    /// <summary>
    /// Samples the person's synthetic scores as enrollment samples them (<see cref="TrainingSetSampler"/>, the
    /// same population pack and balance; the given seeds) and places <paramref name="score"/> among them.
    /// </summary>
    /// <param name="template">The person's template.</param>
    /// <param name="population">The population pack the person was trained with.</param>
    /// <param name="reference">The person's reference descriptor (L2-normalised), the centre of the genuine samples.</param>
    /// <param name="balance">The person's balance; null = equal over the pack.</param>
    /// <param name="score">The decision's score.</param>
    /// <param name="threshold">The decision's threshold.</param>
    /// <param name="seed">Seed of the draw (the result is the same for the same seed).</param>
    /// <param name="probeDescriptor">The probe's descriptor; with a model-template, ranks by logit (scores saturate and tie).</param>
    /// <param name="samples">Genuine samples (impostors: twice as many, as enrollment's 1:2); default 500.</param>
    public static ScoreContext Sample(ITemplate template, PopulationPack population, float[] reference, Balance? balance,
        float score, float threshold, int seed, float[]? probeDescriptor = null, int samples = 500)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(reference);
        var set = new TrainingSetSampler(population).Sample(reference, balance, seed,
            new TrainingSetOptions { Positives = samples, Negatives = 2 * samples, IncludeReference = false });
        var genuine = set.Positives.Select(p => template.Score(p)).ToArray();
        var impostors = set.Negatives.Select(n => template.Score(n)).ToArray();
        if (template is ModelTemplate model && probeDescriptor is not null)
        {
            return FromScores(score, threshold, genuine, impostors,
                (model.Logit(probeDescriptor), set.Positives.Select(p => model.Logit(p)).ToArray(), set.Negatives.Select(n => model.Logit(n)).ToArray()));
        }
        return FromScores(score, threshold, genuine, impostors);
    }

    /// <summary>
    /// Like <see cref="Sample"/> without a reference descriptor (a gallery that keeps no reference face): impostor
    /// scores only, <paramref name="samples"/> x 2 drawn evenly over the pack's negative groups.
    /// </summary>
    public static ScoreContext SampleImpostors(ITemplate template, PopulationPack population, float score, float threshold, int seed,
        float[]? probeDescriptor = null, int samples = 500)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(population);
        var sampler = new TrainingSetSampler(population);
        var groups = population.Negatives.Keys.ToArray();
        var per = Math.Max(1, 2 * samples / Math.Max(1, groups.Length));
        var impostors = groups.SelectMany((g, k) => sampler.SampleImpostors(g, per, seed + k)).ToArray();
        var scores = impostors.Select(n => template.Score(n)).ToArray();
        if (template is ModelTemplate model && probeDescriptor is not null)
        {
            return FromScores(score, threshold, [], scores, (model.Logit(probeDescriptor), [], impostors.Select(n => model.Logit(n)).ToArray()));
        }
        return FromScores(score, threshold, [], scores);
    }

    private static int[] Histogram(IReadOnlyList<float> scores)
    {
        var counts = new int[Bins];
        foreach (var s in scores)
        {
            counts[Math.Clamp((int)(s * Bins), 0, Bins - 1)]++;
        }
        return counts;
    }

    // With a model-template the scores are written as log-odds, as the page and the API's readable scale write them: its
    // sigmoid scores saturate ("its score 1.293E-07 is 0.8199 below the threshold 0.8199", issue 16).
    private static string Describe(float score, float threshold, float margin, double? genuineBelow, double impostorsAbove, int impostorCount,
        (double Probe, double Threshold)? logOdds)
    {
        var c = CultureInfo.InvariantCulture;
        var verdict = margin >= 0 ? "accepted" : "rejected";
        var side = margin >= 0 ? "above" : "below";
        var impostorText = impostorsAbove == 0
            ? $"none of {impostorCount.ToString("N0", c)} synthetic impostors scored this high"
            : $"{Percent(impostorsAbove)} of synthetic impostors scored this high or higher";
        var head = logOdds is { } l
            ? string.Create(c, $"The probe was {verdict}: its score (log-odds {ReadableScore.Signed(l.Probe)}) is {Math.Abs(l.Probe - l.Threshold):0.0} {side} the threshold (log-odds {ReadableScore.Signed(l.Threshold)}); ")
            : string.Create(c, $"The probe was {verdict}: its score {score:G4} is {Math.Abs(margin):G4} {side} the threshold {threshold:G4}; ");
        return genuineBelow is { } g
            ? head + $"it is higher than {Percent(g)} of this person's synthetic genuine scores, and {impostorText}."
            : head + impostorText + ".";
    }

    private static string Percent(double fraction) =>
        fraction is > 0 and < 0.001 ? "under 0.1 %" : (fraction * 100).ToString(fraction < 0.1 ? "0.0" : "0", CultureInfo.InvariantCulture) + " %";
}

/// <summary>
/// Score distributions on the readable scale: sigmoid scores of a model-template pile up at exactly 0 (impostors) and 1 (the
/// probe, genuine samples), which left the 0…1 histogram nearly empty (issue 16); their log-odds spread out. The range spans
/// every sample, the probe and the threshold, so nothing is clipped. Immutable.
/// </summary>
/// <param name="Scale"><c>log-odds</c> (model-templates) or <c>score</c> (the template's own score, e.g. a cosine).</param>
/// <param name="Min">Left edge of the first bin.</param>
/// <param name="Max">Right edge of the last bin.</param>
/// <param name="Probe">The probe on this scale.</param>
/// <param name="Threshold">The threshold on this scale.</param>
/// <param name="GenuineHistogram">Genuine samples in <see cref="ScoreContext.Bins"/> equal bins over [Min, Max].</param>
/// <param name="ImpostorHistogram">Impostor samples in the same bins.</param>
public sealed record ReadableHistograms(string Scale, double Min, double Max, double Probe, double Threshold, int[] GenuineHistogram, int[] ImpostorHistogram)
{
    /// <summary>Bins <paramref name="genuine"/> and <paramref name="impostors"/> over a range that holds them, the probe and the threshold.</summary>
    public static ReadableHistograms From(string scale, double probe, double threshold, IReadOnlyList<float> genuine, IReadOnlyList<float> impostors)
    {
        ArgumentNullException.ThrowIfNull(genuine);
        ArgumentNullException.ThrowIfNull(impostors);
        var all = genuine.Concat(impostors).Select(v => (double)v).Append(probe).Append(threshold).Where(double.IsFinite).ToArray();
        var min = all.Length == 0 ? 0 : Math.Floor(all.Min());
        var max = all.Length == 0 ? 1 : Math.Ceiling(all.Max());
        if (max <= min)
        {
            max = min + 1;
        }
        return new ReadableHistograms(scale, min, max, probe, threshold, Bin(genuine, min, max), Bin(impostors, min, max));
    }

    /// <summary>Where <paramref name="value"/> sits between <see cref="Min"/> and <see cref="Max"/>, 0..1 (clamped).</summary>
    public double Position(double value) => Math.Clamp((value - Min) / (Max - Min), 0, 1);

    private static int[] Bin(IReadOnlyList<float> values, double min, double max)
    {
        var counts = new int[ScoreContext.Bins];
        foreach (var v in values)
        {
            if (double.IsFinite(v))
            {
                counts[Math.Clamp((int)((v - min) / (max - min) * ScoreContext.Bins), 0, ScoreContext.Bins - 1)]++;
            }
        }
        return counts;
    }
}
