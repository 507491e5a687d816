using Mote.Core.Numerics;
using Mote.Core.Population;
using Mote.Core.Population.Packs;
using Mote.Core.Tests.Templates;

namespace Mote.Core.Tests.Population.Packs;

public sealed class RealImpostorCalibrationTests
{
    [Fact]
    public void Measure_ThresholdAtFmr_AcceptsAtMostThatShareOfPairs()
    {
        var (people, _) = People(seed: 1, count: 400);
        var calibration = RealImpostorCalibration.Measure(people, "test");

        var all = calibration.Find(DemographicGroup.AllId)!;
        Assert.Equal(400 * 399 / 2, all.Pairs);
        var cosines = Pairs(people).ToArray();
        foreach (var point in all.Points)
        {
            var accepted = cosines.Count(c => c >= point.Threshold) / (double)cosines.Length;
            Assert.True(accepted <= point.Fmr, $"at FMR {point.Fmr}: {accepted} accepted");
            Assert.True(accepted >= point.Fmr * 0.8, $"at FMR {point.Fmr}: only {accepted} accepted");
        }

        // Points stop where fewer than 10/FMR pairs exist (79,800 pairs: 2e-4 needs 50,000, 1e-4 would need 100,000).
        Assert.Equal(2e-4, all.Points[^1].Fmr);
    }

    [Fact]
    public void Measure_Groups_UseSameGroupPairsAndSkipSmallGroups()
    {
        var (people, _) = People(seed: 2, count: 300, smallGroup: 10);
        var calibration = RealImpostorCalibration.Measure(people, "test");

        Assert.Equal(["all", "female", "male"], calibration.Groups.Select(g => g.Group).ToArray());
        var female = calibration.Find("female")!;
        var n = people.Count(p => p.Groups.Contains("female"));
        Assert.Equal(n * (n - 1) / 2, female.Pairs);
    }

    [Fact]
    public void GroupFor_MostSpecificReachingTheRate_ElseCoarser()
    {
        var (people, _) = People(seed: 3, count: 600);
        var calibration = RealImpostorCalibration.Measure(people, "test");

        Assert.Equal("female", calibration.GroupFor(Gender.Female, Ethnicity.Asian, null, 1e-3).Group);
        Assert.Equal("all", calibration.GroupFor(null, null, null, 1e-3).Group);
        Assert.Equal(calibration.Groups.Max(g => RealImpostorCalibration.ThresholdAt(g, 1e-3)), calibration.WorstThresholdAt(1e-3));
    }

    [Fact]
    public void FmrAt_InvertsThresholdAt_AndBoundsBeyondTheMeasuredRange()
    {
        var (people, _) = People(seed: 4, count: 400);
        var all = RealImpostorCalibration.Measure(people, "test").Find("all")!;

        var threshold = RealImpostorCalibration.ThresholdAt(all, 3e-3)!.Value;
        Assert.Equal(3e-3, RealImpostorCalibration.FmrAt(all, threshold, out var atMost), 6);
        Assert.False(atMost);
        Assert.Equal(all.Points[^1].Fmr, RealImpostorCalibration.FmrAt(all, 1.0, out atMost));
        Assert.True(atMost);
        Assert.Null(RealImpostorCalibration.ThresholdAt(all, 1e-7));
    }

    [Fact]
    public void Measure_WithDatasets_LeavesOutPairsAcrossDatasets()
    {
        var (people, _) = People(seed: 5, count: 400);
        // Person 300 is person 0 photographed by the second dataset: a true match that must not count as an impostor.
        people[300] = (people[0].Unit, people[300].Groups);
        var datasets = Enumerable.Range(0, 400).Select(i => i < 250 ? 0 : 1).ToArray();

        var all = RealImpostorCalibration.Measure(people, "test", datasets).Find(DemographicGroup.AllId)!;
        var mixed = RealImpostorCalibration.Measure(people, "test").Find(DemographicGroup.AllId)!;

        Assert.Equal((250 * 249 / 2) + (150 * 149 / 2), all.Pairs);
        Assert.Equal(400 * 399 / 2, mixed.Pairs);
        var logits = Enumerable.Range(0, 2).Select(t => Enumerable.Range(0, 400).Select(p => (float)p).ToArray()).ToArray();
        var groups = people.Select(p => p.Groups).ToArray();
        Assert.Throws<ArgumentException>(() => RealImpostorCalibration.Measure(people, "test", datasets[..10]));
        Assert.Throws<ArgumentException>(() => RealImpostorCalibration.MeasureLogits(groups, [0, 300], logits, "test", "t", datasets[..10]));
    }

    [Fact]
    public void Measure_TooFewPeople_Refused() =>
        Assert.Throws<ArgumentException>(() => RealImpostorCalibration.Measure(People(5, 10).People, "test"));

    private static (List<(float[] Unit, IReadOnlyList<string> Groups)> People, int Female) People(int seed, int count, int smallGroup = 0)
    {
        var data = new SyntheticDescriptors(seed, dimension: 32, noise: 0.3);
        var people = new List<(float[], IReadOnlyList<string>)>();
        for (var i = 0; i < count; i++)
        {
            var groups = new List<string> { i % 3 == 0 ? "female" : "male" };
            if (i < smallGroup)
            {
                groups.Add("female|asian");
            }

            people.Add((data.Around(data.Centre()), groups));
        }

        return (people, people.Count(p => p.Item2.Contains("female")));
    }

    private static IEnumerable<float> Pairs(List<(float[] Unit, IReadOnlyList<string> Groups)> people)
    {
        for (var a = 0; a < people.Count; a++)
        {
            for (var b = a + 1; b < people.Count; b++)
            {
                yield return Kernels.Dot(people[a].Unit, people[b].Unit);
            }
        }
    }
}
