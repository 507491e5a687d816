using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Portal.Components;

namespace Mote.Portal.Tests.Components;

/// <summary>Pages rendered through the portal's own router and AuthorizeRouteView, with the real policies.</summary>
public sealed class PageAuthorizationTests : GalleryBunitContext
{
    [Fact]
    public async Task SettingsPage_Admin_RendersUserAdministration()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Admin);

        var cut = RenderAt("settings");

        cut.WaitForElement("[data-testid=users-table]", TimeSpan.FromSeconds(15));
        Assert.Contains("Add an account", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=not-authorized]"));
    }

    [Theory]
    [InlineData(Roles.Auditor)]
    [InlineData(Roles.Operator)]
    public void SettingsPage_NotAdmin_RendersNotAuthorized(string role)
    {
        SignInAs(role);

        var cut = RenderAt("settings");

        cut.WaitForAssertion(() => Assert.Contains("Not authorized", cut.Find("[data-testid=not-authorized]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=users-table]"));
        Assert.DoesNotContain("Add an account", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditPage_Auditor_RendersTrailButOperatorDoesNot()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Auditor);
        var cut = RenderAt("audit");
        cut.WaitForElement("[data-testid=audit-table]", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task AuditPage_VerifyNow_ShowsVerifiedUpToTheLastRow()
    {
        await GalleryDatabase.MigrateAsync(Services);
        await AppendAsync(3);
        SignInAs(Roles.Auditor);
        var cut = RenderAt("audit");
        cut.WaitForAssertion(() => Assert.Contains("Verified up to #3.", cut.Find("[data-testid=chain-status]").TextContent, StringComparison.Ordinal));
        await AppendAsync(2);

        cut.Find("[data-testid=verify-now]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Verified up to #5.", cut.Find("[data-testid=chain-status]").TextContent, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Contains("detail 2", cut.Find("[data-testid=audit-table]").TextContent, StringComparison.Ordinal));
        // The event's name and its code in separate columns (a code in brackets read like an HTTP status).
        Assert.All(cut.FindAll("[data-testid=audit-event]"), e => Assert.DoesNotContain("(", e.TextContent, StringComparison.Ordinal));
        Assert.All(cut.FindAll("[data-testid=audit-code]"), c => Assert.True(int.TryParse(c.TextContent.Trim(), out _), c.TextContent));
        Assert.NotEmpty(cut.FindAll("[data-testid=audit-code]"));
    }

    [Fact]
    public async Task AuditPage_Open_MonitorLastCheckedAnEmptyTrail_ChecksAgainInsteadOfShowingEmpty()
    {
        // As on a fresh portal: the hourly monitor checked at start-up, when the trail was empty; rows came later.
        await GalleryDatabase.MigrateAsync(Services);
        var monitor = Services.GetRequiredService<Mote.Portal.Services.AuditChainMonitor>();
        Assert.Equal("The trail is empty.", (await monitor.VerifyNowAsync(Actor.System)).Summary);
        await AppendAsync(3);
        SignInAs(Roles.Auditor);

        var cut = RenderAt("audit");

        cut.WaitForAssertion(() => Assert.Contains("detail 2", cut.Find("[data-testid=audit-table]").TextContent, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Contains("Verified up to #3.", cut.Find("[data-testid=chain-status]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("The trail is empty", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("as they are built", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("enrollment, retraining, erasure, decision", cut.Markup, StringComparison.Ordinal);
    }

    private int _appended;

    private async Task AppendAsync(int rows)
    {
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            var trail = scope.ServiceProvider.GetRequiredService<Mote.Gallery.Audit.AuditTrail>();
            for (var i = 0; i < rows; i++, _appended++)
            {
                await trail.AppendAsync(Actor.System, Mote.Gallery.Audit.AuditEventCode.UserCreated, $"u{_appended}", $"detail {_appended}");
            }
        }
    }

    [Fact]
    public void AuditPage_Operator_RendersNotAuthorized()
    {
        SignInAs(Roles.Operator);
        var cut = RenderAt("audit");
        cut.WaitForAssertion(() => Assert.Contains("Not authorized", cut.Find("[data-testid=not-authorized]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=audit-table]"));
    }

    private IRenderedComponent<Routes> RenderAt(string relativeUrl)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Routes>();
    }
}
