using System.Net;
using System.Text.Json;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>
/// External ids over the REST API (API 1.2, issue 16 item 7): equal names with different external ids are both
/// enrolled; a duplicate pair or a taken external id is refused (409, nothing written); people are found by external id,
/// listed with it, and an ambiguous name is refused in words.
/// </summary>
[Collection(ApiPortalCollection.Name)]
public sealed class ApiPersonIdentityTests(ApiPortal api)
{
    [Fact]
    public async Task Enroll_EqualNamesDifferentExternalIds_BothKept_DuplicatesRefused_FoundByExternalId()
    {
        var manage = await api.CreateKeyAsync("manage");
        using var admin = api.Client(manage.Key);
        // sample1.jpg face 1: the one face of that photo that passes the enrollment check (as in ApiDecisionFlowTests).
        var photo = await DemoPhotos.ReadAsync("sample1.jpg");
        var ids = new List<string>();
        try
        {
            var events = api.AuditEvents();
            ids.Add(await EnrollAsync(admin, photo, "Bea Twin", "B-1"));
            ids.Add(await EnrollAsync(admin, photo, "Bea Twin", "B-2"));
            Assert.Equal(events + 2, api.AuditEvents());
            Assert.Equal(2, api.AuditEventsBy(manage, AuditEventCode.PersonEnrolled));

            using var pair = await admin.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "BEA TWIN"), ("externalId", "b-1"), ("faceIndex", "1")));
            await ApiPortal.AssertProblemAsync(pair, HttpStatusCode.Conflict, "with the external id 'b-1' is already enrolled");
            using var taken = await admin.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "Someone Else"), ("externalId", "B-2"), ("faceIndex", "1")));
            await ApiPortal.AssertProblemAsync(taken, HttpStatusCode.Conflict, "already belongs to Bea Twin");
            Assert.Equal(events + 2, api.AuditEvents());

            using var list = JsonDocument.Parse(await admin.GetStringAsync("api/v1/people?search=bea%20twin"));
            Assert.Equal(2, list.RootElement.GetProperty("total").GetInt32());
            Assert.Equal(["B-1", "B-2"], list.RootElement.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("externalId").GetString()).Order());
            using var byExternalId = JsonDocument.Parse(await admin.GetStringAsync("api/v1/people/b-2"));
            Assert.Equal(ids[1], byExternalId.RootElement.GetProperty("person").GetProperty("id").GetString());
            Assert.Equal("B-2", byExternalId.RootElement.GetProperty("person").GetProperty("externalId").GetString());
            using var ambiguous = await admin.GetAsync("api/v1/people/Bea%20Twin");
            await ApiPortal.AssertProblemAsync(ambiguous, HttpStatusCode.Conflict, "2 people are called 'Bea Twin'");
        }
        finally
        {
            foreach (var id in ids)
            {
                using var erased = await admin.DeleteAsync($"api/v1/people/{id}");
            }
        }
    }

    [Fact]
    public async Task Enroll_FiveAtOnceWithOneName_OneCreatedFourConflictsNothingHalfWritten()
    {
        var manage = await api.CreateKeyAsync("manage");
        using var admin = api.Client(manage.Key);
        var photo = await DemoPhotos.ReadAsync("sample1.jpg");
        var events = api.AuditEvents();
        var logLines = api.Portal.Log.Count;
        string? id = null;
        try
        {
            // All five pass the up-front name check before any is saved, so four meet the unique index at save time.
            var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
            {
                using var response = await admin.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "Pat Parallel"), ("faceIndex", "1"), ("seed", "5")));
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }));

            var log = string.Join('\n', api.Portal.Log.TakeLast(80));
            Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Created) == 1, string.Join("\n", responses.Select(r => $"{(int)r.StatusCode} {r.Body}")) + "\n" + log);
            Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Conflict) == 4, string.Join("\n", responses.Select(r => $"{(int)r.StatusCode} {r.Body}")) + "\n" + log);
            foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            {
                using var problem = JsonDocument.Parse(conflict.Body);
                Assert.Contains("Someone called 'Pat Parallel'", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
            using var created = JsonDocument.Parse(responses.Single(r => r.StatusCode == HttpStatusCode.Created).Body);
            id = created.RootElement.GetProperty("person").GetProperty("id").GetString();
            Assert.Equal(1, api.Portal.Scalar("SELECT COUNT(*) FROM People WHERE NormalizedName = 'PAT PARALLEL'"));
            Assert.Equal(events + 1, api.AuditEvents());
            Assert.Equal(1, api.AuditEventsBy(manage, AuditEventCode.PersonEnrolled));
            Assert.Equal(0, api.Portal.Scalar($"SELECT COUNT(*) FROM PersonImages WHERE PersonId NOT IN (SELECT Id FROM People)"));
            // Refused in words inside the write transaction, not by the unique index: no database error is logged.
            Assert.DoesNotContain(api.Portal.Log.Skip(logLines), l => l.Contains("UNIQUE constraint failed", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal));
        }
        finally
        {
            if (id is not null)
            {
                using var erased = await admin.DeleteAsync($"api/v1/people/{id}");
            }
        }
    }

    private static async Task<string> EnrollAsync(HttpClient client, byte[] photo, string name, string externalId)
    {
        using var response = await client.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", name), ("externalId", externalId), ("faceIndex", "1"), ("seed", "3")));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        var person = json.RootElement.GetProperty("person");
        Assert.Equal(externalId, person.GetProperty("externalId").GetString());
        Assert.Equal(name, person.GetProperty("name").GetString());
        return person.GetProperty("id").GetString()!;
    }
}
