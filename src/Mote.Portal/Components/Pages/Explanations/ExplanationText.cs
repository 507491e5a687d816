using System.Globalization;
using System.Text.RegularExpressions;
using Mote.Core.Explain;
using Mote.Core.Templates;
using Mote.Portal.Components.Shared;

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

    /// <summary>
    /// One plain sentence on how the occlusion map ranked its cells (<see cref="DecisionExplanation.OcclusionVariant"/>): by
    /// hiding alone for an accepted decision, by hiding and showing alone for a rejected one. Explanations stored before the
    /// variant was recorded read as hidden alone, the only variant computed then.
    /// </summary>
    public static string OcclusionVariant(string? variant) => variant == OcclusionSensitivity.BothEnds
        ? "Cells ranked by how much hiding each one lowers the score, plus how much showing it alone on a grey face raises it (computed so for rejected decisions)."
        : "Cells ranked by how much hiding each one lowers the score (computed so for accepted decisions).";

    /// <summary>Why no aligned face is drawn under the map, given the explanation-face retention in days (0 = none kept).</summary>
    public static string NoFace(int faceDays) => faceDays == 0
        ? "No face is kept with explanations (Settings, Retention: 0 days)."
        : string.Create(CultureInfo.InvariantCulture,
            $"The aligned face is no longer kept with this explanation: faces are kept {faceDays} days, and removed sooner when a person this decision listed is erased.");

    /// <summary>How long the aligned face under the map stays, e.g. "kept until 2027-01-06 (30 days, Settings)".</summary>
    public static string FaceKept(DateTimeOffset removedAt, int faceDays) => string.Create(CultureInfo.InvariantCulture,
        $"The aligned probe face (not the photo) is kept, encrypted, with this explanation until {removedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({faceDays} days, Settings, Retention), then removed; the map stays.");

    /// <summary>
    /// How far the probe's score is from the threshold, in the units the page writes scores in: "log-odds +2.4" for a
    /// model-template (the distance of the two log-odds), the readable scale's own difference otherwise. The stored
    /// <see cref="ScoreContext.Margin"/> is a difference of probabilities (0.1593 for an accepted probe); written as if it
    /// were a score it read "log-odds −1.7" for an accepted probe (issue 16).
    /// </summary>
    public static string Margin(ScoreContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Readable switch
        {
            { Scale: "log-odds" } r => "log-odds " + ReadableScore.Signed(r.Probe - r.Threshold),
            { } r => r.Scale + " " + Signed3(r.Probe - r.Threshold),
            null => "log-odds " + ReadableScore.Signed(CalibratedScale.LogOdds(context.Score) - CalibratedScale.LogOdds(context.Threshold)),
        };
    }

    /// <summary>
    /// The explanation's sentence. For a model-template the scores are written as log-odds, as everywhere else on the
    /// page: the stored sentence writes the raw probabilities ("its score 1.293E-07 is 0.8199 below the threshold
    /// 0.8199", issue 16). Other scales keep the stored sentence; without a context, score against threshold.
    /// </summary>
    public static string Sentence(ScoreContext? context, float score, float threshold)
    {
        if (context?.Readable is not { Scale: "log-odds" } r)
        {
            return context?.Sentence ?? $"Score {ScoreText.Format(score)} against threshold {ScoreText.Format(threshold)}.";
        }
        var accepted = context.Margin >= 0;
        var impostors = context.ImpostorHistogram.Sum();
        var impostorText = context.ImpostorsAtOrAbove == 0
            ? $"none of {impostors.ToString("N0", CultureInfo.InvariantCulture)} synthetic impostors scored this high"
            : $"{Share(context.ImpostorsAtOrAbove)} of synthetic impostors scored this high or higher";
        var head = $"The probe was {(accepted ? "accepted" : "rejected")}: its score (log-odds {ReadableScore.Signed(r.Probe)}) is "
            + $"{Math.Abs(r.Probe - r.Threshold).ToString("0.0", CultureInfo.InvariantCulture)} {(accepted ? "above" : "below")} the threshold (log-odds {ReadableScore.Signed(r.Threshold)}); ";
        return context.GenuineBelow is { } g
            ? head + $"it is higher than {Share(g)} of this person's synthetic genuine scores, and {impostorText}."
            : head + impostorText + ".";
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

    private static string Signed3(double value) =>
        (value > 0 ? "+" : value < 0 ? "\u2212" : "") + Math.Abs(value).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>A share as the stored sentence writes it: "under 0.1 %", "4.6 %", "37 %".</summary>
    private static string Share(double fraction) =>
        fraction is > 0 and < 0.001 ? "under 0.1 %" : (fraction * 100).ToString(fraction < 0.1 ? "0.0" : "0", CultureInfo.InvariantCulture) + " %";

    [GeneratedRegex(@"^decision ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):")]
    private static partial Regex DecisionDetail();
}
