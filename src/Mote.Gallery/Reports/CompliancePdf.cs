using System.Globalization;
using Mote.Core.Templates;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Mote.Gallery.Reports;

/// <summary>
/// Renders the compliance report as an A4 PDF with PDFsharp: numbered sections, wrapped text, a bar chart of the
/// gallery's group counts drawn with XGraphics, and the content's SHA-256 on every page.
/// </summary>
internal static class CompliancePdf
{
    /// <summary>The section headings, in order; tests look for each in the extracted text.</summary>
    public static readonly string[] Sections =
    [
        "1. The system", "2. The gallery in aggregate", "3. Latest evaluation", "4. Privacy evidence", "5. Audit chain",
        "6. ISO/IEC 24745 protection requirements", "7. Inputs for a GDPR Art. 35 impact assessment",
    ];

    private const double Margin = 50;
    /// <summary>The one font family of the report (DejaVu Sans, see <see cref="DejaVuFonts"/>).</summary>
    internal const string Family = "DejaVu Sans";

    // Heights of the chart areas in points (A4 text width is 495 pt): a DET plot is then about 300 × 170, so two charts and
    // their captions fit a page.
    private const double DetHeight = 200;
    private const double SweepHeight = 170;
    private const double HistogramHeight = 160;

    public static byte[] Render(ComplianceReport report, string sha)
    {
        DejaVuFonts.EnsureInstalled();
        using var document = new PdfDocument();
        document.Info.Title = "Mote Portal privacy and compliance report";
        document.Info.Creator = "Mote Portal";
        var writer = new PageWriter(document, sha);
        var r = report;
        writer.Title("Privacy and compliance report");
        writer.Line($"Generated {Utc(r.GeneratedUtc)} by {r.GeneratedBy}. Schema {ComplianceReport.SchemaId}.");
        writer.Line($"Content SHA-256: {sha}");
        writer.Gap();

        writer.Heading(Sections[0]);
        writer.Line($"Model pack: {r.System.ModelPackState}. Backbone: {r.System.BackboneId ?? "unknown"} (manifest {Short(r.System.BackboneManifestHash)}).");
        writer.Line($"Template kind: {r.System.TemplateKind}. Target false-match rate: {Core.Evaluation.ReadableNumber.Decimal(r.System.TargetFmr)}{(r.System.TargetFmrIsDefault ? " (default)" : " (set by an administrator)")}.");
        foreach (var m in r.System.Models)
        {
            writer.Bullet($"{m.Id}: {m.Source}; code licence {m.PackageLicense}; weights licence {m.WeightsLicense.TrimEnd('.')}. ONNX SHA-256 {Short(m.OnnxSha256)}.");
        }
        if (r.System.Models.Count == 0)
        {
            writer.Bullet("No model is provisioned in this process yet.");
        }
        var p = r.System.Population;
        writer.Line(p.Error is null
            ? $"Population pack: {p.DensityKind} densities over {p.Dimension} dimensions for {p.BackboneId}; built {(p.CreatedUtc is { } c ? Utc(c) : "at an unknown time")}{(p.Seed is { } seed ? $" with seed {seed}" : "")}; raw vectors stored: {(p.ContainsRawVectors ? "yes" : "no")}."
            : $"Population pack: {p.Error}");
        foreach (var d in p.Datasets)
        {
            writer.Bullet($"Built from {d}");
        }

        writer.Heading(Sections[1]);
        var g = r.Gallery;
        writer.Line($"{g.People} people enrolled; attributes declared for {g.AttributesDeclared}, estimated only for {g.AttributesEstimatedOnly}, none for {g.AttributesNone}. Counts below {GallerySection.MinimumCount} are suppressed.");
        if (g.ThresholdMedian is { } median)
        {
            // Thresholds can be tiny (a calibrated logistic output of 4.08e-6): fixed-point, never rounded to 0.
            writer.Line($"Median per-person threshold: {Core.Evaluation.ReadableNumber.Decimal(median)}.");
        }
        GalleryRisk(writer, g.Risk);
        writer.Bars("By template kind", g.TemplateKinds);
        writer.Bars("By gender", g.ByGender);
        writer.Bars("By ethnicity", g.ByEthnicity);
        writer.Bars("By age band", g.ByAgeBand);

        writer.Heading(Sections[2]);
        writer.Line(r.Evaluation.Note);
        if (r.Evaluation.Latest is not { } run)
        {
            writer.Line($"To record one: {r.Evaluation.Command}");
        }
        else
        {
            writer.Line($"{run.Identities} identities, {run.GenuinePairs} genuine and {run.ImpostorPairs} impostor pairs; backbone {run.Backbone}, population pack {run.PopulationPack}, seed {run.Seed}; target FMR {N(run.TargetFmr)}.");
            writer.Line(CommandLine(run.Command, run.Commit));
            // Every caption names the run, so a chart cut out of the report still says where it came from.
            var dataset = Path.GetFileName(run.Dataset.TrimEnd('/', '\\'));
            var finished = run.FinishedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var source = $"Run {run.RunId} ({dataset}, {finished} UTC).";
            writer.Subheading("Recognition: MOTE model-templates beside vector templates");
            foreach (var k in run.Recognition)
            {
                writer.Bullet($"{k.Kind}: ROC AUC {N(k.RocAuc)}, EER {N(k.Eer)}, at FMR {N(run.TargetFmr)}: FNMR {N(k.FnmrAtTarget)} (FMR {N(k.FmrAtTarget)}).");
            }
            if (run.ThresholdsInUse is { Count: > 0 } promises)
            {
                writer.Subheading("Thresholds in use: the promised false-match rate against the measured one");
                foreach (var t in promises)
                {
                    writer.Bullet($"{KindName(t.Kind)}, {t.Policy}: promised {Core.Evaluation.ReadableNumber.Percent(t.TargetFmr)}, measured on real impostors {Core.Evaluation.ReadableNumber.Percent(t.Fmr)} ({(t.Fmr / t.TargetFmr).ToString("0.00", CultureInfo.InvariantCulture)}×; worst group {(t.WorstGroupRatio is { } w ? w.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "not measurable")}), FNMR {Core.Evaluation.ReadableNumber.Percent(t.Fnmr)}: {(t.Holds ? "holds" : "does not hold")}.");
                }

                writer.Line(ExportComplianceReport.Sentence($"Calibration: {promises[0].Calibration}"));
            }

            if (run.Recognition.Any(k => k.Det.Count > 0))
            {
                writer.Figure(DetPooledTitle, $"FNMR vs FMR at every threshold, all pairs. {source}", DetHeight,
                    (g, area) => ComplianceCharts.Det(g, area, run.Recognition.Select(k => (KindName(k.Kind), k.Det)).ToArray(), run.TargetFmr));
            }
            foreach (var f in run.Fairness)
            {
                writer.Subheading($"Fairness: {f.Kind} by {f.Attribute} (95 % intervals)");
                writer.Line($"FDR {N(f.Fdr)}, GARBE {N(f.Garbe)}, FMR max/geometric mean {N(f.FmrMaxToGeometricMean)}, FNMR max/geometric mean {N(f.FnmrMaxToGeometricMean)}.");
                foreach (var row in f.Groups)
                {
                    writer.Bullet($"{row.Group} ({row.Identities} identities): FMR {N(row.Fmr)} [{N(row.FmrLow)}, {N(row.FmrHigh)}], FNMR {N(row.Fnmr)} [{N(row.FnmrLow)}, {N(row.FnmrHigh)}]{(row.Warning is null ? "" : " — " + row.Warning)}");
                }
                if (f.Groups.Any(row => row.Det.Count > 0))
                {
                    writer.Figure(DetByGroupTitle(f.Kind, f.Attribute), $"FNMR vs FMR per {f.Attribute} group (same-group impostors). {source}", DetHeight,
                        (g, area) => ComplianceCharts.Det(g, area, f.Groups.Select(row => ($"{row.Group} ({row.Identities} identities)", row.Det)).ToArray(), run.TargetFmr));
                }
            }
            if (run.Sweep.Count > 0)
            {
                writer.Figure(SweepTitle,
                    $"Rates at each setting's own FMR 0.001 threshold. {source}",
                    SweepHeight, (g, area) => ComplianceCharts.Sweep(g, area, run.Sweep));
            }
            else
            {
                writer.Line("Balance sweep: not run in this evaluation (mote evaluate --sweep-shares none skips it).");
            }
            foreach (var h in run.Distributions)
            {
                writer.Figure(DistributionTitle(h.Kind), $"Genuine vs impostor score shares per bin ({h.ScoreUnit}). {source}", HistogramHeight,
                    (g, area) => ComplianceCharts.Histogram(g, area, h));
            }
            if (run.Impostors is { } imp)
            {
                ImpostorTables(writer, imp);
            }
            foreach (var w in run.Warnings)
            {
                writer.Bullet($"Warning: {w}");
            }
        }

        writer.Heading(Sections[3]);
        foreach (var s in r.Privacy.Stored)
        {
            writer.Bullet(s);
        }
        writer.Line($"Encryption: {r.Privacy.Encryption}");
        writer.Line($"Retention: reference photos {r.Privacy.ReferenceRetention}; probe images {(r.Privacy.KeepProbeImages ? "kept" : "not kept")}; explanation faces {r.Privacy.ExplanationFaceDays} days. Now held: {r.Privacy.RetainedThumbnails} thumbnails, {r.Privacy.RetainedReferenceFaces} reference faces, {r.Privacy.RetainedProbeImages} probe images, {r.Privacy.RetainedExplanationFaces} explanation faces; {r.Privacy.Decisions} decisions.");
        writer.Line($"Erasures: {r.Privacy.Erasures}{(r.Privacy.LastErasureUtc is { } last ? $", the latest {Utc(last)}" : "")}.");
        writer.Line($"Attribute inference: {r.Privacy.AttributeInference}");

        writer.Heading(Sections[4]);
        writer.Line($"{(r.Audit.Verified ? "" : "BROKEN: ")}{r.Audit.Summary.TrimEnd().TrimEnd('.')} ({r.Audit.Rows} rows, checked {Utc(r.Audit.CheckedUtc)}).");

        writer.Heading(Sections[5]);
        foreach (var h in r.Iso24745)
        {
            writer.Subheading(h.Heading);
            foreach (var e in h.Evidence)
            {
                writer.Bullet(e);
            }
        }

        writer.Heading(Sections[6]);
        writer.Line($"Processing: {r.Dpia.Processing}");
        writer.Line($"Data subjects: {r.Dpia.DataSubjects} enrolled people.");
        writer.Line($"Retention: {r.Dpia.Retention}");
        writer.Subheading("Data categories");
        Array.ForEach(r.Dpia.DataCategories.ToArray(), writer.Bullet);
        writer.Subheading("Recipients");
        Array.ForEach(r.Dpia.Recipients.ToArray(), writer.Bullet);
        writer.Subheading("Risks");
        Array.ForEach(r.Dpia.Risks.ToArray(), writer.Bullet);
        writer.Subheading("Safeguards");
        Array.ForEach(r.Dpia.Safeguards.ToArray(), writer.Bullet);
        writer.Finish();

        using var buffer = new MemoryStream();
        document.Save(buffer, false);
        return buffer.ToArray();
    }

