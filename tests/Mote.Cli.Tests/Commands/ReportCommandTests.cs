using System.Text.Json;
using Microsoft.Data.Sqlite;
using Mote.Cli;
using Mote.Gallery.Audit;

namespace Mote.Cli.Tests.Commands;

/// <summary>`mote report export` through the real command tree, on a temporary SQLite file.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-cli-report-").FullName;

    private string Db => Path.Combine(_folder, "mote.db");

    [Fact]
    public async Task Export_PdfAndJson_WritesBothWithTheSameKindOfHash_OneEventEach()
    {
        await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Admin", "--email", "a@example.org", "--db", Db);
        var pdf = Path.Combine(_folder, "report.pdf");
        var json = Path.Combine(_folder, "report.json");

        var (pdfCode, pdfOut, pdfErr) = await MoteCli.RunAsync("", "report", "export", "--format", "pdf", "--out", pdf, "--db", Db);
        var (jsonCode, jsonOut, jsonErr) = await MoteCli.RunAsync("", "report", "export", "--format", "json", "--out", json, "--db", Db);

        Assert.True(pdfCode == 0, pdfErr);
        Assert.True(jsonCode == 0, jsonErr);
        Assert.Equal("%PDF-"u8.ToArray(), (await File.ReadAllBytesAsync(pdf))[..5]);
        Assert.Matches(@"Content SHA-256: [0-9a-f]{64}", pdfOut);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal("mote-compliance-report/3", doc.RootElement.GetProperty("schema").GetString());
        Assert.Contains(doc.RootElement.GetProperty("contentSha256").GetString()!, jsonOut, StringComparison.Ordinal);
        Assert.Equal(2, doc.RootElement.GetProperty("report").GetProperty("audit").GetProperty("rows").GetInt64()); // the user, then the PDF export
        Assert.Equal(2L, MoteCli.Sql(Db, $"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ReportExported}"));
    }

    [Fact]
    public async Task Export_UnknownFormat_ExitsOneAndLeavesNoFile()
    {
        await MoteCli.RunAsync("correct horse battery\n", "users", "add", "--role", "Admin", "--email", "a@example.org", "--db", Db);
        var target = Path.Combine(_folder, "report.docx");

        var (code, _, error) = await MoteCli.RunAsync("", "report", "export", "--format", "docx", "--out", target, "--db", Db);

        Assert.Equal(1, code);
        Assert.Contains("Unknown report format 'docx'", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "report.docx*"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
