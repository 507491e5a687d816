using Microsoft.Playwright;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Browser;

/// <summary>Issue 14 item 3 in Chromium against the real portal: forced set-up for the first Admin, then sign-in with codes (ADR 0013).</summary>
[Trait("Category", "Browser")]
public sealed class MfaBrowserTests
{
    private const string Email = "ada@example.org";

    [Fact]
    public async Task FirstAdmin_SetsUpMfa_ThenSignsInWithACode_WrongCodeRefused_RecoveryCodeWorksOnce()
    {
        await using var portal = await PortalProcess.StartAsync();
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        // First sign-in: the setup link, the password, then the forced authenticator set-up (inside the helper), then the app.
        var first = await HeadlessChromium.NewPageAsync(browser, 1280, 900);
        await HeadlessChromium.SignInAsFirstAdminAsync(first, portal, Email, PortalSession.Password);
        await Assertions.Expect(first.Locator("[data-testid=nav]")).ToContainTextAsync("Settings");
        // The user menu leads to the account's two-factor page, which says it is on.
        await first.Locator("[data-testid=user-chip]").ClickAsync();
        await first.Locator("[data-testid=user-mfa-link]").ClickAsync();
        await first.WaitForURLAsync("**/account/mfa");
        await Assertions.Expect(first.Locator("[data-testid=recovery-codes-left]")).ToContainTextAsync("10 of 10");

        // Another browser: password, then a wrong code (refused), then the authenticator's code.
        var second = await NewBrowserPageAsync(browser);
        await SignInWithPasswordAsync(second, portal);
        var wrong = Totp.Code(TestAuthenticator.Secret(portal.BaseAddress, Email), Totp.StepAt(DateTimeOffset.UtcNow) + 10);
        await SubmitCodeAsync(second, wrong);
        await Assertions.Expect(second.Locator("[data-testid=code-error]")).ToContainTextAsync("wrong or already used");
        Assert.Contains("/account/login-code", second.Url, StringComparison.Ordinal);
        await second.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("sign-in-code.png") });
        await SubmitCodeAsync(second, await TestAuthenticator.NextCodeAsync(portal.BaseAddress, Email));
        await second.WaitForURLAsync(portal.BaseAddress.ToString());
        await second.WaitForSelectorAsync("[data-interactive=true]");
        await Assertions.Expect(second.Locator("[data-testid=user-name]")).ToHaveTextAsync(Email);

        // A third browser with a recovery code; a fourth with the same code is refused.
        var recovery = TestAuthenticator.RecoveryCodes(portal.BaseAddress, Email)[0];
        var third = await NewBrowserPageAsync(browser);
        await SignInWithPasswordAsync(third, portal);
        await SubmitCodeAsync(third, recovery);
        await third.WaitForURLAsync(portal.BaseAddress.ToString());
        await third.WaitForSelectorAsync("[data-interactive=true]");

        var fourth = await NewBrowserPageAsync(browser);
        await SignInWithPasswordAsync(fourth, portal);
        await SubmitCodeAsync(fourth, recovery);
        await Assertions.Expect(fourth.Locator("[data-testid=code-error]")).ToContainTextAsync("wrong or already used");

        Assert.Equal(2, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInCodeFailed}"));
        // The first sign-in (password, then the forced set-up) and the two with a code.
        Assert.Equal(3, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInSucceeded}"));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents e JOIN AuditPayloads p ON p.EventId = e.Id WHERE e.Code = {(int)AuditEventCode.SignInSucceeded} AND p.Detail LIKE '%recovery code, 9 left%'"));
    }

    private static async Task<IPage> NewBrowserPageAsync(IBrowser browser)
    {
        // A context of its own: no cookies shared with the other "browsers".
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(90_000);
        page.SetDefaultNavigationTimeout(90_000);
        return page;
    }

    private static async Task SignInWithPasswordAsync(IPage page, PortalProcess portal)
    {
        await page.GotoAsync(new Uri(portal.BaseAddress, "account/login").ToString());
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.FillAsync("#email", Email);
        await page.FillAsync("#password", PortalSession.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/account/login-code**");
    }

    private static async Task SubmitCodeAsync(IPage page, string code)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.FillAsync("#code", code);
        await page.ClickAsync("[data-testid=code-form] button[type=submit]");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}
