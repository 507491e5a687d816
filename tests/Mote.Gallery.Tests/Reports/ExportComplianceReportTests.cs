using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.People;
using Mote.Gallery.Reports;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Xunit.Abstractions;
using ImpostorAnalysis = Mote.Core.Evaluation.ImpostorAnalysis;
using ImpostorFairness = Mote.Core.Evaluation.ImpostorFairness;
using ImpostorGroupRate = Mote.Core.Evaluation.ImpostorGroupRate;
using RateInterval = Mote.Core.Evaluation.RateInterval;

namespace Mote.Gallery.Tests.Reports;

/// <summary>
/// The compliance report on a real SQLite gallery: the JSON validates against docs/compliance-report.schema.json and
/// its hash matches its bytes; the PDF's text (extracted by poppler's pdftotext, an independent reader) has every
/// section and the hash; each export writes exactly one audit event; an Operator is refused and nothing is written.
/// </summary>
public sealed class ExportComplianceReportTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Loaded once: JsonSchema.Net registers a schema by its $id globally and refuses a second registration.</summary>
    internal static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromFile(Path.Combine(RepositoryRoot(), "docs", "compliance-report.schema.json")));

    private GalleryTestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await GalleryTestDatabase.CreateAsync();
        // Aggregates only need the rows: 6 declared female, 2 declared male, 1 with nothing known.
        await _db.InScopeAsync<MoteDbContext, int>(c =>
        {
            for (var i = 0; i < 9; i++)
            {
                c.People.Add(new Person
                {
                    Id = Guid.NewGuid().ToString(), Name = $"Secret Name {i}", NormalizedName = $"SECRET NAME {i}",
                    DeclaredGender = i < 6 ? "female" : i < 8 ? "male" : null, TemplateKind = Mote.Core.Templates.TemplateKind.Model, Threshold = 0.5f + (i * 0.01f),
                    TargetFmr = 1e-3, EnrolledUtc = DateTimeOffset.UtcNow, ConcurrencyStamp = "s",
                    // The report reads the gallery's backbone (its population pack) from the earliest person.
                    BackboneId = "dlib-resnet", BackboneHash = PersonRows.DlibManifestHash.Value,
                });
            }
            return c.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Json_ValidatesAgainstSchema_HashOfReportBytes_AggregatesOnly_OneAuditEvent()
    {
        var before = await CountAsync(AuditEventCode.ReportExported);
        using var buffer = new MemoryStream();

        var result = await ExportAsync(Actors.Auditor, "json", buffer);

        var text = Encoding.UTF8.GetString(buffer.ToArray());
        using var doc = JsonDocument.Parse(text);
        var schema = Schema.Value;
        var evaluation = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(evaluation.IsValid, JsonSerializer.Serialize(evaluation));
        var report = doc.RootElement.GetProperty("report");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(report.GetRawText()))), doc.RootElement.GetProperty("contentSha256").GetString());
        Assert.Equal(result.ContentSha256, doc.RootElement.GetProperty("contentSha256").GetString());
        var gallery = report.GetProperty("gallery");
        Assert.Equal(9, gallery.GetProperty("people").GetInt32());
        var genders = gallery.GetProperty("byGender").EnumerateArray().ToDictionary(g => g.GetProperty("group").GetString()!);
        Assert.Equal(6, genders["female"].GetProperty("count").GetInt32());
        Assert.True(genders["male"].GetProperty("suppressed").GetBoolean()); // 2 < 5
        Assert.Equal(JsonValueKind.Null, genders["male"].GetProperty("count").ValueKind);
        Assert.DoesNotContain("Secret Name", text, StringComparison.Ordinal);
        Assert.False(report.GetProperty("evaluation").GetProperty("recorded").GetBoolean());
        Assert.True(report.GetProperty("audit").GetProperty("verified").GetBoolean());
        // This process never loaded the model pack: gallery risk is not assessed, and the report says why.
        var risk = gallery.GetProperty("risk");
        Assert.False(risk.GetProperty("assessed").GetBoolean());
        Assert.StartsWith("Not assessed: this process has not loaded the model pack", risk.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, risk.GetProperty("limitMultiple").GetDouble());
        Assert.Equal(0, risk.GetProperty("worstGroups").GetArrayLength());

        Assert.Equal(before + 1, await CountAsync(AuditEventCode.ReportExported));
        var listed = await _db.InScopeAsync<ListReportExports, IReadOnlyList<ReportExportEntry>>(l => l.ExecuteAsync(Actors.Auditor));
        Assert.Equal(Actors.Auditor.Name, listed[0].ActorName);
        Assert.Equal($"json; sha256 {result.ContentSha256}", listed[0].Detail);
    }

    [Fact]
    public async Task Pdf_ExtractedTextHasEverySectionAndTheHash_OneAuditEvent()
    {
        var before = await CountAsync(AuditEventCode.ReportExported);
        var file = Path.Combine(Path.GetTempPath(), $"mote-report-{Guid.NewGuid():N}.pdf");
        try
        {
            ReportExportResult result;
            await using (var stream = File.Create(file))
            {
                result = await ExportAsync(Actors.Admin, "pdf", stream);
            }
            output.WriteLine($"PDF {result.Bytes} bytes in {result.Duration.TotalMilliseconds:0} ms");

            var text = PdfText(file);
            Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(File.ReadAllBytes(file), 0, 5), StringComparison.Ordinal);
            foreach (var section in CompliancePdf.Sections.Concat(["Confidentiality", "Integrity", "Renewability", "Irreversibility", "Unlinkability"]))
            {
                Assert.Contains(section, text, StringComparison.Ordinal);
            }
            Assert.Contains($"Content SHA-256: {result.ContentSha256}", text, StringComparison.Ordinal);
            Assert.Contains("No evaluation run recorded yet", text, StringComparison.Ordinal);
            Assert.Contains(ExportComplianceReport.EvaluateCommand, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Secret Name", text, StringComparison.Ordinal);
            Assert.Equal(before + 1, await CountAsync(AuditEventCode.ReportExported));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Export_WithRecordedEvaluation_LatestRunFiguresAndAttacks_InJsonAndPdf()
    {
        var id = await _db.InScopeAsync<Mote.Gallery.Evaluations.RecordEvaluationRun, string>(r => r.ExecuteAsync(Actors.Admin, Mote.Gallery.Tests.Evaluations.EvaluationRunTests.Report(), null));
        using var json = new MemoryStream();
        var file = Path.Combine(Path.GetTempPath(), $"mote-report-{Guid.NewGuid():N}.pdf");
        try
        {
            await ExportAsync(Actors.Auditor, "json", json);
            await using (var stream = File.Create(file))
            {
                await ExportAsync(Actors.Auditor, "pdf", stream);
            }

            using var doc = JsonDocument.Parse(json.ToArray());
            var schema = Schema.Value;
            var evaluation = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(evaluation.IsValid, JsonSerializer.Serialize(evaluation));
            var section = doc.RootElement.GetProperty("report").GetProperty("evaluation");
            Assert.True(section.GetProperty("recorded").GetBoolean());
            var latest = section.GetProperty("latest");
            Assert.Equal(id, latest.GetProperty("runId").GetString());
            Assert.Equal(["model", "vector"], latest.GetProperty("recognition").EnumerateArray().Select(k => k.GetProperty("kind").GetString()));
            var female = latest.GetProperty("fairness")[0].GetProperty("groups")[0];
            Assert.Equal(0.05, female.GetProperty("fnmr").GetDouble());
            Assert.Equal(0.1, female.GetProperty("fnmrHigh").GetDouble());
            Assert.Equal(0.9, latest.GetProperty("attributeInference")[0].GetProperty("accuracy").GetDouble());
            Assert.Contains("gender from vector templates: accuracy 0.900 [0.700, 0.970] vs chance 0.500",
                doc.RootElement.GetProperty("report").GetProperty("privacy").GetProperty("attributeInference").GetString(), StringComparison.Ordinal);
            // Issue 16: the explanation faces' retention period and how many are held (none here: nothing was explained).
            Assert.Equal(30, doc.RootElement.GetProperty("report").GetProperty("privacy").GetProperty("explanationFaceDays").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("report").GetProperty("privacy").GetProperty("retainedExplanationFaces").GetInt32());

            var text = PdfText(file);
            Assert.Contains(id, text, StringComparison.Ordinal);
            Assert.Contains("Recognition: MOTE model-templates beside vector templates", text, StringComparison.Ordinal);
            Assert.Contains("FNMR 0.05 [0.01, 0.1]", text, StringComparison.Ordinal);
            Assert.Contains("accuracy 0.900 [0.700, 0.970]", text, StringComparison.Ordinal);
            Assert.Contains($"Measured in evaluation run {id}: 1 attribute-inference attack result, listed under privacy evidence.",
                string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
            Assert.DoesNotContain("No evaluation run recorded yet", text, StringComparison.Ordinal);
            Assert.Contains("explanation faces 30 days", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Pdf_TinyThresholdsRunWithoutCommitOrAttacks_ReadableNumbersOneFullStopOneStoryOnUnlinkability()
    {
        // As measured on a real gallery: calibrated thresholds of about 4e-6 printed as "Median per-person threshold: 0.",
        // a run without a recorded commit as "(commit ?)", the audit summary as "#30..", the encryption note as "data.).",
        // and a run without attacks as "0 attribute-inference attack result(s)" beside "Not measured yet".
        await _db.InScopeAsync<MoteDbContext, int>(async c =>
        {
            await c.People.ForEachAsync(p => p.Threshold = 4.08e-6f);
            return await c.SaveChangesAsync();
        });
        var run = Mote.Gallery.Tests.Evaluations.EvaluationRunTests.Report();
        var id = await _db.InScopeAsync<Mote.Gallery.Evaluations.RecordEvaluationRun, string>(r => r.ExecuteAsync(Actors.Admin,
            run with { Settings = run.Settings with { Commit = null }, Privacy = [] }, null));
        var file = Path.Combine(Path.GetTempPath(), $"mote-report-{Guid.NewGuid():N}.pdf");
        using var json = new MemoryStream();
        try
        {
            await using (var stream = File.Create(file))
            {
                await ExportAsync(Actors.Auditor, "pdf", stream);
            }
            await ExportAsync(Actors.Auditor, "json", json);

            var text = string.Join(' ', PdfText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("Median per-person threshold: 0.00000408.", text, StringComparison.Ordinal);
            Assert.DoesNotMatch("[0-9]E[-+][0-9]", text); // no scientific notation anywhere in the PDF
            Assert.Contains("Command: mote evaluate --dataset x; commit unknown.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("?", text, StringComparison.Ordinal);
            Assert.DoesNotContain("..", text, StringComparison.Ordinal);
            Assert.DoesNotContain(".)", text, StringComparison.Ordinal);
            Assert.Contains("Audit chain: Verified up to #", text, StringComparison.Ordinal);
            Assert.Contains("the owner's id and the purpose are bound as associated data. ", text, StringComparison.Ordinal);
            Assert.Contains($"Not measured yet: the latest evaluation run ({id}) ran without the attribute-inference attacks", text, StringComparison.Ordinal);
            Assert.Contains($"No measured evidence yet: the latest evaluation run ({id}) has no attribute-inference results.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("attack result(s)", text, StringComparison.Ordinal);

            using var doc = JsonDocument.Parse(json.ToArray());
            Assert.True(Schema.Value.Evaluate(doc.RootElement).IsValid);
            Assert.Equal(4.08e-6, doc.RootElement.GetProperty("report").GetProperty("gallery").GetProperty("thresholdMedian").GetDouble(), 1e-12);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Export_RunWithImpostorAnalysis_JsonValidates_PdfListsGroupsMostAtRiskFirst()
    {
        static ImpostorGroupRate Row(string group, int templates, double fmr, string? warning = null) =>
            new(group, templates, 100, templates * 100L, new RateInterval(fmr, fmr / 2, fmr * 2), warning);
        const string Cell = "gender × ethnicity × age band";
        var impostors = new ImpostorAnalysis("/data/utkface-part1", 9778, 282, 40, 9456, 20, new Dictionary<string, int> { ["female/asian/0-17"] = 20, ["male/white/18-59"] = 20 },
        [
            new ImpostorFairness("model", "global", -6.5, Cell, [Row("male/white/18-59", 20, 0.002), Row("female/asian/0-17", 20, 0.037, "only 20 template(s)")], 1.6, 0.2, 18.5),
            new ImpostorFairness("model", "personal", null, Cell, [Row("male/white/18-59", 20, 0.009), Row("female/asian/0-17", 20, 0.004, "only 20 template(s)")], 1.3, 0.1, 2.2),
            new ImpostorFairness("vector", "global", 0.926, Cell, [Row("male/white/18-59", 20, 0.02), Row("female/asian/0-17", 20, 0.74, "only 20 template(s)")], 4.8, 0.6, 37),
        ]);
        await _db.InScopeAsync<Mote.Gallery.Evaluations.RecordEvaluationRun, string>(r => r.ExecuteAsync(Actors.Admin, ChartedEvaluationReport.Build() with { Impostors = impostors }, null));
        var file = Path.Combine(Path.GetTempPath(), $"mote-report-{Guid.NewGuid():N}.pdf");
        using var json = new MemoryStream();
        try
        {
            await using (var stream = File.Create(file))
            {
                await ExportAsync(Actors.Auditor, "pdf", stream);
            }
            await ExportAsync(Actors.Auditor, "json", json);

            using var doc = JsonDocument.Parse(json.ToArray());
            var validation = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(validation.IsValid, JsonSerializer.Serialize(validation));
            var series = doc.RootElement.GetProperty("report").GetProperty("evaluation").GetProperty("latest").GetProperty("impostors").GetProperty("series");
            Assert.Equal(3, series.GetArrayLength());
            Assert.Equal(0.74, series[2].GetProperty("groups")[1].GetProperty("fmr").GetDouble());

            var text = string.Join(' ', PdfText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("Impostors by group: utkface-part1, 40 templates, 9456 probes", text, StringComparison.Ordinal);
            Assert.Contains("FMR max/geometric mean: model global 1.6; model personal 1.3; vector global 4.8.", text, StringComparison.Ordinal);
            // Ordered by MOTE's FMR at the global threshold: the cell most at risk comes first, with every series.
            var worst = text.IndexOf("female/asian/0-17 (20 templates): model global 0.037 [0.0185, 0.074]; model personal 0.004 [0.002, 0.008]; vector global 0.74 [0.37, 1.48] (not reliable)", StringComparison.Ordinal);
            var best = text.IndexOf("male/white/18-59 (20 templates): model global 0.002", StringComparison.Ordinal);
            Assert.True(worst >= 0 && best > worst, $"worst {worst}, best {best}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Pdf_WithRecordedRunCurves_DrawsEachChartWithTitleCaptionAxesAndLegend()
    {
        var id = await _db.InScopeAsync<Mote.Gallery.Evaluations.RecordEvaluationRun, string>(r => r.ExecuteAsync(Actors.Admin, ChartedEvaluationReport.Build(), null));
        var file = Path.Combine(Path.GetTempPath(), $"mote-report-{Guid.NewGuid():N}.pdf");
        using var json = new MemoryStream();
        try
        {
            ReportExportResult result;
            await using (var stream = File.Create(file))
            {
                result = await ExportAsync(Actors.Auditor, "pdf", stream);
            }
            await ExportAsync(Actors.Auditor, "json", json);
            output.WriteLine($"PDF {result.Bytes} bytes in {result.Duration.TotalMilliseconds:0} ms");

            // The JSON carries the curves the PDF draws, and still validates.
            using var doc = JsonDocument.Parse(json.ToArray());
            var validation = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(validation.IsValid, JsonSerializer.Serialize(validation));
            var latest = doc.RootElement.GetProperty("report").GetProperty("evaluation").GetProperty("latest");
            Assert.Equal(21, latest.GetProperty("recognition")[0].GetProperty("det").GetArrayLength());
            Assert.Equal(21, latest.GetProperty("fairness")[1].GetProperty("groups")[0].GetProperty("det").GetArrayLength());
            Assert.Equal(3, latest.GetProperty("sweep").GetArrayLength());
            Assert.Equal(0.002, latest.GetProperty("sweep")[2].GetProperty("byGender")[0].GetProperty("fmr").GetDouble());
            Assert.Equal(0.5, latest.GetProperty("distributions")[0].GetProperty("threshold").GetDouble());
            Assert.Equal("cosine", latest.GetProperty("distributions")[1].GetProperty("scoreUnit").GetString());

            // Every chart has its title, a caption naming the run, axis labels with units and a legend.
            var text = string.Join(' ', PdfText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            var source = $"Run {id} (lfw-dev, 2026-11-29 22:00 UTC).";
            var figures = new (string Title, string Caption)[]
            {
                ("DET: MOTE model-templates beside vector templates (pooled)", $"FNMR vs FMR at every threshold, all pairs. {source}"),
                ("DET by gender: MOTE model-templates", $"FNMR vs FMR per gender group (same-group impostors). {source}"),
                ("DET by gender: vector templates (baseline)", $"FNMR vs FMR per gender group (same-group impostors). {source}"),
                ("Balance sweep: per-gender FMR and FNMR against the female share (MOTE)", $"Rates at each setting's own FMR 0.001 threshold. {source}"),
                ("Score distributions: MOTE model-templates", $"Genuine vs impostor score shares per bin (logit). {source}"),
                ("Score distributions: vector templates (baseline)", $"Genuine vs impostor score shares per bin (cosine). {source}"),
            };
            foreach (var (title, caption) in figures)
            {
                Assert.Contains(title, text, StringComparison.Ordinal);
                Assert.Contains(caption, text, StringComparison.Ordinal);
            }
            foreach (var label in new[]
            {
                "FMR (fraction of impostor pairs accepted, log scale)", "female share of synthetic negatives (fraction)", "score (logit)",
                "score (cosine similarity)", "MOTE model-templates", "vector templates (baseline)", "female (10 identities)", "male (32 identities)",
                "target FMR 0.001", "genuine pairs", "impostor pairs", "threshold at FMR 0.001 (0.5)", "bar: 95 % interval",
            })
            {
                Assert.Contains(label, text, StringComparison.Ordinal);
            }

            // Drawn, not only labelled: render each chart's page (poppler's pdftoppm, 72 dpi so a pixel is a point) and
            // count coloured pixels between the title and the caption. Text, grid and frame are black or grey, so only
            // the curves, bars and outlines are coloured; without the drawing code the count is 0.
            var words = PdfWords(file);
            foreach (var (title, _) in figures)
            {
                var (page, top, bottom) = FigureArea(words, title, id);
                var image = RenderPage(file, page);
                var coloured = image.Count(top, bottom, (r, g, b) => Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 80);
                output.WriteLine($"'{title}': page {page}, y {top:0}–{bottom:0} pt, {coloured} coloured pixels");
                Assert.True(coloured >= 150, $"'{title}' has only {coloured} coloured pixels between its title and caption.");
                if (title.StartsWith("DET: ", StringComparison.Ordinal))
                {
                    // Both kinds are drawn: the MOTE curve in the portal's blue (#1e88e5), the vector one in its pink (#d81b60).
                    Assert.True(image.Count(top, bottom, (r, g, b) => b > r + 100 && b > g + 40) >= 60, "no blue MOTE curve");
                    Assert.True(image.Count(top, bottom, (r, g, b) => r > b + 60 && r > g + 100) >= 60, "no pink vector curve");
                }
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Export_OperatorOrUnknownFormat_RefusedNothingWrittenNoEvent()
    {
        var before = await CountAsync(AuditEventCode.ReportExported);
        using var buffer = new MemoryStream();

        await Assert.ThrowsAsync<PermissionDeniedException>(() => ExportAsync(Actors.Operator, "pdf", buffer));
        var bad = await Assert.ThrowsAsync<GalleryException>(() => ExportAsync(Actors.Admin, "docx", buffer));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => _db.InScopeAsync<ListReportExports, IReadOnlyList<ReportExportEntry>>(l => l.ExecuteAsync(Actors.Operator)));

        Assert.Equal("Unknown report format 'docx': use pdf or json.", bad.Message);
        Assert.Equal(0, buffer.Length);
        Assert.Equal(before, await CountAsync(AuditEventCode.ReportExported));
    }

    private Task<ReportExportResult> ExportAsync(Actor actor, string format, Stream stream) =>
        _db.InScopeAsync<ExportComplianceReport, ReportExportResult>(e => e.ExecuteAsync(actor, format, stream));

    private Task<int> CountAsync(AuditEventCode code) =>
        _db.InScopeAsync<MoteDbContext, int>(c => c.AuditEvents.CountAsync(e => e.Code == (int)code));

    /// <summary>Text of a PDF via poppler's pdftotext (Debian poppler-utils, installed by .ci/run).</summary>
    internal static string PdfText(string file)
    {
        var start = new ProcessStartInfo("pdftotext", ["-layout", file, "-"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext did not start.");
        var text = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"pdftotext exited {process.ExitCode}: {error}");
        return text;
    }

    private sealed record PdfWord(int Page, double Top, double Bottom, string Text);

    /// <summary>Every word of a PDF with its page (1-based) and vertical extent in points, via <c>pdftotext -bbox</c>.</summary>
    private static List<PdfWord> PdfWords(string file)
    {
        var html = Run("pdftotext", ["-bbox", file, "-"]);
        var words = new List<PdfWord>();
        var page = 0;
        foreach (Match m in Regex.Matches(html,
            "<page |<word xMin=\"[^\"]+\" yMin=\"([^\"]+)\" xMax=\"[^\"]+\" yMax=\"([^\"]+)\">([^<]*)</word>"))
        {
            if (m.Value == "<page ")
            {
                page++;
                continue;
            }
            words.Add(new PdfWord(page, double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), System.Net.WebUtility.HtmlDecode(m.Groups[3].Value)));
        }
        return words;
    }

    /// <summary>The band of a figure: from below its title to above its caption (the first word that is the run id after the title).</summary>
    private static (int Page, double Top, double Bottom) FigureArea(List<PdfWord> words, string title, string runId)
    {
        var tokens = title.Split(' ');
        var start = Enumerable.Range(0, words.Count - tokens.Length + 1)
            .First(i => tokens.Select((t, j) => words[i + j].Text == t).All(x => x));
        var caption = words.Skip(start + tokens.Length).First(w => w.Text == runId);
        var titleWord = words[start];
        Assert.True(caption.Page == titleWord.Page, $"'{title}' and its caption are on different pages.");
        return (titleWord.Page, words.Skip(start).Take(tokens.Length).Max(w => w.Bottom) + 1, caption.Top - 1);
    }

    /// <summary>One page rendered at 72 dpi by poppler's pdftoppm (binary PPM).</summary>
    private static PageImage RenderPage(string file, int page)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"mote-page-{Guid.NewGuid():N}");
        try
        {
            var number = page.ToString(CultureInfo.InvariantCulture);
            Run("pdftoppm", ["-f", number, "-l", number, "-r", "72", "-singlefile", file, prefix]);
            return PageImage.ReadPpm(File.ReadAllBytes(prefix + ".ppm"));
        }
        finally
        {
            File.Delete(prefix + ".ppm");
        }
    }

    private sealed class PageImage(int width, int height, byte[] rgb)
    {
        /// <summary>Pixels in the rows from <paramref name="top"/> to <paramref name="bottom"/> (points = pixels at 72 dpi) whose colour passes <paramref name="test"/>.</summary>
        public int Count(double top, double bottom, Func<int, int, int, bool> test)
        {
            var count = 0;
            for (var y = Math.Max(0, (int)Math.Ceiling(top)); y < Math.Min(height, (int)Math.Floor(bottom)); y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var i = ((y * width) + x) * 3;
                    count += test(rgb[i], rgb[i + 1], rgb[i + 2]) ? 1 : 0;
                }
            }
            return count;
        }

        /// <summary>Reads "P6 width height 255" and the RGB bytes that follow.</summary>
        public static PageImage ReadPpm(byte[] bytes)
        {
            var fields = new List<string>();
            var at = 0;
            while (fields.Count < 4)
            {
                while (char.IsWhiteSpace((char)bytes[at]))
                {
                    at++;
                }
                var begin = at;
                while (!char.IsWhiteSpace((char)bytes[at]))
                {
                    at++;
                }
                fields.Add(Encoding.ASCII.GetString(bytes, begin, at - begin));
            }
            Assert.Equal("P6", fields[0]);
            Assert.Equal("255", fields[3]);
            int w = int.Parse(fields[1], CultureInfo.InvariantCulture), h = int.Parse(fields[2], CultureInfo.InvariantCulture);
            return new PageImage(w, h, bytes[(at + 1)..(at + 1 + (w * h * 3))]);
        }
    }

    private static string Run(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {error}");
        return stdout.Result;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mote.Portal.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Mote.Portal.sln above '{AppContext.BaseDirectory}'.");
    }
}
