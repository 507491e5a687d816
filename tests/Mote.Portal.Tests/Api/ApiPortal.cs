using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mote.Cli.Tests;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>
/// One real portal process for the API tests (its own SQLite file; the provisioned model cache), sharing
/// this test assembly's secrets folder so that keys made with the real <c>mote apikeys create</c> in this
/// process hash the same way the server checks them. The rate limit is lowered to <see cref="PermitLimit"/>
/// requests per 10 minutes per key; each test makes its own keys, so the limits of one never touch another.
/// </summary>
public sealed class ApiPortal : IAsyncLifetime
{
    public const int PermitLimit = 20;

    public PortalProcess Portal { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Portal = await PortalProcess.StartAsync(
            $"--Mote:Secrets:Directory={Environment.GetEnvironmentVariable("MOTE_SECRETS_DIR")}",
            $"--Mote:Models:CacheDir={DemoPhotos.ModelCache}",
            $"--Mote:Api:RateLimit:PermitLimit={PermitLimit}",
            "--Mote:Api:RateLimit:WindowSeconds=600",
            // Every estimate is stored, as before the measured cutoffs (issue 16): the API tests check how estimates are marked on a
            // demo photo whose confidences they do not control; the cutoffs themselves are tested in EnrollmentAttributeConfidenceTests.
            "--Mote:Attributes:MinimumConfidence:Gender=0",
            "--Mote:Attributes:MinimumConfidence:Ethnicity=0",
            "--Mote:Attributes:MinimumConfidence:AgeBand=0");
    }

    /// <summary>Creates a key with the real CLI (<c>mote apikeys create --scope … [--expires …]</c>) on the portal's database.</summary>
    public async Task<ApiKeyForTest> CreateKeyAsync(string scopes, string? expires = null)
    {
        string[] args = ["apikeys", "create", "--scope", scopes, "--name", $"test {scopes}", "--db", Portal.DatabasePath];
        var (code, output, error) = await MoteCli.RunAsync("", expires is null ? args : [.. args, "--expires", expires]);
        Assert.True(code == 0, error);
        var key = output.Trim();
        return new ApiKeyForTest(key, key.Split('_')[1]);
    }

    /// <summary>A client that sends <paramref name="key"/> (if any) as a bearer token; generous timeout for enrollment on a loaded machine.</summary>
    public HttpClient Client(string? key = null, bool asHeader = false)
    {
        var client = Portal.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        if (key is not null)
        {
            if (asHeader)
            {
                client.DefaultRequestHeaders.Add("X-Api-Key", key);
            }
            else
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }
        return client;
    }

    public long AuditEvents() => Portal.Scalar("SELECT COUNT(*) FROM AuditEvents");

    /// <summary>Audit events with <paramref name="code"/> written by the API key with this prefix (actor kind 5 = API key).</summary>
    public long AuditEventsBy(ApiKeyForTest key, Gallery.Audit.AuditEventCode code) => Portal.Scalar(
        $"SELECT COUNT(*) FROM AuditEvents e JOIN ApiKeys k ON e.ActorId = 'apikey:' || k.Id WHERE k.Prefix = '{key.Prefix}' AND e.Code = {(int)code} AND e.ActorKind = 5");

    public async Task DisposeAsync() => await Portal.DisposeAsync();

    /// <summary>Asserts an RFC 7807 answer: the status, <c>application/problem+json</c>, and a detail containing <paramref name="detailContains"/>.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement.Clone();
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.Contains(detailContains, root.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // no stack trace
        return root;
    }

    /// <summary>A multipart form with an image field and optional text fields.</summary>
    public static MultipartFormDataContent Form(byte[]? image, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        if (image is not null)
        {
            var file = new ByteArrayContent(image);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(file, "image", "photo.jpg");
        }
        return form;
    }
}

/// <summary>A key as printed by <c>mote apikeys create</c>, with its public prefix.</summary>
public sealed record ApiKeyForTest(string Key, string Prefix);

[CollectionDefinition(Name)]
public sealed class ApiPortalCollection : ICollectionFixture<ApiPortal>
{
    public const string Name = "API portal";
}
