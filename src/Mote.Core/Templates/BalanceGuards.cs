using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Mote.Core.Numerics;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;

namespace Mote.Core.Templates;

/// <summary>
/// The guards a balance asks for (<see cref="GroupGuard"/>): one per negative group whose weight is above the balance's
/// <see cref="Balance.ReferenceLevel"/> (the median of its positive negative weights), with margin
/// <c>strength · ln(weight / level)</c> (the ratio capped at <see cref="MaxRatio"/>). A weight at or below the level adds
/// nothing: lowering a group only changes the synthetic mix, it never raises a score. With
/// <see cref="TrainingSetOptions.GuardedNegatives"/> the sampler caps every weight at the same level, so a raised group acts
/// through its guard alone and the rest of the template is the one an unraised balance trains.
/// Each group's detector is a logistic regression of that group against all others on the pack's own synthetic
/// negatives (equal total weight on each side, L2-regularised, Newton's method), fitted once per pack and group and
/// scaled so that the guard ramps from 0 at the decision boundary to 1 at the group's median member. Deterministic.
/// </summary>
public static class BalanceGuards
{
    /// <summary>The cap on <c>weight / level</c>: beyond 10× a guard grows no further.</summary>
    public const double MaxRatio = 10;

    /// <summary>Synthetic samples per group the detectors are fitted on.</summary>
    private const int SamplesPerGroup = 600;

    private const double Ridge = 1e-2;

    private static readonly ConditionalWeakTable<PopulationPack, ConcurrentDictionary<DemographicGroup, Lazy<(float[] Direction, float Offset)>>> Detectors = new();

    /// <summary>The guards for <paramref name="balance"/> (none for an equal balance or a strength of 0).</summary>
    /// <param name="pack">The pack the balance is over.</param>
    /// <param name="balance">The person's balance (validated against the pack).</param>
    /// <param name="strength">Logit units of margin per unit of <c>ln(weight / level)</c>; ≥ 0.</param>
    /// <exception cref="InvalidBalanceException">The balance does not fit the pack.</exception>
    public static IReadOnlyList<GroupGuard> For(PopulationPack pack, Balance balance, double strength)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(balance);
        if (!(strength >= 0 && double.IsFinite(strength)))
        {
            throw new ArgumentOutOfRangeException(nameof(strength), strength, "The guard strength must be finite and ≥ 0.");
        }

        balance.Validate(pack);
        if (strength == 0)
        {
            return [];
        }

        var level = balance.ReferenceLevel(pack);
        var guards = new List<GroupGuard>();
        foreach (var group in pack.Negatives.Keys.OrderBy(g => g.Id, StringComparer.Ordinal))
        {
            var ratio = balance.Negatives.GetValueOrDefault(group) / level;
            if (ratio <= 1 + 1e-9)
            {
                continue;
            }

            var (direction, offset) = Detector(pack, group);
            guards.Add(new GroupGuard(group.Id, direction, offset, (float)(strength * Math.Log(Math.Min(ratio, MaxRatio)))));
        }

