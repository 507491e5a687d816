using Mote.Core.Population.Densities;

namespace Mote.Core.Tests.Population.Densities;

public sealed class ShrinkageCovarianceTests
{
    /// <summary>scikit-learn's <c>ledoit_wolf_shrinkage</c> written out literally, unweighted, as an independent reference.</summary>
    private static double SklearnShrinkage(double[][] x)
    {
        var n = x.Length;
        var d = x[0].Length;
        var mean = Enumerable.Range(0, d).Select(j => x.Average(r => r[j])).ToArray();
        var xc = x.Select(r => r.Select((v, j) => v - mean[j]).ToArray()).ToArray();
        var emp = new double[d, d];
        var x2 = new double[d, d];
        for (var i = 0; i < n; i++)
        {
            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    emp[a, b] += xc[i][a] * xc[i][b] / n;
                    x2[a, b] += xc[i][a] * xc[i][a] * xc[i][b] * xc[i][b];
                }
            }
        }
        var mu = Enumerable.Range(0, d).Sum(a => emp[a, a]) / d;
        double betaSum = 0, deltaSum = 0, empSq = 0;
        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b < d; b++)
            {
                betaSum += x2[a, b];
                empSq += emp[a, b] * emp[a, b];
                var t = emp[a, b] - (a == b ? mu : 0);
                deltaSum += t * t;
            }
        }
        var beta = (betaSum / n - empSq) / (d * (double)n);
        var delta = deltaSum / d;
        beta = Math.Min(beta, delta);
        return beta == 0 ? 0 : beta / delta;
    }

    [Theory]
    [InlineData(20, 10)]
    [InlineData(200, 10)]
    [InlineData(15, 40)]
    public void Fit_Unweighted_MatchesScikitLearnFormula(int n, int d)
    {
        var points = PopulationTestData.GaussianPoints(n, new double[d], null, 1, seed: n + d)
            .Select(p => p.Select(v => (double)v).ToArray()).ToArray();
        var (_, _, shrinkage) = ShrinkageCovariance.Fit(points, null);
        Assert.Equal(SklearnShrinkage(points), shrinkage, 9);
    }

    [Fact]
    public void Fit_ManyPointsFewDimensions_LittleShrinkage()
    {
        var points = PopulationTestData.GaussianPoints(5000, new double[3], [1, 0, 0, 0.9, 0.3, 0, 0.5, 0.2, 0.4], 0, seed: 1)
            .Select(p => p.Select(v => (double)v).ToArray()).ToArray();
        var (_, _, shrinkage) = ShrinkageCovariance.Fit(points, null);
        Assert.InRange(shrinkage, 0, 0.02);
    }

    [Fact]
    public void Fit_IntegerWeights_EqualRepeatedPoints()
    {
        var points = PopulationTestData.GaussianPoints(30, new double[4], null, 1, seed: 2)
            .Select(p => p.Select(v => (double)v).ToArray()).ToArray();
        var weights = Enumerable.Range(0, 30).Select(i => (double)(1 + i % 3)).ToArray();
        var repeated = points.SelectMany((p, i) => Enumerable.Repeat(p, (int)weights[i])).ToArray();
        var (m1, c1, _) = ShrinkageCovariance.Fit(points, weights);
        var (m2, c2, _) = ShrinkageCovariance.Fit(repeated, null);
        Assert.Equal(m2, m1, (a, b) => Math.Abs(a - b) < 1e-12);
        // Shrinkage differs (repetition is not independent data), so compare the empirical part through the trace.
        Assert.Equal(Enumerable.Range(0, 4).Sum(a => c2[a * 4 + a]), Enumerable.Range(0, 4).Sum(a => c1[a * 4 + a]), 9);
    }
}
