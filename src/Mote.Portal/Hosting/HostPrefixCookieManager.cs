using Microsoft.AspNetCore.Authentication.Cookies;

namespace Mote.Portal.Hosting;

/// <summary>
/// Names the session cookie <c>__Host-&lt;name&gt;</c> and marks it <c>Secure</c> whenever the request came over
/// HTTPS (the browser then refuses the cookie from any other origin, sub-domain or plain-HTTP page, OWASP ASVS 5.0
/// 3.3.1); over plain HTTP (a loopback test, a lab) the name stays as configured, because a browser drops a
/// <c>__Host-</c> cookie that is not <c>Secure</c>. Reads the same name it writes, so a cookie set over one scheme is
/// not accepted over the other. Chunking as the framework's default manager.
/// </summary>
internal sealed class HostPrefixCookieManager : ICookieManager
{
    public const string Prefix = "__Host-";

    private readonly ChunkingCookieManager _inner = new();

    public string? GetRequestCookie(HttpContext context, string key) => _inner.GetRequestCookie(context, Name(context, key));

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _inner.AppendResponseCookie(context, Name(context, key), value, Harden(context, options));
    }

    public void DeleteCookie(HttpContext context, string key, CookieOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _inner.DeleteCookie(context, Name(context, key), Harden(context, options));
    }

    private static string Name(HttpContext context, string key) => context.Request.IsHttps ? Prefix + key : key;

    /// <summary><c>__Host-</c> requires Secure, Path=/ and no Domain.</summary>
    private static CookieOptions Harden(HttpContext context, CookieOptions options) =>
        context.Request.IsHttps ? new CookieOptions(options) { Secure = true, Path = "/", Domain = null } : options;
}
