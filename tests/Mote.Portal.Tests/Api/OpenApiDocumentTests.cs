using System.Net;
using System.Text.Json;

namespace Mote.Portal.Tests.Api;

/// <summary>The OpenAPI document served at /api/v1/openapi.json.</summary>
[Collection(ApiPortalCollection.Name)]
public sealed class OpenApiDocumentTests(ApiPortal api)
{
    [Fact]
    public async Task OpenApi_Anonymous_ListsEveryEndpointWithSummaryResponsesAndKeySchemes()
    {
        using var client = api.Client();

        using var response = await client.GetAsync("api/v1/openapi.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = root.GetProperty("paths");
        var expected = new (string Path, string Method, string Success)[]
        {
            ("/api/v1/verify", "post", "200"),
            ("/api/v1/identify", "post", "200"),
            ("/api/v1/people", "get", "200"),
            ("/api/v1/people", "post", "201"),
            ("/api/v1/people/{id}", "get", "200"),
            ("/api/v1/people/{id}", "patch", "200"),
            ("/api/v1/people/{id}", "delete", "204"),
            ("/api/v1/people/batch", "post", "200"),
        };
        foreach (var (path, method, success) in expected)
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{method} {path} has no summary");
            var responses = operation.GetProperty("responses");
            foreach (var status in new[] { success, "401", "403", "429" })
            {
                Assert.True(responses.TryGetProperty(status, out _), $"{method} {path} does not describe {status}");
            }
        }
        Assert.Equal(5, paths.EnumerateObject().Count());
        Assert.True(paths.GetProperty("/api/v1/people/batch").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        Assert.True(paths.GetProperty("/api/v1/verify").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        Assert.True(paths.GetProperty("/api/v1/people/{id}").GetProperty("patch").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.Equal(Mote.Portal.Api.MoteApi.ApiVersion, root.GetProperty("info").GetProperty("version").GetString());
        var person = root.GetProperty("components").GetProperty("schemas").GetProperty("PersonResponse").GetProperty("properties");
        foreach (var field in new[] { "attributesEstimated", "genderEstimated", "ethnicityEstimated", "ageBandEstimated", "externalId" })
        {
            Assert.True(person.TryGetProperty(field, out _), $"PersonResponse has no {field}");
        }
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("apiKeyHeader").GetProperty("name").GetString());
    }
}
