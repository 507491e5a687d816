using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Mote.Gallery.Hosting;

namespace Mote.Portal.Hosting;

/// <summary>
/// HTTPS by default (decision 0012): the certificate for every HTTPS address, HTTP redirected to HTTPS (307),
/// HSTS, forwarded headers from configured reverse proxies only, and the security headers on every response.
/// </summary>
public static class TransportSecurity
{
    /// <summary>
    /// Registers the options (<c>Mote:Transport</c>), the redirect and HSTS, forwarded headers when a proxy is
    /// configured, and the server certificate: <c>Kestrel:Certificates:Default</c> when configured, else the
    /// self-signed one in <c>&lt;secrets&gt;/https/</c>, created on the first start that serves HTTPS.
    /// </summary>
    public static void AddMoteTransport(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<TransportOptions>().Bind(configuration.GetSection(TransportOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var transport = configuration.GetSection(TransportOptions.Section).Get<TransportOptions>() ?? new TransportOptions();

        // 307 keeps the method and body; the address is the one HTTPS port the server listens on.
        services.AddHttpsRedirection(o => o.RedirectStatusCode = StatusCodes.Status307TemporaryRedirect);
        // Not for sub-domains: other services of the organisation may live there. localhost and loopback are left
        // out by the framework, so a developer's other local sites are not pinned to HTTPS.
        services.AddHsts(o =>
        {
            o.MaxAge = transport.HstsMaxAge;
            o.IncludeSubDomains = false;
            o.Preload = false;
        });
        services.Configure<ForwardedHeadersOptions>(o => TrustConfiguredProxies(o, transport));

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // A configured default certificate must win: HTTPS defaults would take precedence over it.
            if (context.Configuration.GetSection("Kestrel:Certificates:Default").Exists())
            {
                return;
            }
            var secrets = context.Configuration.GetSection(SecretsOptions.Section).Get<SecretsOptions>() ?? new SecretsOptions();
            var directory = Path.Combine(secrets.ResolveDirectory(), SelfSignedCertificate.Folder);
            // Created only when an HTTPS address is bound (a plain-HTTP start writes nothing), once per start.
            var certificate = new Lazy<X509Certificate2>(() => SelfSignedCertificate.LoadOrCreate(
                directory,
                kestrel.ApplicationServices.GetRequiredService<TimeProvider>(),
                kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SelfSignedCertificate).FullName!)));
            kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate ??= certificate.Value);
        });
    }

    /// <summary>First in the pipeline: forwarded headers (when a proxy is configured), the security headers, HSTS, the redirect.</summary>
    public static void UseMoteTransport(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var transport = app.Services.GetRequiredService<IOptions<TransportOptions>>().Value;
        if (transport.ForwardedHeadersEnabled)
        {
            // Before everything that reads the scheme or the client address (redirect, HSTS, cookies, sign-in throttling).
            app.UseForwardedHeaders();
        }
        app.UseSecurityHeaders();
        if (transport.HstsMaxAge > TimeSpan.Zero)
        {
            app.UseHsts();
        }
        // Without an HTTPS address (e.g. --urls http://…) this finds no port to send to and lets requests through.
        app.UseHttpsRedirection();
    }

    /// <summary>Believes X-Forwarded-For and X-Forwarded-Proto from the configured proxies and networks only
    /// (the framework's default trusts loopback); one proxy hop.</summary>
    private static void TrustConfiguredProxies(ForwardedHeadersOptions options, TransportOptions transport)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in transport.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"{TransportOptions.Section}:KnownProxies: '{proxy}' is not an IP address."));
        }
        foreach (var network in transport.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{TransportOptions.Section}:KnownNetworks: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/24)."));
        }
    }
}
