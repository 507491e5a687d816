using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Browser;

/// <summary>
/// README's browser walk-through, step by step as a new user reads it (issue 16), in Debian's Chromium against the real
/// portal on its defaults (HTTPS with the self-signed certificate, the product's default backbone, the model pack prepared
/// at start): the setup link, the first Admin with two-factor sign-in, the Overview, Gallery → Enroll from a real LFW
/// photo, Verify → 1:1 verify with a second photo of that person, the decision's explanation, and Sign out from the
/// user chip. Each step looks for the words README uses (page names, button names, messages).
/// </summary>
[Trait("Category", "Browser")]
public sealed class ReadmeWalkThroughBrowserTests
{
    private const string Email = "ada@example.org";
    private const string Password = "correct horse battery";

    // Bill Nelson has two lfw-dev photos and his first passes the enrollment check (BulkPhotos.People); on the default
    // backbone the second scored log-odds +3.9 against his threshold of +1.5 when this was written.
    private const string Identity = "Bill_Nelson";
    private const string Name = "Bill Nelson";
    private static readonly float Slow = (float)TimeSpan.FromMinutes(4).TotalMilliseconds;

    [DatasetFact("lfw-dev")]
    public async Task Readme_SetupLinkFirstAdminEnrollVerifyExplanationSignOut_AsWritten()
    {
        var reference = BulkPhotos.Lfw(Identity);
        var second = reference.Replace("_0001.jpg", "_0002.jpg", StringComparison.Ordinal);
        await using var portal = await PortalProcess.StartAsync(new PortalStart(Https: true, Backbone: null),
            $"--Mote:Models:CacheDir={DemoPhotos.ModelCache}", "--Mote:Models:ProvisionOnStart=true");
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 900);

        // "Open it …, choose an e-mail and a password (at least 12 characters), and sign in."
        var setup = await portal.WaitForSetupLinkAsync();
        Assert.Equal("https", setup.Scheme);
        await page.GotoAsync(setup.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create the first Admin" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".mote-hint")).ToHaveTextAsync("At least 12 characters.");
        await SubmitAsync(page, "Create Admin account", "**/account/login?created=true");
        await SubmitAsync(page, "Sign in", "**/account/mfa**");

        // "… goes straight to Two-factor sign-in (/account/mfa) … type the 6-digit code … and press Turn on. The page then
        // shows ten recovery codes, once … I have saved them, continue opens the portal."
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Two-factor sign-in");
        await Assertions.Expect(page.Locator("[data-testid=mfa-qr] svg")).ToBeVisibleAsync();
        var secret = await page.Locator("[data-testid=mfa-secret]").InnerTextAsync();
        TestAuthenticator.Remember(portal.BaseAddress, Email, secret);
        await page.FillAsync("#code", await TestAuthenticator.NextCodeAsync(portal.BaseAddress, Email));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=recovery-codes] code")).ToHaveCountAsync(10);
        await page.GetByRole(AriaRole.Link, new() { Name = "I have saved them, continue" }).ClickAsync();

