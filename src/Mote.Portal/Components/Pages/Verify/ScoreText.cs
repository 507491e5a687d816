using System.Globalization;

namespace Mote.Portal.Components.Pages.Verify;

/// <summary>
/// How scores and thresholds are written on the page. Model-template scores are probabilities, and thresholds
/// calibrated to a target FMR of 1e-3 can sit far below 0.0001 (the e2e run on 2026-11-29 showed one that
/// four decimals printed as 0.0000), so small values switch to scientific notation instead of reading as zero.
/// </summary>
public static class ScoreText
{
    public static string Format(float value) =>
        value != 0 && Math.Abs(value) < 0.0001f
            ? value.ToString("0.00E+0", CultureInfo.InvariantCulture)
            : value.ToString("0.0000", CultureInfo.InvariantCulture);
}
