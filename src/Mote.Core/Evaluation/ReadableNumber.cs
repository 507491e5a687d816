using System.Globalization;

namespace Mote.Core.Evaluation;

/// <summary>
/// Numbers as people read them, in one place for the portal, the reports and the CLI: fixed-point (never "4.08E-06"),
/// and a value that is not zero never printed as "0" (a threshold of 4.08e-6 reads "0.00000408", a rate of 3.7e-6
/// "0.00037 %"). Invariant culture.
/// </summary>
public static class ReadableNumber
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Fixed-point with <paramref name="significant"/> significant digits below 1 (0.000206, 0.00000408), up to that many
    /// decimals above (0.512, 12.5), trailing zeros dropped; "0" only for zero. NaN and infinities read "n/a".
    /// </summary>
    public static string Decimal(double value, int significant = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(significant, 1);
        if (!double.IsFinite(value))
        {
            return "n/a";
        }
        if (value == 0)
        {
            return "0";
        }
        if (Math.Abs(value) < 1e-20)
        {
            // Below anything this product measures; still not "0".
            return (value > 0 ? "< " : "> -") + "0.00000000000000000001";
        }
        var magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var decimals = magnitude >= 0 ? significant : significant - 1 - magnitude;
        // A custom format never switches to exponent notation.
        return value.ToString("0." + new string('#', decimals), Inv);
    }

    /// <summary>
    /// A fraction (0–1) in per cent: "0 %" for zero, one decimal from 0.1 % up ("22.2 %"), two significant digits below
    /// ("0.088 %", "0.00037 %"), so a small rate never reads 0.
    /// </summary>
    public static string Percent(double fraction)
    {
        if (!double.IsFinite(fraction))
        {
            return "n/a";
        }
        if (fraction == 0)
        {
            return "0 %";
        }
        var percent = fraction * 100;
        return (Math.Abs(fraction) >= 0.001 ? percent.ToString("0.0", Inv) : Decimal(percent, 2)) + " %";
    }

    /// <summary>
    /// "value (low–high)" in per cent. With zero events the interval's upper end is the exact bound
    /// (<see cref="ClopperPearson"/>), so it reads "0 % (0 %–0.0092 %)", never "0 % (0 %–0 %)".
    /// </summary>
    public static string Interval(RateInterval interval)
    {
        ArgumentNullException.ThrowIfNull(interval);
        return $"{Percent(interval.Value)} ({Percent(interval.Low)}–{Percent(interval.High)})";
    }
}
