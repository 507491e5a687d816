using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>One real portal process serving HTTPS and plain HTTP, as the product's defaults do.</summary>
public sealed class HttpsPortalFixture : IAsyncLifetime
{
    public PortalProcess Portal { get; private set; } = null!;

    public async Task InitializeAsync() => Portal = await PortalProcess.StartAsync(new PortalStart(Https: true));

    public async Task DisposeAsync() => await Portal.DisposeAsync();
}

/// <summary>
/// Issue 14 item 5 against the real portal process: HTTPS with a generated (or configured) certificate, HTTP
/// redirected, HSTS, forwarded headers only from configured proxies, and the security headers on every response.
/// Before: plain HTTP only, and the one header was Blazor's <c>frame-ancestors 'self'</c> on its pages.
/// </summary>
public sealed class TransportSecurityTests(HttpsPortalFixture fixture) : IClassFixture<HttpsPortalFixture>
{
    private const string HostName = "portal.example.org";

    private PortalProcess Portal => fixture.Portal;

    [Theory]
    [InlineData("GET", "account/login?ReturnUrl=%2Faudit")]
    [InlineData("GET", "healthz")]
    [InlineData("POST", "api/v1/verify")]
    public async Task PlainHttp_WhileHttpsIsServed_Redirects307ToTheSameHttpsAddress(string method, string path)
    {
        using var client = PlainHttpClient(Portal);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        // 307 (not 302): a POST stays a POST with its body after the redirect.
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri(Portal.BaseAddress, path), response.Headers.Location);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS over plain HTTP means nothing and must not be sent.");
    }

    [Fact]
    public async Task Https_ForAHostName_SendsHsts_ForLoopbackNot()
    {
        using var client = Portal.CreateClient();
        using var named = new HttpRequestMessage(HttpMethod.Get, "healthz");
        named.Headers.Host = HostName;

        using var forName = await client.SendAsync(named);
        using var forLoopback = await client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, forName.StatusCode);
        // A year, this host name only (other services of the organisation may live on its sub-domains), no preload.
        Assert.Equal("max-age=31536000", Assert.Single(forName.Headers.GetValues("Strict-Transport-Security")));
        Assert.Equal(HttpStatusCode.OK, forLoopback.StatusCode);
        Assert.False(forLoopback.Headers.Contains("Strict-Transport-Security"), "HSTS for 127.0.0.1 would pin every local site of the developer to HTTPS.");
    }

    [Theory]
    [InlineData("account/login", HttpStatusCode.OK)]
    [InlineData("", HttpStatusCode.Redirect)]
    [InlineData("css/portal.css", HttpStatusCode.OK)]
    [InlineData("favicon.svg", HttpStatusCode.OK)]
    [InlineData("_framework/blazor.web.js", HttpStatusCode.OK)]
    [InlineData("_content/MudBlazor/MudBlazor.min.js", HttpStatusCode.OK)]
    [InlineData("healthz", HttpStatusCode.OK)]
    [InlineData("api/v1/openapi.json", HttpStatusCode.OK)]
    [InlineData("api/v1/people", HttpStatusCode.Unauthorized)]
    [InlineData("no-such-page", HttpStatusCode.Redirect)]
    [InlineData("api/v1/no-such-resource", HttpStatusCode.NotFound)]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path, HttpStatusCode status)
    {
        using var client = Portal.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Redirect_FromPlainHttp_CarriesTheSecurityHeadersToo()
    {
        using var client = PlainHttpClient(Portal);

        using var response = await client.GetAsync("account/login");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task ForwardedHeaders_WithoutAConfiguredProxy_AreIgnored()
    {
        using var client = PlainHttpClient(Portal);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await client.GetAsync("healthz");
        using var https = await FollowToHttpsAsync(client);
        using var signIn = await PortalSession.SignInAsync(https, "nobody@example.org", "wrong password here");

        // Anyone can send these headers: believed by default, they would skip the redirect and fake the client
        // address that sign-in throttling counts failures by.
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Equal(0, Portal.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE ActorName = 'anonymous@203.0.113.7'"));
        Assert.True(Portal.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE ActorName = 'anonymous@127.0.0.1'") >= 1);
    }

    [Fact]
    public async Task ForwardedHeaders_FromAConfiguredProxy_GiveTheSchemeAndTheClientAddress()
    {
        await using var portal = await PortalProcess.StartAsync(new PortalStart(Https: true), "--Mote:Transport:KnownProxies:0=127.0.0.1");
        using var proxy = PlainHttpClient(portal);
        using var request = new HttpRequestMessage(HttpMethod.Get, "healthz");
        request.Headers.Host = HostName;
        request.Headers.Add("X-Forwarded-Proto", "https");

        // The proxy terminated TLS: the request counts as HTTPS (no redirect, HSTS for the public host name).
        using var response = await proxy.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));

        // The client address is the one the proxy forwarded: what sign-in throttling and the audit trail see.
        using var forwarded = PlainHttpClient(portal);
        forwarded.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        using (var redirected = await forwarded.GetAsync("account/login"))
        {
            // Without X-Forwarded-Proto the proxy claims plain HTTP: still redirected.
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        }
        using var viaHttps = portal.CreateClient();
        viaHttps.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        using var refused = await PortalSession.SignInAsync(viaHttps, "nobody@example.org", "wrong password here");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(1, portal.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE ActorName = 'anonymous@203.0.113.7'"));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // file modes
    public async Task SelfSignedCertificate_FirstStart_IsGeneratedOwnerOnlyAndServed_LaterStartsReuseIt()
    {
        var folder = Directory.CreateTempSubdirectory("mote-https-test-").FullName;
        try
        {
            var https = Path.Combine(folder, "secrets", "https");
            var certificatePath = Path.Combine(https, "certificate.pem");
            var keyPath = Path.Combine(https, "key.pem");
            string first;
            byte[] firstFile;
            await using (var portal = await PortalProcess.StartAsync(new PortalStart(Https: true, Folder: folder)))
            {
                using var client = portal.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);

                using var onDisk = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
                first = onDisk.GetCertHashString(HashAlgorithmName.SHA256);
                firstFile = await File.ReadAllBytesAsync(certificatePath);
                Assert.Equal(first, portal.LastServerCertificate);
                Assert.True(onDisk.HasPrivateKey);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(https));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(certificatePath));
                Assert.Empty(Directory.GetFiles(https, "*.tmp"));

                // A server certificate for the addresses the portal answers on by default, no CA, at most 397 days.
                var names = onDisk.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
                Assert.Contains("localhost", names.EnumerateDnsNames());
                Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
                Assert.Contains(IPAddress.IPv6Loopback, names.EnumerateIPAddresses());
                Assert.False(onDisk.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
                Assert.Contains(onDisk.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
                Assert.InRange((onDisk.NotAfter - onDisk.NotBefore).TotalDays, 390, 397.01);
                Assert.Contains(portal.Log, l => l.Contains("self-signed certificate generated now", StringComparison.Ordinal) && l.Contains(first, StringComparison.Ordinal));
            }

            await using (var again = await PortalProcess.StartAsync(new PortalStart(Https: true, Folder: folder)))
            {
                using var client = again.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);

                Assert.Equal(first, again.LastServerCertificate);
                Assert.Equal(firstFile, await File.ReadAllBytesAsync(certificatePath));
                Assert.DoesNotContain(again.Log, l => l.Contains("generated now", StringComparison.Ordinal));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ConfiguredCertificate_IsServed_AndNoneIsGenerated()
    {
        var folder = Directory.CreateTempSubdirectory("mote-https-test-").FullName;
        try
        {
            var (certificatePath, keyPath, fingerprint) = await OwnCertificateAsync(Path.Combine(folder, "own"));

            await using (var portal = await PortalProcess.StartAsync(
                new PortalStart(Https: true, Folder: folder),
                $"--Kestrel:Certificates:Default:Path={certificatePath}",
                $"--Kestrel:Certificates:Default:KeyPath={keyPath}"))
            {
                using var client = portal.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);

                Assert.Equal(fingerprint, portal.LastServerCertificate);
                Assert.False(Directory.Exists(Path.Combine(portal.SecretsDirectory, "https")), "A configured certificate must not leave a generated one behind.");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task PlainHttpOnly_AsConfiguredForTheOtherTests_GeneratesNoCertificateAndDoesNotRedirect()
    {
        await using var portal = await PortalProcess.StartAsync();
        using var client = portal.CreateClient();

        using var response = await client.GetAsync("account/login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.False(Directory.Exists(Path.Combine(portal.SecretsDirectory, "https")));
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        // One policy (Blazor's own frame-ancestors header replaced, not added beside it).
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);
        Assert.Equal("'self'", directives["default-src"]);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'self'", directives["connect-src"]);
        Assert.Equal("'none'", directives["object-src"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'self'", directives["base-uri"]);
        Assert.Equal("'self'", directives["form-action"]);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        // Inline styles only (MudBlazor's theme and positioning; decision 0012); never inline script.
        Assert.Equal(["style-src"], directives.Where(d => d.Value.Contains("'unsafe-inline'", StringComparison.Ordinal)).Select(d => d.Key));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    /// <summary>A client of the portal's plain-HTTP address that does not follow redirects.</summary>
    private static HttpClient PlainHttpClient(PortalProcess portal) =>
        new(portal.CreateHandler()) { BaseAddress = portal.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The HTTPS client the redirect points at, with the same forwarded headers.</summary>
    private async Task<HttpClient> FollowToHttpsAsync(HttpClient plain)
    {
        using var redirect = await plain.GetAsync("account/login");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        var client = Portal.CreateClient();
        foreach (var header in plain.DefaultRequestHeaders)
        {
            client.DefaultRequestHeaders.Add(header.Key, header.Value);
        }
        return client;
    }

    /// <summary>An operator's own certificate (as from their CA), PEM certificate and key files.</summary>
    private static async Task<(string Certificate, string Key, string Fingerprint)> OwnCertificateAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={HostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(HostName);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        var certificatePath = Path.Combine(directory, "portal.crt");
        var keyPath = Path.Combine(directory, "portal.key");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }
}
