using System.Globalization;

namespace Mote.Core.Population.Densities;

/// <summary>
/// Fits a <see cref="GaussianMixture"/> of Ledoit–Wolf shrinkage Gaussians by EM (k-means++ start). The component
/// count is chosen by held-out log-likelihood: a seeded split keeps <see cref="HeldOutFraction"/> of the points out,
/// each K = 1…<see cref="MaxComponents"/> is fitted on the rest and scored on them, the best K is refitted on all
/// points. Held-out likelihood rather than BIC: with full covariances in 128-d a component costs 8,384 parameters,
/// and BIC's penalty (≈ 8,384·ln n / 2 ≈ 33,000 nats at n = 3,000) would forbid a second component whatever the data.
/// Any fit in which a component's effective sample size (Σr)²/Σr² of its responsibilities falls below
/// <see cref="MinPointsPerComponent"/> is refused, so no stored mean is (close to) one person's vector; K = 1 with
/// n ≥ that minimum always qualifies. The scores of every K are kept in the density's <see cref="IDensity.Parameters"/>.
/// </summary>
public sealed class GaussianMixtureEstimator : IDensityEstimator
{
    /// <param name="maxComponents">Largest K tried (default 3).</param>
    /// <param name="minPointsPerComponent">Smallest effective sample size allowed per component (default 20).</param>
    /// <param name="heldOutFraction">Share of points held out to choose K (default 0.2).</param>
    /// <param name="maxIterations">EM iteration cap (default 100).</param>
    /// <param name="tolerance">EM stops when the mean log-likelihood per point improves by less than this (default 1e-3, as scikit-learn).</param>
    public GaussianMixtureEstimator(int maxComponents = 3, int minPointsPerComponent = 20, double heldOutFraction = 0.2, int maxIterations = 100, double tolerance = 1e-3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxComponents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minPointsPerComponent, 2);
        if (!(heldOutFraction > 0 && heldOutFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "The held-out fraction must lie strictly between 0 and 1.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        MaxComponents = maxComponents;
        MinPointsPerComponent = minPointsPerComponent;
        HeldOutFraction = heldOutFraction;
        MaxIterations = maxIterations;
        Tolerance = tolerance;
    }

    /// <inheritdoc />
    public DensityKind Kind => DensityKind.GaussianMixture;

    /// <summary>Largest component count K tried (default 3).</summary>
    public int MaxComponents { get; }

    /// <summary>Smallest effective sample size allowed per component (default 20).</summary>
    public int MinPointsPerComponent { get; }

    /// <summary>Share of points held out to choose K (default 0.2).</summary>
    public double HeldOutFraction { get; }

    /// <summary>EM iteration cap (default 100).</summary>
    public int MaxIterations { get; }

    /// <summary>EM stops when the mean log-likelihood per point improves by less than this (default 1e-3).</summary>
    public double Tolerance { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["kind"] = "gaussian-mixture",
        ["covariance"] = "ledoit-wolf",
        ["maxComponents"] = MaxComponents.ToString(CultureInfo.InvariantCulture),
        ["minPointsPerComponent"] = MinPointsPerComponent.ToString(CultureInfo.InvariantCulture),
        ["selection"] = "held-out log-likelihood",
        ["heldOutFraction"] = HeldOutFraction.ToString("R", CultureInfo.InvariantCulture),
        ["maxIterations"] = MaxIterations.ToString(CultureInfo.InvariantCulture),
        ["tolerance"] = Tolerance.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public IDensity Fit(IReadOnlyList<float[]> points, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var d = PointChecks.Dimension(points, "Gaussian mixture");
        var n = points.Count;
        if (n < MinPointsPerComponent)
        {
            throw new InsufficientDataException($"A Gaussian mixture needs at least {MinPointsPerComponent} points (the per-component minimum), got {n}.");
        }
        var x = points.Select(p => p.Select(v => (double)v).ToArray()).ToArray();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var chosen = 1;
        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);
        var heldCount = (int)Math.Round(n * HeldOutFraction);
        var train = order.Skip(heldCount).Select(i => x[i]).ToArray();
        var held = order.Take(heldCount).Select(i => points[i]).ToArray();
        if (MaxComponents > 1 && heldCount > 0 && train.Length >= 2 * MinPointsPerComponent)
        {
            var best = double.NegativeInfinity;
            for (var k = 1; k <= MaxComponents && train.Length >= k * MinPointsPerComponent; k++)
            {
                var (mixture, reason, iterations) = Em(train, k, random);
                parameters[string.Create(CultureInfo.InvariantCulture, $"selectionIterations.K{k}")] = iterations.ToString(CultureInfo.InvariantCulture);
                var key = string.Create(CultureInfo.InvariantCulture, $"heldOutMeanLogLikelihood.K{k}");
                if (mixture is null)
                {
                    parameters[key] = "refused: " + reason;
                    continue;
                }
                var score = held.Average(p => mixture.LogLikelihood(p));
                parameters[key] = score.ToString("R", CultureInfo.InvariantCulture);
                if (score > best)
                {
                    best = score;
                    chosen = k;
                }
            }
        }
        for (var k = chosen; k >= 1; k--)
        {
            // A refused refit may have left per-component entries of a larger K behind.
            foreach (var stale in parameters.Keys.Where(key => key.StartsWith("effectiveSize.", StringComparison.Ordinal) || key.StartsWith("shrinkage.", StringComparison.Ordinal)).ToArray())
            {
                parameters.Remove(stale);
            }
            var (mixture, reason, _) = Em(x, k, random, parameters);
            if (mixture is not null)
            {
                return mixture;
            }
            parameters[string.Create(CultureInfo.InvariantCulture, $"refit.K{k}")] = "refused: " + reason;
        }
        throw new InvalidOperationException("Unreachable: a single component over ≥ the minimum points always qualifies.");
    }

    /// <summary>EM for K components; returns null and a reason when a component ends below the effective-size minimum.</summary>
    private (GaussianMixture? Mixture, string Reason, int Iterations) Em(double[][] x, int k, Random random, Dictionary<string, string>? parameters = null)
    {
        var n = x.Length;
        var resp = KMeansStart(x, k, random);
        GaussianMixture? mixture = null;
        double[] shrinkages = [];
        var previous = double.NegativeInfinity;
        var iterations = 0;
        var logp = new double[k];
        var buffer = new double[x[0].Length];
        var meanLogLikelihood = double.NaN;
        for (var iter = 0; iter < MaxIterations; iter++)
        {
            iterations = iter + 1;
            var (m, s, why) = MStep(x, resp, k, parameters);
            if (m is null)
            {
                return (null, why, iterations);
            }
            mixture = m;
            shrinkages = s;
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                for (var c = 0; c < k; c++)
                {
                    logp[c] = Math.Log(mixture.Weights[c]) + mixture.ComponentLogDensity(c, x[i], buffer);
                }
                var lse = DensityMath.LogSumExp(logp);
                total += lse;
                for (var c = 0; c < k; c++)
                {
                    resp[c][i] = Math.Exp(logp[c] - lse);
                }
            }
            meanLogLikelihood = total / n;
            if (k == 1 || meanLogLikelihood - previous < Tolerance)
            {
                break;
            }
            previous = meanLogLikelihood;
        }
        // The parameters were fitted from the responsibilities before the last E-step; refit from the final ones so
        // the effective-size check below is about the very weights that made the stored means.
        var (final, finalShrink, reason) = MStep(x, resp, k, parameters);
        if (final is null)
        {
            return (null, reason, iterations);
        }
        mixture = final;
        shrinkages = finalShrink;
        if (parameters is not null)
        {
            parameters["iterations"] = iterations.ToString(CultureInfo.InvariantCulture);
            parameters["trainMeanLogLikelihood"] = meanLogLikelihood.ToString("R", CultureInfo.InvariantCulture);
            parameters["points"] = n.ToString(CultureInfo.InvariantCulture);
            for (var c = 0; c < k; c++)
            {
                parameters[string.Create(CultureInfo.InvariantCulture, $"shrinkage.c{c}")] = shrinkages[c].ToString("R", CultureInfo.InvariantCulture);
            }
            return (new GaussianMixture(mixture.Weights.ToArray(), Enumerable.Range(0, k).Select(mixture.Mean).ToArray(),
                Enumerable.Range(0, k).Select(mixture.Covariance).ToArray(), parameters), "", iterations);
        }
        return (mixture, "", iterations);
    }

