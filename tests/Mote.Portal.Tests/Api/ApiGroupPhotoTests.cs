using System.Net;
using System.Text.Json;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>
/// A real group photo through the REST API of a real portal process (API 1.3): identify decides every usable face on
/// its own and lists the refused one with its reason; verify takes <c>faceIndex</c> and says which face it used.
/// face-api's sample2.jpg (1920x1367), faces largest first: #0 at about 871,253 215x215 and #2 at about 1459,201 197x198
/// are usable, #1 at about 356,187 is turned about 69° away.
/// </summary>
[Collection(ApiPortalCollection.Name)]
public sealed class ApiGroupPhotoTests(ApiPortal api)
{
    [Fact]
    public async Task IdentifyAndVerify_GroupPhoto_FacesArrayAndFaceIndex()
    {
        var manage = await api.CreateKeyAsync("manage");
        var both = await api.CreateKeyAsync("verify,identify");
        using var admin = api.Client(manage.Key);
        using var kiosk = api.Client(both.Key);
        var group = await DemoPhotos.ReadAsync("sample2.jpg");
        // Enrolled from new JPEGs framing each face alone, so the group photo is another image of them.
        var gus = await EnrollAsync(admin, "Gus Api Group", await DemoPhotos.CropAsync("sample2.jpg", 760, 140, 440, 440));
        var rae = await EnrollAsync(admin, "Rae Api Group", await DemoPhotos.CropAsync("sample2.jpg", 1350, 90, 420, 420));
        var (events, decisions) = (api.AuditEvents(), api.Portal.Scalar("SELECT COUNT(*) FROM Decisions"));

        using var identified = await PostOkAsync(kiosk, "api/v1/identify", ApiPortal.Form(group, ("top", "3")));

        var root = identified.RootElement;
        var faces = root.GetProperty("faces");
        Assert.Equal(3, faces.GetArrayLength());
        Assert.Equal(["match", "unusable", "match"], faces.EnumerateArray().Select(f => f.GetProperty("status").GetString()));
        Assert.Equal(gus, faces[0].GetProperty("candidates")[0].GetProperty("personId").GetString());
        Assert.Equal(rae, faces[2].GetProperty("candidates")[0].GetProperty("personId").GetString());
        Assert.Contains("yaw", faces[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, faces[1].GetProperty("decisionId").ValueKind);
        Assert.Equal(0, faces[1].GetProperty("candidates").GetArrayLength());
        Assert.InRange(faces[2].GetProperty("box").GetProperty("x").GetDouble(), 1400, 1520);
        // The 1.0–1.2 fields: the largest usable face's decision.
        Assert.Equal("match", root.GetProperty("decision").GetString());
        Assert.Equal(faces[0].GetProperty("decisionId").GetString(), root.GetProperty("decisionId").GetString());
        Assert.Equal(gus, root.GetProperty("candidates")[0].GetProperty("personId").GetString());
        Assert.Equal(0, root.GetProperty("face").GetProperty("index").GetInt32());
        Assert.Equal(3, root.GetProperty("face").GetProperty("facesInPhoto").GetInt32());
        // One decision and one audit event per decided face.
        Assert.Equal(decisions + 2, api.Portal.Scalar("SELECT COUNT(*) FROM Decisions"));
        Assert.Equal(events + 2, api.AuditEvents());
        Assert.Equal(2, api.AuditEventsBy(both, AuditEventCode.ProbeIdentified));

        // Verify: face 2 is Rae; by default the largest usable face (Gus) is used; the turned face is refused in words.
        using var picked = await PostOkAsync(kiosk, "api/v1/verify", ApiPortal.Form(group, ("personId", rae), ("faceIndex", "2")));
        using var largest = await PostOkAsync(kiosk, "api/v1/verify", ApiPortal.Form(group, ("personId", rae)));
        Assert.Equal("accept", picked.RootElement.GetProperty("decision").GetString());
        Assert.Equal(2, picked.RootElement.GetProperty("face").GetProperty("index").GetInt32());
        Assert.InRange(picked.RootElement.GetProperty("face").GetProperty("box").GetProperty("width").GetDouble(), 150, 250);
        Assert.Equal("reject", largest.RootElement.GetProperty("decision").GetString());
        Assert.Equal(0, largest.RootElement.GetProperty("face").GetProperty("index").GetInt32());
        var before = api.AuditEvents();
        using var turned = await kiosk.PostAsync("api/v1/verify", ApiPortal.Form(group, ("personId", rae), ("faceIndex", "1")));
        await ApiPortal.AssertProblemAsync(turned, HttpStatusCode.UnprocessableEntity, "Face #2 of the probe cannot be used");
        using var missing = await kiosk.PostAsync("api/v1/verify", ApiPortal.Form(group, ("personId", rae), ("faceIndex", "7")));
        await ApiPortal.AssertProblemAsync(missing, HttpStatusCode.BadRequest, "no face number 7");
        Assert.Equal(before, api.AuditEvents());
    }

    private static async Task<string> EnrollAsync(HttpClient admin, string name, byte[] photo)
    {
        using var json = await PostOkAsync(admin, "api/v1/people", ApiPortal.Form(photo, ("name", name), ("seed", "9")), HttpStatusCode.Created);
        return json.RootElement.GetProperty("person").GetProperty("id").GetString()!;
    }

    private static async Task<JsonDocument> PostOkAsync(HttpClient client, string path, HttpContent form, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.PostAsync(path, form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, body);
        return JsonDocument.Parse(body);
    }
}
