using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Tests;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Data;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Portal.Tests.Api;
using Mote.Portal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mote.Portal.Tests.PostgreSql;

/// <summary>
/// Issue 15 item 5 (docs/scale.md): enrollment throughput through the REST API with one portal instance and with two on
/// one PostgreSQL, on the product's default backbone (faceplugin-fr) and real LFW photos: the same people, all submitted at
/// once (spread over the instances in turn; a 503 is retried after its Retry-After), timed from the first request to the
/// last answer, each on a fresh database. Prints people per minute and the jobs' median run time, with enrollments one at a time across the instances (the default) and side by side (<c>Mote:Jobs:ParallelEnrollments</c>). Asserts that every person was enrolled exactly once, never a time. Run (PostgreSQL as for the other provider tests):
/// <c>dotnet test tests/Mote.Portal.Tests -c Release --filter "FullyQualifiedName~EnrollmentThroughputBenchmark" --logger "console;verbosity=detailed"</c>
/// (<c>MOTE_THROUGHPUT_PEOPLE</c>, default 16).
/// </summary>
[Trait("Category", "Benchmark")]
[Trait("Provider", "PostgreSql")]
public sealed class EnrollmentThroughputBenchmarkTests(ITestOutputHelper output)
{
    [DatasetFact("lfw-dev")]
    public async Task Enrollment_OneThenTwoInstances_PrintsPeoplePerMinute()
    {
        var count = int.Parse(Environment.GetEnvironmentVariable("MOTE_THROUGHPUT_PEOPLE") ?? "16", CultureInfo.InvariantCulture);
        var images = Path.Combine(TestDatasets.Find("lfw-dev")!, "images");
        // People whose first photo has one face: the first `count` identities in name order that have a second photo too.
        var people = Directory.GetDirectories(images).Order(StringComparer.Ordinal)
            .Where(d => Directory.GetFiles(d, "*.jpg").Length >= 2)
            .Select(d => (Name: Path.GetFileName(d).Replace('_', ' '), Photo: File.ReadAllBytes(Directory.GetFiles(d, "*.jpg").Order(StringComparer.Ordinal).First())))
            .Take(count).ToArray();
        output.WriteLine($"Enrollment throughput, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {people.Length} lfw-dev people, faceplugin-fr, REST API, PostgreSQL; load average {LoadAverage()}");
        foreach (var (instances, parallel) in new[] { (1, false), (2, false), (1, true), (2, true) })
        {
            await MeasureAsync(instances, parallel, people);
        }
        output.WriteLine($"  load average after: {LoadAverage()}");
    }

    private async Task MeasureAsync(int instances, bool parallel, (string Name, byte[] Photo)[] people)
    {
        await using var gallery = await SharedPostgresGallery.CreateAsync("mote-throughput-");
        var portals = await gallery.StartPortalsAsync(instances,
            $"--Mote:Models:CacheDir={DemoPhotos.ModelCache}", "--Mote:Faces:Backbone=faceplugin-fr", "--Mote:Api:RateLimit:PermitLimit=100000",
            $"--{JobStoreConfiguration.ParallelEnrollmentsSetting}={(parallel ? "true" : "false")}");
        string key;
        await using (var store = gallery.Open())
        {
            var scope = store.CreateAsyncScope();
            await using (scope)
            {
                key = (await scope.ServiceProvider.GetRequiredService<CreateApiKey>().ExecuteAsync(Actor.Terminal("test"), "throughput", ApiKeyScopes.Manage, null)).Key;
            }
        }
        var clients = portals.Select(p =>
        {
            var client = p.CreateClient();
            client.Timeout = TimeSpan.FromMinutes(30);
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            return client;
        }).ToArray();

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(people.Select((p, i) => EnrollAsync(clients[i % instances], p.Name, p.Photo)));
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await using var check = gallery.Open();
        var checkScope = check.CreateAsyncScope();
        await using (checkScope)
        {
            var db = checkScope.ServiceProvider.GetRequiredService<MoteDbContext>();
            var jobs = await db.BackgroundJobs.AsNoTracking().Where(j => j.Kind == JobKind.Enroll).ToListAsync();
            var enrolled = await db.People.CountAsync();
            var created = answers.Count(a => a.Status == HttpStatusCode.Created);
            var refused = answers.Where(a => a.Status != HttpStatusCode.Created).Select(a => $"{(int)a.Status} {a.Body[..Math.Min(160, a.Body.Length)]}").ToArray();
            var runs = jobs.Where(j => j.State == JobState.Succeeded && j.StartedUtc is not null && j.FinishedUtc is not null)
                .Select(j => (j.FinishedUtc!.Value - j.StartedUtc!.Value).TotalSeconds).Order().ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {instances} instance(s), {(parallel ? "enrollments side by side" : "one enrollment at a time")}: {created} of {people.Length} enrolled in {seconds:F1} s = {created / seconds * 60:F1} people a minute; job run time median {(runs.Length == 0 ? 0 : runs[runs.Length / 2]):F1} s (min {runs.FirstOrDefault():F1}, max {runs.LastOrDefault():F1}); {answers.Sum(a => a.Retries)} request(s) retried after 503"));
            foreach (var line in refused.Take(5))
            {
                output.WriteLine($"    not enrolled: {line}");
            }
            Assert.Equal(created, enrolled);
            Assert.Equal(created, jobs.Count(j => j.State == JobState.Succeeded));
            Assert.True(created >= people.Length * 3 / 4, $"{created} of {people.Length} enrolled: {string.Join("; ", refused)}");
        }
    }

    private static async Task<(HttpStatusCode Status, string Body, int Retries)> EnrollAsync(HttpClient client, string name, byte[] photo)
    {
        for (var retries = 0; ; retries++)
        {
            using var form = ApiPortal.Form(photo, ("name", name), ("seed", "1"));
            using var response = await client.PostAsync(new Uri("api/v1/people", UriKind.Relative), form);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && retries < 100)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2));
                continue;
            }
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), retries);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
