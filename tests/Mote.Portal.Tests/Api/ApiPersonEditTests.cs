using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>
/// <c>PATCH /api/v1/people/{id}</c> against the real portal process (API 1.4, issue 16): name, external id and attributes
/// after enrollment, one audit event, a group change reads the threshold again, clashes and bad values refused with nothing
/// written, and the 'manage' scope required.
/// </summary>
[Collection(ApiPortalCollection.Name)]
public sealed class ApiPersonEditTests(ApiPortal api)
{
    [Fact]
    public async Task Patch_NameExternalIdAndGender_OneAuditEvent_ThresholdReadAgain_OthersStayEstimates()
    {
        var manage = await api.CreateKeyAsync("manage");
        using var admin = api.Client(manage.Key);
        var photo = await DemoPhotos.ReadAsync("sample1.jpg");
        string? id = null;
        string? other = null;
        try
        {
            using (var enrolled = await admin.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "Edi Before"), ("faceIndex", "1"), ("seed", "7"))))
            {
                var body = await enrolled.Content.ReadAsStringAsync();
                Assert.True(enrolled.StatusCode == HttpStatusCode.Created, body);
                using var json = JsonDocument.Parse(body);
                id = json.RootElement.GetProperty("person").GetProperty("id").GetString()!;
            }
            using var beforeDoc = JsonDocument.Parse(await admin.GetStringAsync($"api/v1/people/{id}"));
            var before = beforeDoc.RootElement.GetProperty("person");
            var estimatedGender = before.GetProperty("gender").GetString();
            Assert.True(before.GetProperty("genderEstimated").GetBoolean());
            var corrected = estimatedGender == "female" ? "male" : "female";
            var events = api.AuditEvents();

            using var patched = await admin.PatchAsJsonAsync($"api/v1/people/{id}", new { name = "Edi After", externalId = "E-77", gender = corrected });

            var text = await patched.Content.ReadAsStringAsync();
            Assert.True(patched.StatusCode == HttpStatusCode.OK, text);
            using var answer = JsonDocument.Parse(text);
            var person = answer.RootElement.GetProperty("person");
            Assert.Equal(("Edi After", "E-77", corrected), (person.GetProperty("name").GetString(), person.GetProperty("externalId").GetString(), person.GetProperty("gender").GetString()));
            Assert.False(person.GetProperty("genderEstimated").GetBoolean());
            Assert.Equal(before.GetProperty("ethnicityEstimated").GetBoolean(), person.GetProperty("ethnicityEstimated").GetBoolean());
            Assert.Equal(before.GetProperty("ageBandEstimated").GetBoolean(), person.GetProperty("ageBandEstimated").GetBoolean());
            var changes = answer.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetString()!).ToArray();
            Assert.Contains("name 'Edi Before' → 'Edi After'", changes);
            Assert.Contains($"gender declared {corrected} (was estimated {estimatedGender})", changes);
            // The default pack calibrates per gender: the group changed, so the threshold was read again.
            Assert.Equal(before.GetProperty("threshold").GetSingle(), answer.RootElement.GetProperty("previousThreshold").GetSingle());
            Assert.NotEqual(before.GetProperty("threshold").GetSingle(), person.GetProperty("threshold").GetSingle());
            Assert.Equal(events + 1, api.AuditEvents());
            Assert.Equal(1, api.AuditEventsBy(manage, AuditEventCode.PersonEdited));

            // A clash as enrollment refuses it: 409, nothing written.
            using (var second = await admin.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "Edi Other"), ("externalId", "O-1"), ("faceIndex", "1"), ("seed", "8"))))
            {
                using var json = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
                other = json.RootElement.GetProperty("person").GetProperty("id").GetString()!;
            }
            events = api.AuditEvents();
            using var clash = await admin.PatchAsJsonAsync($"api/v1/people/{other}", new { externalId = "e-77" });
            await ApiPortal.AssertProblemAsync(clash, HttpStatusCode.Conflict, "already belongs to Edi After");
            using var bad = await admin.PatchAsJsonAsync($"api/v1/people/{other}", new { ageBand = "ancient" });
            await ApiPortal.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "Unknown age band 'ancient'");
            using var nobody = await admin.PatchAsJsonAsync("api/v1/people/no-such-person", new { name = "X" });
            await ApiPortal.AssertProblemAsync(nobody, HttpStatusCode.NotFound, "Nobody called 'no-such-person'");
            Assert.Equal(events, api.AuditEvents());

            var verifyOnly = await api.CreateKeyAsync("verify");
            using var verifier = api.Client(verifyOnly.Key);
            using var denied = await verifier.PatchAsJsonAsync($"api/v1/people/{other}", new { name = "Nope" });
            await ApiPortal.AssertProblemAsync(denied, HttpStatusCode.Forbidden, "'manage' scope");
        }
        finally
        {
            foreach (var person in new[] { id, other }.OfType<string>())
            {
                using var erased = await admin.DeleteAsync($"api/v1/people/{person}");
            }
        }
    }
}
