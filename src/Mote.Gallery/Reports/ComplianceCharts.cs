using System.Globalization;
using Mote.Core.Evaluation;
using PdfSharp.Drawing;

namespace Mote.Gallery.Reports;

/// <summary>
/// The evaluation charts of the compliance PDF, drawn as vector paths with PDFsharp's <see cref="XGraphics"/>: DET
/// curves (with Core's <see cref="DetAxis"/>, the mapping the portal's DET chart uses, so screen and paper agree), the
/// balance sweep, and score histograms. Each draws into the rectangle the page writer gives its figure: the plot with
/// its axes on the left, the legend on the right.
/// </summary>
internal static class ComplianceCharts
{
    /// <summary>The portal's palette (DetChart.razor), so a curve has the same colour on screen and on paper.</summary>
    private static readonly XColor[] Palette =
    [
        XColor.FromArgb(0x1e, 0x88, 0xe5), XColor.FromArgb(0xd8, 0x1b, 0x60), XColor.FromArgb(0x43, 0xa0, 0x47), XColor.FromArgb(0xfb, 0x8c, 0x00),
        XColor.FromArgb(0x8e, 0x24, 0xaa), XColor.FromArgb(0x00, 0x89, 0x7b), XColor.FromArgb(0x6d, 0x4c, 0x41), XColor.FromArgb(0x54, 0x6e, 0x7a),
    ];

    private const double LeftGutter = 46; // y tick labels and the rotated y-axis label
    private const double BottomGutter = 28; // x tick labels and the x-axis label
    private const double LegendWidth = 135;
    private static readonly XColor Grid = XColor.FromArgb(224, 224, 224);
    private static readonly XColor FrameColor = XColor.FromArgb(158, 158, 158);

    /// <summary>Colour of the <paramref name="index"/>-th curve of a chart.</summary>
    public static XColor Colour(int index) => Palette[index % Palette.Length];

    /// <summary>
    /// FNMR against FMR, both on the log axes of <see cref="DetAxis"/>; one curve per entry, and a dashed vertical line
    /// at <paramref name="targetFmr"/>. Non-finite points are left out; a curve of one point is drawn as a dot.
    /// </summary>
    public static void Det(XGraphics g, XRect area, IReadOnlyList<(string Label, IReadOnlyList<DetPoint> Points)> curves, double targetFmr)
    {
        var fonts = new Fonts();
        var plot = new XRect(area.Left + LeftGutter, area.Top + 4, Math.Min(300, area.Width - LeftGutter - LegendWidth - 16), area.Height - BottomGutter - 4);
        var ticks = DetAxis.Decades.Select(d => (DetAxis.Position(d), DetAxis.Label(d))).ToArray();
        Axes(g, plot, fonts, ticks, ticks, "FMR (fraction of impostor pairs accepted, log scale)", "FNMR (fraction, log scale)");
        var legend = new List<(string, XPen)>();
        for (var i = 0; i < curves.Count; i++)
        {
            var pen = new XPen(Colour(i), 1.4) { LineJoin = XLineJoin.Round };
            var points = curves[i].Points.Where(p => double.IsFinite(p.Fmr) && double.IsFinite(p.Fnmr))
                .Select(p => At(plot, DetAxis.Position(p.Fmr), DetAxis.Position(p.Fnmr))).ToArray();
            Polyline(g, pen, points);
            legend.Add((curves[i].Label, pen));
        }
        if (double.IsFinite(targetFmr) && targetFmr > 0)
        {
            var target = new XPen(XColors.Black, 0.8) { DashStyle = XDashStyle.Dash };
            var x = At(plot, DetAxis.Position(targetFmr), 0).X;
            g.DrawLine(target, x, plot.Top, x, plot.Bottom);
            legend.Add(($"target FMR {Core.Evaluation.ReadableNumber.Decimal(targetFmr)}", target));
        }
        Legend(g, plot.Right + 14, plot.Top, fonts, legend);
    }

