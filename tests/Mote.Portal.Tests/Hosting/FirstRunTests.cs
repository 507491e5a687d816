using System.Net;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>First start with no accounts, sign-in and its audit rows, each against a fresh portal process.</summary>
public sealed class FirstRunTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task SetupLink_FirstUse_CreatesOneAdminAndIsRefusedTheSecondTime()
    {
        await using var portal = await PortalProcess.StartAsync();
        var link = await portal.WaitForSetupLinkAsync();
        using var client = portal.CreateClient();

        using var first = await FormPost.SubmitAsync(client, link.PathAndQuery, new Dictionary<string, string>
        {
            ["Input.Email"] = "ada@example.org",
            ["Input.Password"] = Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Contains("account/login?created=true", first.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(1, portal.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
        Assert.Equal(1, portal.Scalar("SELECT COUNT(*) FROM AspNetUserRoles ur JOIN AspNetRoles r ON r.Id = ur.RoleId WHERE r.Name = 'Admin'"));

        // The same link again: the page refuses, and a replayed POST creates nobody.
        var again = await client.GetStringAsync(link.PathAndQuery);
        Assert.Contains("not valid or has already been used", again, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"setup-form\"", again, StringComparison.Ordinal);
        Assert.Equal(1, portal.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.FirstAdminCreatedThroughSetup}"));
    }

    [Fact]
    public async Task SignIn_WrongPasswordThenRight_AuditsBothAndOpensShell()
    {
        await using var portal = await PortalProcess.StartAsync();
        var link = await portal.WaitForSetupLinkAsync();
        using var client = portal.CreateClient();
        (await FormPost.SubmitAsync(client, link.PathAndQuery, new Dictionary<string, string> { ["Input.Email"] = "ada@example.org", ["Input.Password"] = Password })).Dispose();

        using var wrong = await FormPost.SubmitAsync(client, "account/login", new Dictionary<string, string> { ["Input.Email"] = "ada@example.org", ["Input.Password"] = "not the password" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("E-mail or password is wrong.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInFailed}"));

        using var unknown = await FormPost.SubmitAsync(client, "account/login", new Dictionary<string, string> { ["Input.Email"] = "nobody@example.org", ["Input.Password"] = Password });
        Assert.Equal(2, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInFailed}"));

        // PortalSession also sets up the authenticator the portal asks a first-time Admin for (ADR 0013).
        using var right = await PortalSession.SignInAsync(client, "ada@example.org", Password, returnUrl: "/settings");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/settings", right.Headers.Location!.OriginalString.Replace(portal.BaseAddress.ToString().TrimEnd('/'), "", StringComparison.Ordinal));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInSucceeded}"));

        var shell = await client.GetStringAsync("");
        foreach (var area in new[] { "Gallery", "Verify", "Fairness", "Explanations", "Audit", "Reports", "Settings" })
        {
            Assert.Contains($">{area}</", shell, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SignIn_ExternalReturnUrl_RedirectsHomeInstead()
    {
        await using var portal = await PortalProcess.StartAsync();
        var link = await portal.WaitForSetupLinkAsync();
        using var client = portal.CreateClient();
        (await FormPost.SubmitAsync(client, link.PathAndQuery, new Dictionary<string, string> { ["Input.Email"] = "ada@example.org", ["Input.Password"] = Password })).Dispose();

        using var response = await FormPost.SubmitAsync(client, "account/login?ReturnUrl=https%3A%2F%2Fevil.example%2F", new Dictionary<string, string> { ["Input.Email"] = "ada@example.org", ["Input.Password"] = Password });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("evil.example", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
