using Mote.Core.Faces.Benchmark;

namespace Mote.Core.Tests.Faces.Benchmark;

public sealed class VerificationProtocolTests
{
    [Fact]
    public void KFoldAccuracy_SeparableScores_IsOneWithThresholdBetweenClasses()
    {
        var pairs = Enumerable.Range(0, 50).Select(i => new ScoredPair(0.6 + (i * 0.001), true))
            .Concat(Enumerable.Range(0, 50).Select(i => new ScoredPair(0.1 + (i * 0.001), false))).ToArray();

        var result = VerificationProtocol.KFoldAccuracy(pairs);

        Assert.Equal(1.0, result.Mean);
        Assert.Equal(10, result.FoldAccuracies.Count);
        Assert.InRange(result.MeanThreshold, 0.149, 0.6);
    }

    [Fact]
    public void KFoldAccuracy_OneOverlappingPairPerClass_ErrorsOnlyInTheirFold()
    {
        // 20 genuine at 0.9 except one at 0.2; 20 impostors at 0.1 except one at 0.95: two errors of 40.
        // Both outliers are 20th of their class, so both are dealt to fold 9, which scores 2 of 4.
        var pairs = Enumerable.Repeat(new ScoredPair(0.9, true), 19).Append(new ScoredPair(0.2, true))
            .Concat(Enumerable.Repeat(new ScoredPair(0.1, false), 19).Append(new ScoredPair(0.95, false))).ToArray();

        var result = VerificationProtocol.KFoldAccuracy(pairs);

        Assert.Equal(38 / 40.0, result.Mean, 10);
        Assert.Equal(9, result.FoldAccuracies.Count(a => a == 1.0));
        Assert.Equal(0.5, result.FoldAccuracies[9]);
    }

    [Fact]
    public void AssignFolds_DealsGenuineAndImpostorRoundRobinSeparately()
    {
        var pairs = Enumerable.Range(0, 20).Select(i => new ScoredPair(0, i % 2 == 0)).ToArray();

        var folds = VerificationProtocol.AssignFolds(pairs);

        for (var f = 0; f < 10; f++)
        {
            Assert.Single(folds.Where((x, i) => x == f && pairs[i].Genuine));
            Assert.Single(folds.Where((x, i) => x == f && !pairs[i].Genuine));
        }
    }

    [Fact]
    public void BestThreshold_PicksMidpointThatMaximisesAccuracy()
    {
        ScoredPair[] pairs = [new(0.2, false), new(0.4, false), new(0.5, true), new(0.45, false), new(0.9, true)];

        Assert.Equal(0.475, VerificationProtocol.BestThreshold(pairs), 10);
        Assert.Equal(1.0, VerificationProtocol.Accuracy(pairs, 0.475));
    }

    [Fact]
    public void TrueAcceptRateAt_1e3_AllowsFloorOfFarTimesImpostorsAbove()
    {
        // 2000 impostors: FAR 1e-3 allows 2 above the threshold. Top impostors 0.99, 0.98, 0.97 → threshold 0.97.
        var impostors = Enumerable.Range(0, 1997).Select(i => new ScoredPair(i / 4000.0, false))
            .Concat([new(0.99, false), new(0.98, false), new(0.97, false)]);
        var genuine = Enumerable.Range(0, 100).Select(i => new ScoredPair(i < 30 ? 0.975 : 0.5, true));

        var r = VerificationProtocol.TrueAcceptRateAt([.. impostors, .. genuine], 1e-3);

        Assert.Equal(0.97, r.Threshold);
        Assert.Equal(0.001, r.FalseAcceptRate, 10);
        Assert.Equal(0.30, r.TrueAcceptRate, 10);
    }

    [Fact]
    public void TrueAcceptRateAt_NoImpostors_ThrowsSayingWhatIsMissing()
    {
        var e = Assert.Throws<ArgumentException>(() => VerificationProtocol.TrueAcceptRateAt([new ScoredPair(1, true)], 1e-3));

        Assert.Contains("genuine and impostor", e.Message, StringComparison.Ordinal);
    }
}
