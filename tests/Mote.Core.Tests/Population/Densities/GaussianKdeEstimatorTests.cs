using Mote.Core.Population.Densities;

namespace Mote.Core.Tests.Population.Densities;

public sealed class GaussianKdeEstimatorTests
{
    [Fact]
    public void DefaultBandwidths_PaperGrid_40LogSpacedFromMinus2Point5To0Point4()
    {
        var grid = GaussianKdeEstimator.DefaultBandwidths;
        Assert.Equal(40, grid.Count);
        Assert.Equal(Math.Pow(10, -2.5), grid[0], 12);
        Assert.Equal(Math.Pow(10, 0.4), grid[^1], 12);
        var ratio = grid[1] / grid[0];
        for (var i = 1; i < grid.Count; i++)
        {
            Assert.Equal(ratio, grid[i] / grid[i - 1], 9);
        }
    }

    [Fact]
    public void Fit_KnownGaussian_BandwidthOnTheScaleOfTheTrueSd()
    {
        // N(0, 0.1² I) in 8-d, 1,000 points. For Gaussian data the MISE-optimal kernel sd is
        // σ·(4/((d+2)n))^(1/(d+4)) = 0.1·(4/10,000)^(1/12) ≈ 0.052; likelihood CV lands near it.
        const double sd = 0.1;
        var points = PopulationTestData.GaussianPoints(1000, new double[8], null, sd, seed: 1);
        var kde = (GaussianKde)new GaussianKdeEstimator().Fit(points, new Random(7));
        Assert.InRange(kde.Bandwidth, 0.25 * sd, 1.0 * sd);
        Assert.Equal("false", kde.Parameters["bandwidthAtGridEdge"]);
    }

    [Fact]
    public void Fit_DataScaledTenfold_BandwidthScalesWithinOneGridStep()
    {
        var small = PopulationTestData.GaussianPoints(600, new double[6], null, 0.05, seed: 2);
        var large = small.Select(p => p.Select(v => v * 10).ToArray()).ToArray();
        var hSmall = ((GaussianKde)new GaussianKdeEstimator().Fit(small, new Random(3))).Bandwidth;
        var hLarge = ((GaussianKde)new GaussianKdeEstimator().Fit(large, new Random(3))).Bandwidth;
        var step = GaussianKdeEstimator.DefaultBandwidths[1] / GaussianKdeEstimator.DefaultBandwidths[0]; // ≈ 1.187
        Assert.InRange(hLarge / hSmall, 10 / step, 10 * step);
    }

    [Fact]
    public void LogLikelihood_OneDimension_IntegratesToOne()
    {
        var points = PopulationTestData.GaussianPoints(200, [0.5], null, 0.2, seed: 4);
        var kde = new GaussianKdeEstimator().Fit(points, new Random(5));
        var integral = 0.0;
        const double dx = 0.001;
        for (var x = -2.0; x <= 3.0; x += dx)
        {
            integral += Math.Exp(kde.LogLikelihood([(float)x])) * dx;
        }
        Assert.Equal(1.0, integral, 3);
    }

    [Fact]
    public void LogLikelihood_Standardised_StillIntegratesToOneOverRawUnits()
    {
        var points = PopulationTestData.GaussianPoints(200, [3.0], null, 0.02, seed: 6);
        var kde = new GaussianKdeEstimator(standardise: true).Fit(points, new Random(5));
        Assert.True(((GaussianKde)kde).Standardised);
        var integral = 0.0;
        const double dx = 0.0001;
        for (var x = 2.8; x <= 3.2; x += dx)
        {
            integral += Math.Exp(kde.LogLikelihood([(float)x])) * dx;
        }
        Assert.Equal(1.0, integral, 3);
    }

    [Fact]
    public void Sample_SameSeed_SameDrawsDifferentSeedDifferentDraws()
    {
        var points = PopulationTestData.GaussianPoints(100, new double[4], null, 1, seed: 8);
        var kde = new GaussianKdeEstimator().Fit(points, new Random(1));
        var a = kde.Sample(50, new Random(42));
        var b = kde.Sample(50, new Random(42));
        var c = kde.Sample(50, new Random(43));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Fit_SameSeed_SameBandwidth()
    {
        var points = PopulationTestData.GaussianPoints(300, new double[5], null, 0.3, seed: 9);
        var h1 = ((GaussianKde)new GaussianKdeEstimator().Fit(points, new Random(11))).Bandwidth;
        var h2 = ((GaussianKde)new GaussianKdeEstimator().Fit(points, new Random(11))).Bandwidth;
        Assert.Equal(h1, h2);
    }

    [Fact]
    public void Sample_ManyDraws_MatchDataMomentsPlusKernelVariance()
    {
        var points = PopulationTestData.GaussianPoints(500, [1.0, -1.0], null, 0.5, seed: 10);
        var kde = (GaussianKde)new GaussianKdeEstimator().Fit(points, new Random(1));
        var draws = kde.Sample(20000, new Random(2));
        var (dataMean, dataCov) = PopulationTestData.Moments(points);
        var (mean, cov) = PopulationTestData.Moments(draws);
        Assert.Equal(dataMean[0], mean[0], 1);
        Assert.Equal(dataMean[1], mean[1], 1);
        // A KDE sample's variance is the data variance plus h².
        Assert.Equal(dataCov[0] + kde.Bandwidth * kde.Bandwidth, cov[0], 1);
    }

    [Fact]
    public void Fit_TooFewPoints_ThrowsInsufficientData()
    {
        var points = PopulationTestData.GaussianPoints(9, new double[3], null, 1, seed: 1);
        var e = Assert.Throws<InsufficientDataException>(() => new GaussianKdeEstimator().Fit(points, new Random(1)));
        Assert.Contains("at least 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_MixedLengths_ThrowsNamingPoint()
    {
        var points = new[] { new float[] { 1, 2 }, [1, 2], [1] };
        var e = Assert.Throws<ArgumentException>(() => new GaussianKdeEstimator().Fit(points, new Random(1)));
        Assert.Contains("Point 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StoresRawVectors_Kde_TrueAndStoredVectorsAreTheInputs()
    {
        var points = PopulationTestData.GaussianPoints(20, new double[3], null, 1, seed: 12);
        var kde = new GaussianKdeEstimator().Fit(points, new Random(1));
        Assert.True(kde.StoresRawVectors);
        var stored = kde.StoredVectors().ToList();
        Assert.All(points, p => Assert.Contains(stored, s => s.Select(v => (float)v).SequenceEqual(p)));
    }
}
