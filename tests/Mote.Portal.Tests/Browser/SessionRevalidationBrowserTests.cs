using Microsoft.Playwright;
using Mote.Gallery.Security;
using Mote.Gallery.Users;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Browser;

/// <summary>Issue 14 item 1 in a real browser: an open tab loses the rights its account lost elsewhere.</summary>
[Trait("Category", "Browser")]
public sealed class SessionRevalidationBrowserTests
{
    [Fact]
    public async Task OpenTab_AdminDemotedAndDisabledElsewhere_CannotCreateAKeyAndIsSignedOut()
    {
        await using var portal = await PortalProcess.StartAsync();
        var (playwright, browser) = await HeadlessChromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await HeadlessChromium.NewPageAsync(browser, 1280, 800);
        await HeadlessChromium.SignInAsFirstAdminAsync(page, portal, "ada@example.org", PortalSession.Password);
        await using var store = new PortalStore(portal);
        var terminal = Actor.Terminal("test");
        var users = await store.RunAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(terminal, "bob@example.org", PortalSession.Password, Roles.Admin));
        var ada = (await store.RunAsync<ListUsers, IReadOnlyList<UserSummary>>(u => u.ExecuteAsync(terminal))).Single(u => u.Email == "ada@example.org");

        // Ada's tab: Settings → API keys, a manage-scope key filled in.
        await page.Locator("[data-testid=nav]").GetByText("Settings", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "API keys" }).ClickAsync();
        await page.Locator("input[data-testid=key-name]").FillAsync("side door");
        await page.GetByText("manage (people, enrollment)").ClickAsync();

        // Elsewhere, another Admin demotes and disables her.
        var bob = new Actor(ActorKind.User, users.Id, users.Email, new HashSet<string> { Roles.Admin });
        await store.RunAsync<ChangeUserRole, UserSummary>(u => u.ExecuteAsync(bob, ada.Id, Roles.Operator));
        await store.RunAsync<DisableUser>(u => u.ExecuteAsync(bob, ada.Id));

        // Her open tab tries at once (well inside the 30 s revalidation interval): the use case reads her current
        // rights from the store and refuses (before: the key was created 76 s later).
        await page.Locator("[data-testid=create-key]").ClickAsync();
        await Task.Delay(3000);
        Assert.Equal(0, portal.Scalar("SELECT COUNT(*) FROM ApiKeys"));

        // Within the revalidation interval the tab itself loses the session and shows sign-in.
        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#password")).ToBeVisibleAsync();
        Assert.Equal(0, portal.Scalar("SELECT COUNT(*) FROM ApiKeys"));
    }
}