    /// <summary>Title of the pooled DET chart.</summary>
    internal const string DetPooledTitle = "DET: MOTE model-templates beside vector templates (pooled)";

    /// <summary>Title of the balance-sweep chart.</summary>
    internal const string SweepTitle = "Balance sweep: per-gender FMR and FNMR against the female share (MOTE)";

    /// <summary>Title of the DET chart of one kind's groups of one attribute.</summary>
    internal static string DetByGroupTitle(string kind, string attribute) => $"DET by {attribute}: {KindName(kind)}";

    /// <summary>Title of one kind's score-distribution chart.</summary>
    internal static string DistributionTitle(string kind) => $"Score distributions: {KindName(kind)}";

    private static string KindName(string kind) => !TemplateKindNames.TryParse(kind, out var k) ? kind : k switch
    {
        TemplateKind.Model => "MOTE model-templates",
        _ => "vector templates (baseline)",
    };

    // Five decimals as before from 0.01 up; below, three significant digits, so a small rate or threshold never prints as "0".
    private static string N(double? x) => x is not { } v ? "n/a"
        : Math.Abs(v) >= 0.01 || v == 0 || !double.IsFinite(v) ? v.ToString("0.#####", CultureInfo.InvariantCulture) : Core.Evaluation.ReadableNumber.Decimal(v);

