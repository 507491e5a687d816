using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Templates;
using Mote.Core.Tests.Population.Packs;

namespace Mote.Core.Tests.Templates;

public sealed class BalanceGuardsTests
{
    private static readonly PopulationPack Pack = PackTestData.Mixture();

    private static Balance Raised(string group, double weight) =>
        new(Pack.Negatives.Keys.ToDictionary(g => g, g => g.Id == group ? weight : 1.0), Pack.Variation.Keys.ToDictionary(g => g, _ => 1.0));

    [Fact]
    public void For_EqualBalanceOrZeroStrength_NoGuards()
    {
        Assert.Empty(BalanceGuards.For(Pack, Balance.EqualOver(Pack), strength: 4));
        Assert.Empty(BalanceGuards.For(Pack, Raised("female|black", 3), strength: 0));
    }

    [Fact]
    public void For_OneGroupRaised_OneGuardWithMarginStrengthTimesLogRatioCappedAt10()
    {
        var guard = Assert.Single(BalanceGuards.For(Pack, Raised("female|black", 3), strength: 4));
        Assert.Equal("female|black", guard.Group);
        Assert.Equal(4 * Math.Log(3), guard.Margin, 4);
        var capped = Assert.Single(BalanceGuards.For(Pack, Raised("female|black", 50), strength: 4));
        Assert.Equal(4 * Math.Log(BalanceGuards.MaxRatio), capped.Margin, 4);
        // Lowering a group is no raise: it changes the mix only.
        Assert.Empty(BalanceGuards.For(Pack, Raised("female|black", 0.5), strength: 4));
    }

    [Fact]
    public void Detector_ActsOnTheRaisedGroupsFacesAndHardlyOnOthers()
    {
        var guard = Assert.Single(BalanceGuards.For(Pack, Raised("male|white", 3), strength: 4));
        var sampler = new TrainingSetSampler(Pack);
        double Mean(string id) => sampler.SampleImpostors(Pack.Negatives.Keys.Single(g => g.Id == id), 500, seed: 77).Average(x => guard.Activation(x));
        var own = Mean("male|white");
        Assert.True(own > 0.4, $"mean activation on the raised group {own:F3}");
        foreach (var other in new[] { "female|black", "female|white", "male|black" })
        {
            var a = Mean(other);
            Assert.True(a < own / 3, $"{other}: {a:F3} vs raised {own:F3}");
        }
    }

    [Fact]
    public void ReferenceLevel_IsTheMedianPositiveWeight()
    {
        Assert.Equal(1.0, Raised("female|black", 7).ReferenceLevel(Pack));
        var custom = new Balance(
            Pack.Negatives.Keys.ToDictionary(g => g, g => g.Id switch { "female|black" => 0.0, "female|white" => 2.0, "male|black" => 3.0, _ => 9.0 }),
            Pack.Variation.Keys.ToDictionary(g => g, _ => 1.0));
        Assert.Equal(3.0, custom.ReferenceLevel(Pack));
    }

    [Fact]
    public void GuardedNegatives_OneGroupRaised_DrawsExactlyTheEqualBalancesNegatives()
    {
        var sampler = new TrainingSetSampler(Pack);
        var reference = PackTestData.Samples()[5].Descriptor;
        var guarded = new TrainingSetOptions { Positives = 50, Negatives = 400, GuardedNegatives = true };
        var equal = sampler.Sample(reference, Balance.EqualOver(Pack), seed: 9, guarded);
        var raised = sampler.Sample(reference, Raised("female|white", 3), seed: 9, guarded);
        Assert.Equal(equal.Negatives, raised.Negatives);
        // Without the flag the raised group takes a bigger share of the draw: 3/6 in expectation instead of 1/4.
        var plain = sampler.Sample(reference, Raised("female|white", 3), seed: 9, guarded with { GuardedNegatives = false });
        Assert.InRange(plain.NegativeGroups.Count(g => g.Id == "female|white") / 400.0, 0.42, 0.58);
        // A lowered group still shapes the guarded draw.
        var lowered = sampler.Sample(reference, Raised("female|white", 0.2), seed: 9, guarded);
        Assert.InRange(lowered.NegativeGroups.Count(g => g.Id == "female|white") / 400.0, 0.02, 0.12);
    }
}
