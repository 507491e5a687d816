using System.Globalization;
using Mote.Core.Evaluation;

namespace Mote.Portal.Components.Pages.Fairness;

/// <summary>How the Fairness pages write rates, intervals and template kinds (one place, so the tables agree).</summary>
internal static class EvaluationText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"MOTE model-template", "Vector (baseline)" or the kind itself.</summary>
    public static string KindName(string kind) => kind switch
    {
        "model" => "MOTE model-template",
        "vector" => "Vector (baseline)",
        _ => kind,
    };

    /// <summary>A rate in per cent: three decimals below 0.1 %, else one.</summary>
    public static string Pct(double v) => (v * 100).ToString(v < 0.001 ? "0.000" : "0.0", Inv) + " %";

    /// <summary>A summary number with three decimals, or a dash.</summary>
    public static string Num(double? v) => v is { } x ? x.ToString("0.000", Inv) : "—";

    /// <summary>"value (low–high)".</summary>
    public static string Interval(RateInterval r) => $"{Pct(r.Value)} ({Pct(r.Low)}–{Pct(r.High)})";
}
