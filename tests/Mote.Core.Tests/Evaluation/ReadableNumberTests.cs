using Mote.Core.Evaluation;

namespace Mote.Core.Tests.Evaluation;

public sealed class ReadableNumberTests
{
    [Theory]
    // The compliance report printed "Median per-person threshold: 0." for 4.08e-6.
    [InlineData(4.08e-6, "0.00000408")]
    [InlineData(0.000206, "0.000206")]
    [InlineData(2.2e-13, "0.00000000000022")]
    [InlineData(0.5123456, "0.512")]
    [InlineData(12.5, "12.5")]
    [InlineData(0.5, "0.5")]
    [InlineData(-6.5, "-6.5")]
    [InlineData(0, "0")]
    [InlineData(1e-30, "< 0.00000000000000000001")]
    [InlineData(double.NaN, "n/a")]
    public void Decimal_FixedPoint_NeverZeroForANonZeroValue(double value, string expected)
    {
        Assert.Equal(expected, ReadableNumber.Decimal(value));
    }

    [Theory]
    [InlineData(0, "0 %")]
    [InlineData(0.222, "22.2 %")]
    [InlineData(0.001, "0.1 %")]
    [InlineData(0.00088, "0.088 %")]
    [InlineData(3.688872650231545e-06, "0.00037 %")]
    public void Percent_OneDecimalAbovePointOnePercent_TwoSignificantDigitsBelow(double fraction, string expected)
    {
        Assert.Equal(expected, ReadableNumber.Percent(fraction));
    }

    [Fact]
    public void Interval_ZeroEvents_ShowsTheExactUpperBound_NotZeroToZero()
    {
        // 0 false matches in 40,000 impostor pairs.
        var interval = ClopperPearson.Bound(new RateInterval(0, 0, 0), 0, 40_000);

        var text = ReadableNumber.Interval(interval);

        Assert.Equal("0 % (0 %–0.0092 %)", text);
        Assert.DoesNotContain("0.000 %", text, StringComparison.Ordinal);
    }
}
