using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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

namespace Mote.Gallery.Tests.Reports;

/// <summary>
/// The compliance report on a real SQLite gallery: the JSON validates against docs/compliance-report.schema.json and
/// its hash matches its bytes; the PDF's text (extracted by poppler's pdftotext, an independent reader) has every
/// section and the hash; each export writes exactly one audit event; an Operator is refused and nothing is written.
/// </summary>
public sealed class ExportComplianceReportTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Loaded once: JsonSchema.Net registers a schema by its $id globally and refuses a second registration.</summary>
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromFile(Path.Combine(RepositoryRoot(), "docs", "compliance-report.schema.json")));

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
                    DeclaredGender = i < 6 ? "female" : i < 8 ? "male" : null, TemplateKind = "model", Threshold = 0.5f + (i * 0.01f),
                    TargetFmr = 1e-3, EnrolledUtc = DateTimeOffset.UtcNow, ConcurrencyStamp = "s",
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

            var text = PdfText(file);
            Assert.Contains(id, text, StringComparison.Ordinal);
            Assert.Contains("Recognition: MOTE model-templates beside vector templates", text, StringComparison.Ordinal);
            Assert.Contains("FNMR 0.05 [0.01, 0.1]", text, StringComparison.Ordinal);
            Assert.Contains("accuracy 0.900 [0.700, 0.970]", text, StringComparison.Ordinal);
            Assert.DoesNotContain("No evaluation run recorded yet", text, StringComparison.Ordinal);
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
