using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Mote.Reliability;

/// <summary>One REST call as the harness saw it: which operation, the HTTP status (0: no answer), how long it took.</summary>
public sealed record CallResult(string Operation, int Status, double Milliseconds, string? Body)
{
    /// <summary>
    /// The decisions the portal says it stored for this call: one for an answered verification; one per decided face for an
    /// answered identification (API 1.3 decides every usable face of a photo, each with its own decision id); none otherwise.
    /// </summary>
    public int Decisions => (Operation, Status) switch
    {
        ("verify", 200) => 1,
        ("identify", 200) => DecidedFaces(Body),
        _ => 0,
    };

    private static int DecidedFaces(string? body)
    {
        using var json = JsonDocument.Parse(body ?? throw new InvalidOperationException("An answered identification has no body."));
        return json.RootElement.GetProperty("faces").EnumerateArray()
            .Count(f => f.TryGetProperty("decisionId", out var id) && id.ValueKind == JsonValueKind.String);
    }
}

/// <summary>A REST client of <c>/api/v1</c> with one API key (all scopes), as a door controller or kiosk would call it.</summary>
public sealed class ApiClient(Uri baseAddress, string key) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromMinutes(5),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };

    public Task<CallResult> EnrollAsync(string name, byte[] photo, int faceIndex, CancellationToken ct = default) =>
        SendAsync("enroll", () => new HttpRequestMessage(HttpMethod.Post, "api/v1/people")
        {
            Content = Form(photo, ("name", name), ("faceIndex", faceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("seed", "7")),
        }, ct);

    public Task<CallResult> VerifyAsync(string personId, byte[] photo, CancellationToken ct = default) =>
        SendAsync("verify", () => new HttpRequestMessage(HttpMethod.Post, "api/v1/verify") { Content = Form(photo, ("personId", personId)) }, ct);

    public Task<CallResult> IdentifyAsync(byte[] photo, CancellationToken ct = default) =>
        SendAsync("identify", () => new HttpRequestMessage(HttpMethod.Post, "api/v1/identify") { Content = Form(photo) }, ct);

    public Task<CallResult> EraseAsync(string personId, CancellationToken ct = default) =>
        SendAsync("erase", () => new HttpRequestMessage(HttpMethod.Delete, $"api/v1/people/{Uri.EscapeDataString(personId)}"), ct);

    /// <summary>The id in an enrollment's 201 body.</summary>
    public static string PersonId(CallResult enrolled)
    {
        using var json = JsonDocument.Parse(enrolled.Body ?? throw new InvalidOperationException("No body."));
        return json.RootElement.GetProperty("person").GetProperty("id").GetString()!;
    }

    /// <summary>"accept" or "reject" from a verification's 200 body.</summary>
    public static string Decision(CallResult verified)
    {
        using var json = JsonDocument.Parse(verified.Body ?? throw new InvalidOperationException("No body."));
        return json.RootElement.GetProperty("decision").GetString()!;
    }

    public void Dispose() => _http.Dispose();

    private async Task<CallResult> SendAsync(string operation, Func<HttpRequestMessage> request, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var message = request();
            using var response = await _http.SendAsync(message, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return new CallResult(operation, (int)response.StatusCode, clock.Elapsed.TotalMilliseconds, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
        {
            // No answer: the connection was refused or dropped (the portal was killed), or the client timed out.
            return new CallResult(operation, 0, clock.Elapsed.TotalMilliseconds, e.Message);
        }
    }

    private static MultipartFormDataContent Form(byte[]? image, params (string Name, string Value)[] fields)
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
