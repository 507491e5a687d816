using Microsoft.Playwright;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Browser;

/// <summary>Starting an evaluation run from the Fairness page in a real browser against the real portal, on real lfw-dev photos.</summary>
[Trait("Category", "Browser")]
public sealed class FairnessEvaluationBrowserTests
{
    private const string Password = "correct horse battery";

    [DatasetFact("lfw-dev")]
    public async Task FairnessPage_AdminStartsATinyRun_ProgressThenTheRecordedRunIsShown()
    {
        var descriptors = Directory.CreateTempSubdirectory("mote-browser-descriptors-").FullName;
        await using var portal = await PortalProcess.StartAsync(
            $"--Mote:Models:CacheDir={DemoPhotos.ModelCache}",
            $"--Mote:Evaluation:DatasetsRoot={TestDatasets.Root}",
            $"--Mote:Evaluation:DescriptorCache={descriptors}");
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 1000);
        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password);

        await page.Locator("[data-testid=nav]").GetByText("Fairness", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=evaluation-start]")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 });
        Assert.Contains("lfw-dev (", await page.Locator("[data-testid=evaluation-dataset]").First.EvaluateAsync<string>("e => e.outerHTML + (e.value ?? '')"), StringComparison.Ordinal);
        var identities = page.Locator("[data-testid=evaluation-identities] input, input[data-testid=evaluation-identities]");
        await identities.FillAsync("4");
        await identities.PressAsync("Tab");
        await page.GetByText("Balance sweep", new PageGetByTextOptions { Exact = true }).ClickAsync();
        await page.GetByText("Privacy attacks", new PageGetByTextOptions { Exact = true }).ClickAsync();
        await page.Locator("[data-testid=evaluation-start-button]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=evaluation-phase]")).ToContainTextAsync("Evaluating lfw-dev (started by ada@example.org");
        await Assertions.Expect(page.Locator("[data-testid=evaluation-job-outcome]")).ToContainTextAsync("finished and is recorded", new LocatorAssertionsToContainTextOptions { Timeout = 300_000 });
        await Assertions.Expect(page.Locator("[data-testid=evaluation-run]")).ToContainTextAsync("first 4 identities only", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=evaluation-run]")).ToContainTextAsync("sweep off, privacy off");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("fairness-evaluation-run.png"), FullPage = true });
        // Issue 16: with a recorded run the page was 549 px wide at a phone's 390 px (run picker, tables, charts).
        await page.SetViewportSizeAsync(390, 844);
        await HeadlessChromium.AssertNoSidewaysScrollAsync(page, "Evaluation runs with a recorded run");

        Assert.Equal(1, portal.Scalar("SELECT COUNT(*) FROM EvaluationRuns WHERE Identities BETWEEN 2 AND 4"));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationStarted} AND ActorName = 'ada@example.org'"));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationRecorded} AND ActorName = 'ada@example.org'"));
        Directory.Delete(descriptors, recursive: true);
    }
}
