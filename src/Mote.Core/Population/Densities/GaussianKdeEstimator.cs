using System.Globalization;

namespace Mote.Core.Population.Densities;

/// <summary>
/// Fits a <see cref="GaussianKde"/>, choosing the bandwidth by k-fold cross-validated log-likelihood over a grid, as
/// in the MOTE reference code (5 folds, 40 log-spaced values from 10^-2.5 to 10^0.4). The fold distances are computed
/// once per fold and reused for every bandwidth, and each held-out point's likelihood is a log-sum-exp, so a few
/// thousand 128-d points take seconds. Settings are fixed at construction.
/// </summary>
public sealed class GaussianKdeEstimator : IDensityEstimator
{
    /// <summary>The paper's grid: 40 values, log-spaced, from 10^-2.5 to 10^0.4.</summary>
    public static IReadOnlyList<double> DefaultBandwidths { get; } = LogSpace(-2.5, 0.4, 40);

    /// <param name="bandwidths">Candidate bandwidths (default <see cref="DefaultBandwidths"/>).</param>
    /// <param name="folds">Cross-validation folds (default 5).</param>
    /// <param name="standardise">Standardise each dimension to zero mean, unit sd before the isotropic kernel (default false, as in the paper: descriptors share one scale).</param>
    public GaussianKdeEstimator(IReadOnlyList<double>? bandwidths = null, int folds = 5, bool standardise = false)
    {
        Bandwidths = (bandwidths ?? DefaultBandwidths).ToArray();
        if (Bandwidths.Count == 0 || Bandwidths.Any(h => !(h > 0) || !double.IsFinite(h)))
        {
            throw new ArgumentException("Bandwidth candidates must be a non-empty list of positive finite values.", nameof(bandwidths));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        Folds = folds;
        Standardise = standardise;
    }

    /// <inheritdoc />
    public DensityKind Kind => DensityKind.GaussianKde;

    /// <summary>Candidate bandwidths.</summary>
    public IReadOnlyList<double> Bandwidths { get; }

    /// <summary>Cross-validation folds.</summary>
    public int Folds { get; }

    /// <summary>Whether each dimension is standardised first.</summary>
    public bool Standardise { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["kind"] = "gaussian-kde",
        ["folds"] = Folds.ToString(CultureInfo.InvariantCulture),
        ["standardise"] = Standardise ? "true" : "false",
        ["bandwidthCandidates"] = Bandwidths.Count.ToString(CultureInfo.InvariantCulture),
        ["bandwidthMin"] = Bandwidths.Min().ToString("R", CultureInfo.InvariantCulture),
        ["bandwidthMax"] = Bandwidths.Max().ToString("R", CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public IDensity Fit(IReadOnlyList<float[]> points, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var d = PointChecks.Dimension(points, "kernel density");
        var n = points.Count;
        if (n < 2 * Folds)
        {
            throw new InsufficientDataException($"A kernel density with {Folds}-fold bandwidth selection needs at least {2 * Folds} points, got {n}.");
        }
        var shift = new double[d];
        var scale = Enumerable.Repeat(1.0, d).ToArray();
        if (Standardise)
        {
            for (var j = 0; j < d; j++)
            {
                double sum = 0, sum2 = 0;
                foreach (var p in points)
                {
                    sum += p[j];
                    sum2 += (double)p[j] * p[j];
                }
                var mean = sum / n;
                var sd = Math.Sqrt(Math.Max(0, sum2 / n - mean * mean));
                shift[j] = mean;
                // A constant dimension keeps unit scale: dividing by ~0 would blow it up.
                scale[j] = sd > 1e-12 ? sd : 1.0;
            }
        }
        var z = new float[n][];
        for (var i = 0; i < n; i++)
        {
            var v = new float[d];
            for (var j = 0; j < d; j++)
            {
                v[j] = (float)((points[i][j] - shift[j]) / scale[j]);
            }
            z[i] = v;
        }
        var scores = CrossValidatedScores(z, random);
        var best = 0;
        for (var b = 1; b < scores.Length; b++)
        {
            if (scores[b] > scores[best])
            {
                best = b;
            }
        }
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cvMeanLogLikelihood"] = (scores[best] / n).ToString("R", CultureInfo.InvariantCulture),
            ["bandwidthIndex"] = best.ToString(CultureInfo.InvariantCulture),
            ["bandwidthAtGridEdge"] = best == 0 || best == scores.Length - 1 ? "true" : "false",
            ["standardised"] = Standardise ? "true" : "false",
        };
        return new GaussianKde(z, Bandwidths[best], shift, scale, parameters);
    }

    /// <summary>Total held-out log-likelihood per bandwidth candidate, summed over the folds.</summary>
    internal double[] CrossValidatedScores(float[][] z, Random random)
    {
        var n = z.Length;
        var d = z[0].Length;
        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);
        var fold = new int[n];
        for (var r = 0; r < n; r++)
        {
            fold[order[r]] = r % Folds;
        }
        var totals = new double[Bandwidths.Count];
        var h = Bandwidths.ToArray();
        for (var f = 0; f < Folds; f++)
        {
            var train = Enumerable.Range(0, n).Where(i => fold[i] != f).ToArray();
            var test = Enumerable.Range(0, n).Where(i => fold[i] == f).ToArray();
            var logNorm = new double[h.Length];
            for (var b = 0; b < h.Length; b++)
            {
                logNorm[b] = -Math.Log(train.Length) - 0.5 * d * (DensityMath.Log2Pi + 2 * Math.Log(h[b]));
            }
            var perTest = new double[test.Length * h.Length];
            Parallel.For(0, test.Length, t =>
            {
                var x = z[test[t]];
                var dist = new double[train.Length];
                var min = double.PositiveInfinity;
                for (var k = 0; k < train.Length; k++)
                {
                    dist[k] = DensityMath.SquaredDistance(x, z[train[k]]);
                    min = Math.Min(min, dist[k]);
                }
                for (var b = 0; b < h.Length; b++)
                {
                    // log Σ exp(−D/2h²) with the largest term (smallest D) factored out.
                    var factor = -0.5 / (h[b] * h[b]);
                    var sum = 0.0;
                    foreach (var dk in dist)
                    {
                        sum += Math.Exp(factor * (dk - min));
                    }
                    perTest[t * h.Length + b] = factor * min + Math.Log(sum) + logNorm[b];
                }
            });
            for (var t = 0; t < test.Length; t++)
            {
                for (var b = 0; b < h.Length; b++)
                {
                    totals[b] += perTest[t * h.Length + b];
                }
            }
        }
        return totals;
    }

    private static double[] LogSpace(double fromExp, double toExp, int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = Math.Pow(10, fromExp + (toExp - fromExp) * i / (count - 1));
        }
        return values;
    }
}
