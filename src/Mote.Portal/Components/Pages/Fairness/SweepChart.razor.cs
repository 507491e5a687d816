using System.Globalization;
using Microsoft.AspNetCore.Components;
using Mote.Core.Evaluation;
using MudBlazor;

namespace Mote.Portal.Components.Pages.Fairness;

public partial class SweepChart
{
    /// <summary>Plot geometry (public so tests can check that points are placed from the data).</summary>
    public const int Width = 470, Height = 270, Left = 46, Top = 10, PlotW = 300, PlotH = 220;

    /// <summary>The lowest rate drawn; a rate of 0 sits on this line (log axis).</summary>
    public const double MinRate = 1e-5;

    private static readonly double[] Decades = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];
    private static readonly string[] Palette = ["#d81b60", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b"];

    [Parameter, EditorRequired]
    public string Title { get; set; } = "";

    /// <summary>The sweep settings, in the report's order (one point per setting and series).</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<SweepSetting> Sweep { get; set; } = [];

    private IReadOnlyList<double> Shares => Sweep.Select(s => s.FemaleShare).Distinct().Order().ToArray();

    /// <summary>Per gender (ordered), an FMR series and an FNMR series, points ordered by share.</summary>
    private IReadOnlyList<(string Metric, string Group, int GroupIndex, IReadOnlyList<(double Share, double Rate)> Points)> Series
    {
        get
        {
            var groups = Sweep.SelectMany(s => s.ByGender).Select(g => g.Group).Distinct().Order(StringComparer.Ordinal).ToArray();
            var series = new List<(string, string, int, IReadOnlyList<(double, double)>)>();
            for (var g = 0; g < groups.Length; g++)
            {
                foreach (var metric in new[] { "FMR", "FNMR" })
                {
                    var points = Sweep.OrderBy(s => s.FemaleShare)
                        .Select(s => (s.FemaleShare, Rates: s.ByGender.FirstOrDefault(r => r.Group == groups[g])))
                        .Where(p => p.Rates is not null)
                        .Select(p => (p.FemaleShare, metric == "FMR" ? p.Rates!.Fmr.Value : p.Rates!.Fnmr.Value))
                        .ToArray();
                    series.Add((metric, groups[g], g, points));
                }
            }
            return series;
        }
    }

    private static double X(double share) => Left + PlotW * Math.Clamp(share, 0, 1);

    private static double Y(double rate) => Top + PlotH - PlotH * (Math.Log10(Math.Clamp(rate, MinRate, 1)) - Math.Log10(MinRate)) / -Math.Log10(MinRate);

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Label(double decade) => decade >= 1 ? "1" : decade.ToString("0.#####", CultureInfo.InvariantCulture) is { Length: <= 5 } s ? s : $"1e{Math.Log10(decade):0}";

    // Razor reserves <text>, so SVG labels are written as markup (the label is HTML-encoded).
    private static MarkupString SvgText(double x, double y, string label, string anchor, string fill = "#424242", bool rotate = false) =>
        new($"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"10\" text-anchor=\"{anchor}\" fill=\"{fill}\"{(rotate ? $" transform=\"rotate(-90 {F(x)} {F(y)})\"" : "")}>{System.Net.WebUtility.HtmlEncode(label)}</text>");

    private static string Points(IReadOnlyList<(double Share, double Rate)> points) =>
        string.Join(' ', points.Select(p => $"{F(X(p.Share))},{F(Y(p.Rate))}"));
}
