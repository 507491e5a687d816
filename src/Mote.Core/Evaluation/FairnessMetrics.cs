namespace Mote.Core.Evaluation;

/// <summary>
/// Differential-performance summaries over demographic groups, each from per-group FMR and FNMR at one global
/// threshold. Pure functions; inputs are not mutated.
/// </summary>
public static class FairnessMetrics
{
    /// <summary>The weight of the FMR part used when none is given (FDR and GARBE): 0.5, as the issue asks.</summary>
    public const double DefaultAlpha = 0.5;

    /// <summary>
    /// Fairness Discrepancy Rate (de Freitas Pereira &amp; Marcel, 2021):
    /// <c>1 − (α·max_{i,j}|FMR_i − FMR_j| + (1−α)·max_{i,j}|FNMR_i − FNMR_j|)</c>. 1 is perfectly fair.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two groups, lengths differ, or α is outside [0, 1].</exception>
    public static double Fdr(IReadOnlyList<double> fmr, IReadOnlyList<double> fnmr, double alpha = DefaultAlpha)
    {
        Check(fmr, fnmr, alpha);
        return 1 - (alpha * (fmr.Max() - fmr.Min()) + (1 - alpha) * (fnmr.Max() - fnmr.Min()));
    }

    /// <summary>
    /// Gini Aggregation Rate for Biometric Equitability (Howard et al., ISO/IEC 19795-10 draft):
    /// <c>α·G(FMR) + (1−α)·G(FNMR)</c> with the sample-corrected Gini coefficient <see cref="Gini"/>. 0 is perfectly fair.
    /// </summary>
    public static double Garbe(IReadOnlyList<double> fmr, IReadOnlyList<double> fnmr, double alpha = DefaultAlpha)
    {
        Check(fmr, fnmr, alpha);
        return alpha * Gini(fmr) + (1 - alpha) * Gini(fnmr);
    }

    /// <summary>
    /// <c>G = n/(n−1) · Σ_i Σ_j |x_i − x_j| / (2 n² x̄)</c>; 0 when every value is 0 (no differences to measure).
    /// </summary>
    public static double Gini(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = values.Count;
        if (n < 2)
        {
            throw new ArgumentException("The Gini coefficient needs at least two groups.", nameof(values));
        }

        var mean = values.Average();
        if (mean <= 0)
        {
            return 0;
        }

        double sum = 0;
        foreach (var a in values)
        {
            foreach (var b in values)
            {
                sum += Math.Abs(a - b);
            }
        }

        return n / (n - 1.0) * sum / (2.0 * n * n * mean);
    }

    /// <summary>
    /// max / geometric mean of the values (the NIST FRVT demographic summary); null when a value is 0 (the
    /// geometric mean is then 0 and the ratio undefined).
    /// </summary>
    public static double? MaxToGeometricMean(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0 || values.Any(v => !(v > 0)))
        {
            return null;
        }

        var logMean = values.Average(Math.Log);
        return values.Max() / Math.Exp(logMean);
    }

    private static void Check(IReadOnlyList<double> fmr, IReadOnlyList<double> fnmr, double alpha)
    {
        ArgumentNullException.ThrowIfNull(fmr);
        ArgumentNullException.ThrowIfNull(fnmr);
        if (fmr.Count < 2 || fmr.Count != fnmr.Count)
        {
            throw new ArgumentException($"Give FMR and FNMR for the same two or more groups; got {fmr.Count} and {fnmr.Count}.");
        }

        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be in [0, 1].");
        }
    }
}

/// <summary>
/// Error counts of one enrolled identity at a fixed threshold: its genuine comparisons (its own probes against its
/// template) and its impostor comparisons (other people's probes against its template). Bootstrap resamples these
/// per identity, so pairs of one person stay together.
/// </summary>
/// <param name="Genuine">Genuine comparisons.</param>
/// <param name="FalseNonMatches">Genuine comparisons rejected.</param>
/// <param name="Impostor">Impostor comparisons.</param>
/// <param name="FalseMatches">Impostor comparisons accepted.</param>
public readonly record struct IdentityCounts(long Genuine, long FalseNonMatches, long Impostor, long FalseMatches);

/// <summary>
/// A rate with its 95% confidence interval: the percentile bootstrap, except where the rate has zero events (or
/// only events), where the bootstrap can only say 0–0 (1–1) and the exact Clopper–Pearson bound is given instead
/// (<see cref="ClopperPearson"/>).
/// </summary>
/// <param name="Value">The rate on the full sample.</param>
/// <param name="Low">2.5th percentile of the bootstrap distribution (with only events: the exact lower bound).</param>
/// <param name="High">97.5th percentile (with zero events: the exact upper bound, never 0 when anything was compared).</param>
public sealed record RateInterval(double Value, double Low, double High);

