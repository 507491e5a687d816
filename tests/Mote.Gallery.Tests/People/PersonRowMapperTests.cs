using Mote.Core.Population.Sampling;
using Mote.Gallery.People;

namespace Mote.Gallery.Tests.People;

public sealed class PersonRowMapperTests
{
    private static readonly string[] Groups = ["female|white|18-59", "male|white|18-59", "female|asian|0-17", "male|black|18-59"];

    [Fact]
    public void Summarise_EqualBalance_SaysEqual() =>
        Assert.Equal("4 groups, equal", PersonRowMapper.Summarise(Json(Groups.ToDictionary(g => g, _ => 0.25))));

    [Fact]
    public void Summarise_OneGroupRaised_NamesItAsAMultipleNotEveryWeight() =>
        Assert.Equal("custom: 4 groups, female|white|18-59 ×3",
            PersonRowMapper.Summarise(Json(Groups.ToDictionary(g => g, g => g == "female|white|18-59" ? 0.75 : 0.25))));

    [Fact]
    public void Summarise_ManyChanged_NamesTheLargestTwoAndCountsTheRest()
    {
        var weights = new Dictionary<string, double> { [Groups[0]] = 4, [Groups[1]] = 0, [Groups[2]] = 2, [Groups[3]] = 1 };
        weights["female|other|0-17"] = 1;
        weights["male|other|0-17"] = 1;

        Assert.Equal("custom: 6 groups, male|white|18-59 off, female|white|18-59 ×4 and 1 more", PersonRowMapper.Summarise(Json(weights)));
    }

    private static string Json(Dictionary<string, double> negatives) =>
        PersonRowMapper.BalanceToJson(Balance.FromIds(negatives, new Dictionary<string, double> { ["female"] = 1, ["male"] = 1 }));
}
