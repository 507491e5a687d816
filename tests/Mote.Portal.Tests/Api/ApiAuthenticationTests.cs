using System.Globalization;
using System.Net;
using Mote.Cli.Tests;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>Who may call the API: keys (bearer or header), never cookies; scopes; revoked and expired keys; keys never open pages.</summary>
[Collection(ApiPortalCollection.Name)]
public sealed class ApiAuthenticationTests(ApiPortal api)
{
    [Fact]
    public async Task People_NoKey_401ProblemWithBearerChallenge()
    {
        using var client = api.Client();

        using var response = await client.GetAsync("api/v1/people");

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Send an API key");
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mote_aaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    [InlineData("not-a-key")]
    public async Task People_UnknownOrMalformedKey_401Problem(string key)
    {
        using var client = api.Client(key);

        using var response = await client.GetAsync("api/v1/people");

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not valid");
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task People_RightKeyWrongSecret_401Problem()
    {
        var key = await api.CreateKeyAsync("manage");
        var forged = key.Key[..^4] + (key.Key.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        using var client = api.Client(forged);

        using var response = await client.GetAsync("api/v1/people");

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "not valid");
    }

    [Fact]
    public async Task People_KeyAsBearerOrHeader_200()
    {
        var key = await api.CreateKeyAsync("manage");
        using var bearer = api.Client(key.Key);
        using var header = api.Client(key.Key, asHeader: true);

        using var viaBearer = await bearer.GetAsync("api/v1/people");
        using var viaHeader = await header.GetAsync("api/v1/people");

        Assert.Equal(HttpStatusCode.OK, viaBearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaHeader.StatusCode);
    }

    [Fact]
    public async Task People_KeyUsed_LastUsedRecordedOnceAndListedByTheCli()
    {
        var key = await api.CreateKeyAsync("manage");
        Assert.Equal(0, api.Portal.Scalar($"SELECT COUNT(*) FROM ApiKeys WHERE Prefix = '{key.Prefix}' AND LastUsedUtc IS NOT NULL"));
        using var client = api.Client(key.Key);

        using var first = await client.GetAsync("api/v1/people");
        var recorded = api.Portal.Scalar($"SELECT LastUsedUtc FROM ApiKeys WHERE Prefix = '{key.Prefix}'");
        using var second = await client.GetAsync("api/v1/people");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var used = new DateTimeOffset(recorded, TimeSpan.Zero);
        Assert.InRange(used, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        // The second request, within the minute, did not write again.
        Assert.Equal(recorded, api.Portal.Scalar($"SELECT LastUsedUtc FROM ApiKeys WHERE Prefix = '{key.Prefix}'"));
        var (code, list, error) = await MoteCli.RunAsync("", "apikeys", "list", "--db", api.Portal.DatabasePath);
        Assert.True(code == 0, error);
        Assert.Matches($@"{key.Prefix}\s+manage\s+active\s+never\s+{used:yyyy-MM-dd HH:mm}\s", list);
    }

    [Fact]
    public async Task People_KeyRevokedWithCli_WorksThen401()
    {
        var key = await api.CreateKeyAsync("manage");
        using var client = api.Client(key.Key);
        using var before = await client.GetAsync("api/v1/people");

        var (code, _, error) = await MoteCli.RunAsync("", "apikeys", "revoke", key.Prefix, "--db", api.Portal.DatabasePath);
        using var after = await client.GetAsync("api/v1/people");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.True(code == 0, error);
        await ApiPortal.AssertProblemAsync(after, HttpStatusCode.Unauthorized, "revoked or expired");
    }

    [Fact]
    public async Task People_KeyPastItsExpiry_WorksThen401()
    {
        // A key that expires tomorrow; then its expiry is moved to a second ago in the database, as the clock passing it would
        // (no real-time wait: the server's own clock decides against the stored expiry; the use case's clock arithmetic is
        // AuthenticateApiKey_AfterExpiry_Null with a fake TimeProvider).
        var key = await api.CreateKeyAsync("manage", DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        using var client = api.Client(key.Key);
        using var before = await client.GetAsync("api/v1/people");

        var pastTicks = DateTimeOffset.UtcNow.AddSeconds(-1).UtcTicks;
        var moved = api.Portal.Execute($"UPDATE ApiKeys SET ExpiresUtc = {pastTicks} WHERE Prefix = '{key.Prefix}'");
        using var after = await client.GetAsync("api/v1/people");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(1, moved);
        await ApiPortal.AssertProblemAsync(after, HttpStatusCode.Unauthorized, "revoked or expired");
    }

    [Fact]
    public async Task Endpoints_KeyWithoutTheScope_403NamingTheScope_NoAuditEvent()
    {
        var verifyOnly = await api.CreateKeyAsync("verify");
        var manageOnly = await api.CreateKeyAsync("manage");
        using var verifier = api.Client(verifyOnly.Key);
        using var manager = api.Client(manageOnly.Key);
        var photo = await DemoPhotos.ReadAsync("sample1.jpg");
        var events = api.AuditEvents();

        using var list = await verifier.GetAsync("api/v1/people");
        using var enroll = await verifier.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "Scope Less")));
        using var identify = await verifier.PostAsync("api/v1/identify", ApiPortal.Form(photo));
        using var verify = await manager.PostAsync("api/v1/verify", ApiPortal.Form(photo, ("name", "Anyone")));
        using var erase = await verifier.DeleteAsync("api/v1/people/anyone");

        await ApiPortal.AssertProblemAsync(list, HttpStatusCode.Forbidden, "'manage' scope");
        await ApiPortal.AssertProblemAsync(enroll, HttpStatusCode.Forbidden, "'manage' scope");
        await ApiPortal.AssertProblemAsync(identify, HttpStatusCode.Forbidden, "'identify' scope");
        await ApiPortal.AssertProblemAsync(verify, HttpStatusCode.Forbidden, "'verify' scope");
        await ApiPortal.AssertProblemAsync(erase, HttpStatusCode.Forbidden, "'manage' scope");
        Assert.Equal(events, api.AuditEvents());
        Assert.Equal(0, api.Portal.Scalar("SELECT COUNT(*) FROM People WHERE Name = 'Scope Less'"));
    }

    [Fact]
    public async Task Page_WithApiKey_RedirectsToSignInLikeAnyStranger()
    {
        var key = await api.CreateKeyAsync("verify,identify,manage");
        using var client = api.Client(key.Key);

        using var home = await client.GetAsync("");
        using var settings = await client.GetAsync("settings");

        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Contains("/account/login", home.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, settings.StatusCode);
        Assert.Contains("/account/login", settings.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_WithSignedInAdminCookie_401NotRedirect()
    {
        const string password = "correct horse battery";
        var (code, _, error) = await MoteCli.RunAsync(password, "users", "add", "--role", "Admin", "--email", "api-cookie@example.org", "--db", api.Portal.DatabasePath);
        Assert.True(code == 0, error);
        using var browser = api.Client();
        using var signIn = await PortalSession.SignInAsync(browser, "api-cookie@example.org", password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        using var page = await browser.GetAsync("settings");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        using var response = await browser.GetAsync("api/v1/people");

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Send an API key");
    }
}
