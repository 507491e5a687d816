using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Quality;
using Mote.Core.Models;
using Mote.Core.Templates;
using Mote.Core.Tests.Models;
using Mote.Gallery.Audit;
using Mote.Gallery.Decisions;
using Mote.Gallery.Engine;
using Mote.Gallery.Jobs;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Jobs;

/// <summary>
/// The durable job runtime (issue 15, docs/decisions/0019) on a real host with Quartz's persistent store in a real SQLite
/// file (or a PostgreSQL database, clustered, when <c>$MOTE_TEST_PROVIDER</c> says so) and the real engine: jobs survive a restart and complete once, cancel stores nothing, and a burst of decisions is
/// explained or visibly queued — none dropped.
/// </summary>
public sealed class DurableJobsTests
{
    private const string Photo = "sample3.jpg";

    [Fact]
    public async Task EnrollmentJobs_HostStopsWhileOneRunsAndOneWaits_BothCompleteOnceAfterRestart()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            var first = await JobHost.StartAsync(folder);
            var (photo, face) = await EnrollablePhotoAsync(first);
            EnrollmentJobStatus running, waiting;
            // Holding the process's native gate keeps the first job inside its training and the second in the queue.
            using (await NativeWorkGate.Process.EnterAsync("test: hold enrollments"))
            {
                var queue = first.Services.GetRequiredService<EnrollmentQueue>();
                running = await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("Restart One", photo, face, Seed: 11));
                waiting = await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("Restart Two", photo, face, Seed: 12));
                await first.WaitUntilAsync(() => first.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Id = '{running.Id}' AND State = 1 AND Phase = '{EnrollmentStages.Training}'") == 1,
                    TimeSpan.FromMinutes(3), "first job training");
                Assert.Equal(EnrollmentJobState.Queued, (await queue.GetAsync(Actors.Admin, waiting.Id))!.State);

                await first.StopAsync();
            }

            // Stopped: both wait in the store with their photos, the interrupted one says so; nothing half-written.
            Assert.Equal(2, first.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 1 AND State = 0 AND Payload IS NOT NULL"));
            Assert.Equal(1, first.Scalar($"SELECT Attempts FROM BackgroundJobs WHERE Id = '{running.Id}'"));
            Assert.Equal(1, first.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Id = '{running.Id}' AND Message LIKE 'Interrupted by a server stop%'"));
            Assert.Equal(0, first.Scalar("SELECT COUNT(*) FROM People"));
            Assert.Equal(0, first.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE Code = 300"));

            await using var second = await JobHost.StartAsync(folder);
            var queue2 = second.Services.GetRequiredService<EnrollmentQueue>();
            var done1 = await WaitFinishedAsync(second, queue2, running.Id);
            var done2 = await WaitFinishedAsync(second, queue2, waiting.Id);

            Assert.Equal(EnrollmentJobState.Done, done1.State);
            Assert.Equal(EnrollmentJobState.Done, done2.State);
            Assert.Equal("Restart One is enrolled.", done1.Message);
            Assert.Equal(1, second.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{done1.PersonId}' AND Name = 'Restart One'"));
            Assert.Equal(1, second.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{done2.PersonId}' AND Name = 'Restart Two'"));
            Assert.Equal(2, second.Scalar("SELECT COUNT(*) FROM People"));
            Assert.Equal(2, second.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE Code = 300"));
            Assert.Equal(2, second.Scalar($"SELECT Attempts FROM BackgroundJobs WHERE Id = '{running.Id}'"));
            Assert.Equal(0, second.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Payload IS NOT NULL"));
            // Quartz deletes a finished job's trigger just after the job wrote its outcome, in its own transaction.
            await second.WaitUntilAsync(() => second.Scalar("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'mote'") == 0, TimeSpan.FromSeconds(30), "triggers gone");
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    [Fact]
    public async Task EnrollmentJobs_GoodAndBad_DoneWithPersonOrFailedInWordsLeavingNothing()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var host = await JobHost.StartAsync(folder);
            var (photo, face) = await EnrollablePhotoAsync(host);
            var queue = host.Services.GetRequiredService<EnrollmentQueue>();
            var audits = host.Scalar("SELECT COUNT(*) FROM AuditEvents");
            var blank = Core.Imaging.ImageEncoding.ToPng(Core.Imaging.RgbImage.Create(300, 300, px => px.Fill(90)));

            var bad = await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("Queue Bad", blank, Seed: 1));
            var good = await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("Queue Good", photo, face, Seed: 73));
            var badDone = await WaitFinishedAsync(host, queue, bad.Id);
            var goodDone = await WaitFinishedAsync(host, queue, good.Id);

            Assert.Equal(32, bad.Id.Length);
            Assert.NotEqual(bad.Id, good.Id);
            Assert.Equal(EnrollmentJobState.Failed, badDone.State);
            Assert.Equal("No face was found in this photo.", badDone.Message);
            Assert.Null(badDone.PersonId);
            Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM People WHERE Name = 'Queue Bad'"));
            Assert.Equal((long)GalleryErrorKind.UnusablePhoto, host.Scalar($"SELECT FailureKind FROM BackgroundJobs WHERE Id = '{bad.Id}'"));
            Assert.Equal(EnrollmentJobState.Done, goodDone.State);
            Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{goodDone.PersonId}' AND Name = 'Queue Good'"));
            // Only the good job wrote: exactly one event; neither keeps its photo.
            Assert.Equal(audits + 1, host.Scalar("SELECT COUNT(*) FROM AuditEvents"));
            Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Payload IS NOT NULL"));
            Assert.Null(await queue.GetAsync(Actors.Admin, "0123456789abcdef0123456789abcdef"));
            await Assert.ThrowsAsync<PermissionDeniedException>(() => queue.GetAsync(Actors.Operator, good.Id));
            await Assert.ThrowsAsync<PermissionDeniedException>(() => queue.SubmitAsync(Actors.Auditor, new EnrollmentRequest("Nope", blank)));
            await Assert.ThrowsAsync<GalleryException>(() => queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("Too Big", new byte[PhotoPolicy.MaxBytes + 1])));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    [Fact]
    public async Task EnrollAndWait_JobRunByAnotherInstance_AnswersWithTheStoredPerson()
    {
        // docs/scale.md: with two portals on one database, a REST enrollment whose job the other instance's scheduler ran was
        // answered 409 "enrolled by another instance", though the person was stored. Here only the second host runs jobs.
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var runner = await JobHost.StartAsync(folder);
            await using var asking = await JobHost.StartAsync(folder, runJobs: false);
            var (photo, face) = await EnrollablePhotoAsync(runner);

            var result = await asking.Services.GetRequiredService<EnrollmentQueue>()
                .EnrollAndWaitAsync(Actors.Admin, new EnrollmentRequest("Run Elsewhere", photo, face, Seed: 5));

            Assert.Equal("Run Elsewhere", result.Person.Name);
            Assert.Equal(1, runner.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{result.Person.Id}' AND Name = 'Run Elsewhere'"));
            Assert.Equal(1, runner.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled}"));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EnrollmentJobs_ParallelSetting_SideBySideOnlyWhenOn_AllStoredOnce(bool parallel)
    {
        // docs/scale.md: one enrollment at a time across all instances unless Mote:Jobs:ParallelEnrollments is on; then they run
        // side by side (each process still trains one at a time), which is what lets a second instance add throughput.
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var host = await JobHost.StartAsync(folder, new Dictionary<string, string?> { [JobStoreConfiguration.ParallelEnrollmentsSetting] = parallel ? "true" : "false" });
            var (photo, face) = await EnrollablePhotoAsync(host);
            var queue = host.Services.GetRequiredService<EnrollmentQueue>();
            var jobs = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                jobs.Add((await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest($"Side By Side {i}", photo, face, Seed: 40 + i))).Id);
            }
            var mostRunning = 0L;
            await host.WaitUntilAsync(() =>
            {
                mostRunning = Math.Max(mostRunning, host.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = {(int)JobKind.Enroll} AND State = {(int)JobState.Running}"));
                return host.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = {(int)JobKind.Enroll} AND State = {(int)JobState.Succeeded}") == jobs.Count;
            }, TimeSpan.FromMinutes(5), "three enrollments done");

            Assert.Equal(3, host.Scalar("SELECT COUNT(*) FROM People WHERE Name LIKE 'Side By Side %'"));
            Assert.Equal(3, host.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonEnrolled}"));
            if (parallel)
            {
                Assert.True(mostRunning >= 2, $"at most {mostRunning} enrollment ran at once with the setting on");
            }
            else
            {
                Assert.Equal(1, mostRunning);
            }
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    [Fact]
    public async Task Cancel_QueuedAndRunningEnrollments_EndCancelledAndStoreNothing()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var host = await JobHost.StartAsync(folder);
            var (photo, face) = await EnrollablePhotoAsync(host);
            var queue = host.Services.GetRequiredService<EnrollmentQueue>();
            var events = host.Scalar("SELECT COUNT(*) FROM AuditEvents");
            EnrollmentJobStatus running, waiting;
            using (await NativeWorkGate.Process.EnterAsync("test: hold enrollments"))
            {
                running = await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("Cancel Running", photo, face, Seed: 21));
                waiting = await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("Cancel Waiting", photo, face, Seed: 22));
                await host.WaitUntilAsync(() => host.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Id = '{running.Id}' AND State = 1 AND Phase = '{EnrollmentStages.Training}'") == 1,
                    TimeSpan.FromMinutes(3), "first job training");

                await Assert.ThrowsAsync<PermissionDeniedException>(() => queue.CancelAsync(Actors.Operator, waiting.Id));
                var cancelledWaiting = await queue.CancelAsync(Actors.Admin, waiting.Id);
                Assert.Equal(EnrollmentJobState.Cancelled, cancelledWaiting.State);
                Assert.Equal($"Cancelled by {Actors.Admin.Name} before it started; nothing was stored.", cancelledWaiting.Message);

                // The running one stops while it waits for the gate (a training under way would finish its epoch loop first).
                await queue.CancelAsync(Actors.Admin, running.Id);
                var cancelledRunning = await WaitFinishedAsync(host, queue, running.Id);
                Assert.Equal(EnrollmentJobState.Cancelled, cancelledRunning.State);
                Assert.Equal($"Cancelled by {Actors.Admin.Name}; nothing was stored.", cancelledRunning.Message);
            }

            var again = await Assert.ThrowsAsync<GalleryException>(() => queue.CancelAsync(Actors.Admin, running.Id));
            Assert.Equal("That job has already finished; there is nothing to cancel.", again.Message);
            Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM People"));
            Assert.Equal(events, host.Scalar("SELECT COUNT(*) FROM AuditEvents"));
            Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Payload IS NOT NULL"));
            // Quartz deletes the cancelled running job's one-shot trigger just after the job returns (its row is final before).
            await host.WaitUntilAsync(() => host.Scalar("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'mote'") == 0, TimeSpan.FromSeconds(30), "triggers gone");
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    [Fact]
    public async Task Submit_QueueFull_RefusedBusyWithRetryAfterAndNothingQueued()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var host = await JobHost.StartAsync(folder);
            var (photo, face) = await EnrollablePhotoAsync(host);
            var queue = host.Services.GetRequiredService<EnrollmentQueue>();
            using (await NativeWorkGate.Process.EnterAsync("test: hold enrollments"))
            {
                for (var i = 0; i < EnrollmentQueue.Capacity; i++)
                {
                    await queue.SubmitAsync(Actors.Admin, new EnrollmentRequest($"Full {i}", photo, face, Seed: i));
                }
                var refused = await Assert.ThrowsAsync<GalleryBusyException>(() => queue.SubmitAsync(Actors.Admin, new EnrollmentRequest("One Too Many", photo, face)));
                Assert.Equal(GalleryErrorKind.Busy, refused.Kind);
                Assert.Equal(TimeSpan.FromSeconds(60), refused.RetryAfter);
                Assert.StartsWith($"{EnrollmentQueue.Capacity} enrollment jobs are already waiting or running (at most {EnrollmentQueue.Capacity})", refused.Message, StringComparison.Ordinal);
                Assert.Equal(EnrollmentQueue.Capacity, host.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 1"));
                Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Subject = 'One Too Many'"));
                foreach (var job in await queue.ActiveAsync(Actors.Admin))
                {
                    await queue.CancelAsync(Actors.Admin, job.Id);
                }
                await host.WaitUntilAsync(() => host.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE State IN (0, 1)") == 0, TimeSpan.FromMinutes(2), "all cancelled");
            }
            Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM People"));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    [Fact]
    public async Task Burst_200Decisions_EachExplainedOrVisiblyQueuedNoneDropped()
    {
        const int decisions = 200;
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var host = await JobHost.StartAsync(folder);
            var (photo, face) = await EnrollablePhotoAsync(host);
            var person = await host.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest("Burst Person", photo, face, Seed: 31)));

            // 200 verifications as fast as 16 concurrent callers can make them.
            using var callers = new SemaphoreSlim(16);
            var ids = await Task.WhenAll(Enumerable.Range(0, decisions).Select(async _ =>
            {
                await callers.WaitAsync();
                try
                {
                    return (await host.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Admin, person.Person.Id, photo, face))).DecisionId;
                }
                finally
                {
                    callers.Release();
                }
            }));

            Assert.Equal(decisions, ids.Distinct().Count());
            // Every decision is explained or waits with its input and its job; none is marked full, failed or lost.
            Assert.Equal(decisions, host.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 2"));
            var neither = host.Scalar($"SELECT COUNT(*) FROM Decisions WHERE ExplanationState NOT IN ({(int)ExplanationState.Computing}, {(int)ExplanationState.Ready})");
            var failures = await host.InScopeAsync<Mote.Gallery.Data.MoteDbContext, List<string?>>(db =>
                db.BackgroundJobs.Where(j => j.Kind == JobKind.Explain && (j.State == JobState.Failed || j.State == JobState.Cancelled)).Select(j => j.Message).ToListAsync());
            Assert.True(neither == 0, $"{neither} decision(s) neither being explained nor explained; ended explanation jobs: {string.Join(" | ", failures)}");
            Assert.Equal(decisions, host.Scalar(
                "SELECT COUNT(*) FROM Decisions d WHERE EXISTS (SELECT 1 FROM DecisionExplanations e WHERE e.DecisionId = d.Id) " +
                "OR (EXISTS (SELECT 1 FROM DecisionExplanationInputs i WHERE i.DecisionId = d.Id) AND EXISTS (SELECT 1 FROM BackgroundJobs j WHERE j.Subject = d.Id AND j.State IN (0, 1)))"));
            var listed = await host.InScopeAsync<GetExplanation, IReadOnlyList<ExplainableDecision>>(g => g.ListAsync(Actors.Admin, 500));
            Assert.All(listed, d => Assert.Contains(d.ExplanationState, new[] { ExplanationState.Computing, ExplanationState.Ready }));

            // The queue drains: explanations are made from the stored input (which is then deleted).
            await host.WaitUntilAsync(() => host.Scalar("SELECT COUNT(*) FROM DecisionExplanations") >= 3, TimeSpan.FromMinutes(5), "three explanations");
            Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM DecisionExplanations e JOIN DecisionExplanationInputs i ON i.DecisionId = e.DecisionId " +
                "JOIN BackgroundJobs j ON j.Subject = e.DecisionId WHERE j.State = 2"));
            var ready = host.Scalar($"SELECT COUNT(*) FROM Decisions WHERE ExplanationState = {(int)ExplanationState.Ready}");
            Assert.True(ready >= 3, $"{ready} ready");
            Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 2 AND State IN (3, 4)"));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    private static async Task<(byte[] Photo, int Face)> EnrollablePhotoAsync(JobHost host)
    {
        var photo = await File.ReadAllBytesAsync(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", Photo));
        var analyzer = await host.Services.GetRequiredService<GalleryEngine>().GetAnalyzerAsync();
        var faces = analyzer.Analyze(photo, QualityPurpose.Enrollment).Faces;
        for (var i = 0; i < faces.Count; i++)
        {
            if (faces[i].Quality.IsAccepted)
            {
                return (photo, i);
            }
        }
        throw new InvalidOperationException($"No face in {Photo} passes the enrollment quality check.");
    }

    private static async Task<EnrollmentJobStatus> WaitFinishedAsync(JobHost host, EnrollmentQueue queue, string id)
    {
        EnrollmentJobStatus? status = null;
        await host.WaitUntilAsync(() =>
        {
            status = queue.GetAsync(Actors.Admin, id).GetAwaiter().GetResult();
            return status is { IsFinished: true };
        }, TimeSpan.FromMinutes(5), $"job {id} finished");
        return status!;
    }
}