        // Step 2: "The Overview (the first page) shows what your role may see: people enrolled, today's decisions …,
        // the gallery risk …, the model pack in use, the audit chain's last check, running jobs …, the last backup."
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=overview-people-count]")).ToHaveTextAsync("0");
        foreach (var card in new[] { "overview-decisions", "overview-risk", "overview-audit", "overview-jobs", "overview-backup" })
        {
            await Assertions.Expect(page.Locator($"[data-testid={card}]")).ToBeVisibleAsync();
        }
        await Assertions.Expect(page.Locator("[data-testid=overview-model-pack-status]")).ToHaveTextAsync("Ready", new() { Timeout = Slow });

        // Step 3: "Gallery → Enroll: drop or choose a photo … Every face found is boxed with its landmarks and quality
        // verdict; … type a name, keep or correct the estimated attributes (each marked "estimated" …), keep the equal
        // balance …, and press Enroll. … the page shows its progress and survives a reload."
        await Nav(page, "Gallery").ClickAsync();
        await page.GetByText("Enroll", new() { Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/gallery/enroll");
        await Assertions.Expect(page.GetByText("PNG or JPEG, at most 10 MB")).ToBeVisibleAsync();
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await page.Locator("input[type=file]").First.SetInputFilesAsync(reference);
        await Assertions.Expect(page.Locator("[data-testid=face-box][data-accepted=true]")).ToHaveCountAsync(1, new() { Timeout = Slow });
        await Assertions.Expect(page.Locator("[data-testid=face-overlay]")).ToContainTextAsync("usable");
        await Assertions.Expect(page.Locator("[data-testid=enroll-details]")).ToContainTextAsync("estimated");
        await Assertions.Expect(page.Locator("[data-testid=enroll-details]")).ToContainTextAsync("Balance (default: equal over all groups)");
        await page.Locator("input[data-testid=enroll-name], [data-testid=enroll-name] input").First.FillAsync(Name);
        var enroll = page.GetByRole(AriaRole.Button, new() { Name = "Enroll", Exact = true });
        await Assertions.Expect(enroll).ToBeEnabledAsync();
        await enroll.ClickAsync();
        await page.WaitForURLAsync("**/gallery/enroll?job=*");
        await Assertions.Expect(page.Locator("[data-testid=enroll-job]")).ToContainTextAsync($"Enrolling {Name}");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=enroll-done]")).ToHaveTextAsync($"{Name} is enrolled.", new() { Timeout = Slow });
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled}"));

        // Step 4: "The person's page (Gallery → their name) shows their balance editor … Preview … Retrain …
        // Details … Decisions … Erase".
        await Nav(page, "Gallery").ClickAsync();
        await page.Locator("[data-testid=people-table]").GetByText(Name, new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=person-name]")).ToHaveTextAsync(Name);
        foreach (var button in new[] { "Preview", "Retrain", "Save details", "Erase…" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true })).ToBeVisibleAsync();
        }
        await Assertions.Expect(page.Locator("[data-testid=person-history]")).ToContainTextAsync($"The last 20 verifications of {Name} and identifications that matched them.");

        // Step 5: "Verify → 1:1 verify: type part of the name, drop a second photo, press Verify: match / no match, score,
        // the person's threshold, the face used (number and box), processing time and the decision's id."
        await Nav(page, "Verify").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = "1:1 verify" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = "1:N identify" })).ToBeVisibleAsync();
        await page.Locator("[data-testid=person-picker] input").FillAsync("Nels");
        await page.Locator(".mud-popover-open .mud-list-item").GetByText(Name).ClickAsync();
        await page.Locator("[data-testid=verify-panel] input[type=file]").First.SetInputFilesAsync(second);
        await Assertions.Expect(page.Locator("[data-testid=probe-verify-chosen]")).ToContainTextAsync("Bill_Nelson_0002.jpg");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify", Exact = true }).ClickAsync();
        var result = page.Locator("[data-testid=verification-result]");
        await Assertions.Expect(result).ToHaveAttributeAsync("data-decision", "match", new() { Timeout = Slow });
        await Assertions.Expect(result.Locator("[data-testid=decision]")).ToHaveTextAsync("Match");
        foreach (var row in new[] { "Score", "Threshold", "Face used", "Processing time", "Decision id" })
        {
            await Assertions.Expect(result.GetByRole(AriaRole.Cell, new() { Name = row, Exact = true })).ToBeVisibleAsync();
        }
        await Assertions.Expect(result.Locator("[data-testid=face-used]")).ToContainTextAsync("the only face, at ");
        var decisionId = (await result.Locator("[data-testid=decision-id]").InnerTextAsync()).Trim();
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM Decisions WHERE Id = '{decisionId}' AND Accepted = 1"));

        // "Why? opens the decision's explanation" (computed in the background, about a second).
        await result.GetByRole(AriaRole.Link, new() { Name = "Why?" }).ClickAsync();
        await page.WaitForURLAsync($"**/explanations/{decisionId}");
        await Assertions.Expect(page.Locator("[data-testid=explanation-sentence]")).ToContainTextAsync("The probe was accepted", new() { Timeout = Slow });
        await Assertions.Expect(page.Locator("[data-testid=heatmap]")).ToBeVisibleAsync();
        var margin = await page.Locator("[data-testid=distribution-margin]").InnerTextAsync();
        Assert.Matches(new Regex(@"^log-odds \+\d+\.\d$"), margin);

        // "To sign out, click your name at the top right and choose Sign out."
        await Assertions.Expect(page.Locator("[data-testid=user-name]")).ToHaveTextAsync(Email);
        await page.Locator("[data-testid=user-name]").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/account/login");
        await page.GotoAsync(new Uri(portal.BaseAddress, "verify").ToString());
        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignedOut}"));
        Assert.Equal(1, portal.Scalar(string.Create(CultureInfo.InvariantCulture, $"SELECT COUNT(*) FROM People WHERE Name = '{Name}'")));
    }

    private static ILocator Nav(IPage page, string area) =>
        page.Locator("[data-testid=nav]").GetByText(area, new LocatorGetByTextOptions { Exact = true });

    /// <summary>Fills the account form and presses <paramref name="button"/> once the page's scripts have settled, then waits for <paramref name="next"/>.</summary>
    private static async Task SubmitAsync(IPage page, string button, string next)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.FillAsync("#email", Email);
        await page.FillAsync("#password", Password);
        await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        await page.WaitForURLAsync(next);
    }
}
