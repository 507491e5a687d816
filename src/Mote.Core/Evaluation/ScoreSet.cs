namespace Mote.Core.Evaluation;

/// <summary>One point of a DET/ROC curve: the error rates at a decision threshold (accept when score ≥ threshold).</summary>
/// <param name="Threshold">The threshold.</param>
/// <param name="Fmr">False-match rate: share of impostor scores ≥ threshold.</param>
/// <param name="Fnmr">False-non-match rate: share of genuine scores &lt; threshold.</param>
public sealed record ErrorPoint(double Threshold, double Fmr, double Fnmr);

/// <summary>
/// Pooled genuine and impostor scores of one template kind, sorted once so rates at any threshold are binary
/// searches. A pair is accepted when <c>score ≥ threshold</c> (the rule of <see cref="Templates.ThresholdCalibration"/>).
/// Immutable; the inputs are copied.
/// </summary>
public sealed class ScoreSet
{
    private readonly float[] genuine;
    private readonly float[] impostor;

    /// <summary>Sorts copies of the scores.</summary>
    /// <exception cref="ArgumentException">Either set is empty or holds a NaN.</exception>
    public ScoreSet(IEnumerable<float> genuineScores, IEnumerable<float> impostorScores)
    {
        ArgumentNullException.ThrowIfNull(genuineScores);
        ArgumentNullException.ThrowIfNull(impostorScores);
        genuine = genuineScores.ToArray();
        impostor = impostorScores.ToArray();
        if (genuine.Length == 0 || impostor.Length == 0)
        {
            throw new ArgumentException($"A score set needs genuine and impostor scores; got {genuine.Length} and {impostor.Length}.");
        }

        if (genuine.Any(float.IsNaN) || impostor.Any(float.IsNaN))
        {
            throw new ArgumentException("A score is NaN.");
        }

        Array.Sort(genuine);
        Array.Sort(impostor);
    }

    /// <summary>Genuine scores, ascending.</summary>
    public ReadOnlySpan<float> Genuine => genuine;

    /// <summary>Impostor scores, ascending.</summary>
    public ReadOnlySpan<float> Impostor => impostor;

    /// <summary>Share of impostor scores ≥ <paramref name="threshold"/>.</summary>
    public double Fmr(double threshold) => (impostor.Length - CountBelow(impostor, threshold)) / (double)impostor.Length;

    /// <summary>Share of genuine scores &lt; <paramref name="threshold"/>.</summary>
    public double Fnmr(double threshold) => CountBelow(genuine, threshold) / (double)genuine.Length;

    /// <summary>
    /// The smallest threshold that accepts at most <c>⌊fmr · n⌋</c> of the n impostor scores: just above the
    /// (⌊fmr·n⌋+1)-th highest impostor score, as <see cref="Templates.ThresholdCalibration.FromImpostorScores"/>.
    /// Null when there are fewer than <paramref name="minimumImpostorsPerError"/>/fmr impostor scores (the rate
    /// would rest on too few errors to mean anything).
    /// </summary>
    public double? ThresholdAtFmr(double fmr, double minimumImpostorsPerError = 10)
    {
        if (!(fmr > 0 && fmr < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fmr), fmr, "The FMR must be in (0, 1).");
        }

        if (impostor.Length < minimumImpostorsPerError / fmr)
        {
            return null;
        }

        var allowed = (int)Math.Floor(fmr * impostor.Length);
        return MathF.BitIncrement(impostor[impostor.Length - 1 - Math.Min(allowed, impostor.Length - 1)]);
    }

    /// <summary>FNMR at the threshold <see cref="ThresholdAtFmr"/> gives; null when that threshold is.</summary>
    public ErrorPoint? AtFmr(double fmr, double minimumImpostorsPerError = 10) =>
        ThresholdAtFmr(fmr, minimumImpostorsPerError) is { } t ? new ErrorPoint(t, Fmr(t), Fnmr(t)) : null;

    /// <summary>
    /// Area under the ROC curve: the probability that a random genuine score exceeds a random impostor score,
    /// ties counting one half (Mann–Whitney U / (n_g · n_i)).
    /// </summary>
    public double RocAuc()
    {
        double wins = 0;
        var lo = 0;
        var hi = 0;
        foreach (var g in genuine)
        {
            while (lo < impostor.Length && impostor[lo] < g)
            {
                lo++;
            }

            if (hi < lo)
            {
                hi = lo;
            }

            while (hi < impostor.Length && impostor[hi] <= g)
            {
                hi++;
            }

            wins += lo + 0.5 * (hi - lo);
        }

        return wins / ((double)genuine.Length * impostor.Length);
    }

    /// <summary>
    /// The equal error rate: over every candidate threshold (each distinct score, and +∞), the one where
    /// |FMR − FNMR| is smallest; the EER is the mean of the two rates there.
    /// </summary>
    public ErrorPoint EqualErrorRate()
    {
        ErrorPoint? best = null;
        var bestGap = double.PositiveInfinity;
        foreach (var t in Candidates())
        {
            var fmr = Fmr(t);
            var fnmr = Fnmr(t);
            var gap = Math.Abs(fmr - fnmr);
            if (gap < bestGap)
            {
                bestGap = gap;
                best = new ErrorPoint(t, (fmr + fnmr) / 2, (fmr + fnmr) / 2);
            }
        }

        return best!;
    }

    /// <summary>
    /// Up to <paramref name="maxPoints"/> DET points with FMR spaced evenly on a log scale from 1/n_impostor to 1
    /// (thresholds at those FMRs), ordered by increasing FMR.
    /// </summary>
    public IReadOnlyList<ErrorPoint> DetCurve(int maxPoints = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        var points = new List<ErrorPoint>(maxPoints);
        var lowest = Math.Log10(1.0 / impostor.Length);
        for (var k = 0; k < maxPoints; k++)
        {
            var fmr = Math.Pow(10, lowest + (0 - lowest) * k / (maxPoints - 1));
            var allowed = Math.Min((int)Math.Floor(fmr * impostor.Length), impostor.Length - 1);
            double t = MathF.BitIncrement(impostor[impostor.Length - 1 - allowed]);
            if (allowed == impostor.Length - 1)
            {
                t = Math.Min(t, impostor[0]);
            }

            var point = new ErrorPoint(t, Fmr(t), Fnmr(t));
            if (points.Count == 0 || points[^1].Fmr != point.Fmr)
            {
                points.Add(point);
            }
        }

        return points;
    }

    private IEnumerable<double> Candidates()
    {
        // Distinct scores of both sets, merged ascending: the rates only change there. At most a few thousand
        // genuine scores but millions of impostors, so walk the impostors with a stride past the far tail.
        var set = new SortedSet<double>(genuine.Select(g => (double)g));
        var stride = Math.Max(1, impostor.Length / 20000);
        for (var i = 0; i < impostor.Length; i += stride)
        {
            set.Add(impostor[i]);
        }

        var tail = Math.Max(0, impostor.Length - 20000);
        for (var i = tail; i < impostor.Length; i++)
        {
            set.Add(MathF.BitIncrement(impostor[i]));
        }

        set.Add(double.PositiveInfinity);
        return set;
    }

    private static int CountBelow(float[] sorted, double threshold)
    {
        // First index with value ≥ threshold.
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < threshold)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
