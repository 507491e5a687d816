using Microsoft.Playwright;

namespace Mote.Portal.Tests.Browser;

/// <summary>
/// Debian's Chromium (`apt-get install chromium`, done by .ci/run) driven by Playwright; no browser
/// download. Flags keep it off the network: this machine reaches nothing but the package registries.
/// </summary>
public static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium package (`apt-get install chromium`), as .ci/run does.");
        }
        // CI runs the test assemblies side by side on 2 cores (engine training included): a page that takes 11 s
        // alone has been seen to need more than Playwright's 30 s default there. Waits stay event-driven.
        Assertions.SetDefaultExpectTimeout(60_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
        return (playwright, browser);
    }

    /// <summary>A page whose waits tolerate a loaded CI machine (90 s instead of 30 s).</summary>
    public static async Task<IPage> NewPageAsync(IBrowser browser, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.SetDefaultTimeout(90_000);
        page.SetDefaultNavigationTimeout(90_000);
        return page;
    }

    /// <summary>Where screenshots go: <c>MOTE_SCREENSHOT_DIR</c> (e.g. <c>docs/screenshots</c> to refresh the docs), else the test output.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = Environment.GetEnvironmentVariable("MOTE_SCREENSHOT_DIR");
        dir = string.IsNullOrWhiteSpace(dir) ? Path.Combine(AppContext.BaseDirectory, "screenshots") : Path.GetFullPath(dir);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    /// <summary>Follows the portal's one-time setup link to create the first Admin, then signs in as them and waits for the interactive shell.</summary>
    public static async Task SignInAsFirstAdminAsync(IPage page, Infrastructure.PortalProcess portal, string email, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(portal);
        await page.GotoAsync((await portal.WaitForSetupLinkAsync()).ToString());
        await SubmitAsync(page, email, password, "**/account/login?created=true");
        await SubmitAsync(page, email, password, "**/account/mfa**");
        await SetUpAuthenticatorAsync(page, portal.BaseAddress, email);
        await page.WaitForSelectorAsync("[data-interactive=true]");
    }

    /// <summary>
    /// On /account/mfa (where the portal sends an Admin without an authenticator, ADR 0013): reads the key off the
    /// page as a person types it into their app, confirms a code, keeps the recovery codes shown once, and continues
    /// to the page that was asked for.
    /// </summary>
    public static async Task SetUpAuthenticatorAsync(IPage page, Uri portal, string email, string? screenshot = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var secret = await page.Locator("[data-testid=mfa-secret]").InnerTextAsync();
        await Assertions.Expect(page.Locator("[data-testid=mfa-qr] svg")).ToBeVisibleAsync();
        if (screenshot is not null)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath(screenshot), FullPage = true });
        }
        Infrastructure.TestAuthenticator.Remember(portal, email, secret);
        await page.FillAsync("#code", await Infrastructure.TestAuthenticator.NextCodeAsync(portal, email));
        await page.ClickAsync("[data-testid=mfa-confirm-form] button[type=submit]");
        await Assertions.Expect(page.Locator("[data-testid=recovery-codes]")).ToBeVisibleAsync();
        var codes = await page.Locator("[data-testid=recovery-codes] code").AllInnerTextsAsync();
        Assert.Equal(10, codes.Count);
        Infrastructure.TestAuthenticator.RememberRecoveryCodes(portal, email, codes);
        await page.ClickAsync("[data-testid=mfa-continue]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal));
    }

    /// <summary>
    /// Fills and submits an account form once the page's scripts have settled (blazor.web.js takes over form posts
    /// when it has loaded; a click racing it was lost once in CI, under load), then waits for <paramref name="next"/>.
    /// A timeout names the page the browser was on and what it said, so a failure explains itself.
    /// </summary>
    private static async Task SubmitAsync(IPage page, string email, string password, string next)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        try
        {
            await page.WaitForURLAsync(next);
        }
        catch (TimeoutException e)
        {
            var body = await page.InnerTextAsync("body");
            throw new TimeoutException($"After submitting the form the browser stayed on {page.Url}, not {next}; the page says: {body[..Math.Min(body.Length, 600)]}", e);
        }
    }
}