    /// <summary>
    /// The balance sweep: two panels, FMR and FNMR against the female share of the synthetic negatives, one line per
    /// gender group with its 95 % interval as a vertical bar at each setting.
    /// </summary>
    public static void Sweep(XGraphics g, XRect area, IReadOnlyList<SweepFigures> sweep)
    {
        var fonts = new Fonts();
        var groups = sweep.SelectMany(s => s.ByGender).Select(r => r.Group).Distinct().Order(StringComparer.Ordinal).ToArray();
        const double legendWidth = 95;
        var panelWidth = (area.Width - legendWidth - (2 * LeftGutter) - 20) / 2;
        var height = area.Height - BottomGutter - 4;
        var panels = new (string Label, Func<SweepRates, (double Value, double Low, double High)> Pick, double Left)[]
        {
            ("FMR (fraction of impostor pairs)", r => (r.Fmr, r.FmrLow, r.FmrHigh), area.Left + LeftGutter),
            ("FNMR (fraction of genuine pairs)", r => (r.Fnmr, r.FnmrLow, r.FnmrHigh), area.Left + (2 * LeftGutter) + panelWidth + 10),
        };
        var shareTicks = new[] { 0, 0.25, 0.5, 0.75, 1 }.Select(s => (s, s.ToString("0.##", CultureInfo.InvariantCulture))).ToArray();
        var legend = new List<(string, XPen)>();
        foreach (var (label, pick, left) in panels)
        {
            var plot = new XRect(left, area.Top + 4, panelWidth, height);
            var top = NiceCeiling(sweep.SelectMany(s => s.ByGender).Select(r => pick(r).High).Where(double.IsFinite).DefaultIfEmpty(0).Max());
            var yTicks = LinearTicks(0, top).Select(v => (v / top, Number(v))).ToArray();
            Axes(g, plot, fonts, shareTicks, yTicks, "female share of synthetic negatives (fraction)", label);
            for (var i = 0; i < groups.Length; i++)
            {
                var pen = new XPen(Colour(i), 1.4) { LineJoin = XLineJoin.Round };
                var brush = new XSolidBrush(Colour(i));
                // Groups sit 2 pt apart at each setting, so their interval bars do not hide each other.
                var nudge = (i - ((groups.Length - 1) / 2.0)) * 2;
                var rows = sweep.OrderBy(s => s.FemaleShare)
                    .Select(s => (s.FemaleShare, Rates: s.ByGender.FirstOrDefault(r => r.Group == groups[i])))
                    .Where(s => s.Rates is not null && double.IsFinite(pick(s.Rates).Value))
                    .Select(s => (s.FemaleShare, Rate: pick(s.Rates!)))
                    .ToArray();
                Polyline(g, pen, rows.Select(r => Nudge(At(plot, r.FemaleShare, r.Rate.Value / top), nudge)).ToArray());
                foreach (var (share, rate) in rows)
                {
                    var x = At(plot, share, 0).X + nudge;
                    var low = At(plot, share, Math.Max(0, rate.Low) / top).Y;
                    var high = At(plot, share, Math.Min(top, rate.High) / top).Y;
                    var bar = new XPen(Colour(i), 0.7);
                    g.DrawLine(bar, x, low, x, high);
                    g.DrawLine(bar, x - 2, low, x + 2, low);
                    g.DrawLine(bar, x - 2, high, x + 2, high);
                    var centre = Nudge(At(plot, share, rate.Value / top), nudge);
                    g.DrawEllipse(brush, centre.X - 1.8, centre.Y - 1.8, 3.6, 3.6);
                }
                if (legend.Count < groups.Length)
                {
                    legend.Add((groups[i], pen));
                }
            }
        }
        legend.Add(("bar: 95 % interval", new XPen(XColors.Gray, 0.7)));
        Legend(g, area.Right - legendWidth + 8, area.Top + 4, fonts, legend);
    }

    /// <summary>
    /// Genuine and impostor score histograms of one kind over the same bins (each a share of its own pairs), drawn as
    /// filled outlines, and the kind's threshold at FMR 1e-3 as a dashed line when known.
    /// </summary>
    public static void Histogram(XGraphics g, XRect area, ScoreDistribution d)
    {
        var fonts = new Fonts();
        var plot = new XRect(area.Left + LeftGutter, area.Top + 4, area.Width - LeftGutter - LegendWidth - 16, area.Height - BottomGutter - 4);
        var (min, max) = d.Max > d.Min ? (d.Min, d.Max) : (d.Min, d.Min + 1);
        var top = NiceCeiling(d.Genuine.Concat(d.Impostor).Where(double.IsFinite).DefaultIfEmpty(0).Max());
        var xTicks = LinearTicks(min, max).Select(v => ((v - min) / (max - min), Number(v))).ToArray();
        var yTicks = LinearTicks(0, top).Select(v => (v / top, Number(v))).ToArray();
        var unit = d.ScoreUnit == "cosine" ? "cosine similarity" : d.ScoreUnit;
        Axes(g, plot, fonts, xTicks, yTicks, $"score ({unit})", "share of pairs per bin (fraction)");
        var legend = new List<(string, XPen)>();
        foreach (var (label, shares, colour) in new[] { ("genuine pairs", d.Genuine, Colour(2)), ("impostor pairs", d.Impostor, Colour(3)) })
        {
            if (shares.Count == 0)
            {
                continue;
            }
            var step = 1.0 / shares.Count;
            var outline = new List<XPoint> { At(plot, 0, 0) };
            for (var i = 0; i < shares.Count; i++)
            {
                var y = double.IsFinite(shares[i]) ? Math.Clamp(shares[i] / top, 0, 1) : 0;
                outline.Add(At(plot, i * step, y));
                outline.Add(At(plot, (i + 1) * step, y));
            }
            outline.Add(At(plot, 1, 0));
            var pen = new XPen(colour, 1.1);
            g.DrawPolygon(pen, new XSolidBrush(XColor.FromArgb(70, colour)), outline.ToArray(), XFillMode.Winding);
            legend.Add((label, pen));
        }
        if (d.Threshold is { } t && double.IsFinite(t) && t >= min && t <= max)
        {
            var pen = new XPen(XColors.Black, 0.8) { DashStyle = XDashStyle.Dash };
            var x = At(plot, (t - min) / (max - min), 0).X;
            g.DrawLine(pen, x, plot.Top, x, plot.Bottom);
            legend.Add(($"threshold at FMR 0.001 ({Core.Evaluation.ReadableNumber.Decimal(t)})", pen));
        }
        Legend(g, plot.Right + 14, plot.Top, fonts, legend);
    }