    /// <summary>"Command: … (commit …)." with what is known; an unknown commit is said in words, not "?".</summary>
    internal static string CommandLine(string? command, string? commit) =>
        $"Command: {(string.IsNullOrWhiteSpace(command) ? "not recorded" : command)}; {(string.IsNullOrWhiteSpace(commit) ? "commit unknown" : $"commit {commit}")}.";

    /// <summary>The gallery-risk lines of section 2: the outcome (or why there is none), the limit and the worst groups.</summary>
    private static void GalleryRisk(PageWriter writer, GalleryRiskFigures risk)
    {
        writer.Subheading("Gallery risk (synthetic impostors)");
        writer.Line(risk.Note);
        writer.Line($"Limit: {Core.Evaluation.ReadableNumber.Percent(risk.Limit)} of a group's impostors, {risk.LimitMultiple.ToString("0.##", CultureInfo.InvariantCulture)}× the target FMR {Core.Evaluation.ReadableNumber.Decimal(risk.TargetFmr)} ({(risk.LimitIsDefault ? "the default" : "saved by an administrator")}); {risk.ImpostorsPerGroup} seeded synthetic impostors per group, the same for everyone.");
        if (!risk.Assessed)
        {
            return;
        }
        if (risk.WorstGroups.Count == 0)
        {
            writer.Line("No group's synthetic impostors were accepted by anyone.");
            return;
        }
        writer.Line("Worst groups (impostors of this group accepted):");
        foreach (var w in risk.WorstGroups)
        {
            writer.Bullet($"{w.Group}: {w.PeopleAboveLimit} {(w.PeopleAboveLimit == 1 ? "person" : "people")} above the limit; FMR mean {Core.Evaluation.ReadableNumber.Percent(w.MeanFmr)}, highest {Core.Evaluation.ReadableNumber.Percent(w.MaxFmr)}.");
        }
    }

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Short(string? hash) => hash is { Length: > 16 } ? hash[..16] + "…" : hash ?? "unknown";

    /// <summary>One table per attribute: each group's same-group FMR under every kind and threshold, most at risk first.</summary>
    private static void ImpostorTables(PageWriter writer, ImpostorFigures imp)
    {
        writer.Subheading($"Impostors by group: {Path.GetFileName(imp.Dataset.TrimEnd('/', '\\'))}, {imp.Templates} templates, {imp.Probes} probes");
        writer.Line("One photo per person, no identity labels: every pair is an impostor pair and only same-group pairs count; rates are upper bounds. "
            + "Global: each kind's threshold from the genuine dataset; personal: each MOTE template's own threshold.");
        foreach (var attribute in imp.Series.GroupBy(x => x.Attribute))
        {
            var series = attribute.ToArray();
            writer.Line($"FMR by {attribute.Key} (95 % intervals). FMR max/geometric mean: "
                + string.Join("; ", series.Select(x => $"{x.Kind} {x.Thresholds} {N(x.FmrMaxToGeometricMean)}")) + ".");
            foreach (var group in series[0].Groups.OrderByDescending(row => row.Fmr).Select(row => row.Group))
            {
                var rows = series.Select(x => (x, Row: x.Groups.FirstOrDefault(row => row.Group == group))).Where(p => p.Row is not null).ToArray();
                writer.Bullet($"{group} ({rows[0].Row!.Templates} templates): "
                    + string.Join("; ", rows.Select(p => $"{p.x.Kind} {p.x.Thresholds} {N(p.Row!.Fmr)} [{N(p.Row.FmrLow)}, {N(p.Row.FmrHigh)}]"))
                    + (rows[0].Row!.Warning is null ? "" : " (not reliable)"));
            }
        }
    }

    /// <summary>Lays text out top to bottom, wrapping words and starting new pages as needed.</summary>
    private sealed class PageWriter
    {
        private readonly PdfDocument _document;
        private readonly string _sha;
        private readonly XFont _title = new(Family, 18, XFontStyleEx.Bold);
        private readonly XFont _heading = new(Family, 13, XFontStyleEx.Bold);
        private readonly XFont _subheading = new(Family, 10.5, XFontStyleEx.Bold);
        private readonly XFont _body = new(Family, 9.5, XFontStyleEx.Regular);
        private readonly XFont _small = new(Family, 7.5, XFontStyleEx.Regular);
        private readonly XFont _caption = new(Family, 7, XFontStyleEx.Regular);
        private XGraphics? _gfx;
        private PdfPage? _page;
        private double _y;

        public PageWriter(PdfDocument document, string sha)
        {
            _document = document;
            _sha = sha;
            NewPage();
        }

        private double Width => _page!.Width.Point - (2 * Margin);

        private void NewPage()
        {
            _gfx?.Dispose();
            _page = _document.AddPage();
            _page.Size = PdfSharp.PageSize.A4;
            _gfx = XGraphics.FromPdfPage(_page);
            _y = Margin;
            // Every page carries the hash, so a single printed page can still be matched to its export.
            _gfx.DrawString($"Mote Portal compliance report · content SHA-256 {_sha} · page {_document.PageCount}", _small, XBrushes.Gray,
                new XRect(Margin, _page.Height.Point - Margin + 15, Width, 12), XStringFormats.TopLeft);
        }

        private void Ensure(double height)
        {
            if (_y + height > _page!.Height.Point - Margin)
            {
                NewPage();
            }
        }

        public void Title(string text)
        {
            Ensure(30);
            _gfx!.DrawString(text, _title, XBrushes.Black, new XRect(Margin, _y, Width, 24), XStringFormats.TopLeft);
            _y += 30;
        }

        public void Heading(string text)
        {
            Ensure(40);
            _y += 10;
            _gfx!.DrawString(text, _heading, XBrushes.DarkBlue, new XRect(Margin, _y, Width, 18), XStringFormats.TopLeft);
            _y += 22;
        }

        public void Subheading(string text)
        {
            Ensure(20);
            _y += 3;
            _gfx!.DrawString(text, _subheading, XBrushes.Black, new XRect(Margin, _y, Width, 14), XStringFormats.TopLeft);
            _y += 16;
        }

        public void Gap() => _y += 6;

        public void Line(string text) => Wrapped(text, 0, null);

        /// <summary>
        /// A chart: its title, a drawing area of <paramref name="height"/> points across the text width, and a caption
        /// below; kept together on one page (a new page starts when the rest of this one is too short).
        /// </summary>
        public void Figure(string title, string caption, double height, Action<XGraphics, XRect> draw)
        {
            const double captionLine = 10;
            var captionLines = Wrap(caption, Width, _caption);
            Ensure(18 + height + 4 + (captionLines.Count * captionLine) + 10);
            _y += 4;
            _gfx!.DrawString(title, _subheading, XBrushes.Black, new XRect(Margin, _y, Width, 14), XStringFormats.TopLeft);
            _y += 16;
            var state = _gfx.Save();
            draw(_gfx, new XRect(Margin, _y, Width, height));
            _gfx.Restore(state);
            _y += height + 4;
            foreach (var line in captionLines)
            {
                _gfx.DrawString(line, _caption, XBrushes.DimGray, new XRect(Margin, _y, Width, captionLine), XStringFormats.TopLeft);
                _y += captionLine;
            }
            _y += 10;
        }

        public void Bullet(string text) => Wrapped(text, 12, "•");

        private void Wrapped(string text, double indent, string? marker)
        {
            const double lineHeight = 13;
            var lines = Wrap(text, Width - indent, _body);
            for (var i = 0; i < lines.Count; i++)
            {
                Ensure(lineHeight);
                if (i == 0 && marker is not null)
                {
                    _gfx!.DrawString(marker, _body, XBrushes.Black, new XRect(Margin + 2, _y, 10, lineHeight), XStringFormats.TopLeft);
                }
                _gfx!.DrawString(lines[i], _body, XBrushes.Black, new XRect(Margin + indent, _y, Width - indent, lineHeight), XStringFormats.TopLeft);
                _y += lineHeight;
            }
            _y += 3;
        }

        private List<string> Wrap(string text, double width, XFont font)
        {
            var lines = new List<string>();
            var current = "";
            foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = current.Length == 0 ? word : current + " " + word;
                if (current.Length > 0 && _gfx!.MeasureString(candidate, font).Width > width)
                {
                    lines.Add(current);
                    current = word;
                }
                else
                {
                    current = candidate;
                }
            }
            if (current.Length > 0)
            {
                lines.Add(current);
            }
            return lines;
        }

        /// <summary>A horizontal bar per group (suppressed groups drawn hatched-grey with "&lt;5").</summary>
        public void Bars(string caption, IReadOnlyList<GroupCount> counts)
        {
            if (counts.Count == 0)
            {
                return;
            }
            const double barHeight = 11;
            Subheading(caption);
            var max = Math.Max(GallerySection.MinimumCount, counts.Max(c => c.Count ?? 0));
            var labelWidth = 140.0;
            var barWidth = Width - labelWidth - 40;
            foreach (var c in counts)
            {
                Ensure(barHeight + 3);
                _gfx!.DrawString(c.Group, _body, XBrushes.Black, new XRect(Margin, _y - 1, labelWidth - 6, barHeight), XStringFormats.TopLeft);
                var value = c.Count ?? 0;
                var w = c.Suppressed ? barWidth * (GallerySection.MinimumCount - 1) / max : barWidth * value / max;
                _gfx.DrawRectangle(c.Suppressed ? XBrushes.LightGray : XBrushes.SteelBlue, Margin + labelWidth, _y, Math.Max(1, w), barHeight);
                var label = c.Suppressed ? $"<{GallerySection.MinimumCount}" : value.ToString(CultureInfo.InvariantCulture);
                _gfx.DrawString(label, _body, XBrushes.Black, new XRect(Margin + labelWidth + Math.Max(1, w) + 4, _y - 1, 40, barHeight), XStringFormats.TopLeft);
                _y += barHeight + 3;
            }
            _y += 4;
        }

        public void Finish()
        {
            _gfx?.Dispose();
            _gfx = null;
        }
    }
}

