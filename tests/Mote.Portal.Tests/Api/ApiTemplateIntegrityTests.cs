using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>
/// Issue 14 item 11 through the real portal process: a stored template that fails its integrity check (here a template
/// copied onto another person's record, so it does not decrypt for them) no longer turns every 1:N request into
/// 400 "Invalid request": the others are identified, the damage is audited once (not per request), logged, and
/// <c>/healthz</c> reports it as degraded until the person is erased.
/// </summary>
[Collection(ApiPortalCollection.Name)]
public sealed class ApiTemplateIntegrityTests(ApiPortal api)
{
    [Fact]
    public async Task Identify_OneTemplateDamaged_OthersIdentifiedDamageAuditedOnceLoggedAndInHealth()
    {
        var manage = await api.CreateKeyAsync("manage");
        var identify = await api.CreateKeyAsync("identify");
        using var admin = api.Client(manage.Key);
        using var kiosk = api.Client(identify.Key);
        using var anonymous = api.Client();
        // sample1.jpg face 1 passes the enrollment check; the probe frames that face alone (as in ApiDecisionFlowTests).
        var photo = await DemoPhotos.ReadAsync("sample1.jpg");
        var probe = await DemoPhotos.CropAsync("sample1.jpg", 740, 360, 400, 400);
        string? intact = null;
        var damaged = Guid.NewGuid().ToString();
        try
        {
            using (var enrolled = await admin.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "Ida Intact"), ("faceIndex", "1"), ("seed", "11"))))
            {
                var body = await enrolled.Content.ReadAsStringAsync();
                Assert.True(enrolled.StatusCode == HttpStatusCode.Created, body);
                using var json = JsonDocument.Parse(body);
                intact = json.RootElement.GetProperty("person").GetProperty("id").GetString()!;
            }
            CopyPerson(api.Portal.DatabasePath, intact, damaged, "Cora Copied");

            var first = await IdentifyAsync(kiosk, probe);
            var second = await IdentifyAsync(kiosk, probe);
            using var health = await anonymous.GetAsync("healthz");
            var healthText = await health.Content.ReadAsStringAsync();

            Assert.Equal(intact, first.RootElement.GetProperty("candidates")[0].GetProperty("personId").GetString());
            Assert.Equal(intact, second.RootElement.GetProperty("candidates")[0].GetProperty("personId").GetString());
            Assert.DoesNotContain(first.RootElement.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("personId").GetString() == damaged);
            Assert.Equal(1, api.Portal.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.TemplateIntegrityViolation} AND SubjectId = '{damaged}'"));
            Assert.Contains(api.Portal.Log, l => l.Contains("Cora Copied", StringComparison.Ordinal) && l.Contains("failed its integrity check", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.StartsWith("Degraded", healthText, StringComparison.Ordinal);
            Assert.Contains("template-integrity: Degraded: 1 stored template(s) failed their integrity check", healthText, StringComparison.Ordinal);

            using var erased = await admin.DeleteAsync($"api/v1/people/{damaged}");
            Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
            Assert.Equal("Healthy", await anonymous.GetStringAsync("healthz"));
        }
        finally
        {
            using var cleanup = await admin.DeleteAsync($"api/v1/people/{damaged}");
            if (intact is not null)
            {
                using var erased = await admin.DeleteAsync($"api/v1/people/{intact}");
            }
        }
    }

    private static async Task<JsonDocument> IdentifyAsync(HttpClient client, byte[] probe)
    {
        using var response = await client.PostAsync("api/v1/identify", ApiPortal.Form(probe, ("top", "3")));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    /// <summary>What a faulty restore or a hand edit does: a second row carrying someone else's (encrypted) template.</summary>
    private static void CopyPerson(string databasePath, string fromId, string toId, string name)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        var columns = new List<string>();
        using (var info = connection.CreateCommand())
        {
            info.CommandText = "SELECT name FROM pragma_table_info('People')";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }
        }
        var values = columns.Select(c => c switch
        {
            "Id" => "$to",
            "Name" => "$name",
            "NormalizedName" => "upper($name)",
            "ConcurrencyStamp" => "'copied'",
            "EnrolledUtc" => "EnrolledUtc + 1",
            _ => c,
        });
        using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO People ({string.Join(", ", columns)}) SELECT {string.Join(", ", values)} FROM People WHERE Id = $from";
        insert.Parameters.AddWithValue("$to", toId);
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$from", fromId);
        Assert.Equal(1, insert.ExecuteNonQuery());
    }
}
