namespace Mote.Core.Faces.Benchmark;

/// <summary>One scored pair: similarity and whether both photos show the same person.</summary>
/// <param name="Score">Similarity (higher = more alike).</param>
/// <param name="Genuine">True for a same-person pair.</param>
public readonly record struct ScoredPair(double Score, bool Genuine);

/// <summary>10-fold accuracy and its spread.</summary>
/// <param name="Mean">Mean held-out accuracy over the folds.</param>
/// <param name="StandardDeviation">Standard deviation of the fold accuracies.</param>
/// <param name="MeanThreshold">Mean of the thresholds chosen on the training folds.</param>
/// <param name="FoldAccuracies">Accuracy of each held-out fold.</param>
public sealed record FoldedAccuracy(double Mean, double StandardDeviation, double MeanThreshold, IReadOnlyList<double> FoldAccuracies);

/// <summary>True accept rate at a false accept rate, with the threshold that gives it.</summary>
/// <param name="TrueAcceptRate">Share of genuine pairs scoring above <paramref name="Threshold"/>.</param>
/// <param name="FalseAcceptRate">Share of impostor pairs above it (at most the target).</param>
/// <param name="Threshold">Pairs scoring strictly above it are accepted.</param>
public sealed record RateAtFar(double TrueAcceptRate, double FalseAcceptRate, double Threshold);

/// <summary>
/// LFW-style verification statistics over scored pairs. Pure functions; the input is not modified.
/// </summary>
public static class VerificationProtocol
{
    /// <summary>
    /// Assigns each pair a fold 0..folds−1: genuine and impostor pairs are dealt round-robin separately,
    /// in the given order, so every fold gets the same mix (the caller shuffles with its seed first).
    /// </summary>
    public static int[] AssignFolds(IReadOnlyList<ScoredPair> pairs, int folds = 10)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var result = new int[pairs.Count];
        int genuine = 0, impostor = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            result[i] = pairs[i].Genuine ? genuine++ % folds : impostor++ % folds;
        }

        return result;
    }

    /// <summary>
    /// k-fold verification accuracy: for each fold, the threshold that maximises accuracy on the other
    /// folds is applied to it (accept when score ≥ threshold); returns the mean over folds.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer pairs than folds.</exception>
    public static FoldedAccuracy KFoldAccuracy(IReadOnlyList<ScoredPair> pairs, int folds = 10)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count < folds)
        {
            throw new ArgumentException($"{folds}-fold accuracy needs at least {folds} pairs; {pairs.Count} were given.", nameof(pairs));
        }

        var fold = AssignFolds(pairs, folds);
        var accuracies = new double[folds];
        var thresholds = new double[folds];
        for (var f = 0; f < folds; f++)
        {
            var train = pairs.Where((_, i) => fold[i] != f).ToArray();
            var test = pairs.Where((_, i) => fold[i] == f).ToArray();
            thresholds[f] = BestThreshold(train);
            accuracies[f] = Accuracy(test, thresholds[f]);
        }

        var mean = accuracies.Average();
        var sd = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / folds);
        return new FoldedAccuracy(mean, sd, thresholds.Average(), accuracies);
    }

    /// <summary>Share of pairs decided correctly when accepting scores ≥ <paramref name="threshold"/>.</summary>
    public static double Accuracy(IReadOnlyList<ScoredPair> pairs, double threshold)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
        {
            return 0;
        }

        return pairs.Count(p => (p.Score >= threshold) == p.Genuine) / (double)pairs.Count;
    }

    /// <summary>
    /// The threshold maximising accuracy on <paramref name="pairs"/>: every midpoint between consecutive
    /// distinct scores (and one below all, one above all) is tried; ties go to the lowest such threshold.
    /// </summary>
    public static double BestThreshold(IReadOnlyList<ScoredPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0)
        {
            return 0;
        }

        var sorted = pairs.OrderBy(p => p.Score).ToArray();
        // Threshold below everything: all accepted → correct = number of genuine pairs.
        var correct = sorted.Count(p => p.Genuine);
        var best = correct;
        var bestThreshold = sorted[0].Score - 1e-6;
        for (var i = 0; i < sorted.Length; i++)
        {
            // Moving the threshold above sorted[i] rejects it.
            correct += sorted[i].Genuine ? -1 : 1;
            var last = i == sorted.Length - 1;
            if (!last && sorted[i + 1].Score == sorted[i].Score)
            {
                continue;
            }

            if (correct > best)
            {
                best = correct;
                bestThreshold = last ? sorted[i].Score + 1e-6 : (sorted[i].Score + sorted[i + 1].Score) / 2;
            }
        }

        return bestThreshold;
    }

    /// <summary>
    /// TAR at a target FAR: the threshold is the impostor score with ⌊far·n⌋ impostor scores above it,
    /// and pairs scoring strictly above it are accepted, so the achieved FAR never exceeds the target.
    /// </summary>
    /// <exception cref="ArgumentException">No genuine or no impostor pairs, or FAR outside (0, 1).</exception>
    public static RateAtFar TrueAcceptRateAt(IReadOnlyList<ScoredPair> pairs, double falseAcceptRate)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (!(falseAcceptRate > 0 && falseAcceptRate < 1))
        {
            throw new ArgumentException($"The target FAR must lie in (0, 1); {falseAcceptRate} was given.", nameof(falseAcceptRate));
        }

        var impostors = pairs.Where(p => !p.Genuine).Select(p => p.Score).OrderByDescending(s => s).ToArray();
        var genuine = pairs.Where(p => p.Genuine).Select(p => p.Score).ToArray();
        if (impostors.Length == 0 || genuine.Length == 0)
        {
            throw new ArgumentException($"TAR at FAR needs genuine and impostor pairs; got {genuine.Length} and {impostors.Length}.", nameof(pairs));
        }

        var allowed = (int)Math.Floor(falseAcceptRate * impostors.Length);
        var threshold = impostors[Math.Min(allowed, impostors.Length - 1)];
        var far = impostors.Count(s => s > threshold) / (double)impostors.Length;
        var tar = genuine.Count(s => s > threshold) / (double)genuine.Length;
        return new RateAtFar(tar, far, threshold);
    }
}
