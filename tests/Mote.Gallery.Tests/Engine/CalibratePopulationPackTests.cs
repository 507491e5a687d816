using Mote.Gallery.Engine;

namespace Mote.Gallery.Tests.Engine;

public sealed class CalibratePopulationPackTests
{
    private static string[] Population() =>
        Enumerable.Repeat("male", 2000).Concat(Enumerable.Repeat("female|asian|0-17", 40)).Concat(Enumerable.Repeat("female|white|60+", 7)).ToArray();

    [Fact]
    public void StratifiedChoice_ProportionalWithAFloor_SoSmallGroupsGetTemplates()
    {
        var groups = Population();
        var chosen = CalibratePopulationPack.StratifiedChoice(groups, 60, seed: 1, floor: 30);
        Assert.Equal(chosen.Length, chosen.Distinct().Count());
        Assert.Equal(chosen.Order(), chosen);
        var counts = chosen.GroupBy(i => groups[i]).ToDictionary(g => g.Key, g => g.Count());
        // The big group gets its proportional share (60 · 2000 / 2047 ≈ 59); the small ones their floor of 30, or all of their
        // members where they have fewer. A plain random choice of 60 would give the 47 small-group people about 1.4 templates.
        Assert.Equal(59, counts["male"]);
        Assert.Equal(30, counts["female|asian|0-17"]);
        Assert.Equal(7, counts["female|white|60+"]);
    }

    [Fact]
    public void StratifiedChoice_MoreThanThereArePeople_EveryoneOnce_AndTheSeedDecidesWho()
    {
        var groups = Population();
        Assert.Equal(Enumerable.Range(0, groups.Length), CalibratePopulationPack.StratifiedChoice(groups, 10_000, seed: 1));
        Assert.Equal(CalibratePopulationPack.StratifiedChoice(groups, 30, seed: 4), CalibratePopulationPack.StratifiedChoice(groups, 30, seed: 4));
        Assert.NotEqual(CalibratePopulationPack.StratifiedChoice(groups, 30, seed: 4), CalibratePopulationPack.StratifiedChoice(groups, 30, seed: 5));
    }
}
