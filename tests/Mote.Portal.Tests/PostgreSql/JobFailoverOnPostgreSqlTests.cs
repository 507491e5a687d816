using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Audit;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Portal.Tests.Api;
using Mote.Portal.Tests.Infrastructure;
using Npgsql;

namespace Mote.Portal.Tests.PostgreSql;

/// <summary>
/// Issue 15: two real portal processes on one real PostgreSQL; an enrollment submitted through one REST API is killed with
/// SIGKILL in the middle of its training, wherever the clustered scheduler ran it, and the other process's scheduler notices
/// the dead node, runs the job again from its stored input and finishes it: one person, one enrollment event, a job marked
/// succeeded on its second attempt, and an audit chain that verifies. The survivor then verifies a probe of that person.
/// </summary>
[Trait("Provider", "PostgreSql")]
public sealed class JobFailoverOnPostgreSqlTests
{
    [Fact]
    public async Task EnrollmentJob_ItsProcessKilledMidTraining_TheOtherInstanceFinishesItOnce()
    {
        await using var gallery = await SharedPostgresGallery.CreateAsync("mote-failover-");
        var connection = gallery.Connection;
        // faceplugin-fr trains for several seconds on 2 cores (dlib-resnet in about one): a wide window to kill in.
        var portals = await gallery.StartPortalsAsync(2, $"--Mote:Models:CacheDir={DemoPhotos.ModelCache}", "--Mote:Faces:Backbone=faceplugin-fr");
        var (a, b) = (portals[0], portals[1]);
        string key;
        await using (var store = gallery.Open())
        {
            var scope = store.CreateAsyncScope();
            await using (scope)
            {
                key = (await scope.ServiceProvider.GetRequiredService<CreateApiKey>().ExecuteAsync(Actor.Terminal("test"), "failover", ApiKeyScopes.Manage | ApiKeyScopes.Verify, null)).Key;
            }
        }

        // sample1.jpg, face 1: the one face of that photo that passes the enrollment check (ApiDecisionFlowTests).
        var photo = await DemoPhotos.ReadAsync("sample1.jpg");
        using var onA = Client(a, key);
        var enrolling = onA.PostAsync("api/v1/people", ApiPortal.Form(photo, ("name", "Fay Failover"), ("faceIndex", "1"), ("seed", "3")));

        // The job's row says it trains, and Quartz's fired-trigger row says which instance runs it.
        var (jobId, runner) = await WaitForTrainingAsync(connection);
        var (victim, survivor) = runner == $"{Environment.MachineName}-{a.ProcessId}" ? (a, b)
            : runner == $"{Environment.MachineName}-{b.ProcessId}" ? (b, a)
            : throw new Xunit.Sdk.XunitException($"The job runs on instance {runner}, neither portal ({a.ProcessId}, {b.ProcessId}).");
        await victim.KillAsync();

        // The survivor's scheduler recovers the dead node's job (cluster check-in 7.5 s) and runs it to the end.
        var deadline = DateTime.UtcNow.AddMinutes(4);
        (int State, int Attempts, string? ResultId) job;
        while (true)
        {
            job = await JobRowAsync(connection, jobId);
            if (job.State >= (int)JobState.Succeeded || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(500);
        }
        Assert.True(job.State == (int)JobState.Succeeded, $"job {jobId}: state {(JobState)job.State}, {job.Attempts} attempt(s); survivor's log:\n{string.Join('\n', survivor.Log.TakeLast(40))}");
        Assert.Equal(2, job.Attempts);
        if (victim != a)
        {
            // The request's own process survived: it answers with the person the other instance's retry stored.
            using var answered = await enrolling;
            Assert.Equal(HttpStatusCode.Created, answered.StatusCode);
        }
        else
        {
            // Its connection died with A.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => enrolling);
        }

        Assert.Equal(1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM \"People\" WHERE \"Name\" = 'Fay Failover'"));
        Assert.Equal(job.ResultId, (string?)await ScalarAsync(connection, "SELECT \"Id\" FROM \"People\" WHERE \"Name\" = 'Fay Failover'"));
        Assert.Equal(1L, await ScalarAsync(connection, $"SELECT COUNT(*) FROM \"AuditEvents\" WHERE \"Code\" = {(int)AuditEventCode.PersonEnrolled}"));

        // The survivor decides about the person with the template the retry made.
        using var onSurvivor = Client(survivor, key);
        var probe = await DemoPhotos.CropAsync("sample1.jpg", 740, 360, 400, 400);
        using var form = ApiPortal.Form(probe, ("personId", job.ResultId!));
        using var verified = await onSurvivor.PostAsync("api/v1/verify", form);
        var body = await verified.Content.ReadAsStringAsync();
        Assert.True(verified.StatusCode == HttpStatusCode.OK, body);
        using var decision = JsonDocument.Parse(body);
        Assert.Equal("match", decision.RootElement.GetProperty("outcome").GetString());

        await using (var store = gallery.Open())
        {
            var scope = store.CreateAsyncScope();
            await using (scope)
            {
                var status = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(Actor.System);
                Assert.True(status.Verified, status.Summary);
            }
        }
    }

    private static HttpClient Client(PortalProcess portal, string key)
    {
        var client = portal.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Polls until an enrollment job is in its training phase; returns its id and the scheduler instance running it.</summary>
    private static async Task<(string JobId, string Instance)> WaitForTrainingAsync(string connection)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT j.\"Id\", f.instance_name FROM \"BackgroundJobs\" j JOIN qrtz_fired_triggers f ON f.trigger_name = j.\"Id\" " +
                $"WHERE j.\"State\" = {(int)JobState.Running} AND j.\"Phase\" = @phase", db);
            command.Parameters.AddWithValue("phase", Mote.Gallery.People.EnrollmentStages.Training);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                return (reader.GetString(0), reader.GetString(1));
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("No enrollment job reached its training phase within 3 minutes.");
    }

    private static async Task<(int State, int Attempts, string? ResultId)> JobRowAsync(string connection, string id)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"State\", \"Attempts\", \"ResultId\" FROM \"BackgroundJobs\" WHERE \"Id\" = @id", db);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no job {id}");
        return (reader.GetInt32(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    private static async Task<object?> ScalarAsync(string connection, string sql)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return await command.ExecuteScalarAsync();
    }
}
