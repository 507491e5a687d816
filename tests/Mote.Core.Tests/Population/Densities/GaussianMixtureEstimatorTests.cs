using System.Globalization;
using Mote.Core.Population.Densities;

namespace Mote.Core.Tests.Population.Densities;

public sealed class GaussianMixtureEstimatorTests
{
    // A correlated 4-d Gaussian: L lower-triangular, Σ = L·Lᵀ.
    private static readonly double[] L4 =
    [
        0.5, 0, 0, 0,
        0.2, 0.3, 0, 0,
        -0.1, 0.1, 0.4, 0,
        0.0, 0.25, -0.2, 0.2,
    ];

    private static readonly double[] Mean4 = [1.0, -2.0, 0.5, 0.0];

    private static double[] Sigma(double[] l, int d)
    {
        var s = new double[d * d];
        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b < d; b++)
            {
                for (var k = 0; k < d; k++)
                {
                    s[a * d + b] += l[a * d + k] * l[b * d + k];
                }
            }
        }
        return s;
    }

    [Fact]
    public void Fit_KnownGaussian_RecoversMeanAndCovariance()
    {
        var points = PopulationTestData.GaussianPoints(5000, Mean4, L4, 0, seed: 1);
        var mixture = (GaussianMixture)new GaussianMixtureEstimator(maxComponents: 1).Fit(points, new Random(2));
        Assert.Equal(1, mixture.ComponentCount);
        var mean = mixture.Mean(0);
        var cov = mixture.Covariance(0);
        var sigma = Sigma(L4, 4);
        // Standard error of a mean is ≤ 0.5/√5000 ≈ 0.007; of a covariance entry ≈ 0.25·√2/√5000 ≈ 0.005.
        for (var j = 0; j < 4; j++)
        {
            Assert.InRange(mean[j] - Mean4[j], -0.03, 0.03);
        }
        var diff = Math.Sqrt(cov.Zip(sigma, (a, b) => (a - b) * (a - b)).Sum());
        var norm = Math.Sqrt(sigma.Sum(v => v * v));
        Assert.True(diff / norm < 0.05, $"relative Frobenius error {diff / norm:F4}");
    }

    [Fact]
    public void LogLikelihood_SingleComponent_EqualsAnalyticGaussian()
    {
        var sigma = Sigma(L4, 4);
        var mixture = new GaussianMixture([1.0], [Mean4], [sigma]);
        var x = new float[] { 0.7f, -1.5f, 0.2f, 0.3f };
        // Analytic: −½(d·ln 2π + ln|Σ| + (x−μ)ᵀΣ⁻¹(x−μ)) with |Σ| = Π L_ii² and Σ⁻¹ via forward substitution on L.
        var y = new double[4];
        for (var i = 0; i < 4; i++)
        {
            var s = x[i] - Mean4[i];
            for (var k = 0; k < i; k++)
            {
                s -= L4[i * 4 + k] * y[k];
            }
            y[i] = s / L4[i * 4 + i];
        }
        var logDet = Enumerable.Range(0, 4).Sum(i => 2 * Math.Log(L4[i * 4 + i]));
        var expected = -0.5 * (4 * Math.Log(2 * Math.PI) + logDet + y.Sum(v => v * v));
        Assert.Equal(expected, mixture.LogLikelihood(x), 10);
    }

    [Fact]
    public void Sample_ManyDraws_ReproduceMeanAndCovariance()
    {
        var sigma = Sigma(L4, 4);
        var mixture = new GaussianMixture([1.0], [Mean4], [sigma]);
        var draws = mixture.Sample(20000, new Random(3));
        var (mean, cov) = PopulationTestData.Moments(draws);
        for (var j = 0; j < 4; j++)
        {
            Assert.InRange(mean[j] - Mean4[j], -0.02, 0.02);
        }
        for (var k = 0; k < 16; k++)
        {
            Assert.InRange(cov[k] - sigma[k], -0.01, 0.01);
        }
    }

    [Fact]
    public void Fit_TwoSeparatedClusters_ChoosesTwoComponentsWithRightWeights()
    {
        var a = PopulationTestData.GaussianPoints(600, [3, 0, 0], null, 0.3, seed: 4);
        var b = PopulationTestData.GaussianPoints(1400, [-3, 0, 0], null, 0.3, seed: 5);
        var points = a.Concat(b).ToArray();
        var mixture = (GaussianMixture)new GaussianMixtureEstimator(maxComponents: 3).Fit(points, new Random(6));
        var k1 = double.Parse(mixture.Parameters["heldOutMeanLogLikelihood.K1"], CultureInfo.InvariantCulture);
        var k2 = double.Parse(mixture.Parameters["heldOutMeanLogLikelihood.K2"], CultureInfo.InvariantCulture);
        Assert.True(k2 > k1 + 1, $"held-out K1 {k1}, K2 {k2}");
        Assert.Equal(2, mixture.ComponentCount);
        var weights = mixture.Weights.Order().ToArray();
        Assert.Equal(0.3, weights[0], 2);
        Assert.Equal(0.7, weights[1], 2);
    }

    [Fact]
    public void Fit_SmallCluster_NoComponentBelowMinimumEffectiveSize()
    {
        // A 12-point cluster far from a 400-point one: a component on it would have an effective size of ~12 < 20.
        var big = PopulationTestData.GaussianPoints(400, [0, 0], null, 0.3, seed: 7);
        var tiny = PopulationTestData.GaussianPoints(12, [20, 20], null, 0.01, seed: 8);
        var mixture = (GaussianMixture)new GaussianMixtureEstimator(maxComponents: 3, minPointsPerComponent: 20).Fit(big.Concat(tiny).ToArray(), new Random(9));
        for (var c = 0; c < mixture.ComponentCount; c++)
        {
            var effective = double.Parse(mixture.Parameters[$"effectiveSize.c{c}"], CultureInfo.InvariantCulture);
            Assert.True(effective >= 20, $"component {c} effective size {effective}");
        }
        Assert.All(tiny, p => Assert.DoesNotContain(mixture.StoredVectors(), v => v.Length == 2 && Math.Abs(v[0] - p[0]) < 0.05 && Math.Abs(v[1] - p[1]) < 0.05));
    }

    [Fact]
    public void Fit_FewerPointsThanDimensions_ShrinkageKeepsCovariancePositiveDefinite()
    {
        var points = PopulationTestData.GaussianPoints(30, new double[64], null, 0.1, seed: 10);
        var mixture = (GaussianMixture)new GaussianMixtureEstimator().Fit(points, new Random(1));
        var shrinkage = double.Parse(mixture.Parameters["shrinkage.c0"], CultureInfo.InvariantCulture);
        Assert.InRange(shrinkage, 0.05, 1.0);
        Assert.All(mixture.Sample(10, new Random(2)), s => Assert.All(s, v => Assert.True(float.IsFinite(v))));
        Assert.True(double.IsFinite(mixture.LogLikelihood(points[0])));
    }

    [Fact]
    public void Fit_FewerThanMinimumPoints_ThrowsInsufficientData()
    {
        var points = PopulationTestData.GaussianPoints(19, new double[2], null, 1, seed: 1);
        var e = Assert.Throws<InsufficientDataException>(() => new GaussianMixtureEstimator(minPointsPerComponent: 20).Fit(points, new Random(1)));
        Assert.Contains("at least 20", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_IdenticalPoints_ThrowsInsufficientData()
    {
        var points = Enumerable.Range(0, 40).Select(_ => new float[] { 1, 2, 3 }).ToArray();
        Assert.Throws<InsufficientDataException>(() => new GaussianMixtureEstimator().Fit(points, new Random(1)));
    }

    [Fact]
    public void FitAndSample_SameSeed_Identical()
    {
        var points = PopulationTestData.GaussianPoints(300, [0, 1, 2], null, 0.5, seed: 11);
        var m1 = new GaussianMixtureEstimator().Fit(points, new Random(5));
        var m2 = new GaussianMixtureEstimator().Fit(points, new Random(5));
        Assert.Equal(m1.StoredVectors(), m2.StoredVectors());
        Assert.Equal(m1.Sample(100, new Random(1)), m2.Sample(100, new Random(1)));
        Assert.NotEqual(m1.Sample(100, new Random(1)), m1.Sample(100, new Random(2)));
    }

    [Fact]
    public void StoredVectors_Mixture_NoneEqualsAnInputPoint()
    {
        var points = PopulationTestData.GaussianPoints(200, [0, 0, 0], null, 1, seed: 12);
        var mixture = new GaussianMixtureEstimator().Fit(points, new Random(1));
        Assert.False(mixture.StoresRawVectors);
        var stored = mixture.StoredVectors().ToList();
        Assert.DoesNotContain(stored, s => points.Any(p => p.Length == s.Length && p.Zip(s).All(t => Math.Abs(t.First - t.Second) < 1e-6)));
    }

    [Fact]
    public void Constructor_NotPositiveDefinite_ThrowsNamingComponent()
    {
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixture([1.0], [[0.0, 0.0]], [[1, 2, 2, 1]]));
        Assert.Contains("component 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CallerMutatesArraysAfterwards_DensityUnchanged()
    {
        var mean = new double[] { 1, 2 };
        var cov = new double[] { 1, 0, 0, 1 };
        var mixture = new GaussianMixture([1.0], [mean], [cov]);
        var before = mixture.LogLikelihood([1f, 2f]);
        mean[0] = 100;
        cov[0] = 50;
        Assert.Equal(before, mixture.LogLikelihood([1f, 2f]));
        Assert.Equal(1.0, mixture.Mean(0)[0]);
    }
}
