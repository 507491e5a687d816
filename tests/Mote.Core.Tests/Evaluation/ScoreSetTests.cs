using Mote.Core.Evaluation;

namespace Mote.Core.Tests.Evaluation;

public sealed class ScoreSetTests
{
    // Hand case: genuine 0.6 0.7 0.8 0.9, impostor 0.1 0.2 0.3 0.65.
    // At t = 0.65: impostors ≥ t: {0.65} → FMR 1/4; genuine < t: {0.6} → FNMR 1/4, so the EER is 0.25.
    private static readonly ScoreSet Hand = new([0.9f, 0.6f, 0.8f, 0.7f], [0.3f, 0.65f, 0.1f, 0.2f]);

    [Fact]
    public void EqualErrorRate_HandCase_IsOneQuarter()
    {
        var eer = Hand.EqualErrorRate();

        Assert.Equal(0.25, eer.Fmr, 12);
        Assert.Equal(0.25, eer.Fnmr, 12);
    }

    [Fact]
    public void Rates_AcceptAtOrAboveThreshold()
    {
        Assert.Equal(0.25, Hand.Fmr(0.65f), 12);
        Assert.Equal(0.0, Hand.Fmr(0.66), 12);
        Assert.Equal(0.25, Hand.Fnmr(0.65f), 12);
        Assert.Equal(0.5, Hand.Fnmr(0.75), 12);
    }

    [Fact]
    public void RocAuc_HandCase_CountsPairsThatRankRight()
    {
        // 16 pairs; wrong order only (0.6 genuine < 0.65 impostor): 15/16.
        Assert.Equal(15.0 / 16, Hand.RocAuc(), 12);
    }

    [Fact]
    public void RocAuc_Ties_CountOneHalf()
    {
        var tied = new ScoreSet([0.5f, 0.5f], [0.5f, 0.1f]);

        // Pairs: (0.5,0.5) tie ×2 → 1, (0.5,0.1) win ×2 → 2; total 3/4.
        Assert.Equal(0.75, tied.RocAuc(), 12);
    }

    [Fact]
    public void AtFmr_1000Impostors_AllowsOneAboveThreshold()
    {
        // Impostors 0.000 … 0.999 (step 0.001); FMR 1e-3 of 1,000 allows exactly one accepted impostor (0.999),
        // so the threshold sits just above 0.998. Genuine 0.5 and 0.9985: FNMR 1/2.
        var impostors = Enumerable.Range(0, 1000).Select(i => i / 1000f).ToArray();
        var set = new ScoreSet([0.5f, 0.9985f], impostors);

        var point = set.AtFmr(1e-3, minimumImpostorsPerError: 1)!;

        Assert.Equal(1e-3, point.Fmr, 12);
        Assert.Equal(0.5, point.Fnmr, 12);
        Assert.True(point.Threshold > 0.998f && point.Threshold <= 0.999f);
    }

    [Fact]
    public void AtFmr_TooFewImpostors_IsNull()
    {
        Assert.Null(Hand.AtFmr(1e-3));
    }

    [Fact]
    public void DetCurve_IsMonotone()
    {
        var random = new Random(3);
        var set = new ScoreSet(
            Enumerable.Range(0, 500).Select(_ => (float)(random.NextDouble() + 0.5)),
            Enumerable.Range(0, 5000).Select(_ => (float)random.NextDouble()));

        var det = set.DetCurve(30);

        Assert.True(det.Count >= 10);
        for (var i = 1; i < det.Count; i++)
        {
            Assert.True(det[i].Fmr > det[i - 1].Fmr);
            Assert.True(det[i].Fnmr <= det[i - 1].Fnmr);
        }
    }
}
