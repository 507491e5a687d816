using System.Net;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Gallery.Users;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>Issue 14 item 4 against a real portal process: a reset link and a disabled account.</summary>
public sealed class AccountLifecycleTests
{
    private const string NewPassword = "new bright morning walk";

    [Fact]
    public async Task ResetLink_FromTheTerminal_SetsANewPasswordOnceInThePortal()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        await using var store = new PortalStore(portal);
        var terminal = Actor.Terminal("test");
        var bob = await store.RunAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(terminal, "bob@example.org", PortalSession.Password, Roles.Operator));
        var link = await store.RunAsync<IssuePasswordReset, PasswordResetLink>(u => u.ExecuteAsync(terminal, bob.Id));
        using var client = portal.CreateClient();

        // A common password is refused on the page; the link keeps working.
        using (var common = await FormPost.SubmitAsync(client, link.Path, new Dictionary<string, string> { ["Input.Password"] = "password1234" }))
        {
            Assert.Contains("too common", await common.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var set = await FormPost.SubmitAsync(client, link.Path, new Dictionary<string, string> { ["Input.Password"] = NewPassword });

        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        Assert.Contains("account/login?reset=true", set.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using (var old = await PortalSession.SignInAsync(client, "bob@example.org"))
        {
            Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        }
        using (var fresh = await PortalSession.SignInAsync(portal.CreateClient(), "bob@example.org", NewPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, fresh.StatusCode);
        }
        var again = await client.GetStringAsync(link.Path);
        Assert.Contains("not valid, has expired or has already been used", again, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"reset-form\"", again, StringComparison.Ordinal);
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PasswordResetCompleted}"));
    }

    [Fact]
    public async Task DisabledAccount_OpenSessionEndsAndSignInIsRefused()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        await using var store = new PortalStore(portal);
        var terminal = Actor.Terminal("test");
        var bob = await store.RunAsync<CreateUser, UserSummary>(u => u.ExecuteAsync(terminal, "bob@example.org", PortalSession.Password, Roles.Auditor));
        using var client = portal.CreateClient();
        (await PortalSession.SignInAsync(client, "bob@example.org")).Dispose();
        using (var open = await client.GetAsync("audit"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        await store.RunAsync<DisableUser>(u => u.ExecuteAsync(terminal, bob.Id));

        using (var ended = await client.GetAsync("audit"))
        {
            Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        }
        using var refused = await PortalSession.SignInAsync(portal.CreateClient(), "bob@example.org");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("E-mail or password is wrong.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
