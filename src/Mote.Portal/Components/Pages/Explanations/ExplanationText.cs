using System.Globalization;
using System.Text.RegularExpressions;

namespace Mote.Portal.Components.Pages.Explanations;

/// <summary>Small helpers of the explanation page: scales and the decision id inside an audit detail.</summary>
public static partial class ExplanationText
{
    /// <summary>Where a score sits on the gauge, 0..1: on a log-odds scale clipped to ±12, because calibrated thresholds sit far below 0.0001 and accepted scores round to 1.</summary>
    public static double GaugePosition(float score)
    {
        var p = Math.Clamp((double)score, 1e-12, 1 - 1e-12);
        var logit = Math.Log(p / (1 - p));
        return (Math.Clamp(logit, -12, 12) + 12) / 24;
    }

    /// <summary>Percent with invariant culture, e.g. "42.0".</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>A number for SVG attributes (invariant culture).</summary>
    public static string Svg(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The decision id an audit detail begins with ("decision {id}: …"), or null.</summary>
    public static string? DecisionIdInDetail(string? detail)
    {
        var match = detail is null ? null : DecisionDetail().Match(detail);
        return match is { Success: true } ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^decision ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):")]
    private static partial Regex DecisionDetail();
}
