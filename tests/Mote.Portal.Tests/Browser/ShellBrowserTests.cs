using Microsoft.Playwright;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Browser;

/// <summary>The shell in a real headless browser against the real portal process.</summary>
[Trait("Category", "Browser")]
public sealed class ShellBrowserTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task FirstRun_SetupSignInAndShell_WorkInChromium()
    {
        await using var portal = await PortalProcess.StartAsync();
        var link = await portal.WaitForSetupLinkAsync();
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 800);

        // Setup link → create the first Admin.
        await page.GotoAsync(link.ToString());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("setup.png") });
        await page.FillAsync("#email", "ada@example.org");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/account/login?created=true");

        // Sign in.
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("sign-in.png") });
        await page.FillAsync("#email", "ada@example.org");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("button[type=submit]");

        // An Admin must set up two-factor sign-in before anything else opens (ADR 0013).
        await page.WaitForURLAsync("**/account/mfa**");
        await HeadlessChromium.SetUpAuthenticatorAsync(page, portal.BaseAddress, "ada@example.org", "mfa-setup.png");
        await page.WaitForURLAsync(portal.BaseAddress.ToString());

        // The interactive shell: navigation with every area, the signed-in user, a working theme toggle.
        var nav = page.Locator("[data-testid=nav]");
        await Assertions.Expect(nav).ToContainTextAsync("Settings");
        foreach (var area in new[] { "Gallery", "Verify", "Fairness", "Explanations", "Audit", "Reports", "Settings" })
        {
            await Assertions.Expect(nav.GetByText(area, new LocatorGetByTextOptions { Exact = true })).ToBeVisibleAsync();
        }
        await Assertions.Expect(page.Locator("[data-testid=user-name]")).ToHaveTextAsync("ada@example.org");
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("overview.png") });

        // Client-side navigation to the audit trail shows the sign-in that just happened.
        await nav.GetByText("Audit", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=audit-table]")).ToContainTextAsync("Sign in succeeded");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("audit.png") });

        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("data-mode", "dark");
        // The choice survives a reload (it went back to light before).
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("data-mode", "dark");
        await nav.GetByText("Settings", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=users-table]")).ToContainTextAsync("ada@example.org");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("settings-dark.png") });

        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInSucceeded}"));
    }

    [Fact]
    public async Task SignOut_FromTheUserMenu_EndsTheSession_ProtectedPagesGoToSignIn()
    {
        await using var portal = await PortalProcess.StartAsync();
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 800);
        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password);

        // The user chip opens the menu (it did nothing before: aria-expanded stayed false), and Sign out signs out.
        await page.Locator("[data-testid=user-chip]").ClickAsync();
        var signOut = page.Locator("[data-testid=sign-out-form] button[type=submit]");
        await Assertions.Expect(signOut).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=user-menu] [aria-expanded]").First).ToHaveAttributeAsync("aria-expanded", "true");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("user-menu.png") });
        await signOut.ClickAsync();
        await page.WaitForURLAsync("**/account/login");

        // The session is gone: a protected page sends the browser back to sign-in.
        await page.GotoAsync(new Uri(portal.BaseAddress, "audit").ToString());
        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        Assert.Contains("ReturnUrl=%2Faudit", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#password")).ToBeVisibleAsync();
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignedOut}"));
    }

    [Fact]
    public async Task NarrowViewport_DrawerCollapsesAndToggles()
    {
        await using var portal = await PortalProcess.StartAsync();
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 420, 800);
        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", Password);

        var settingsLink = page.Locator("[data-testid=nav]").GetByText("Settings", new LocatorGetByTextOptions { Exact = true });
        await Assertions.Expect(settingsLink).Not.ToBeInViewportAsync();
        await page.Locator("[data-testid=drawer-toggle]").ClickAsync();
        await Assertions.Expect(settingsLink).ToBeInViewportAsync();
        await page.WaitForTimeoutAsync(400); // let the slide-in finish for the screenshot only
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("narrow-drawer.png") });
    }
}
