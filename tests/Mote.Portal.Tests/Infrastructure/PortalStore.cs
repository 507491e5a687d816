using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Hosting;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// "Another session" against a running portal: the Gallery's own services on the portal's database file and secrets,
/// as `mote` at the server's terminal would use them, for changes the open portal sessions must notice.
/// </summary>
public sealed class PortalStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public PortalStore(PortalProcess portal)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{GalleryOptions.Section}:DatabasePath"] = portal.DatabasePath,
                [$"{SecretsOptions.Section}:Directory"] = portal.SecretsDirectory,
                [TestEnvironment.BackboneKey] = TestEnvironment.Backbone,
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMoteGallery(configuration, Path.GetDirectoryName(portal.DatabasePath)!);
        _services = services.BuildServiceProvider();
    }

    /// <summary>Runs <paramref name="action"/> with <typeparamref name="T"/> from a fresh scope.</summary>
    public async Task<TResult> RunAsync<T, TResult>(Func<T, Task<TResult>> action) where T : notnull
    {
        var scope = _services.CreateAsyncScope();
        await using (scope)
        {
            return await action(scope.ServiceProvider.GetRequiredService<T>());
        }
    }

    public async Task RunAsync<T>(Func<T, Task> action) where T : notnull =>
        await RunAsync<T, bool>(async t => { await action(t); return true; });

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}

/// <summary>Sign-in and sign-out over plain HTTP, the way the browser's forms do it.</summary>
public static partial class PortalSession
{
    public const string Password = "correct horse battery";

    /// <summary>Creates the first Admin through the setup link.</summary>
    public static async Task CreateFirstAdminAsync(PortalProcess portal, string email)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var link = await portal.WaitForSetupLinkAsync();
        using var client = portal.CreateClient();
        using var response = await FormPost.SubmitAsync(client, link.PathAndQuery, new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>
    /// Signs in the way a person does, two-factor sign-in included (ADR 0013), and returns the response that ends
    /// sign-in (a redirect to <paramref name="returnUrl"/> on success, the form page again on a refusal): the password
    /// form; then, for an account with an authenticator, a code from <see cref="TestAuthenticator"/>; an Admin who
    /// has none yet is sent to /account/mfa by the portal and sets one up here, as the first sign-in requires.
    /// </summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password = Password, string? returnUrl = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var login = returnUrl is null ? "account/login" : $"account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        var response = await FormPost.SubmitAsync(client, login, new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location is not { } location)
        {
            return response;
        }
        var target = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
        if (target.Contains("account/login-code", StringComparison.Ordinal))
        {
            response.Dispose();
            Assert.True(TestAuthenticator.Knows(client.BaseAddress!, email), $"{email} has two-factor sign-in on, but this test never saw its secret.");
            return await FormPost.SubmitAsync(client, target.TrimStart('/'), new Dictionary<string, string> { ["Input.Code"] = await TestAuthenticator.NextCodeAsync(client.BaseAddress!, email) });
        }
        if (target.Contains("/account/login", StringComparison.Ordinal))
        {
            return response;
        }
        // Signed in: follow the redirect as a browser would; an Admin without an authenticator is sent to set one up.
        using var next = await client.GetAsync(target.TrimStart('/'));
        if (next.StatusCode == HttpStatusCode.Redirect && next.Headers.Location?.OriginalString.Contains("/account/mfa", StringComparison.Ordinal) == true)
        {
            await TestAuthenticator.SetUpAsync(client, email);
        }
        return response;
    }

    /// <summary>The antiforgery token of a page's form, for a POST that is not a page (sign-out).</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var html = await client.GetStringAsync("account/login");
        return WebUtility.HtmlDecode(Token().Match(html).Groups["value"].Value);
    }

    /// <summary>A client whose connections leave from <paramref name="localAddress"/> (another 127.x.y.z), i.e. another client address.</summary>
    public static HttpClient ClientFrom(PortalProcess portal, IPAddress localAddress, CookieContainer? cookies = null)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = cookies ?? new CookieContainer(),
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex Token();
}
