using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class ThresholdCalibrationTests
{
    [Fact]
    public void FromImpostorScores_TenThousandScores_AcceptsAtMostTenAtFmr1e3()
    {
        var random = new Random(1);
        var scores = Enumerable.Range(0, 10_000).Select(_ => (float)random.NextDouble()).ToArray();

        var threshold = ThresholdCalibration.FromImpostorScores(scores);

        var accepted = scores.Count(s => s >= threshold);
        Assert.Equal(10, accepted);
        Assert.True(scores.Count(s => s >= MathF.BitDecrement(threshold)) > 10, "the threshold is not the smallest one that meets the FMR");
    }

    [Fact]
    public void FromImpostorScores_Ties_NeverExceedsTheTarget()
    {
        var scores = Enumerable.Repeat(0.9f, 50).Concat(Enumerable.Repeat(0.1f, 950)).ToArray();

        var threshold = ThresholdCalibration.FromImpostorScores(scores, targetFmr: 0.01);

        Assert.True(scores.Count(s => s >= threshold) <= 10);
        Assert.True(threshold > 0.9f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(double.NaN)]
    public void FromImpostorScores_FmrOutsideOpenUnitInterval_Throws(double fmr)
    {
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.FromImpostorScores([0.1f, 0.2f], fmr));
    }

    [Fact]
    public void ForTemplateAndGlobal_VectorGallery_MeetTheTargetOnTheirImpostors()
    {
        var data = new SyntheticDescriptors(seed: 2, dimension: 16, noise: 0.3);
        var templates = data.Others(20).Select(v => new VectorTemplate(SyntheticDescriptors.Backbone, v)).ToArray();
        var impostors = data.Others(2000);

        var perPerson = ThresholdCalibration.ForTemplate(templates[0], impostors, 0.01);
        var global = ThresholdCalibration.Global(TemplateScorers.Create(templates), impostors, 0.01);

        Assert.InRange(impostors.Count(i => templates[0].Score(i) >= perPerson), 0, 20);
        var pooled = templates.SelectMany(t => impostors.Select(i => t.Score(i))).ToArray();
        Assert.InRange(pooled.Count(s => s >= global), 0, 400);
        Assert.True(pooled.Count(s => s >= global) > 300, "global threshold far stricter than needed");
    }
}
