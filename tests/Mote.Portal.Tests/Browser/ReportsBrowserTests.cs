using System.Diagnostics;
using System.Net;
using Microsoft.Playwright;
using Mote.Core.Models;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Browser;

/// <summary>The Fairness page's Gallery risk tab and a compliance-report download, in a real browser against the real portal.</summary>
[Trait("Category", "Browser")]
public sealed class ReportsBrowserTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task FairnessRiskTab_ThenReportsPage_DownloadsPdfAndJsonAndListsTheExports()
    {
        var cache = Environment.GetEnvironmentVariable(ModelPackOptions.CacheDirEnvironmentVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "mote-test-models");
        await using var portal = await PortalProcess.StartAsync($"--Mote:Models:CacheDir={cache}", "--Mote:Models:ProvisionOnStart=true");
        // Nobody signed in: the download endpoint gives nothing away.
        using (var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = portal.BaseAddress })
        {
            var refused = await anonymous.GetAsync(new Uri("reports/export?format=pdf", UriKind.Relative));
            Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        }
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 900);
        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password);

        // Fairness → Gallery risk: assessing an empty gallery says so.
        await page.Locator("[data-testid=nav]").GetByText("Fairness", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await page.GetByText("Gallery risk", new PageGetByTextOptions { Exact = true }).ClickAsync();
        await page.Locator("[data-testid=risk-run]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=risk-summary]")).ToContainTextAsync("0 of 0 people", new LocatorAssertionsToContainTextOptions { Timeout = 180_000 });
        await Assertions.Expect(page.Locator("[data-testid=risk-empty]")).ToHaveTextAsync("Nobody is enrolled.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("fairness-gallery-risk-empty.png") });

        // Reports: download the PDF and the JSON.
        await page.Locator("[data-testid=nav]").GetByText("Reports", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=report-exports-empty]")).ToBeVisibleAsync();
        var pdf = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=report-export-pdf]").ClickAsync());
        var pdfPath = Path.Combine(Path.GetTempPath(), $"mote-browser-report-{Guid.NewGuid():N}.pdf");
        await pdf.SaveAsAsync(pdfPath);
        var json = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=report-export-json]").ClickAsync());
        var jsonText = await File.ReadAllTextAsync(await json.PathAsync());
        try
        {
            Assert.EndsWith(".pdf", pdf.SuggestedFilename, StringComparison.Ordinal);
            var text = PdfText(pdfPath);
            Assert.Contains("Privacy and compliance report", text, StringComparison.Ordinal);
            Assert.Contains("6. ISO/IEC 24745 protection requirements", text, StringComparison.Ordinal);
            Assert.Contains("ada@example.org", text, StringComparison.Ordinal);
            Assert.Contains("\"schema\":\"mote-compliance-report/3\"", jsonText, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(pdfPath);
        }

        // The list of past exports: both, by the signed-in admin.
        await page.Locator("[data-testid=report-refresh]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=report-export-actor]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=report-export-actor]").First).ToHaveTextAsync("ada@example.org");
        await Assertions.Expect(page.Locator("[data-testid=report-export-detail]").First).ToContainTextAsync("json; sha256 ");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("reports.png") });
        Assert.Equal(2, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.ReportExported}"));
    }

    private static string PdfText(string file)
    {
        var start = new ProcessStartInfo("pdftotext", [file, "-"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return text;
    }
}
