using System.IO.Compression;
using System.Text;
using Microsoft.Playwright;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Browser;

/// <summary>
/// What a new admin hit on the first day (issue 16), in Debian's Chromium against the real portal process: bulk
/// enrollment from a ZIP of real LFW photos, and the Fairness page on a phone-sized screen.
/// </summary>
[Trait("Category", "Browser")]
public sealed class DailyUseBrowserTests
{
    private const string Password = "correct horse battery";
    private static readonly float Slow = (float)TimeSpan.FromMinutes(4).TotalMilliseconds;

    [DatasetFact("lfw-dev")]
    public async Task BulkEnroll_ZipOfPhotosAndCsv_RowsListed_RunEndsEachRowInWords_PeopleEnrolled()
    {
        var folder = Directory.CreateTempSubdirectory("mote-browser-bulk-").FullName;
        var zip = Path.Combine(folder, "staff.zip");
        await File.WriteAllBytesAsync(zip, Zip(
            ("people.csv", Encoding.UTF8.GetBytes("name,photo,external_id\nBrowser Nelson,Bill_Nelson_0001.jpg,BN-1\nBrowser Nesta,Alessandro_Nesta_0001.jpg,\nBrowser Wall,wall.png,\n")),
            ("Bill_Nelson_0001.jpg", BulkPhotos.LfwBytes("Bill_Nelson")),
            ("Alessandro_Nesta_0001.jpg", BulkPhotos.LfwBytes("Alessandro_Nesta")),
            ("wall.png", BulkPhotos.Wall())));
        await using var portal = await PortalProcess.StartAsync($"--Mote:Models:CacheDir={DemoPhotos.ModelCache}");
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 1000);
        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password);

        // From the Gallery's button, as README's walk-through says.
        await page.Locator("[data-testid=nav]").GetByText("Gallery", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await page.ClickAsync("[data-testid=gallery-bulk-enroll]");
        await page.WaitForURLAsync("**/gallery/bulk");
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await page.Locator("input[type=file]").First.SetInputFilesAsync(zip);

        await Assertions.Expect(page.Locator("[data-testid=bulk-row]")).ToHaveCountAsync(3, new() { Timeout = Slow });
        await Assertions.Expect(page.Locator("[data-testid=bulk-start]")).ToHaveTextAsync("Enroll 3 people");
        await page.ClickAsync("[data-testid=bulk-start]");

        await Assertions.Expect(page.Locator("[data-testid=bulk-summary]")).ToContainTextAsync("3 rows: 2 enrolled, 0 already enrolled, 1 failed.", new() { Timeout = Slow });
        var rows = page.Locator("[data-testid=bulk-row]");
        Assert.Equal(["enrolled", "enrolled", "failed"], await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.state)"));
        await Assertions.Expect(rows.Nth(2).Locator("[data-testid=bulk-message]")).ToHaveTextAsync("No face was found in this photo.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("bulk-enroll.png"), FullPage = true });

        // Each enrolled row links to the person's page.
        await rows.Nth(0).Locator("[data-testid=bulk-person]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=person-name]")).ToHaveTextAsync("Browser Nelson", new() { Timeout = Slow });
        Assert.Equal(2, portal.Scalar("SELECT COUNT(*) FROM People WHERE Name LIKE 'Browser %'"));
        Assert.Equal(2, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled}"));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Fairness_PhoneWidth390_NoTabScrollsSideways()
    {
        await using var portal = await PortalProcess.StartAsync($"--Mote:Models:CacheDir={DemoPhotos.ModelCache}", $"--Mote:Evaluation:DatasetsRoot={TestDatasets.Root ?? Path.GetTempPath()}");
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 390, 844);
        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password);

        await page.GotoAsync(new Uri(portal.BaseAddress, "fairness").ToString());
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await Assertions.Expect(page.Locator("[data-testid=evaluation-start]")).ToBeVisibleAsync(new() { Timeout = Slow });
        // Issue 16: the page was 452 px wide at a 390 px viewport, so the whole page scrolled sideways.
        await HeadlessChromium.AssertNoSidewaysScrollAsync(page, "Evaluation runs");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("fairness-narrow.png"), FullPage = true });

        await page.GetByRole(AriaRole.Tab, new() { Name = "Gallery risk" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=risk-run]")).ToBeVisibleAsync(new() { Timeout = Slow });
        await HeadlessChromium.AssertNoSidewaysScrollAsync(page, "Gallery risk");
    }

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }
        return buffer.ToArray();
    }
}
