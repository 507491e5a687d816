using Mote.Core.Evaluation;

namespace Mote.Core.Tests.Evaluation;

public sealed class DetAxisTests
{
    [Theory]
    [InlineData(1e-5, 0.0)]
    [InlineData(1e-4, 0.2)]
    [InlineData(1e-3, 0.4)]
    [InlineData(0.1, 0.8)]
    [InlineData(1.0, 1.0)]
    public void Position_Decades_AreEvenlySpacedOnTheLogAxis(double rate, double expected) =>
        Assert.Equal(expected, DetAxis.Position(rate), 12);

    [Fact]
    public void Position_ZeroOrBelowMinimum_SitsOnTheLowEdge()
    {
        Assert.Equal(0.0, DetAxis.Position(0));
        Assert.Equal(0.0, DetAxis.Position(1e-9));
        Assert.Equal(1.0, DetAxis.Position(2));
    }

    [Fact]
    public void Label_ShortDecimalsThenPowers()
    {
        Assert.Equal(["1e-5", "1e-4", "0.001", "0.01", "0.1", "1"], DetAxis.Decades.Select(DetAxis.Label));
    }
}