/// <summary>
/// PDFsharp 6 has no fonts of its own on Linux: it needs a resolver. We use DejaVu Sans from Debian's
/// <c>fonts-dejavu-core</c> (installed by <c>.ci/run</c>); <c>MOTE_FONT_DIR</c> points elsewhere if needed.
/// </summary>
internal sealed class DejaVuFonts : IFontResolver
{
    private static readonly Lock Gate = new();
    private readonly string _dir;

    private DejaVuFonts(string dir) => _dir = dir;

    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is DejaVuFonts)
            {
                return;
            }
            var dir = Environment.GetEnvironmentVariable("MOTE_FONT_DIR") is { Length: > 0 } configured ? configured : "/usr/share/fonts/truetype/dejavu";
            if (!File.Exists(Path.Combine(dir, "DejaVuSans.ttf")) || !File.Exists(Path.Combine(dir, "DejaVuSans-Bold.ttf")))
            {
                throw new GalleryException($"PDF export needs the DejaVu Sans fonts (DejaVuSans.ttf, DejaVuSans-Bold.ttf) in {dir}: install the Debian package fonts-dejavu-core, or set MOTE_FONT_DIR.");
            }
            GlobalFontSettings.FontResolver = new DejaVuFonts(dir);
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    public byte[]? GetFont(string faceName) => File.ReadAllBytes(Path.Combine(_dir, faceName + ".ttf"));
}
