using System.Net;
using System.Text.Json;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>
/// Enroll → verify → identify → erase through the REST API of a real portal process, with the real face
/// pipeline and MOTE training on the face-api demo photos; each mutating call writes exactly one audit event.
/// </summary>
[Collection(ApiPortalCollection.Name)]
public sealed class ApiDecisionFlowTests(ApiPortal api)
{
    [Fact]
    public async Task EnrollVerifyIdentifyErase_RealPhotos_RightDecisionsAndOneAuditEventPerCall()
    {
        var manage = await api.CreateKeyAsync("manage");
        var verify = await api.CreateKeyAsync("verify");
        var identify = await api.CreateKeyAsync("identify");
        using var admin = api.Client(manage.Key);
        using var door = api.Client(verify.Key, asHeader: true);
        using var kiosk = api.Client(identify.Key);
        // sample1.jpg: face 1 (largest first) is the middle person, box about 854,472 173x173, the only one
        // that passes the enrollment check (the others: yaw 32°; roll 41° and yaw 49°). The probe is a new
        // JPEG framing that face alone; the stranger a frontal woman of sample5 (box about 1116,263 180x180).
        var photo = await DemoPhotos.ReadAsync("sample1.jpg");
        var ownProbe = await DemoPhotos.CropAsync("sample1.jpg", 740, 360, 400, 400);
        var stranger = await DemoPhotos.CropAsync("sample5.jpg", 950, 100, 520, 520);

        // Enroll.
        var events = api.AuditEvents();
        using var enrolled = await admin.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "Ada Api"), ("faceIndex", "1"), ("gender", "female"), ("seed", "7")));
        var enrollBody = await enrolled.Content.ReadAsStringAsync();
        Assert.True(enrolled.StatusCode == HttpStatusCode.Created, enrollBody);
        using var enrollJson = JsonDocument.Parse(enrollBody);
        var person = enrollJson.RootElement.GetProperty("person");
        var id = person.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/people/{id}", enrolled.Headers.Location!.OriginalString);
        Assert.Equal("Ada Api", person.GetProperty("name").GetString());
        Assert.Equal("female", person.GetProperty("gender").GetString());
        // Gender declared, ethnicity and age band estimated: marked per attribute (API 1.1); the 1.0 field means "any".
        Assert.False(person.GetProperty("genderEstimated").GetBoolean());
        Assert.True(person.GetProperty("ethnicityEstimated").GetBoolean());
        Assert.True(person.GetProperty("ageBandEstimated").GetBoolean());
        Assert.True(person.GetProperty("attributesEstimated").GetBoolean());
        Assert.Equal("model", person.GetProperty("templateKind").GetString());
        Assert.True(enrollJson.RootElement.GetProperty("training").GetProperty("epochsRun").GetInt32() > 0);
        Assert.Equal(events + 1, api.AuditEvents());
        Assert.Equal(1, api.AuditEventsBy(manage, AuditEventCode.PersonEnrolled));

        // The same name again: refused, nothing written.
        using var twice = await admin.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "ADA API"), ("faceIndex", "1")));
        await ApiPortal.AssertProblemAsync(twice, HttpStatusCode.Conflict, "already enrolled");
        Assert.Equal(events + 1, api.AuditEvents());

        // Read back: list with search, get by id.
        using var list = JsonDocument.Parse(await admin.GetStringAsync("api/v1/people?search=ada%20a&take=10"));
        Assert.Equal(1, list.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(id, list.RootElement.GetProperty("items")[0].GetProperty("id").GetString());
        using var details = JsonDocument.Parse(await admin.GetStringAsync($"api/v1/people/{id}"));
        // The anchored template: the paper's 128→64→16 correction plus one carrier unit per layer for the cosine anchor.
        Assert.Equal("128→129→65→17→3→1", details.RootElement.GetProperty("template").GetProperty("architecture").GetString());
        Assert.Equal(7, details.RootElement.GetProperty("template").GetProperty("seed").GetInt64());

        // Verify 1:1: her own face accepted, a stranger rejected; one decision and one audit event each.
        using var own = await VerifyAsync(door, id, ownProbe);
        using var other = await VerifyAsync(door, id, stranger);
        Assert.Equal("accept", own.RootElement.GetProperty("decision").GetString());
        Assert.True(own.RootElement.GetProperty("score").GetSingle() >= own.RootElement.GetProperty("threshold").GetSingle());
        Assert.Equal("reject", other.RootElement.GetProperty("decision").GetString());
        // API 1.6 (issue 16): one vocabulary for verify and identify, "match" / "no match"; 'decision' stays for 1.5 clients.
        Assert.Equal("match", own.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("no match", other.RootElement.GetProperty("outcome").GetString());
        Assert.True(other.RootElement.GetProperty("score").GetSingle() < other.RootElement.GetProperty("threshold").GetSingle());
        Assert.True(own.RootElement.GetProperty("processingMs").GetDouble() > 0);
        Assert.Equal(events + 3, api.AuditEvents());
        Assert.Equal(2, api.AuditEventsBy(verify, AuditEventCode.ProbeVerified));
        Assert.Equal(1, api.Portal.Scalar($"SELECT COUNT(*) FROM Decisions WHERE Id = '{own.RootElement.GetProperty("decisionId").GetString()}' AND Kind = 'verify' AND Accepted = 1"));

        // Identify 1:N: her face matches her first; the stranger is no match.
        using var found = await IdentifyAsync(kiosk, ownProbe);
        using var nobody = await IdentifyAsync(kiosk, stranger);
        Assert.Equal("match", found.RootElement.GetProperty("decision").GetString());
        Assert.Equal(id, found.RootElement.GetProperty("candidates")[0].GetProperty("personId").GetString());
        Assert.Equal(1, found.RootElement.GetProperty("candidates")[0].GetProperty("rank").GetInt32());
        Assert.Equal("no match", nobody.RootElement.GetProperty("decision").GetString());
        Assert.Equal("match", found.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("no match", nobody.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(0, nobody.RootElement.GetProperty("candidates").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, nobody.RootElement.GetProperty("score").ValueKind);
        Assert.Equal(events + 5, api.AuditEvents());
        Assert.Equal(2, api.AuditEventsBy(identify, AuditEventCode.ProbeIdentified));

        // Erase: gone, one audit event, and 404 afterwards.
        using var erased = await admin.DeleteAsync($"api/v1/people/{id}");
        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        Assert.Equal(events + 6, api.AuditEvents());
        Assert.Equal(1, api.AuditEventsBy(manage, AuditEventCode.PersonErased));
        Assert.Equal(0, api.Portal.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{id}'"));
        using var gone = await admin.GetAsync($"api/v1/people/{id}");
        await ApiPortal.AssertProblemAsync(gone, HttpStatusCode.NotFound, "is enrolled");
    }

    private static async Task<JsonDocument> VerifyAsync(HttpClient client, string personId, byte[] probe)
    {
        using var response = await client.PostAsync("api/v1/verify", ApiPortal.Form(probe, ("personId", personId)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    private static async Task<JsonDocument> IdentifyAsync(HttpClient client, byte[] probe)
    {
        using var response = await client.PostAsync("api/v1/identify", ApiPortal.Form(probe, ("top", "3")));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }
}
