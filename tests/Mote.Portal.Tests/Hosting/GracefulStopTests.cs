using System.Net;
using Mote.Cli.Tests;
using Mote.Portal.Tests.Api;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Hosting;

/// <summary>Issue 14 item 14 and issue 15: a graceful stop (SIGTERM) of the real portal process ends cleanly, also with enrollment jobs
/// running and queued, and those jobs finish after the portal starts again on the same database.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task Sigterm_RunningPortal_ExitsZeroWithoutAnException()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGTERM is a Unix signal.
        }
        await using var portal = await PortalProcess.StartAsync();
        using (var client = portal.CreateClient())
        {
            // One request through the whole pipeline first, so scoped services and the database have been used.
            using var health = await client.GetAsync("healthz");
        }

        var code = await portal.TerminateAsync(TimeSpan.FromSeconds(60));

        var log = string.Join('\n', portal.Log);
        Assert.True(code == 0, $"Exit code {code}. Log:\n{log}");
        Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
        Assert.Contains("Application is shutting down", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_EnrollmentsQueuedThroughTheApi_ExitsZeroAndTheyCompleteOnceAfterRestart()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGTERM is a Unix signal.
        }
        var folder = Directory.CreateTempSubdirectory("mote-jobs-restart-").FullName;
        try
        {
            string[] args =
            [
                $"--Mote:Secrets:Directory={Environment.GetEnvironmentVariable("MOTE_SECRETS_DIR")}",
                $"--Mote:Models:CacheDir={DemoPhotos.ModelCache}",
            ];
            var photo = await DemoPhotos.ReadAsync("sample1.jpg");
            int code;
            string log;
            await using (var first = await PortalProcess.StartAsync(new PortalStart(Folder: folder), args))
            {
                var (exit, output, error) = await MoteCli.RunAsync("", "apikeys", "create", "--scope", "manage", "--name", "restart test", "--db", first.DatabasePath);
                Assert.True(exit == 0, error);
                using var client = first.CreateClient();
                client.Timeout = TimeSpan.FromMinutes(5);
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", output.Trim());
                // Three enrollments at once: the REST API queues them like the page does, so they run one at a time and at
                // least two still wait when the stop comes.
                var posts = Enumerable.Range(1, 3).Select(i => client.PostAsync("api/v1/people",
                    ApiPortal.Form(photo, ("name", $"Restart {i}"), ("faceIndex", "1"), ("seed", $"{i}")))).ToArray();
                await WaitUntilAsync(() => first.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 1") == 3, TimeSpan.FromMinutes(2));
                Assert.True(first.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 1 AND State = 0") >= 2, "two enrollments should still wait");

                code = await first.TerminateAsync(TimeSpan.FromSeconds(90));
                log = string.Join('\n', first.Log);
                // Each waiting request was answered (503: the job stays queued) or ended with the connection.
                foreach (var post in posts)
                {
                    try
                    {
                        using var response = await post;
                        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                    catch (HttpRequestException)
                    {
                        // The process went away with the request open: allowed, the job is in the store.
                    }
                }
                Assert.True(code == 0, $"Exit code {code}. Log:\n{log}");
                Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
                Assert.Equal(0, first.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE State = 1")); // none left "running"
                Assert.True(first.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 1 AND State = 0 AND Payload IS NOT NULL") >= 2);
            }

            await using var second = await PortalProcess.StartAsync(new PortalStart(Folder: folder), args);
            await WaitUntilAsync(() => second.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 1 AND State IN (0, 1)") == 0, TimeSpan.FromMinutes(5));
            Assert.Equal(3, second.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 1 AND State = 2 AND Payload IS NULL"));
            Assert.Equal(3, second.Scalar("SELECT COUNT(*) FROM People WHERE Name LIKE 'Restart %'"));
            Assert.Equal(3, second.Scalar("SELECT COUNT(*) FROM People p JOIN BackgroundJobs j ON j.ResultId = p.Id"));
            // Once each: one PersonEnrolled (300) event per person, none twice.
            Assert.Equal(3, second.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE Code = 300"));
            // Quartz removes a finished job's trigger in its own transaction just after the job wrote its outcome, so the last
            // one may still be there for a moment when the rows above read "done": none may stay.
            await WaitUntilAsync(() => second.Scalar("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'mote'") == 0, TimeSpan.FromSeconds(30));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A still-closing handle on a temp file is not a test failure.
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {timeout}.");
            }
            await Task.Delay(250);
        }
    }
}
