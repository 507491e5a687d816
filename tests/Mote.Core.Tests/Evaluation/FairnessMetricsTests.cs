using Mote.Core.Evaluation;

namespace Mote.Core.Tests.Evaluation;

public sealed class FairnessMetricsTests
{
    [Fact]
    public void Fdr_HandCase()
    {
        // max |ΔFMR| = 0.003 − 0.001 = 0.002; max |ΔFNMR| = 0.10 − 0.04 = 0.06; FDR = 1 − (0.5·0.002 + 0.5·0.06) = 0.969.
        var fdr = FairnessMetrics.Fdr([0.001, 0.003, 0.002], [0.04, 0.10, 0.05]);

        Assert.Equal(0.969, fdr, 12);
    }

    [Fact]
    public void Gini_TwoGroups_HandCase()
    {
        // Σ|xi − xj| over ordered pairs = 0.4; n = 2; mean 0.2: G = 2/1 · 0.4 / (2·4·0.2) = 0.5.
        Assert.Equal(0.5, FairnessMetrics.Gini([0.1, 0.3]), 12);
    }

    [Fact]
    public void Gini_ThreeGroups_HandCase()
    {
        // x = 1, 2, 3: Σ|xi − xj| = 2·(1 + 2 + 1) = 8; mean 2; G = 3/2 · 8 / (2·9·2) = 1/3.
        Assert.Equal(1.0 / 3, FairnessMetrics.Gini([1, 2, 3]), 12);
    }

    [Fact]
    public void Garbe_HandCase()
    {
        // G(FMR) of (0.1, 0.3) = 0.5; G(FNMR) of (1, 1) = 0; GARBE = 0.5·0.5 + 0.5·0 = 0.25.
        Assert.Equal(0.25, FairnessMetrics.Garbe([0.1, 0.3], [1, 1]), 12);
    }

    [Fact]
    public void EqualRates_AreFair()
    {
        Assert.Equal(1.0, FairnessMetrics.Fdr([0.01, 0.01], [0.2, 0.2]), 12);
        Assert.Equal(0.0, FairnessMetrics.Garbe([0.01, 0.01], [0.2, 0.2]), 12);
        Assert.Equal(0.0, FairnessMetrics.Gini([0, 0]), 12);
    }

    [Fact]
    public void MaxToGeometricMean_HandCase_AndZero()
    {
        // max 4, geometric mean of 1 and 4 = 2: ratio 2.
        Assert.Equal(2.0, FairnessMetrics.MaxToGeometricMean([1, 4])!.Value, 12);
        Assert.Null(FairnessMetrics.MaxToGeometricMean([0, 4]));
    }

    [Fact]
    public void OneGroup_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => FairnessMetrics.Fdr([0.1], [0.1]));
    }
}

public sealed class IdentityBootstrapTests
{
    private static readonly IdentityCounts[] Counts = Enumerable.Range(0, 40)
        .Select(i => new IdentityCounts(5, i % 4 == 0 ? 1 : 0, 1000, i % 10 == 0 ? 3 : 0)).ToArray();

    [Fact]
    public void Rates_SameSeed_SameIntervals_OtherSeed_Differ()
    {
        var a = IdentityBootstrap.Rates(Counts, 500, seed: 7);
        var b = IdentityBootstrap.Rates(Counts, 500, seed: 7);
        var c = IdentityBootstrap.Rates(Counts, 500, seed: 8);

        Assert.Equal(a, b);
        Assert.NotEqual(a.Fnmr, c.Fnmr);
    }

    [Fact]
    public void Rates_PointValue_IsThePooledRate_InsideItsInterval()
    {
        var (fmr, fnmr) = IdentityBootstrap.Rates(Counts, 1000, seed: 1);

        // 10 of 40 identities have one false non-match of 5 genuine pairs: 10/200 = 0.05.
        Assert.Equal(0.05, fnmr.Value, 12);
        // 4 identities with 3 false matches of 1,000: 12/40,000 = 3e-4.
        Assert.Equal(3e-4, fmr.Value, 12);
        Assert.InRange(fnmr.Value, fnmr.Low, fnmr.High);
        Assert.InRange(fmr.Value, fmr.Low, fmr.High);
        Assert.True(fnmr.High > fnmr.Low);
    }

    [Fact]
    public void Rates_ZeroFalseMatches_HighIsTheExactClopperPearsonBound_NotZero()
    {
        // 40 identities × 1,000 impostor pairs, none accepted: the bootstrap alone says 0–0.
        var none = Counts.Select(c => c with { FalseMatches = 0 }).ToArray();

        var (fmr, fnmr) = IdentityBootstrap.Rates(none, 500, seed: 3);

        Assert.Equal(0, fmr.Value);
        Assert.Equal(0, fmr.Low);
        // 1 − 0.025^(1/40,000) = 9.2218e-5 (0 of 40,000 pairs).
        Assert.Equal(9.221773e-5, fmr.High, 10);
        // The FNMR has events: still the bootstrap's interval.
        Assert.True(fnmr.Low > 0 && fnmr.High > fnmr.Value);
    }

    [Fact]
    public void Rates_AllGenuineRejected_LowIsTheExactBound_NotOne()
    {
        var all = Counts.Select(c => c with { FalseNonMatches = c.Genuine }).ToArray();

        var (_, fnmr) = IdentityBootstrap.Rates(all, 200, seed: 3);

        Assert.Equal(1, fnmr.Value);
        Assert.Equal(1, fnmr.High);
        Assert.Equal(1 - ClopperPearson.ZeroEventsUpper(200), fnmr.Low, 12); // 40 × 5 genuine pairs
    }

    [Theory]
    // Published Clopper–Pearson upper limits for 0 events (two-sided 95 %): 0/1 0.975, 0/10 0.3085, 0/100 0.0362, 0/1000 0.00368.
    [InlineData(1, 0.975)]
    [InlineData(10, 0.308497)]
    [InlineData(100, 0.0362167)]
    [InlineData(1000, 0.00368208)]
    [InlineData(1_000_000, 3.68887e-6)]
    public void ZeroEventsUpper_KnownValues(long trials, double expected)
    {
        Assert.Equal(expected, ClopperPearson.ZeroEventsUpper(trials), expected * 1e-5);
    }

    [Fact]
    public void Bound_WithEventsOrNoTrials_LeavesTheIntervalAlone()
    {
        var interval = new RateInterval(0.1, 0.05, 0.2);

        Assert.Equal(interval, ClopperPearson.Bound(interval, 10, 100));
        Assert.Equal(new RateInterval(0, 0, 0), ClopperPearson.Bound(new RateInterval(0, 0, 0), 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClopperPearson.ZeroEventsUpper(0));
    }

    [Fact]
    public void Percentile_InterpolatesLinearly()
    {
        Assert.Equal(2.5, IdentityBootstrap.Percentile([1, 2, 3, 4], 0.5), 12);
        Assert.Equal(1.075, IdentityBootstrap.Percentile([1, 2, 3, 4], 0.025), 12);
    }
}
