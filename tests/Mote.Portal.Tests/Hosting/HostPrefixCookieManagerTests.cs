using Microsoft.AspNetCore.Http;
using Mote.Portal.Hosting;

namespace Mote.Portal.Tests.Hosting;

/// <summary>Issue 14 item 2: over HTTPS the session cookie is <c>__Host-</c> prefixed and Secure.</summary>
public sealed class HostPrefixCookieManagerTests
{
    [Fact]
    public void AppendResponseCookie_OverHttps_HostPrefixSecureRootPath()
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";

        new HostPrefixCookieManager().AppendResponseCookie(context, "mote.auth", "v", new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/app", Domain = "example.org" });

        var header = context.Response.Headers.SetCookie.ToString();
        Assert.StartsWith("__Host-mote.auth=v", header, StringComparison.Ordinal);
        Assert.Contains("secure", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/;", header + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain", header, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void GetRequestCookie_OverHttps_ReadsOnlyThePrefixedName()
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";
        context.Request.Headers.Cookie = "mote.auth=plain; __Host-mote.auth=prefixed";

        Assert.Equal("prefixed", new HostPrefixCookieManager().GetRequestCookie(context, "mote.auth"));
    }

    [Fact]
    public void AppendResponseCookie_OverHttp_KeepsTheName()
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";

        new HostPrefixCookieManager().AppendResponseCookie(context, "mote.auth", "v", new CookieOptions { HttpOnly = true });

        Assert.StartsWith("mote.auth=v", context.Response.Headers.SetCookie.ToString(), StringComparison.Ordinal);
    }
}
