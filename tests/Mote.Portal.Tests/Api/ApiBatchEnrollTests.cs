using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>
/// <c>POST /api/v1/people/batch</c> (API 1.4, issue 16 bulk enrollment) against the real portal process, on real LFW photos:
/// per-row results in words, one audit event per enrolled person, nothing stored for a failed row, a resend that skips
/// who is enrolled, the 'manage' scope, and the ZIP's own limits.
/// </summary>
[Collection(ApiPortalCollection.Name)]
public sealed class ApiBatchEnrollTests(ApiPortal api)
{
    [DatasetFact("lfw-dev")]
    public async Task Batch_ZipWithCsv_PerRowResults_FailedRowsStoreNothing_ResendSkipsEnrolled()
    {
        var manage = await api.CreateKeyAsync("manage");
        using var admin = api.Client(manage.Key);
        var zip = Zip(
            ("people.csv", Encoding.UTF8.GetBytes("name,photo,external_id\nBatch Ferguson,photos/ferguson.jpg,BA-1\nBatch Wall,photos/wall.png,\nBatch Broken,photos/broken.jpg,\nBatch Nobody,photos/absent.jpg,\n")),
            ("photos/ferguson.jpg", BulkPhotos.LfwBytes("Alex_Ferguson")),
            ("photos/wall.png", BulkPhotos.Wall()),
            ("photos/broken.jpg", BulkPhotos.Truncated("Bill_Nelson")));
        var events = api.AuditEvents();
        string? id = null;
        try
        {
            using var first = await admin.PostAsync("api/v1/people/batch", Form(zip));
            var body = await first.Content.ReadAsStringAsync();

            Assert.True(first.StatusCode == HttpStatusCode.OK, body);
            using (var json = JsonDocument.Parse(body))
            {
                var root = json.RootElement;
                Assert.Equal((4, 1, 0, 3), (root.GetProperty("rows").GetInt32(), root.GetProperty("enrolled").GetInt32(), root.GetProperty("alreadyEnrolled").GetInt32(), root.GetProperty("failed").GetInt32()));
                var rows = root.GetProperty("results").EnumerateArray().ToArray();
                Assert.Equal(("enrolled", "BA-1"), (rows[0].GetProperty("outcome").GetString(), rows[0].GetProperty("externalId").GetString()));
                id = rows[0].GetProperty("personId").GetString();
                Assert.Equal(("failed", "No face was found in this photo."), (rows[1].GetProperty("outcome").GetString(), rows[1].GetProperty("message").GetString()));
                Assert.StartsWith("The JPEG file is truncated", rows[2].GetProperty("message").GetString(), StringComparison.Ordinal);
                Assert.Equal("There is no file photos/absent.jpg in batch.zip.", rows[3].GetProperty("message").GetString());
                Assert.All(rows[1..], r => Assert.Equal(JsonValueKind.Null, r.GetProperty("personId").ValueKind));
            }
            // One event for the one person enrolled; nothing at all for the three failed rows.
            Assert.Equal(events + 1, api.AuditEvents());
            Assert.Equal(1, api.AuditEventsBy(manage, AuditEventCode.PersonEnrolled));
            Assert.Equal(0, api.Portal.Scalar("SELECT COUNT(*) FROM People WHERE NormalizedName IN ('BATCH WALL', 'BATCH BROKEN', 'BATCH NOBODY')"));

            using var again = await admin.PostAsync("api/v1/people/batch", Form(zip));
            var resent = await again.Content.ReadAsStringAsync();

            Assert.True(again.StatusCode == HttpStatusCode.OK, resent);
            using (var json = JsonDocument.Parse(resent))
            {
                var row = json.RootElement.GetProperty("results")[0];
                Assert.Equal(("already enrolled", id), (row.GetProperty("outcome").GetString(), row.GetProperty("personId").GetString()));
                Assert.Equal(0, json.RootElement.GetProperty("enrolled").GetInt32());
            }
            Assert.Equal(events + 1, api.AuditEvents());
            Assert.Equal(1, api.Portal.Scalar("SELECT COUNT(*) FROM People WHERE NormalizedExternalId = 'BA-1'"));
        }
        finally
        {
            if (id is not null)
            {
                using var erased = await admin.DeleteAsync($"api/v1/people/{id}");
            }
        }
    }

    [Fact]
    public async Task Batch_KeyWithoutManageScope_Forbidden_NothingRead()
    {
        var verify = await api.CreateKeyAsync("verify");
        using var client = api.Client(verify.Key);

        using var response = await client.PostAsync("api/v1/people/batch", Form(Zip(("a.png", BulkPhotos.Wall()))));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Batch_NotAZipOrNoArchive_RefusedInWords()
    {
        var manage = await api.CreateKeyAsync("manage");
        using var admin = api.Client(manage.Key);
        var events = api.AuditEvents();

        using var notZip = await admin.PostAsync("api/v1/people/batch", Form(Encoding.UTF8.GetBytes("name,photo\nA,a.jpg\n")));
        await ApiPortal.AssertProblemAsync(notZip, HttpStatusCode.UnprocessableEntity, "“batch.zip” is not a ZIP archive");
        using var missing = await admin.PostAsync("api/v1/people/batch", ApiPortal.Form(null, ("name", "x")));
        await ApiPortal.AssertProblemAsync(missing, HttpStatusCode.BadRequest, "multipart/form-data field 'archive'");
        using var badCsv = await admin.PostAsync("api/v1/people/batch", Form(Zip(("people.csv", Encoding.UTF8.GetBytes("name,picture\nA,a.jpg\n")))));
        await ApiPortal.AssertProblemAsync(badCsv, HttpStatusCode.BadRequest, "people.csv has the unknown column 'picture'");
        Assert.Equal(events, api.AuditEvents());
    }

    private static MultipartFormDataContent Form(byte[] zip)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(file, "archive", "batch.zip");
        return form;
    }

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }
        return buffer.ToArray();
    }
}
