using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Quality;
using Mote.Core.Models;
using Mote.Core.Templates;
using Mote.Core.Tests.Models;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Jobs;
using Mote.Gallery.People;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.Jobs;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// Retraining as a durable job (issue 15) in a real host with its Quartz scheduler, on a real SQLite file (or PostgreSQL in
/// CI's second pass) and the real engine: the new template and threshold are stored once with one audit event, a second
/// retraining against the same (now stale) stamp fails in words and writes nothing, the photo waits encrypted and is gone
/// when the job ends, and a stop during training re-runs the job from the start after the restart, storing it once.
/// </summary>
public sealed class RetrainJobTests
{
    private const string Photo = "sample3.jpg";

    [Fact]
    public async Task RetrainJob_StoresTemplateAndThresholdOnce_SecondOnTheSameStampFailsStaleInWords_RepeatedRunWritesNothing()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var host = await JobHost.StartAsync(folder);
            var (photo, face) = await EnrollablePhotoAsync(host);
            var enrolled = await host.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest("Re Job", photo, face, Seed: 21)));
            var id = enrolled.Person.Id;
            var stamp = enrolled.Person.ConcurrencyStamp;
            var before = await PersonAsync(host, id);

            RetrainJobStatus first, second;
            // Holding the process's native gate keeps the first job in its training and the second queued behind it:
            // both were accepted against the same stamp, which only one of them may use.
            using (await NativeWorkGate.Process.EnterAsync("test: hold retrainings"))
            {
                first = await SubmitAsync(host, new RetrainRequest(id, stamp, null, photo, face, Seed: 22));
                second = await SubmitAsync(host, new RetrainRequest(id, stamp, null, photo, face, Seed: 23));
                Assert.Equal((JobState.Queued, id, "Re Job"), (first.State, first.PersonId, first.Name));

                // The photo travels as the job's encrypted input, bound to the job: never the plain bytes.
                var payload = await host.InScopeAsync<MoteDbContext, byte[]?>(db => db.BackgroundJobs.Where(j => j.Id == first.Id).Select(j => j.Payload).SingleAsync());
                Assert.NotNull(payload);
                Assert.False(payload.AsSpan().IndexOf(photo.AsSpan(0, 64)) >= 0, "the stored input holds the photo in the clear");
            }
            var done = await WaitFinishedAsync(host, first.Id);
            var stale = await WaitFinishedAsync(host, second.Id);

            var after = await PersonAsync(host, id);
            Assert.Equal(JobState.Succeeded, done.State);
            Assert.NotNull(done.Outcome);
            Assert.Equal((id, after.Threshold, after.TemplateKind), (done.Outcome.PersonId, done.Outcome.Threshold, done.Outcome.TemplateKind));
            Assert.NotEqual(before.TemplateBlob, after.TemplateBlob);
            Assert.NotEqual(stamp, after.ConcurrencyStamp);
            Assert.NotNull(after.RetrainedUtc);
            Assert.Equal(22L, after.Seed);

            Assert.Equal(JobState.Failed, stale.State);
            Assert.True(stale.IsStale);
            Assert.Contains("Re Job was changed by someone else since you opened this page", stale.Message, StringComparison.Ordinal);
            Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonRetrained} AND SubjectId = '{id}'"));
            Assert.Equal(0, host.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = {(int)JobKind.Retrain} AND Payload IS NOT NULL"));

            // A stale page is refused at once, before anything is queued.
            var refused = await Assert.ThrowsAsync<GalleryConcurrencyException>(() => SubmitAsync(host, new RetrainRequest(id, stamp, null, photo, face)));
            Assert.Contains("reload", refused.Message, StringComparison.Ordinal);
            Assert.Equal(2, host.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = {(int)JobKind.Retrain}"));

            // The finished job run again (what a restart after its commit would do): it finds its result and writes nothing.
            await host.InScopeAsync<MoteDbContext, int>(db => db.BackgroundJobs.Where(j => j.Id == first.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Queued).SetProperty(j => j.FinishedUtc, (DateTimeOffset?)null)));
            await host.Services.GetRequiredService<JobRuntime>().ScheduleAsync(first.Id, JobKind.Retrain, CancellationToken.None);
            var again = await WaitFinishedAsync(host, first.Id);
            Assert.Equal(JobState.Succeeded, again.State);
            Assert.Equal(after.Threshold, again.Outcome!.Threshold);
            Assert.Equal(after.TemplateBlob, (await PersonAsync(host, id)).TemplateBlob);
            Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonRetrained} AND SubjectId = '{id}'"));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    [Fact]
    public async Task RetrainJob_HostStopsDuringTraining_RunsAgainFromTheStartAfterRestart_StoredOnce()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            var first = await JobHost.StartAsync(folder);
            var (photo, face) = await EnrollablePhotoAsync(first);
            var enrolled = await first.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest("Re Start", photo, face, Seed: 31)));
            var id = enrolled.Person.Id;
            RetrainJobStatus job;
            using (await NativeWorkGate.Process.EnterAsync("test: hold the retraining"))
            {
                job = await SubmitAsync(first, new RetrainRequest(id, enrolled.Person.ConcurrencyStamp, null, photo, face, Seed: 32));
                await first.WaitUntilAsync(() => first.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Id = '{job.Id}' AND State = 1 AND Phase = '{EnrollmentStages.Training}'") == 1,
                    TimeSpan.FromMinutes(3), "retraining job training");
                await first.StopAsync();
            }

            // Stopped mid-training: queued again with its photo, the person untouched.
            Assert.Equal(1, first.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Id = '{job.Id}' AND State = 0 AND Payload IS NOT NULL"));
            Assert.Equal(1, first.Scalar($"SELECT COUNT(*) FROM People WHERE Id = '{id}' AND ConcurrencyStamp = '{enrolled.Person.ConcurrencyStamp}' AND RetrainedUtc IS NULL"));
            Assert.Equal(0, first.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonRetrained}"));

            await using var second = await JobHost.StartAsync(folder);
            var done = await WaitFinishedAsync(second, job.Id);
            Assert.Equal(JobState.Succeeded, done.State);
            Assert.Equal(2, second.Scalar($"SELECT Attempts FROM BackgroundJobs WHERE Id = '{job.Id}'"));
            Assert.Equal((await PersonAsync(second, id)).Threshold, done.Outcome!.Threshold);
            Assert.Equal(1, second.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.PersonRetrained} AND SubjectId = '{id}'"));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    private static Task<RetrainJobStatus> SubmitAsync(JobHost host, RetrainRequest request) =>
        host.InScopeAsync<RetrainQueue, RetrainJobStatus>(q => q.SubmitAsync(Actors.Admin, request));

    private static Task<Person> PersonAsync(JobHost host, string id) =>
        host.InScopeAsync<MoteDbContext, Person>(db => db.People.AsNoTracking().SingleAsync(p => p.Id == id));

    private static async Task<RetrainJobStatus> WaitFinishedAsync(JobHost host, string id)
    {
        RetrainJobStatus? status = null;
        await host.WaitUntilAsync(() =>
        {
            status = host.InScopeAsync<RetrainQueue, RetrainJobStatus?>(q => q.GetAsync(Actors.Admin, id)).GetAwaiter().GetResult();
            return status is { IsFinished: true };
        }, TimeSpan.FromMinutes(5), $"retraining job {id} finished");
        return status!;
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
}
