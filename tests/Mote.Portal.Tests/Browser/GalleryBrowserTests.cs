using Microsoft.Playwright;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Browser;

/// <summary>Enrollment and the person page in a real headless browser against the real portal process (screenshots for docs/).</summary>
[Trait("Category", "Browser")]
public sealed class GalleryBrowserTests
{
    private const string Password = "correct horse battery";
    private static readonly float Slow = (float)TimeSpan.FromMinutes(4).TotalMilliseconds;

    [Fact]
    public async Task Enroll_GroupPhotoPickFaceTrainInBackground_ThenPreviewOnPersonPage()
    {
        await using var portal = await PortalProcess.StartAsync();
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 900);
        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password);

        await page.GotoAsync(new Uri(portal.BaseAddress, "gallery/enroll").ToString());
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await page.Locator("input[type=file]").First.SetInputFilesAsync(Path.Combine(await DemoPhotos.DirAsync(), "sample1.jpg"));
        await Assertions.Expect(page.Locator("[data-testid=face-overlay]")).ToBeVisibleAsync(new() { Timeout = Slow });
        Assert.True(await page.Locator("[data-testid=face-box]").CountAsync() > 1);
        var usable = await page.Locator("[data-testid=face-box][data-accepted=true]").First.GetAttributeAsync("data-face");
        await page.ClickAsync($"[data-testid=face-option][data-face='{usable}']");
        await page.Locator("input[data-testid=enroll-name], [data-testid=enroll-name] input").First.FillAsync("Ada Example");
        await Assertions.Expect(page.Locator("[data-testid=enroll-submit]")).ToBeEnabledAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("enroll.png"), FullPage = true });
        await page.ClickAsync("[data-testid=enroll-submit]");
        await page.WaitForURLAsync("**/gallery/enroll?job=*");
        // A reload re-attaches to the job.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=enroll-done]")).ToBeVisibleAsync(new() { Timeout = Slow });

        await page.ClickAsync("[data-testid=enroll-open-person]");
        await Assertions.Expect(page.Locator("[data-testid=person-name]")).ToHaveTextAsync("Ada Example", new() { Timeout = Slow });
        await page.ClickAsync("[data-testid=person-preview]");
        await Assertions.Expect(page.Locator("[data-testid=preview-table]")).ToBeVisibleAsync(new() { Timeout = Slow });
        // A tall viewport instead of a full-page capture: the fixed app bar would otherwise be drawn mid-page.
        await page.SetViewportSizeAsync(1280, 2200);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("person.png") });

        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled}"));
        Assert.Equal(1, portal.Scalar("SELECT COUNT(*) FROM People WHERE Name = 'Ada Example'"));
    }
}
