using Mote.Core.Evaluation;
using Mote.Core.Templates;
using ScottPlot;

namespace Mote.Cli.Commands;

/// <summary>PNG plots of an evaluation report (ScottPlot, rendered headless through SkiaSharp).</summary>
internal static class EvaluationPlots
{
    private const int Width = 800;
    private const int Height = 560;

    /// <summary>Writes the plots into <paramref name="folder"/>; returns the file names written.</summary>
    public static IReadOnlyList<string> Write(EvaluationReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        written.Add(Det(folder, "det.png", "DET, pooled (log10 axes)", report.Recognition.Select(r => (r.Kind, r.Det))));
        foreach (var kind in report.Fairness.GroupBy(f => f.Kind))
        {
            foreach (var attribute in kind)
            {
                written.Add(Det(folder, $"det-{kind.Key}-{FileToken(attribute.Attribute)}.png", $"DET per {attribute.Attribute}, {kind.Key} templates",
                    attribute.Groups.Select(g => ($"{g.Group} ({g.Identities})", g.Det))));
            }
        }

        foreach (var h in report.Distributions)
        {
            var plot = new Plot();
            var step = (h.Max - h.Min) / h.Genuine.Count;
            var xs = Enumerable.Range(0, h.Genuine.Count).Select(i => h.Min + (i + 0.5) * step).ToArray();
            plot.Add.ScatterLine(xs, h.Genuine.ToArray()).LegendText = "genuine";
            plot.Add.ScatterLine(xs, h.Impostor.ToArray()).LegendText = "impostor";
            var threshold = report.Recognition.FirstOrDefault(r => r.Kind == h.Kind)?.AtFmr1e3?.Threshold;
            if (threshold is { } t)
            {
                plot.Add.VerticalLine(t).LegendText = "threshold @ FMR 1e-3";
            }

            plot.Title($"Score distributions, {h.Kind} templates");
            plot.XLabel(h.Kind == TemplateKind.Model.ReportName() ? "logit" : "cosine similarity");
            plot.YLabel("share of pairs per bin");
            plot.ShowLegend();
            written.Add(Save(plot, folder, $"scores-{h.Kind}.png"));
        }

        if (report.Sweep.Count > 0)
        {
            var shares = report.Sweep.Select(s => s.FemaleShare).ToArray();
            foreach (var (name, pick, label) in new (string, Func<GroupRates, RateInterval>, string)[]
            {
                ("sweep-fnmr.png", g => g.Fnmr, "FNMR"),
                ("sweep-fmr.png", g => g.Fmr, "FMR"),
            })
            {
                var plot = new Plot();
                foreach (var group in new[] { "female", "male" })
                {
                    var values = report.Sweep.Select(s => s.ByGender.FirstOrDefault(g => g.Group == group) is { } g ? pick(g).Value : double.NaN).ToArray();
                    var low = report.Sweep.Select(s => s.ByGender.FirstOrDefault(g => g.Group == group) is { } g ? pick(g).Low : double.NaN).ToArray();
                    var high = report.Sweep.Select(s => s.ByGender.FirstOrDefault(g => g.Group == group) is { } g ? pick(g).High : double.NaN).ToArray();
                    var line = plot.Add.Scatter(shares, values);
                    line.LegendText = group;
                    var bars = new ScottPlot.Plottables.ErrorBar(shares, values, null, null,
                        high.Zip(values, (h, v) => h - v).ToArray(), values.Zip(low, (v, l) => v - l).ToArray()) { Color = line.Color };
                    plot.Add.Plottable(bars);
                }

                plot.Title($"Per-gender {label} at each setting's FMR 1e-3 threshold (MOTE)");
                plot.XLabel("female share of the synthetic balance");
                plot.YLabel(label);
                plot.ShowLegend();
                written.Add(Save(plot, folder, name));
            }
        }

        if (report.Impostors is { } impostors)
        {
            foreach (var attribute in impostors.Results.GroupBy(r => r.Attribute))
            {
                written.Add(ImpostorRates(folder, $"impostors-{FileToken(attribute.Key)}.png", attribute.Key, attribute.ToArray()));
            }
        }

        return written;
    }

    /// <summary>Same-group FMR per group with 95% intervals, one series per kind and threshold source (log10 axis).</summary>
    private static string ImpostorRates(string folder, string file, string attribute, IReadOnlyList<ImpostorFairness> series)
    {
        var plot = new Plot();
        var groups = series.SelectMany(s => s.Groups).Select(g => g.Group).Distinct().Order(StringComparer.Ordinal).ToArray();
        var offset = -0.2;
        foreach (var s in series)
        {
            // log10 of 0 is undefined: a group without false matches is drawn at 1e-6 (the axis floor) and says so in the legend.
            const double Floor = 1e-6;
            var rows = s.Groups.ToDictionary(g => g.Group, StringComparer.Ordinal);
            var xs = groups.Select((_, i) => i + offset).ToArray();
            var ys = groups.Select(g => rows.TryGetValue(g, out var r) ? Math.Log10(Math.Max(r.Fmr.Value, Floor)) : double.NaN).ToArray();
            var up = groups.Select((g, i) => rows.TryGetValue(g, out var r) ? Math.Log10(Math.Max(r.Fmr.High, Floor)) - ys[i] : 0).ToArray();
            var down = groups.Select((g, i) => rows.TryGetValue(g, out var r) ? ys[i] - Math.Log10(Math.Max(r.Fmr.Low, Floor)) : 0).ToArray();
            var markers = plot.Add.ScatterPoints(xs, ys);
            markers.LegendText = $"{s.Kind}, {s.Thresholds} threshold(s)";
            plot.Add.Plottable(new ScottPlot.Plottables.ErrorBar(xs, ys, null, null, up, down) { Color = markers.Color });
            offset += 0.2;
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, groups.Length).Select(i => (double)i).ToArray(), groups);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 150;
        plot.Title($"Same-group impostor FMR per {attribute} (zero drawn at 1e-6)");
        plot.YLabel("log10 FMR");
        plot.ShowLegend();
        return Save(plot, folder, file);
    }

    /// <summary>An attribute name as a file-name token ("gender × ethnicity" → "gender-x-ethnicity").</summary>
    private static string FileToken(string attribute) => attribute.Replace(" × ", "-x-", StringComparison.Ordinal).Replace(' ', '-');

    private static string Det(string folder, string file, string title, IEnumerable<(string Label, IReadOnlyList<ErrorPoint> Points)> curves)
    {
        var plot = new Plot();
        foreach (var (label, points) in curves)
        {
            var usable = points.Where(p => p.Fmr > 0 && p.Fnmr > 0).ToArray();
            if (usable.Length == 0)
            {
                continue;
            }

            plot.Add.ScatterLine(usable.Select(p => Math.Log10(p.Fmr)).ToArray(), usable.Select(p => Math.Log10(p.Fnmr)).ToArray()).LegendText = label;
        }

        plot.Title(title);
        plot.XLabel("log10 FMR");
        plot.YLabel("log10 FNMR");
        plot.ShowLegend();
        return Save(plot, folder, file);
    }

    private static string Save(Plot plot, string folder, string file)
    {
        plot.SavePng(Path.Combine(folder, file), Width, Height);
        return file;
    }
}
