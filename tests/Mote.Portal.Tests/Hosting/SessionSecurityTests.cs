using System.Net;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>Issue 14 item 2: a session ends on the server, at sign-out and at its idle and absolute limits (real portal process).</summary>
public sealed class SessionSecurityTests
{
    [Fact]
    public async Task SignOut_CopiedCookie_NoLongerOpensTheAuditTrail()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        var cookies = new CookieContainer();
        using var browser = portal.CreateClient(cookies);
        (await PortalSession.SignInAsync(browser, "ada@example.org")).Dispose();
        // An attacker's copy of the session cookie.
        var copy = new CookieContainer();
        foreach (Cookie cookie in cookies.GetAllCookies())
        {
            copy.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }
        using var attacker = portal.CreateClient(copy);
        using (var before = await attacker.GetAsync("audit"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var token = await PortalSession.AntiforgeryTokenAsync(browser);
        using var signOut = await browser.PostAsync("account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        using var after = await attacker.GetAsync("audit");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/account/login", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(1, portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.SignedOut}"));
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_IsACleanBadRequest()
    {
        await using var portal = await PortalProcess.StartAsync();
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        using var client = portal.CreateClient();
        (await PortalSession.SignInAsync(client, "ada@example.org")).Dispose();

        using var response = await client.PostAsync("account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("sign out again", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(portal.Log, line => line.Contains("Exception", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal));
        // Not signed out by a forged request.
        using var still = await client.GetAsync("audit");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task Session_PastItsAbsoluteLifetime_EndsThoughActive()
    {
        await using var portal = await PortalProcess.StartAsync("--Mote:Portal:SessionAbsoluteLifetime=00:00:08");
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        using var client = portal.CreateClient();
        (await PortalSession.SignInAsync(client, "ada@example.org")).Dispose();

        // Active all along: a request every two seconds keeps the idle limit from ending it.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        do
        {
            using var response = await client.GetAsync("audit");
            status = response.StatusCode;
            await Task.Delay(2000);
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Redirect, status);
    }

    [Fact]
    public async Task Session_IdleLongerThanItsLimit_Ends()
    {
        await using var portal = await PortalProcess.StartAsync("--Mote:Portal:SessionIdleTimeout=00:00:05");
        await PortalSession.CreateFirstAdminAsync(portal, "ada@example.org");
        using var client = portal.CreateClient();
        (await PortalSession.SignInAsync(client, "ada@example.org")).Dispose();
        using (var active = await client.GetAsync("audit"))
        {
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        }

        await Task.Delay(7000);

        using var idle = await client.GetAsync("audit");
        Assert.Equal(HttpStatusCode.Redirect, idle.StatusCode);
    }
}
