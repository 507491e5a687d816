using System.Globalization;

namespace Mote.Core.Templates;

/// <summary>
/// One way to write scores for people, used by the portal, the API's text fields, the CLI, the audit trail and the report:
/// the log-odds of the score with one decimal and a sign ("+2.4", "−13.5"), and — where a real-impostor calibration
/// exists — the false-match rate expected at that score ("0.02 % (1 in 5,000)"). Never scientific notation; never a
/// value rounded to 0 (a rate below what was measured reads "≤ 0.001 %").
/// </summary>
public static class ReadableScore
{
    /// <summary>The log-odds of a score in [0, 1] with one decimal and a sign; a cosine score (vector template) is written as a cosine.</summary>
    public static string LogOdds(double score) => Signed(CalibratedScale.LogOdds(score));

    /// <summary>A stored score or threshold of a template kind: "cosine 0.928" for vector templates, "log-odds +2.6" for model-templates.</summary>
    public static string OfKind(TemplateKind templateKind, double score) =>
        templateKind == TemplateKind.Vector ? "cosine " + score.ToString("0.000", CultureInfo.InvariantCulture) : "log-odds " + LogOdds(score);

    /// <summary>A signed number with one decimal: "+2.4", "−0.3" (a real minus sign), "0.0".</summary>
    public static string Signed(double value)
    {
        var rounded = Math.Round(value, 1, MidpointRounding.AwayFromZero);
        var text = Math.Abs(rounded).ToString("0.0", CultureInfo.InvariantCulture);
        return rounded > 0 ? "+" + text : rounded < 0 ? "\u2212" + text : text;
    }

    /// <summary>
    /// A false-match rate as a percentage with enough decimals to show two significant digits (down to 0.0001 %) and
    /// "1 in N" (N rounded to two significant digits); <paramref name="atMost"/> prefixes "≤ ".
    /// </summary>
    public static string Rate(double fmr, bool atMost = false)
    {
        if (!(fmr >= 0) || double.IsNaN(fmr))
        {
            return "unknown";
        }

        // Two significant digits first, so 0.0999999 % (a rate read back at its own grid point) reads 0.10 %, not 0.100 %.
        var percent = fmr * 100;
        if (percent > 0)
        {
            var magnitudeOf = Math.Pow(10, Math.Floor(Math.Log10(percent)) - 1);
            percent = Math.Round(percent / magnitudeOf) * magnitudeOf;
        }

        var decimals = percent >= 10 ? 0 : percent >= 1 ? 1 : Math.Min(6, (int)Math.Ceiling(-Math.Log10(Math.Max(percent, 1e-6))) + 1);
        var text = percent.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + " %";
        if (fmr > 0 && fmr < 0.5)
        {
            var oneIn = 1 / fmr;
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(oneIn)) - 1);
            text += " (1 in " + (Math.Round(oneIn / magnitude) * magnitude).ToString("N0", CultureInfo.InvariantCulture) + ")";
        }

        return (atMost ? "\u2264 " : "") + text;
    }
}