/// <summary>Percentile bootstrap over identities (seeded: equal seed, equal intervals).</summary>
public static class IdentityBootstrap
{
    /// <summary>
    /// FMR and FNMR of a group with 95% intervals: <paramref name="replicates"/> times, draw as many identities as
    /// the group has, with replacement, and pool their counts. Mutates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">No identities, or fewer than 2 replicates.</exception>
    public static (RateInterval Fmr, RateInterval Fnmr) Rates(IReadOnlyList<IdentityCounts> identities, int replicates, int seed)
    {
        ArgumentNullException.ThrowIfNull(identities);
        if (identities.Count == 0)
        {
            throw new ArgumentException("The bootstrap needs at least one identity.", nameof(identities));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(replicates, 2);
        var random = new Random(seed);
        var fmr = new double[replicates];
        var fnmr = new double[replicates];
        for (var r = 0; r < replicates; r++)
        {
            long g = 0, fn = 0, i = 0, fm = 0;
            for (var k = 0; k < identities.Count; k++)
            {
                var c = identities[random.Next(identities.Count)];
                g += c.Genuine;
                fn += c.FalseNonMatches;
                i += c.Impostor;
                fm += c.FalseMatches;
            }

            fmr[r] = i == 0 ? 0 : fm / (double)i;
            fnmr[r] = g == 0 ? 0 : fn / (double)g;
        }

        long tg = identities.Sum(c => c.Genuine), tfn = identities.Sum(c => c.FalseNonMatches);
        long ti = identities.Sum(c => c.Impostor), tfm = identities.Sum(c => c.FalseMatches);
        return (ClopperPearson.Bound(Interval(ti == 0 ? 0 : tfm / (double)ti, fmr), tfm, ti),
            ClopperPearson.Bound(Interval(tg == 0 ? 0 : tfn / (double)tg, fnmr), tfn, tg));
    }

    /// <summary>The 2.5th and 97.5th percentiles (linear interpolation) around a value.</summary>
    public static RateInterval Interval(double value, double[] replicates)
    {
        ArgumentNullException.ThrowIfNull(replicates);
        var sorted = replicates.Order().ToArray();
        return new RateInterval(value, Percentile(sorted, 0.025), Percentile(sorted, 0.975));
    }

    /// <summary>The q-quantile of ascending values, linear between order statistics (numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(sorted));
        }

        var position = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
    }
}

/// <summary>
/// Exact (Clopper–Pearson) 95% bounds for the two cases the bootstrap cannot bound: zero events in n trials (every
/// replicate is 0, so the percentile interval is 0–0, which reads as certainty) and n events in n trials (1–1).
/// With 0 of n the two-sided 95% interval is [0, 1 − 0.025^(1/n)] (about 3.69 / n for large n: 3.7e-6 for a
/// million impostor pairs). The trials are pairs, which are not independent within a person, so the bound is if
/// anything optimistic; it is still the honest "at most" a zero-event rate allows.
/// </summary>
public static class ClopperPearson
{
    /// <summary>The upper end of the two-sided 95% interval with zero events in <paramref name="trials"/>: 1 − 0.025^(1/n).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trials"/> is not positive.</exception>
    public static double ZeroEventsUpper(long trials)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        // For n = 1e9, 1 − pow still keeps about 7 significant digits of the 3.7e-9 it returns: plenty for a bound.
        return 1 - Math.Pow(0.025, 1.0 / trials);
    }

    /// <summary>
    /// <paramref name="interval"/> with its empty side replaced by the exact bound: with 0 events, High = <see cref="ZeroEventsUpper"/>;
    /// with <paramref name="events"/> = <paramref name="trials"/>, Low = 1 − that. Unchanged otherwise, and with no trials.
    /// </summary>
    public static RateInterval Bound(RateInterval interval, long events, long trials)
    {
        ArgumentNullException.ThrowIfNull(interval);
        if (trials <= 0)
        {
            return interval;
        }
        if (events == 0)
        {
            return interval with { Low = 0, High = ZeroEventsUpper(trials) };
        }
        return events == trials ? interval with { Low = 1 - ZeroEventsUpper(trials), High = 1 } : interval;
    }
}
