using Mote.Core.Faces;
using Mote.Core.Faces.Attributes;

namespace Mote.Core.Tests.Faces.Attributes;

public sealed class AttributeConfidenceTests
{
    private static readonly AttributeConfidence Cutoffs = new(Gender: 0.95, Ethnicity: 0.8, AgeBand: 0.7);

    [Theory]
    [InlineData(EstimatedAttribute.Gender, 0.95, true)]
    [InlineData(EstimatedAttribute.Gender, 0.9499, false)]
    [InlineData(EstimatedAttribute.Ethnicity, 0.8, true)]
    [InlineData(EstimatedAttribute.Ethnicity, 0.79, false)]
    [InlineData(EstimatedAttribute.AgeBand, 0.99, true)]
    [InlineData(EstimatedAttribute.AgeBand, 0.5, false)]
    [InlineData(EstimatedAttribute.Gender, double.NaN, false)]
    public void Clears_ConfidenceAtOrAboveItsAttributesCutoff_True(EstimatedAttribute attribute, double confidence, bool expected) =>
        Assert.Equal(expected, Cutoffs.Clears(attribute, confidence));

    [Fact]
    public void UsableValue_EachAttributeJudgedByItsOwnConfidence()
    {
        // Gender 0.93 < 0.95, ethnicity 0.85 ≥ 0.8, age band 0.6 < 0.7.
        var estimate = new AttributeEstimate("male", 0.93, 30, "18-59", 0.6, "white", 0.85, new Dictionary<string, double> { ["white"] = 0.85 });

        Assert.Null(Cutoffs.UsableValue(estimate, EstimatedAttribute.Gender));
        Assert.Equal("white", Cutoffs.UsableValue(estimate, EstimatedAttribute.Ethnicity));
        Assert.Null(Cutoffs.UsableValue(estimate, EstimatedAttribute.AgeBand));
        Assert.Null(Cutoffs.UsableValue(null, EstimatedAttribute.Gender));
        Assert.Equal(0.6, AttributeConfidence.ConfidenceOf(estimate, EstimatedAttribute.AgeBand));
        Assert.Equal("male", AttributeConfidence.ValueOf(estimate, EstimatedAttribute.Gender));
    }

    [Fact]
    public void None_UsesEveryEstimate_CutoffAboveOne_UsesNone()
    {
        var estimate = new AttributeEstimate("female", 0.5, 30, "18-59", 0.34, "other", 0.21, new Dictionary<string, double> { ["other"] = 0.21 });

        Assert.All(Enum.GetValues<EstimatedAttribute>(), a => Assert.NotNull(AttributeConfidence.None.UsableValue(estimate, a)));
        var never = new AttributeConfidence(AttributeConfidence.Never, AttributeConfidence.Never, AttributeConfidence.Never);
        var certain = estimate with { GenderProbability = 1, EthnicityProbability = 1, AgeBandProbability = 1 };
        Assert.All(Enum.GetValues<EstimatedAttribute>(), a => Assert.Null(never.UsableValue(certain, a)));
    }

    [Fact]
    public void Measured_EveryCutoffIsAProbabilityOfAtLeastAHalfOrNever()
    {
        // A cutoff under 0.5 would pre-fill every gender estimate (the larger of two probabilities is never below 0.5).
        foreach (var a in Enum.GetValues<EstimatedAttribute>())
        {
            var cutoff = AttributeConfidence.Measured.CutoffFor(a);
            Assert.True(cutoff is >= 0.5 and <= 1 or AttributeConfidence.Never, $"{a}: {cutoff}");
        }
    }

