using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Population.Sampling;
using Mote.Core.Tests.Population.Packs;

namespace Mote.Core.Tests.Population.Sampling;

public sealed class BalanceTests
{
    private static readonly PopulationPack Pack = PackTestData.Mixture();

    private static Balance With(Dictionary<string, double> negatives, Dictionary<string, double>? variation = null) =>
        Balance.FromIds(negatives, variation ?? new Dictionary<string, double> { ["female"] = 1, ["male"] = 1 });

    [Fact]
    public void EqualOver_Pack_EqualWeightOnEveryGroup()
    {
        var balance = Balance.EqualOver(Pack);
        Assert.Equal(Pack.Negatives.Keys, balance.Negatives.Keys);
        Assert.Equal(Pack.Variation.Keys, balance.Variation.Keys);
        Assert.All(balance.Negatives.Values.Concat(balance.Variation.Values), w => Assert.Equal(1.0, w));
        balance.Validate(Pack);
    }

    [Fact]
    public void Validate_SubsetWithZeros_Accepted()
    {
        With(new() { ["female|black"] = 2, ["male|white"] = 0 }).Validate(Pack);
    }

    [Theory]
    [InlineData(-0.5, "is -0.5")]
    [InlineData(double.NaN, "is NaN")]
    [InlineData(double.PositiveInfinity, "finite")]
    public void Validate_BadWeight_RefusedNamingGroup(double weight, string expected)
    {
        var e = Assert.Throws<InvalidBalanceException>(() => With(new() { ["female|black"] = weight, ["male|white"] = 1 }).Validate(Pack));
        Assert.Contains("'female|black'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AllZero_Refused()
    {
        var e = Assert.Throws<InvalidBalanceException>(() => With(new() { ["female|black"] = 0, ["male|white"] = 0 }).Validate(Pack));
        Assert.Contains("negative balance gives no group a positive weight", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyVariation_Refused()
    {
        var e = Assert.Throws<InvalidBalanceException>(() => With(new() { ["female|black"] = 1 }, []).Validate(Pack));
        Assert.Contains("variation balance", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GroupNotInPack_RefusedListingPackGroups()
    {
        var e = Assert.Throws<InvalidBalanceException>(() => With(new() { ["female|asian"] = 1 }).Validate(Pack));
        Assert.Contains("'female|asian'", e.Message, StringComparison.Ordinal);
        Assert.Contains("female|black, female|white, male|black, male|white", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromIds_MalformedId_Refused()
    {
        var e = Assert.Throws<InvalidBalanceException>(() => With(new() { ["female|martian"] = 1 }));
        Assert.Contains("'female|martian'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromIds_ValidId_ParsedToCanonicalGroup()
    {
        var balance = With(new() { ["male|white"] = 1 });
        Assert.Equal(new DemographicGroup(Gender.Male, Ethnicity.White, null), Assert.Single(balance.Negatives.Keys));
    }

    [Fact]
    public void ToIds_SkewedBalance_RoundTripsThroughFromIds()
    {
        var balance = With(new() { ["female|black"] = 2.5, ["male|white"] = 0 }, new() { ["male"] = 1 });
        var (negatives, variation) = balance.ToIds();
        var again = Balance.FromIds(negatives, variation);
        Assert.Equal(balance.Negatives, again.Negatives);
        Assert.Equal(balance.Variation, again.Variation);
        Assert.Equal(2.5, negatives["female|black"]);
    }
}