        return guards;
    }

    /// <summary>The scaled detector of <paramref name="group"/> in <paramref name="pack"/> (cached per pack).</summary>
    internal static (float[] Direction, float Offset) Detector(PopulationPack pack, DemographicGroup group) =>
        Detectors.GetOrCreateValue(pack).GetOrAdd(group, g => new Lazy<(float[], float)>(() => Fit(pack, g))).Value;

    private static (float[] Direction, float Offset) Fit(PopulationPack pack, DemographicGroup target)
    {
        var d = pack.Dimension;
        var groups = pack.Negatives.Keys.OrderBy(g => g.Id, StringComparer.Ordinal).ToArray();
        var rows = new List<float[]>();
        var labels = new List<bool>();
        foreach (var group in groups)
        {
            var samples = pack.NegativeDensity(group).Sample(SamplesPerGroup, new Random(PopulationPackBuilder.GroupSeed(0, "guard detector", group.Id)));
            foreach (var s in samples)
            {
                Kernels.NormalizeInPlace(s);
                rows.Add(s);
                labels.Add(group == target);
            }
        }

        var positives = labels.Count(l => l);
        var negatives = labels.Count - positives;
        // Equal total weight on each side, so the boundary does not depend on how many groups the pack has.
        var weights = labels.Select(l => l ? 0.5 * labels.Count / positives : 0.5 * labels.Count / negatives).ToArray();
        var beta = Newton(rows, labels, weights, d);
        var scores = rows.Where((_, i) => labels[i]).Select(r => Score(beta, r)).Order().ToArray();
        // Ramp from the boundary (0) to the median member (1); at least one logit unit wide.
        var median = Math.Max(1.0, scores[scores.Length / 2]);
        return (beta.Take(d).Select(v => (float)(v / median)).ToArray(), (float)(beta[d] / median));
    }

    private static double Score(double[] beta, float[] x)
    {
        var s = beta[x.Length];
        for (var j = 0; j < x.Length; j++)
        {
            s += beta[j] * x[j];
        }

        return s;
    }

    /// <summary>Weighted, ridge-regularised logistic regression (intercept unpenalised) by Newton's method.</summary>
    private static double[] Newton(List<float[]> rows, List<bool> labels, double[] weights, int d)
    {
        var p = d + 1;
        var beta = new double[p];
        var n = rows.Count;
        for (var iteration = 0; iteration < 12; iteration++)
        {
            var gradient = new double[p];
            var hessian = new double[p * p];
            var x = new double[p];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < d; j++)
                {
                    x[j] = rows[i][j];
                }

                x[d] = 1;
                var mu = 1 / (1 + Math.Exp(-Score(beta, rows[i])));
                var residual = weights[i] * ((labels[i] ? 1 : 0) - mu);
                var curvature = weights[i] * mu * (1 - mu);
                for (var a = 0; a < p; a++)
                {
                    gradient[a] += residual * x[a];
                    var ca = curvature * x[a];
                    for (var b = 0; b <= a; b++)
                    {
                        hessian[(a * p) + b] += ca * x[b];
                    }
                }
            }

            for (var a = 0; a < p; a++)
            {
                for (var b = 0; b < a; b++)
                {
                    hessian[(b * p) + a] = hessian[(a * p) + b];
                }

                if (a < d)
                {
                    gradient[a] -= Ridge * n * beta[a];
                    hessian[(a * p) + a] += Ridge * n;
                }
                else
                {
                    hessian[(a * p) + a] += 1e-9 * n;
                }
            }

            var step = Cholesky(hessian, gradient, p);
            var change = 0.0;
            for (var a = 0; a < p; a++)
            {
                beta[a] += step[a];
                change = Math.Max(change, Math.Abs(step[a]));
            }

            if (change < 1e-6)
            {
                break;
            }
        }

        return beta;
    }

    /// <summary>Solves <c>A·x = b</c> for a symmetric positive-definite A (overwritten).</summary>
    private static double[] Cholesky(double[] a, double[] b, int p)
    {
        for (var j = 0; j < p; j++)
        {
            var sum = a[(j * p) + j];
            for (var k = 0; k < j; k++)
            {
                sum -= a[(j * p) + k] * a[(j * p) + k];
            }

            var diagonal = Math.Sqrt(Math.Max(sum, 1e-12));
            a[(j * p) + j] = diagonal;
            for (var i = j + 1; i < p; i++)
            {
                var s = a[(i * p) + j];
                for (var k = 0; k < j; k++)
                {
                    s -= a[(i * p) + k] * a[(j * p) + k];
                }

                a[(i * p) + j] = s / diagonal;
            }
        }

        var y = new double[p];
        for (var i = 0; i < p; i++)
        {
            var s = b[i];
            for (var k = 0; k < i; k++)
            {
                s -= a[(i * p) + k] * y[k];
            }

            y[i] = s / a[(i * p) + i];
        }

        var x = new double[p];
        for (var i = p - 1; i >= 0; i--)
        {
            var s = y[i];
            for (var k = i + 1; k < p; k++)
            {
                s -= a[(k * p) + i] * x[k];
            }

            x[i] = s / a[(i * p) + i];
        }

        return x;
    }
}
