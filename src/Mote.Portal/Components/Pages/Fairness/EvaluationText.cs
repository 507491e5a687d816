using System.Globalization;
using Mote.Core.Evaluation;
using Mote.Core.Templates;

namespace Mote.Portal.Components.Pages.Fairness;

/// <summary>How the Fairness pages write rates, intervals and template kinds (one place, so the tables agree).</summary>
internal static class EvaluationText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"MOTE model-template", "Vector (baseline)" or the kind itself.</summary>
    public static string KindName(string kind) => !TemplateKindNames.TryParse(kind, out var k) ? kind : k switch
    {
        TemplateKind.Model => "MOTE model-template",
        _ => "Vector (baseline)",
    };

    /// <summary>A rate in per cent: one decimal from 0.1 %, two significant digits below (never "0.000 %" for a rate that is not 0).</summary>
    public static string Pct(double v) => ReadableNumber.Percent(v);

    /// <summary>A summary number with three decimals, or a dash.</summary>
    public static string Num(double? v) => v is { } x ? x.ToString("0.000", Inv) : "—";

    /// <summary>"value (low–high)"; a zero-event rate shows its exact upper bound ("0 % (0 %–0.0092 %)").</summary>
    public static string Interval(RateInterval r) => ReadableNumber.Interval(r);
}