    [Fact]
    public void Configured_ReplacesOnlyTheCutoffsGiven_NeverAccepted_OutOfRangeRefused()
    {
        var settings = new Dictionary<string, string?> { ["Gender"] = "0.8", ["AgeBand"] = "never" };

        var configured = AttributeConfidence.Configured(key => settings.GetValueOrDefault(key));

        Assert.Equal(new AttributeConfidence(0.8, AttributeConfidence.Measured.Ethnicity, AttributeConfidence.Never), configured);
        Assert.Equal(AttributeConfidence.Measured, AttributeConfidence.Configured(_ => null));
        var error = Assert.Throws<FormatException>(() => AttributeConfidence.Configured(key => key == "Ethnicity" ? "1.5" : null));
        Assert.Contains("Mote:Attributes:MinimumConfidence:Ethnicity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Curve_SmallestCutoffReachingNinetyPercent_WithItsCoverage()
    {
        // 100 estimates: confidence 0.50..0.99 (one each of 50 values, right half the time below 0.80), then 50 at 0.995 all right.
        var estimates = new List<(bool Right, double Confidence)>();
        for (var i = 0; i < 50; i++)
        {
            var confidence = (50 + i) / 100.0; // exactly the candidate cutoffs' values
            estimates.Add((confidence >= 0.8 || i % 2 == 0, confidence));
        }
        for (var i = 0; i < 50; i++)
        {
            estimates.Add((true, 0.995));
        }

        var curve = AttributeConfidenceCurve.Of(EstimatedAttribute.Gender, estimates);

        Assert.Equal(100, curve.Total);
        Assert.Equal(0.85, curve.Accuracy, 6); // 15 wrong of 100 (the odd i below 0.80)
        // ≥ 0.63: 9 wrong (0.63, 0.65, …, 0.79) of 87 → 0.897; ≥ 0.64: 8 wrong of 86 → 0.907, the first to reach 0.90.
        var chosen = Assert.IsType<ConfidenceCut>(curve.Chosen);
        Assert.Equal(0.64, chosen.Cutoff, 6);
        Assert.Equal(86, chosen.Count);
        Assert.Equal(0.86, chosen.Coverage, 6);
        Assert.Equal(78 / 86.0, chosen.Accuracy, 6);
        Assert.Equal(60, curve.Bins[9].Count); // 0.90..1 includes 1 and the 0.995s
        Assert.Equal(1.0, curve.Bins[9].Accuracy);
        Assert.Equal(50, curve.At(0.995).Count);
    }

    [Fact]
    public void Curves_FromScoredSamples_ChosenCutoffCoverageByTrueGroup()
    {
        // 40 women whose gender is estimated right at 0.999; 40 men estimated at 0.6, right half the time.
        var scored = Enumerable.Range(0, 40).Select(i => (new AttributeSample($"f{i}", 30, "female", "white"), Estimate("female", 0.999)))
            .Concat(Enumerable.Range(0, 40).Select(i => (new AttributeSample($"m{i}", 30, "male", "white"), Estimate(i % 2 == 0 ? "male" : "female", 0.6))))
            .ToArray();

        var gender = AttributeConfidenceCurve.Of(scored)[0];

        Assert.Equal(EstimatedAttribute.Gender, gender.Attribute);
        Assert.Equal(0.61, gender.Chosen!.Cutoff, 6); // ≥ 0.60 keeps the men (accuracy 0.75); ≥ 0.61 the 40 women only
        var women = gender.ChosenByGroup.Single(g => g.Group == "gender=female").Cut;
        var men = gender.ChosenByGroup.Single(g => g.Group == "gender=male").Cut;
        Assert.Equal((40, 1.0, 1.0), (women.Count, women.Coverage, women.Accuracy));
        Assert.Equal((0, 0.0), (men.Count, men.Coverage));
        Assert.Contains("at that cutoff, by true group", gender.Format(), StringComparison.Ordinal);

        static AttributeEstimate Estimate(string gender, double p) =>
            new(gender, p, 30, "18-59", 0.9, "white", 0.9, new Dictionary<string, double> { ["white"] = 0.9 });
    }

    [Fact]
    public void Curve_NoCutoffReachesNinetyPercentWithThirtyEstimates_NoneChosen()
    {
        // 29 certain right ones are too few; all others are wrong half the time.
        var estimates = Enumerable.Range(0, 100).Select(i => (i % 2 == 0, 0.6)).Concat(Enumerable.Repeat((true, 0.999), 29)).ToArray();

        var curve = AttributeConfidenceCurve.Of(EstimatedAttribute.Ethnicity, estimates);

        Assert.Null(curve.Chosen);
        Assert.Contains("no cutoff reaches", curve.Format(), StringComparison.Ordinal);
    }
}
