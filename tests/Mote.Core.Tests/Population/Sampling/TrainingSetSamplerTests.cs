using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Tests.Population.Packs;

namespace Mote.Core.Tests.Population.Sampling;

public sealed class TrainingSetSamplerTests
{
    private static readonly PopulationPack Pack = PackTestData.Mixture();

    private static float[] Reference() => PackTestData.Samples()[5].Descriptor.Select(v => v * 3f).ToArray();

    private static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));

    private static double Cosine(float[] a, float[] b) => a.Zip(b).Sum(t => (double)t.First * t.Second) / (Norm(a) * Norm(b));

    [Fact]
    public void Sample_Defaults_2000PositivesAnd4000NegativesAllUnitNorm()
    {
        var reference = Reference();
        var set = new TrainingSetSampler(Pack).Sample(reference, null, seed: 1);
        Assert.Equal(2000, set.Positives.Length);
        Assert.Equal(4000, set.Negatives.Length);
        Assert.Equal(set.Positives.Length, set.PositiveGroups.Length);
        Assert.Equal(set.Negatives.Length, set.NegativeGroups.Length);
        Assert.All(set.Positives.Concat(set.Negatives), v =>
        {
            Assert.Equal(PackTestData.Dimension, v.Length);
            Assert.Equal(1.0, Norm(v), 5);
        });
        // The reference itself comes first, normalised; the caller's array is untouched.
        Assert.Equal(1.0, Cosine(set.Positives[0], reference), 6);
        Assert.Null(set.PositiveGroups[0]);
        Assert.Equal(3.0, Norm(reference) / Norm(PackTestData.Samples()[5].Descriptor), 5);
    }

    [Fact]
    public void Sample_Positives_CloserToReferenceThanNegatives()
    {
        var reference = Reference();
        var set = new TrainingSetSampler(Pack).Sample(reference, null, seed: 2);
        var positive = set.Positives.Skip(1).Average(p => Cosine(p, reference));
        var negative = set.Negatives.Average(n => Cosine(n, reference));
        Assert.True(positive > 0.9, $"mean positive cosine {positive:F3}");
        Assert.True(positive > negative + 0.2, $"positive {positive:F3} vs negative {negative:F3}");
    }

    [Fact]
    public void Sample_SameSeed_IdenticalOtherSeedDifferent()
    {
        var sampler = new TrainingSetSampler(Pack);
        var a = sampler.Sample(Reference(), null, seed: 7, new TrainingSetOptions { Positives = 100, Negatives = 200 });
        var b = sampler.Sample(Reference(), null, seed: 7, new TrainingSetOptions { Positives = 100, Negatives = 200 });
        var c = sampler.Sample(Reference(), null, seed: 8, new TrainingSetOptions { Positives = 100, Negatives = 200 });
        Assert.Equal(a.Positives, b.Positives);
        Assert.Equal(a.Negatives, b.Negatives);
        Assert.Equal(a.NegativeGroups, b.NegativeGroups);
        Assert.NotEqual(a.Negatives, c.Negatives);
    }

    [Fact]
    public void Sample_SkewedBalance_GroupProportionsFollowWeights()
    {
        var balance = Balance.FromIds(
            new Dictionary<string, double> { ["female|black"] = 1, ["female|white"] = 2, ["male|black"] = 3, ["male|white"] = 0 },
            new Dictionary<string, double> { ["female"] = 1, ["male"] = 4 });
        var set = new TrainingSetSampler(Pack).Sample(Reference(), balance, seed: 3, new TrainingSetOptions { Positives = 2001, Negatives = 6000 });
        AssertProportions(set.NegativeGroups, new() { ["female|black"] = 1 / 6.0, ["female|white"] = 2 / 6.0, ["male|black"] = 3 / 6.0 }, df3Critical: 16.27);
        AssertProportions(set.PositiveGroups.Skip(1).Select(g => g!).ToArray(), new() { ["female"] = 0.2, ["male"] = 0.8 }, df3Critical: 10.83);
        Assert.DoesNotContain(set.NegativeGroups, g => g.Id == "male|white");
    }

    /// <summary>Pearson χ² against the expected shares, below the p = 0.001 critical value (16.27 for 3 df, 10.83 for 1 df).</summary>
    private static void AssertProportions(DemographicGroup[] drawn, Dictionary<string, double> shares, double df3Critical)
    {
        var chi2 = 0.0;
        foreach (var (id, share) in shares)
        {
            var expected = share * drawn.Length;
            var observed = drawn.Count(g => g.Id == id);
            chi2 += (observed - expected) * (observed - expected) / expected;
        }
        Assert.True(chi2 < df3Critical, $"χ² = {chi2:F2}");
        Assert.Equal(drawn.Length, drawn.Count(g => shares.ContainsKey(g.Id)));
    }

    [Fact]
    public void Sample_NegativesOfAGroup_ComeFromThatGroupsRegion()
    {
        // Each synthetic group sits around its own axis (female|black on axis 0, …), so a negative drawn for a group
        // should be largest on that group's axis. Identity centres scatter by sd 0.3 per dimension around the axis, so
        // a few percent of the real (training) descriptors fail this too: require 95%.
        var set = new TrainingSetSampler(Pack).Sample(Reference(), null, seed: 4, new TrainingSetOptions { Positives = 1, Negatives = 400 });
        var onAxis = Enumerable.Range(0, set.Negatives.Length)
            .Count(i => Array.IndexOf(PackTestData.Groups, set.NegativeGroups[i]) == Enumerable.Range(0, 4).MaxBy(a => set.Negatives[i][a]));
        Assert.True(onAxis >= 0.95 * set.Negatives.Length, $"{onAxis} of {set.Negatives.Length} on their group's axis");
    }

    [Fact]
    public void Sample_CustomCountsWithoutReference_ExactCounts()
    {
        var set = new TrainingSetSampler(Pack).Sample(Reference(), null, seed: 5, new TrainingSetOptions { Positives = 10, Negatives = 0, IncludeReference = false });
        Assert.Equal(10, set.Positives.Length);
        Assert.Empty(set.Negatives);
        Assert.All(set.PositiveGroups, g => Assert.NotNull(g));
    }

    [Fact]
    public void Sample_WrongDimension_ThrowsNamingBackbone()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingSetSampler(Pack).Sample(new float[128], null, seed: 1));
        Assert.Contains("dlib-resnet-128", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_ZeroReference_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TrainingSetSampler(Pack).Sample(new float[PackTestData.Dimension], null, seed: 1));
    }

    [Fact]
    public void Sample_InvalidBalance_Throws()
    {
        var balance = Balance.FromIds(new Dictionary<string, double> { ["female|black"] = -1 }, new Dictionary<string, double> { ["male"] = 1 });
        Assert.Throws<InvalidBalanceException>(() => new TrainingSetSampler(Pack).Sample(Reference(), balance, seed: 1));
    }

    [Fact]
    public void SampleImpostors_Group_UnitNormDeterministicAndInGroupRegion()
    {
        var sampler = new TrainingSetSampler(Pack);
        var group = PopulationTestData.G("male|black");
        var a = sampler.SampleImpostors(group, 300, seed: 9);
        Assert.Equal(a, sampler.SampleImpostors(group, 300, seed: 9));
        Assert.Equal(300, a.Length);
        Assert.All(a, v => Assert.Equal(1.0, Norm(v), 5));
        Assert.True(a.Count(v => Enumerable.Range(0, 4).MaxBy(j => v[j]) == 2) >= 0.95 * a.Length);
    }

    [Fact]
    public void SampleImpostors_GroupNotInPack_ThrowsUnknownGroup()
    {
        var e = Assert.Throws<UnknownGroupException>(() => new TrainingSetSampler(Pack).SampleImpostors(PopulationTestData.G("female|asian"), 10, seed: 1));
        Assert.Contains("female|asian", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_VariationScale_MovesPositivesAwayFromTheReference_AndOneChangesNothing()
    {
        var reference = Reference();
        var sampler = new TrainingSetSampler(Pack);
        var plain = sampler.Sample(reference, null, seed: 9, new TrainingSetOptions { Positives = 300, Negatives = 10 });
        var one = sampler.Sample(reference, null, seed: 9, new TrainingSetOptions { Positives = 300, Negatives = 10, VariationScale = 1.0 });
        var wide = sampler.Sample(reference, null, seed: 9, new TrainingSetOptions { Positives = 300, Negatives = 10, VariationScale = 2.0 });
        var none = sampler.Sample(reference, null, seed: 9, new TrainingSetOptions { Positives = 300, Negatives = 10, VariationScale = 0 });

        Assert.Equal(plain.Positives.SelectMany(p => p), one.Positives.SelectMany(p => p));
        Assert.Equal(plain.Negatives.SelectMany(p => p), wide.Negatives.SelectMany(p => p));
        var meanPlain = plain.Positives.Skip(1).Average(p => Cosine(p, reference));
        var meanWide = wide.Positives.Skip(1).Average(p => Cosine(p, reference));
        Assert.True(meanWide < meanPlain - 0.01, $"scale 2 mean cosine {meanWide:F4}, scale 1 {meanPlain:F4}");
        Assert.All(none.Positives, p => Assert.Equal(1.0, Cosine(p, reference), 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(reference, null, seed: 9, new TrainingSetOptions { VariationScale = -1 }));
    }

    [Fact]
    public void Sample_HardNegatives_LieAsNearAsThePositives_TheRestUnchanged()
    {
        var reference = Reference();
        var sampler = new TrainingSetSampler(Pack);
        var plain = sampler.Sample(reference, null, seed: 11, new TrainingSetOptions { Positives = 400, Negatives = 800 });
        var hard = sampler.Sample(reference, null, seed: 11, new TrainingSetOptions { Positives = 400, Negatives = 800, HardNegativeShare = 0.25 });

        // The positives and the last three quarters of the negatives are the plain draw; the first quarter moved.
        Assert.Equal(plain.Positives.SelectMany(p => p), hard.Positives.SelectMany(p => p));
        Assert.Equal(plain.Negatives.Skip(200).SelectMany(p => p), hard.Negatives.Skip(200).SelectMany(p => p));
        Assert.Equal(plain.NegativeGroups, hard.NegativeGroups);
        Assert.All(hard.Negatives, n => Assert.Equal(1.0, Norm(n), 5));

        // Each hard negative lies on the way from the reference to its plain draw, about as far out as the positives.
        var positiveCosines = hard.Positives.Skip(1).Select(p => Cosine(p, reference)).Order().ToArray();
        for (var i = 0; i < 200; i++)
        {
            var toHard = Cosine(hard.Negatives[i], reference);
            Assert.True(toHard > Cosine(plain.Negatives[i], reference), $"hard negative {i}: cosine {toHard:F3} not above its draw's");
            Assert.True(Cosine(hard.Negatives[i], plain.Negatives[i]) > Cosine(reference, plain.Negatives[i]) - 1e-6, $"hard negative {i} does not point towards its draw");
        }
        var medianHard = hard.Negatives.Take(200).Select(n => Cosine(n, reference)).Order().ElementAt(100);
        Assert.InRange(medianHard, positiveCosines[0] - 0.1, positiveCosines[^1]);
        Assert.True(medianHard < positiveCosines[positiveCosines.Length / 2], $"median hard {medianHard:F3} should sit beyond the median positive {positiveCosines[positiveCosines.Length / 2]:F3}");
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(reference, null, seed: 11, new TrainingSetOptions { HardNegativeShare = 1.5 }));
    }
}
