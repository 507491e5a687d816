using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class ReadableScoreTests
{
    [Theory]
    [InlineData(0.5, "0.0")]
    [InlineData(0.9, "+2.2")]
    [InlineData(2.20e-13, "\u221229.1")]
    [InlineData(1.0, "+40.0")]
    [InlineData(0.0, "\u221240.0")]
    public void LogOdds_Probabilities_SignedOneDecimal(double score, string expected) =>
        Assert.Equal(expected, ReadableScore.LogOdds(score));

    [Theory]
    [InlineData(1e-3, false, "0.10 % (1 in 1,000)")]
    [InlineData(2.06e-4, false, "0.021 % (1 in 4,900)")]
    [InlineData(1e-5, true, "\u2264 0.0010 % (1 in 100,000)")]
    [InlineData(0.2, false, "20 % (1 in 5)")]
    [InlineData(0.03, false, "3.0 % (1 in 33)")]
    [InlineData(0.0009999997, false, "0.10 % (1 in 1,000)")]
    public void Rate_NeverScientificNorZero(double fmr, bool atMost, string expected) =>
        Assert.Equal(expected, ReadableScore.Rate(fmr, atMost));

    [Fact]
    public void Rate_TinyRates_StillShowDigits()
    {
        var text = ReadableScore.Rate(3.3e-9);
        Assert.DoesNotContain("E", text);
        Assert.NotEqual("0 %", text.Split(' ')[0] + " %");
    }

    [Theory]
    [InlineData(TemplateKind.Model, 0.92, "log-odds +2.4")]
    [InlineData(TemplateKind.Vector, 0.9282, "cosine 0.928")]
    public void OfKind_WritesEachKindOnItsOwnScale(TemplateKind kind, double score, string expected) =>
        Assert.Equal(expected, ReadableScore.OfKind(kind, score));
}
