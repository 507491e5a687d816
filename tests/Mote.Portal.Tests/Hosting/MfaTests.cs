using System.Net;
using Mote.Cli.Tests;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>Issue 14 item 3 against the real portal process: TOTP two-factor sign-in, required for Admins (ADR 0013).</summary>
public sealed class MfaTests
{
    private const string Email = "ada@example.org";

    [Fact]
    public async Task FirstAdmin_SignedIn_ReachesNothingButMfaSetupUntilDone_ThenTheApp()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, Email);
        using var client = portal.CreateClient();
        using (var password = await FormPost.SubmitAsync(client, "account/login", new Dictionary<string, string> { ["Input.Email"] = Email, ["Input.Password"] = PortalSession.Password }))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        }

        foreach (var page in new[] { "", "settings", "audit", "gallery", "audit/export?format=json" })
        {
            using var refused = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.StartsWith("/account/mfa?ReturnUrl=", refused.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        using (var post = await client.PostAsync("settings", new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        }
        using (var health = await client.GetAsync("healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        var setupPage = await client.GetStringAsync("account/mfa?ReturnUrl=%2Fsettings");
        Assert.Contains("data-testid=\"mfa-required\"", setupPage, StringComparison.Ordinal);
        Assert.Contains("<svg", setupPage, StringComparison.Ordinal); // the QR code, drawn on the server

        // A wrong code leaves it off.
        var secret = Base32.Decode(TestAuthenticator.SecretFrom(setupPage)!);
        var wrong = Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow) + 10);
        using (var refused = await FormPost.SubmitAsync(client, "account/mfa", new Dictionary<string, string> { ["Input.Code"] = wrong }))
        {
            Assert.Contains("data-testid=\"mfa-error\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var still = await client.GetAsync("settings"))
        {
            Assert.Equal(HttpStatusCode.Redirect, still.StatusCode);
        }

        await TestAuthenticator.SetUpAsync(client, Email);

        using (var settings = await client.GetAsync("settings"))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }
        Assert.Equal(10, TestAuthenticator.RecoveryCodes(portal.BaseAddress, Email).Count);
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.MfaSetupStarted}"));
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.MfaEnabled}"));
        Assert.Equal(1, portal.Scalar("SELECT COUNT(*) FROM AspNetUsers WHERE TwoFactorEnabled = 1"));
    }

    [Fact]
    public async Task SignIn_WithMfa_AsksForACode_WrongCodeRefused_RightCodeSignsIn_SameCodeNotTwice()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, Email);
        using (var first = portal.CreateClient())
        {
            (await PortalSession.SignInAsync(first, Email)).Dispose();
        }

        using var client = portal.CreateClient();
        using (var password = await FormPost.SubmitAsync(client, "account/login?ReturnUrl=%2Faudit", new Dictionary<string, string> { ["Input.Email"] = Email, ["Input.Password"] = PortalSession.Password }))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
            Assert.Contains("/account/login-code?ReturnUrl=%2Faudit", password.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        // The right password alone is no session.
        using (var notYet = await client.GetAsync("audit"))
        {
            Assert.Equal(HttpStatusCode.Redirect, notYet.StatusCode);
            Assert.Contains("/account/login", notYet.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInCodeRequired}"));

        var secret = TestAuthenticator.Secret(portal.BaseAddress, Email);
        var wrong = Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow) + 10);
        using (var refused = await FormPost.SubmitAsync(client, "account/login-code?ReturnUrl=%2Faudit", new Dictionary<string, string> { ["Input.Code"] = wrong }))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("That code is wrong or already used", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignInCodeFailed}"));

        var code = await TestAuthenticator.NextCodeAsync(portal.BaseAddress, Email);
        using (var right = await FormPost.SubmitAsync(client, "account/login-code?ReturnUrl=%2Faudit", new Dictionary<string, string> { ["Input.Code"] = code }))
        {
            Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
            Assert.EndsWith("/audit", right.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        using (var audit = await client.GetAsync("audit"))
        {
            Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        }
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents e JOIN AuditPayloads p ON p.EventId = e.Id WHERE e.Code = {(int)AuditEventCode.SignInSucceeded} AND p.Detail LIKE '%authenticator code%'"));

        // Someone who saw that code (and knows the password) cannot use it again.
        using var other = portal.CreateClient();
        (await FormPost.SubmitAsync(other, "account/login", new Dictionary<string, string> { ["Input.Email"] = Email, ["Input.Password"] = PortalSession.Password })).Dispose();
        using (var replay = await FormPost.SubmitAsync(other, "account/login-code", new Dictionary<string, string> { ["Input.Code"] = code }))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Contains("That code is wrong or already used", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var stillOut = await other.GetAsync("audit"))
        {
            Assert.Equal(HttpStatusCode.Redirect, stillOut.StatusCode);
        }
    }

    [Fact]
    public async Task SignIn_RecoveryCode_WorksOnce()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, Email);
        using (var first = portal.CreateClient())
        {
            (await PortalSession.SignInAsync(first, Email)).Dispose();
        }
        var recovery = TestAuthenticator.RecoveryCodes(portal.BaseAddress, Email)[0];

        using var client = portal.CreateClient();
        (await FormPost.SubmitAsync(client, "account/login", new Dictionary<string, string> { ["Input.Email"] = Email, ["Input.Password"] = PortalSession.Password })).Dispose();
        using (var used = await FormPost.SubmitAsync(client, "account/login-code", new Dictionary<string, string> { ["Input.Code"] = recovery.ToUpperInvariant() }))
        {
            Assert.Equal(HttpStatusCode.Redirect, used.StatusCode);
        }
        using (var settings = await client.GetAsync("settings"))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }
        Assert.Equal(9, portal.Scalar("SELECT COUNT(*) FROM AspNetUserTokens WHERE Name LIKE 'RecoveryCode.%'"));
        Assert.Equal(0, portal.Scalar($"SELECT COUNT(*) FROM AspNetUserTokens WHERE Value LIKE '%{recovery}%'"));

        using var again = portal.CreateClient();
        (await FormPost.SubmitAsync(again, "account/login", new Dictionary<string, string> { ["Input.Email"] = Email, ["Input.Password"] = PortalSession.Password })).Dispose();
        using (var refused = await FormPost.SubmitAsync(again, "account/login-code", new Dictionary<string, string> { ["Input.Code"] = recovery }))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("That code is wrong or already used", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ResetMfa_FromTheTerminal_EndsTheSessionAndTheAdminSetsUpAgain()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, Email);
        using var client = portal.CreateClient();
        (await PortalSession.SignInAsync(client, Email)).Dispose();
        using (var before = await client.GetAsync("settings"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var (code, output, error) = await MoteCli.RunAsync("", "users", "reset-mfa", "--email", Email, "--db", portal.DatabasePath);

        Assert.True(code == 0, error);
        Assert.Contains($"Reset two-factor sign-in of {Email}", output, StringComparison.Ordinal);
        using (var after = await client.GetAsync("settings"))
        {
            Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
            Assert.Contains("/account/login", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.MfaReset} AND ActorId LIKE 'terminal:%'"));
        Assert.Equal(0, portal.Scalar("SELECT COUNT(*) FROM AspNetUserTokens WHERE LoginProvider = 'Mote'"));

        // The password alone signs in again, straight into a new set-up.
        using var fresh = portal.CreateClient();
        using (var password = await FormPost.SubmitAsync(fresh, "account/login", new Dictionary<string, string> { ["Input.Email"] = Email, ["Input.Password"] = PortalSession.Password }))
        {
            Assert.DoesNotContain("login-code", password.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        using (var gated = await fresh.GetAsync("settings"))
        {
            Assert.StartsWith("/account/mfa", gated.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
    }
}
