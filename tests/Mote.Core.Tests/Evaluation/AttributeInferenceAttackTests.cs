using Mote.Core.Evaluation;

namespace Mote.Core.Tests.Evaluation;

public sealed class AttributeInferenceAttackTests
{
    [Fact]
    public void Run_SeparableClasses_NearPerfect()
    {
        var random = new Random(5);
        var features = new List<float[]>();
        var labels = new List<string?>();
        for (var i = 0; i < 120; i++)
        {
            var female = i % 2 == 0;
            features.Add(Enumerable.Range(0, 20).Select(j => (float)(random.NextDouble() + (j == 3 && female ? 2 : 0))).ToArray());
            labels.Add(female ? "female" : "male");
        }

        var result = AttributeInferenceAttack.Run("gender", "test", features, labels, seed: 1);

        Assert.Equal(120, result.Samples);
        Assert.Equal(0.5, result.Chance);
        Assert.True(result.Accuracy > 0.95, $"accuracy {result.Accuracy}");
        Assert.InRange(result.Accuracy, result.AccuracyLow, result.AccuracyHigh);
    }

    [Fact]
    public void Run_RandomLabels_NearChance_AndReproducible()
    {
        var random = new Random(6);
        var features = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 10).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        var labels = Enumerable.Range(0, 200).Select(_ => random.Next(2) == 0 ? "a" : "b").ToArray();

        var first = AttributeInferenceAttack.Run("x", "noise", features, labels, seed: 2);
        var second = AttributeInferenceAttack.Run("x", "noise", features, labels, seed: 2);

        Assert.Equal(first.Accuracy, second.Accuracy);
        Assert.InRange(first.Accuracy, 0.35, 0.65);
        Assert.True(first.AccuracyLow < 0.5 || first.Accuracy < 0.6);
    }

    [Fact]
    public void Run_BalancesClasses_ToTheSmallest()
    {
        var features = Enumerable.Range(0, 30).Select(i => new[] { (float)i }).ToArray();
        var labels = Enumerable.Range(0, 30).Select(i => i < 10 ? "small" : "big").ToArray();

        var result = AttributeInferenceAttack.Run("x", "y", features, labels, seed: 1);

        Assert.Equal(10, result.PerClass);
        Assert.Equal(20, result.Samples);
    }

    [Fact]
    public void Run_TooFewRows_Throws()
    {
        Assert.Throws<ArgumentException>(() => AttributeInferenceAttack.Run("x", "y", [[1f], [2f], [3f]], ["a", "b", "a"], seed: 1));
    }

    [Fact]
    public void Wilson_HandCase()
    {
        // 50 of 100: centre 0.5, half-width 1.96·√(0.25/100 + 1.96²/40000)/(1 + 1.96²/100) ≈ 0.0962.
        var (low, high) = AttributeInferenceAttack.Wilson(50, 100);

        Assert.Equal(0.4038, low, 3);
        Assert.Equal(0.5962, high, 3);
    }

    [Fact]
    public void Wilson_AllOrNothing_EndsExactlyAtTheRate()
    {
        // 10 of 10: upper end exactly 1 (floating point gave 0.9999999999999999, below the accuracy itself);
        // lower end 10/(10 + 1.96²) ≈ 0.7225.
        var (low, high) = AttributeInferenceAttack.Wilson(10, 10);
        var (zeroLow, zeroHigh) = AttributeInferenceAttack.Wilson(0, 10);

        Assert.Equal((0.7225, 1.0), (Math.Round(low, 4), high));
        Assert.Equal((0.0, 0.2775), (zeroLow, Math.Round(zeroHigh, 4)));
    }
}
