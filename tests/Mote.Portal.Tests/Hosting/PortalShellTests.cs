using System.Net;
using System.Text.Json;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>The shell against the real portal process on a temporary SQLite file.</summary>
public sealed class PortalShellTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalProcess Portal => fixture.Portal;

    [Fact]
    public async Task Healthz_DatabaseReachable_Returns200()
    {
        using var client = Portal.CreateClient();

        using var response = await client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Root_Anonymous_RedirectsToSignInPage()
    {
        using var client = Portal.CreateClient();

        using var response = await client.GetAsync("");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location!.AbsolutePath);
        using var signIn = await client.GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var html = await signIn.Content.ReadAsStringAsync();
        Assert.Contains("name=\"Input.Password\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gallery")]
    [InlineData("settings")]
    [InlineData("audit")]
    public async Task ProductPages_Anonymous_RedirectToSignIn(string page)
    {
        using var client = Portal.CreateClient();

        using var response = await client.GetAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticFile_InRootWwwroot_ServedAnonymously()
    {
        using var client = Portal.CreateClient();
        var onDisk = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Root, "wwwroot", "css", "portal.css"));

        using var response = await client.GetAsync("css/portal.css");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(onDisk, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("_framework/blazor.web.js")]
    public async Task FrameworkAssets_NotDevelopmentEnvironment_Served(string path)
    {
        using var client = Portal.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Configuration_FromRootAppsettings_IsLoaded()
    {
        // The product name has no built-in default: the page can only show it if the root appsettings.json was read.
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "appsettings.json")));
        var name = json.RootElement.GetProperty("Mote").GetProperty("Portal").GetProperty("Name").GetString()!;
        var tagline = json.RootElement.GetProperty("Mote").GetProperty("Portal").GetProperty("Tagline").GetString()!;
        using var client = Portal.CreateClient();

        var html = await client.GetStringAsync("account/login");

        Assert.Contains($"<title>Sign in · {name}</title>", html, StringComparison.Ordinal);
        Assert.Contains(tagline, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Database_CreatedByMigrations_UnderConfiguredPath()
    {
        Assert.True(File.Exists(Portal.DatabasePath));
        Assert.True(Portal.Scalar("SELECT COUNT(*) FROM __EFMigrationsHistory") >= 1);
        Assert.Equal(3, Portal.Scalar("SELECT COUNT(*) FROM AspNetRoles"));
        using var client = Portal.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);
    }
}
