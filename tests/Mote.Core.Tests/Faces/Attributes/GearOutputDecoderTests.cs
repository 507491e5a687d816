using Mote.Core.Faces.Attributes;

namespace Mote.Core.Tests.Faces.Attributes;

public sealed class GearOutputDecoderTests
{
    [Fact]
    public void Decode_FirstGenderClassLarger_IsMaleWithThatProbability()
    {
        var estimate = GearOutputDecoder.Decode(OneHot(7, 3), [0.8f, 0.2f], OneHot(5, 0));

        Assert.Equal(AttributeVocabulary.Male, estimate.Gender);
        Assert.Equal(0.8, estimate.GenderProbability, 6);
        Assert.True(estimate.IsEstimated);
    }

    [Fact]
    public void Decode_SecondGenderClassLarger_IsFemale()
    {
        var estimate = GearOutputDecoder.Decode(OneHot(7, 3), [0.3f, 0.7f], OneHot(5, 0));

        Assert.Equal(AttributeVocabulary.Female, estimate.Gender);
        Assert.Equal(0.7, estimate.GenderProbability, 6);
    }

    [Theory]
    [InlineData(0, "white")]
    [InlineData(1, "black")]
    [InlineData(2, "asian")]
    [InlineData(3, "indian")]
    [InlineData(4, "other")]
    public void Decode_RaceClass_MapsToVocabularyInGearOrder(int index, string expected)
    {
        float[] race = [0.05f, 0.05f, 0.05f, 0.05f, 0.05f];
        race[index] = 0.8f;

        var estimate = GearOutputDecoder.Decode(OneHot(7, 3), [0.5f, 0.5f], race);

        Assert.Equal(expected, estimate.Ethnicity);
        Assert.Equal(0.8, estimate.EthnicityProbability, 6);
        Assert.Equal(5, estimate.EthnicityProbabilities.Count);
        Assert.Equal(1.0, estimate.EthnicityProbabilities.Values.Sum(), 6);
        Assert.Equal(0.05, estimate.EthnicityProbabilities[AttributeVocabulary.Ethnicities[(index + 1) % 5]], 6);
    }

    [Fact]
    public void Decode_AgeDistribution_IsProbabilityWeightedMeanOfClassAges()
    {
        // Half "21-25" (23 years), half "41-50" (45.5 years) → 34.25.
        float[] age = [0, 0.5f, 0, 0, 0.5f, 0, 0];

        var estimate = GearOutputDecoder.Decode(age, [0.5f, 0.5f], OneHot(5, 0));

        Assert.Equal(34.25, estimate.AgeYears, 6);
        Assert.Equal(AttributeVocabulary.Adult, estimate.AgeBand);
    }

    [Theory]
    [InlineData(new float[] { 0.6f, 0.1f, 0.1f, 0.1f, 0.1f, 0, 0 }, "under-18")]
    [InlineData(new float[] { 0.45f, 0.15f, 0.1f, 0.1f, 0.1f, 0.1f, 0 }, "18-59")]
    [InlineData(new float[] { 0.1f, 0, 0, 0, 0.1f, 0.3f, 0.5f }, "60+")]
    [InlineData(new float[] { 0, 0, 0, 0, 0.2f, 0.4f, 0.4f }, "18-59")]
    public void Decode_AgeBand_IsBandWithLargestSummedProbability(float[] age, string expected)
    {
        var estimate = GearOutputDecoder.Decode(age, [0.5f, 0.5f], OneHot(5, 0));

        Assert.Equal(expected, estimate.AgeBand);
    }

    [Theory]
    [InlineData(new float[] { 0.6f, 0.1f, 0.1f, 0.1f, 0.1f, 0, 0 }, "under-18", 0.6)]
    [InlineData(new float[] { 0.45f, 0.15f, 0.1f, 0.1f, 0.1f, 0.1f, 0 }, "18-59", 0.55)]
    [InlineData(new float[] { 0.1f, 0, 0, 0, 0.1f, 0.3f, 0.5f }, "60+", 0.5)]
    [InlineData(new float[] { 0, 0, 0, 0, 0.2f, 0.4f, 0.4f }, "18-59", 0.6)]
    public void Decode_AgeBand_ProbabilityIsTheBandsSummedClassProbability(float[] age, string band, double probability)
    {
        var estimate = GearOutputDecoder.Decode(age, [0.5f, 0.5f], OneHot(5, 0));

        Assert.Equal(band, estimate.AgeBand);
        Assert.Equal(probability, estimate.AgeBandProbability, 6);
    }

    [Fact]
    public void Decode_AgeHeadNotSummingToOne_BandProbabilityIsOfTheRenormalisedHead()
    {
        // Softmax outputs sum to 1 within float rounding; a head summing to 2 must still give a probability, not 1.2.
        var estimate = GearOutputDecoder.Decode([0.4f, 0.4f, 0.4f, 0.4f, 0.2f, 0.1f, 0.1f], [0.5f, 0.5f], OneHot(5, 0));

        Assert.Equal(AttributeVocabulary.Adult, estimate.AgeBand);
        Assert.Equal(0.75, estimate.AgeBandProbability, 6);
    }

    [Fact]
    public void Decode_WrongHeadLength_ThrowsNamingHead()
    {
        var error = Assert.Throws<ArgumentException>(() => GearOutputDecoder.Decode(OneHot(6, 0), [0.5f, 0.5f], OneHot(5, 0)));

        Assert.Contains("age", error.Message, StringComparison.Ordinal);
        Assert.Contains("7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NaNProbability_Throws()
    {
        Assert.Throws<ArgumentException>(() => GearOutputDecoder.Decode(OneHot(7, 0), [float.NaN, 0.5f], OneHot(5, 0)));
    }

    [Theory]
    [InlineData(0, "under-18")]
    [InlineData(17.9, "under-18")]
    [InlineData(18, "18-59")]
    [InlineData(59.9, "18-59")]
    [InlineData(60, "60+")]
    [InlineData(101, "60+")]
    public void AgeBandOf_Age_ReturnsBand(double age, string expected) =>
        Assert.Equal(expected, AttributeVocabulary.AgeBandOf(age));

    private static float[] OneHot(int length, int index)
    {
        var values = new float[length];
        values[index] = 1;
        return values;
    }
}