    private (GaussianMixture? Mixture, double[] Shrinkages, string Reason) MStep(double[][] x, double[][] resp, int k, Dictionary<string, string>? parameters)
    {
        var weights = new double[k];
        var means = new double[k][];
        var covs = new double[k][];
        var shrink = new double[k];
        for (var c = 0; c < k; c++)
        {
            double sum = 0, sum2 = 0;
            foreach (var r in resp[c])
            {
                sum += r;
                sum2 += r * r;
            }
            var effective = sum2 > 0 ? sum * sum / sum2 : 0;
            if (effective < MinPointsPerComponent)
            {
                return (null, [], string.Create(CultureInfo.InvariantCulture,
                    $"component {c} of {k} has an effective sample size of {effective:F1} < {MinPointsPerComponent}"));
            }
            if (parameters is not null)
            {
                parameters[string.Create(CultureInfo.InvariantCulture, $"effectiveSize.c{c}")] = effective.ToString("F1", CultureInfo.InvariantCulture);
            }
            weights[c] = sum;
            (means[c], covs[c], shrink[c]) = ShrinkageCovariance.Fit(x, resp[c]);
        }
        return (new GaussianMixture(weights, means, covs), shrink, "");
    }

    /// <summary>k-means++ seeding and 10 Lloyd rounds; returns one-hot responsibilities [component][point].</summary>
    private static double[][] KMeansStart(double[][] x, int k, Random random)
    {
        var n = x.Length;
        var resp = new double[k][];
        for (var c = 0; c < k; c++)
        {
            resp[c] = new double[n];
        }
        if (k == 1)
        {
            Array.Fill(resp[0], 1.0);
            return resp;
        }
        var d = x[0].Length;
        var centres = new List<double[]> { (double[])x[random.Next(n)].Clone() };
        var nearest = x.Select(p => SquaredDistance(p, centres[0])).ToArray();
        while (centres.Count < k)
        {
            var total = nearest.Sum();
            var u = random.NextDouble() * total;
            var pick = n - 1;
            for (var i = 0; i < n; i++)
            {
                u -= nearest[i];
                if (u <= 0)
                {
                    pick = i;
                    break;
                }
            }
            centres.Add((double[])x[pick].Clone());
            for (var i = 0; i < n; i++)
            {
                nearest[i] = Math.Min(nearest[i], SquaredDistance(x[i], centres[^1]));
            }
        }
        var assign = new int[n];
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < n; i++)
            {
                var best = 0;
                var bestD = double.PositiveInfinity;
                for (var c = 0; c < k; c++)
                {
                    var dist = SquaredDistance(x[i], centres[c]);
                    if (dist < bestD)
                    {
                        bestD = dist;
                        best = c;
                    }
                }
                assign[i] = best;
            }
            for (var c = 0; c < k; c++)
            {
                var members = 0;
                var sum = new double[d];
                for (var i = 0; i < n; i++)
                {
                    if (assign[i] == c)
                    {
                        members++;
                        DensityMath.AddScaled(sum, x[i], 1.0);
                    }
                }
                if (members > 0)
                {
                    centres[c] = sum.Select(v => v / members).ToArray();
                }
            }
        }
        for (var i = 0; i < n; i++)
        {
            resp[assign[i]][i] = 1.0;
        }
        return resp;
    }

    private static double SquaredDistance(double[] a, double[] b)
    {
        var s = 0.0;
        for (var j = 0; j < a.Length; j++)
        {
            var t = a[j] - b[j];
            s += t * t;
        }
        return s;
    }
}
