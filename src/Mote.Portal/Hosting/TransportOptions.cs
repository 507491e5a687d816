using System.ComponentModel.DataAnnotations;

namespace Mote.Portal.Hosting;

/// <summary>
/// HTTPS and reverse-proxy settings, bound from <c>Mote:Transport</c>. Which addresses are served comes from
/// <c>Urls</c> (default <c>https://localhost:5443;http://localhost:5080</c>); the certificate from
/// <c>Kestrel:Certificates:Default</c>, else a self-signed one in <c>&lt;secrets&gt;/https/</c> (decision 0012).
/// </summary>
public sealed class TransportOptions
{
    public const string Section = "Mote:Transport";

    /// <summary>
    /// The <c>Strict-Transport-Security</c> max-age sent on HTTPS responses to any host but localhost and loopback
    /// addresses. Default 365 days, without <c>includeSubDomains</c>; zero sends no HSTS header. The browser then
    /// uses HTTPS for every port of that host name for this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "730.00:00:00")]
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Addresses of reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed
    /// (e.g. <c>127.0.0.1</c> for a proxy on the same machine). Empty by default: forwarded headers are ignored
    /// unless a proxy or network is named here or in <see cref="KnownNetworks"/>.
    /// </summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks in CIDR notation (e.g. <c>10.0.0.0/24</c>) whose forwarded headers are believed. Empty by default.</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>Whether any proxy is trusted, i.e. whether forwarded headers are read at all.</summary>
    public bool ForwardedHeadersEnabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}
