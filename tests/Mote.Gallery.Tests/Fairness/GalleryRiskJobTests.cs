using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Quality;
using Mote.Core.Models;
using Mote.Core.Tests.Models;
using Mote.Gallery.Engine;
using Mote.Gallery.Fairness;
using Mote.Gallery.Jobs;
using Mote.Gallery.Overview;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.Jobs;
using Quartz;

namespace Mote.Gallery.Tests.Fairness;

/// <summary>
/// The gallery risk assessment as a durable job (issue 15) in a real host with its Quartz scheduler and the real engine:
/// one at a time (a second request while one waits is refused in words, nothing queued), a cancelled one stores nothing,
/// and a finished one's report is stored with the job, read back through fresh scopes as any instance would.
/// </summary>
public sealed class GalleryRiskJobTests
{
    [Fact]
    public async Task GalleryRiskJob_SecondWhileOneWaitsRefusedInWords_CancelStoresNothing_FinishedReportStoredForEveryone()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var host = await JobHost.StartAsync(folder);
            var photo = await File.ReadAllBytesAsync(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", "sample3.jpg"));
            var analyzer = await host.Services.GetRequiredService<GalleryEngine>().GetAnalyzerAsync();
            var face = analyzer.Analyze(photo, QualityPurpose.Enrollment).Faces.Select((f, i) => (f, i)).First(x => x.f.Quality.IsAccepted).i;
            var enrolled = await host.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest("Risk Job", photo, face, Seed: 41)));

            // A scheduler in standby fires nothing: the first assessment waits, deterministically.
            var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            await scheduler.Standby();
            var request = new GalleryRiskRequest(ImpostorsPerGroup: 100);
            var waiting = await SubmitAsync(host, Actors.Auditor, request);
            Assert.Equal(JobState.Queued, waiting.State);

            var busy = await Assert.ThrowsAsync<GalleryBusyException>(() => SubmitAsync(host, Actors.Admin, request));
            Assert.Equal($"A gallery risk assessment started by {Actors.Auditor.Name} is already running; wait for it to finish (or cancel it), then assess again.", busy.Message);
            Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = {(int)JobKind.AssessGalleryRisk}"));
            await Assert.ThrowsAsync<GalleryException>(() => SubmitAsync(host, Actors.Admin, new GalleryRiskRequest(LimitMultiple: 0)));
            await Assert.ThrowsAsync<PermissionDeniedException>(() => SubmitAsync(host, Actors.Operator, request));

            var cancelled = await host.InScopeAsync<GalleryRiskJobs, GalleryRiskJobStatus>(j => j.CancelAsync(Actors.Admin, waiting.Id));
            Assert.Equal(JobState.Cancelled, cancelled.State);
            Assert.Null(await host.InScopeAsync<GalleryRiskJobs, LatestGalleryRisk?>(j => j.LatestReportAsync(Actors.Auditor)));

            // Now one runs to its end.
            var job = await SubmitAsync(host, Actors.Auditor, request);
            await scheduler.Start();
            GalleryRiskJobStatus? status = null;
            await host.WaitUntilAsync(() =>
            {
                status = host.InScopeAsync<GalleryRiskJobs, GalleryRiskJobStatus?>(j => j.GetAsync(Actors.Auditor, job.Id)).GetAwaiter().GetResult();
                return status is { IsFinished: true };
            }, TimeSpan.FromMinutes(5), "the assessment");
            Assert.Equal(JobState.Succeeded, status!.State);
            Assert.Equal((1, 1), (status.Done, status.Total));

            // Read from the store through fresh scopes (what another instance, a reload or another user sees).
            var latest = await host.InScopeAsync<GalleryRiskJobs, LatestGalleryRisk?>(j => j.LatestReportAsync(Actors.Admin));
            Assert.NotNull(latest);
            var report = latest.Report;
            Assert.Equal(100, report.ImpostorsPerGroup);
            var person = Assert.Single(report.People);
            Assert.Equal((enrolled.Person.Id, "Risk Job", enrolled.Person.Threshold), (person.Id, person.Name, person.Threshold));
            Assert.NotEmpty(report.Groups);
            Assert.Equal(report.Groups, person.Groups.Select(g => g.Group));
            Assert.All(person.Groups, g => Assert.Equal(100, g.Impostors));
            Assert.Equal((await host.InScopeAsync<GalleryRiskJobs, GalleryRiskJobStatus?>(j => j.CurrentAsync(Actors.Auditor)))!.Id, job.Id);
            var overview = await host.InScopeAsync<ReadGalleryRiskSummary, GalleryRiskSummary?>(r => r.ExecuteAsync(Actors.Auditor));
            Assert.Equal((1, 1), (overview!.Assessed, overview.EnrolledNow));
            await Assert.ThrowsAsync<PermissionDeniedException>(() => host.InScopeAsync<GalleryRiskJobs, LatestGalleryRisk?>(j => j.LatestReportAsync(Actors.Operator)));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }

    private static Task<GalleryRiskJobStatus> SubmitAsync(JobHost host, Actor actor, GalleryRiskRequest request) =>
        host.InScopeAsync<GalleryRiskJobs, GalleryRiskJobStatus>(j => j.SubmitAsync(actor, request));
}