    private static XPoint At(XRect plot, double fx, double fy) => new(plot.Left + (plot.Width * fx), plot.Bottom - (plot.Height * fy));

    private static XPoint Nudge(XPoint p, double dx) => new(p.X + dx, p.Y);

    private static void Polyline(XGraphics g, XPen pen, XPoint[] points)
    {
        if (points.Length >= 2)
        {
            g.DrawLines(pen, points);
        }
        else if (points.Length == 1)
        {
            g.DrawEllipse(new XSolidBrush(pen.Color), points[0].X - 2, points[0].Y - 2, 4, 4);
        }
    }

    /// <summary>Gridlines and tick labels at the given fractions of each axis, the frame, and both axis labels (y rotated).</summary>
    private static void Axes(XGraphics g, XRect plot, Fonts fonts, IEnumerable<(double At, string Label)> xTicks, IEnumerable<(double At, string Label)> yTicks, string xLabel, string yLabel)
    {
        var grid = new XPen(Grid, 0.5);
        foreach (var (at, label) in xTicks)
        {
            var x = plot.Left + (plot.Width * at);
            g.DrawLine(grid, x, plot.Top, x, plot.Bottom);
            g.DrawString(label, fonts.Tick, XBrushes.Black, new XRect(x - 20, plot.Bottom + 2, 40, 9), XStringFormats.TopCenter);
        }
        foreach (var (at, label) in yTicks)
        {
            var y = plot.Bottom - (plot.Height * at);
            g.DrawLine(grid, plot.Left, y, plot.Right, y);
            g.DrawString(label, fonts.Tick, XBrushes.Black, new XRect(plot.Left - 36, y - 4.5, 33, 9), XStringFormats.CenterRight);
        }
        g.DrawRectangle(new XPen(FrameColor, 0.75), plot);
        g.DrawString(xLabel, fonts.Label, XBrushes.Black, new XRect(plot.Left - 30, plot.Bottom + 13, plot.Width + 60, 10), XStringFormats.TopCenter);
        var state = g.Save();
        var centre = new XPoint(plot.Left - 42, plot.Top + (plot.Height / 2));
        g.RotateAtTransform(-90, centre);
        g.DrawString(yLabel, fonts.Label, XBrushes.Black, new XRect(centre.X - (plot.Height / 2) - 20, centre.Y - 5, plot.Height + 40, 10), XStringFormats.TopCenter);
        g.Restore(state);
    }

    private static void Legend(XGraphics g, double left, double top, Fonts fonts, IReadOnlyList<(string Label, XPen Pen)> entries)
    {
        var y = top + 2;
        foreach (var (label, pen) in entries)
        {
            g.DrawLine(pen, left, y + 4, left + 16, y + 4);
            g.DrawString(label, fonts.Label, XBrushes.Black, new XRect(left + 20, y, LegendWidth - 20, 9), XStringFormats.TopLeft);
            y += 12;
        }
    }

    /// <summary>The smallest of 1, 2, 2.5 or 5 × 10^k at or above <paramref name="value"/> (0.001 when there is nothing to show).</summary>
    private static double NiceCeiling(double value)
    {
        if (!(value > 0))
        {
            return 0.001;
        }
        var decade = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * decade).First(v => v >= value * (1 - 1e-9));
    }

    /// <summary>Four to seven evenly spaced round values from <paramref name="min"/> to <paramref name="max"/>.</summary>
    private static IEnumerable<double> LinearTicks(double min, double max)
    {
        // A sixth of the range: with a fifth, the vector histogram of the 100-identity lfw-dev run (cosine 0.729–0.989)
        // got only two ticks (step 0.1); a sixth gives 0.75 … 0.95.
        var rough = (max - min) / 6;
        var decade = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * decade).First(v => v >= rough * (1 - 1e-9));
        for (var v = Math.Ceiling((min / step) - 1e-9) * step; v <= max + (step * 1e-9); v += step)
        {
            yield return Math.Abs(v) < step * 1e-9 ? 0 : v;
        }
    }

    private static string Number(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>Chart fonts, made per chart: an <see cref="XFont"/> needs the font resolver, installed by the renderer first.</summary>
    private sealed class Fonts
    {
        public XFont Tick { get; } = new(CompliancePdf.Family, 6.5, XFontStyleEx.Regular);

        public XFont Label { get; } = new(CompliancePdf.Family, 7, XFontStyleEx.Regular);
    }
}
