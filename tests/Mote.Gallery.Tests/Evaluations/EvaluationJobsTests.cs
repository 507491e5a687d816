using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Evaluation;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests;
using Mote.Gallery.Audit;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Evaluations;

/// <summary>
/// Evaluation runs started the portal's way (<see cref="EvaluationJobs"/>): permission, request checks, one run at a time,
/// cancel and failure recording nothing, and a real tiny run on lfw-dev photos that ends up in the runs list.
/// </summary>
public sealed class EvaluationJobsTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-evaljobs-").FullName;

    [Fact]
    public async Task Start_AuditorOrOperator_PermissionDenied_NothingStartedNoEvent()
    {
        await using var db = await CreateAsync(FakeDatasets());
        var jobs = db.Services.GetRequiredService<EvaluationJobs>();

        await Assert.ThrowsAsync<PermissionDeniedException>(() => jobs.StartAsync(Actors.Auditor, new EvaluationRunRequest("good")));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => jobs.StartAsync(Actors.Operator, new EvaluationRunRequest("good")));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => jobs.CancelAsync(Actors.Auditor));
        Assert.Throws<PermissionDeniedException>(() => db.Services.GetRequiredService<ListEvaluationDatasets>().Execute(Actors.Auditor));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => jobs.CurrentAsync(Actors.Operator));

        Assert.Null(await jobs.CurrentAsync(Actors.Auditor)); // an auditor may follow a run, not start one
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    [Fact]
    public async Task ListEvaluationDatasets_OnlyFoldersWithImagesIdentityLayout()
    {
        await using var db = await CreateAsync(FakeDatasets());

        var list = db.Services.GetRequiredService<ListEvaluationDatasets>().Execute(Actors.Admin);

        Assert.True(list.RootExists);
        Assert.Equal(["good", "single"], list.Datasets.Select(d => d.Name));
        var good = list.Datasets[0];
        Assert.Equal(2, good.IdentityFolders);
        Assert.True(good.HasLabels);
        Assert.False(list.Datasets[1].HasLabels);
    }

    [Theory]
    [InlineData("", 100, "Choose a dataset.")]
    [InlineData("flat", 100, "There is no dataset 'flat' under")]
    [InlineData("../good", 100, "There is no dataset '../good' under")]
    [InlineData("good", 1, "Evaluate at least 2 identities")]
    [InlineData("single", 100, "Dataset 'single' cannot be evaluated:")]
    public async Task Start_BadRequest_RefusedInWords_NothingStartedNoEvent(string dataset, int identities, string expected)
    {
        await using var db = await CreateAsync(FakeDatasets());
        var jobs = db.Services.GetRequiredService<EvaluationJobs>();

        var refused = await Assert.ThrowsAsync<GalleryException>(() => jobs.StartAsync(Actors.Admin, new EvaluationRunRequest(dataset, identities)));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.Null(await jobs.CurrentAsync(Actors.Admin));
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM AuditEvents"));
    }

    [Fact]
    public async Task Start_MissingDatasetsRoot_SaysWhereItLookedAndHowToSetIt()
    {
        await using var db = await CreateAsync(Path.Combine(_folder, "nowhere"));

        var refused = await Assert.ThrowsAsync<GalleryException>(() =>
            db.Services.GetRequiredService<EvaluationJobs>().StartAsync(Actors.Admin, new EvaluationRunRequest("lfw-dev")));

        Assert.Contains("nowhere does not exist; set Mote:Evaluation:DatasetsRoot or MOTE_DATASETS", refused.Message, StringComparison.Ordinal);
        Assert.False(db.Services.GetRequiredService<ListEvaluationDatasets>().Execute(Actors.Admin).RootExists);
    }

    [Fact]
    public async Task Start_NoFaceInAnyPhoto_FailsInWords_RecordsNothing_AuditsStartAndAbandon()
    {
        await using var db = await CreateAsync(FakeDatasets(), withModels: true);
        var jobs = db.Services.GetRequiredService<EvaluationJobs>();

        var started = await jobs.StartAsync(Actors.Admin, new EvaluationRunRequest("good", Sweep: false, Privacy: false));
        var done = await jobs.WaitAsync(Long);

        Assert.Equal(started.Id, done!.Id);
        Assert.Equal(EvaluationJobState.Failed, done.State);
        Assert.Contains("Only 0 enrollment photo(s) gave a face", done.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was recorded", done.Message, StringComparison.Ordinal);
        Assert.Null(done.RunId);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM EvaluationRuns"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationStarted} AND SubjectId = '{started.Id}'"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationAbandoned} AND SubjectId = '{started.Id}'"));
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationRecorded}"));
    }

    [DatasetFact("lfw-dev")]
    public async Task Start_Lfw_CancelledByAdmin_RecordsNothing_AuditsWhoCancelled()
    {
        await using var db = await CreateAsync(TestDatasets.Root!, withModels: true);
        var jobs = db.Services.GetRequiredService<EvaluationJobs>();
        var started = await jobs.StartAsync(Actors.Admin, new EvaluationRunRequest("lfw-dev", 200));

        var cancelling = await jobs.CancelAsync(Actors.Admin);
        var done = await jobs.WaitAsync(Long);

        Assert.Equal(Actors.Admin.Name, cancelling.CancelRequestedBy);
        Assert.Equal(EvaluationJobState.Cancelled, done!.State);
        // Cancelled while queued or while running: either way by whom, and nothing stored.
        Assert.StartsWith($"Cancelled by {Actors.Admin.Name}", done.Message, StringComparison.Ordinal);
        Assert.EndsWith("nothing was stored.", done.Message, StringComparison.Ordinal);
        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM EvaluationRuns"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationAbandoned} AND SubjectId = '{started.Id}' AND ActorId = '{Actors.Admin.Id}'"));
        var again = await Assert.ThrowsAsync<GalleryException>(() => jobs.CancelAsync(Actors.Admin));
        Assert.Equal("No evaluation run is in progress.", again.Message);
    }

    [DatasetFact("lfw-dev")]
    public async Task Start_TinyLfwRun_ReportsProgress_RefusesASecondRun_ThenTheRecordedRunIsListed()
    {
        await using var db = await CreateAsync(TestDatasets.Root!, withModels: true);
        var jobs = db.Services.GetRequiredService<EvaluationJobs>();

        var started = await jobs.StartAsync(Actors.Admin, new EvaluationRunRequest("lfw-dev", Identities: 4, Seed: 1, Sweep: false, Privacy: false));
        var second = await Assert.ThrowsAsync<GalleryException>(() => jobs.StartAsync(Actors.Admin, new EvaluationRunRequest("lfw-dev", 4)));
        Assert.Contains("already in progress (started by admin@example.org", second.Message, StringComparison.Ordinal);

        // Follow it as the page does (an auditor may watch); remember every phase seen with a known total.
        var phases = new HashSet<string>(StringComparer.Ordinal);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        EvaluationJobStatus status;
        while (!(status = (await jobs.CurrentAsync(Actors.Auditor))!).IsFinished && watch.Elapsed < Long)
        {
            if (status.Progress.Total > 0)
            {
                phases.Add(status.Progress.Phase);
            }
            await Task.Delay(20);
        }

        Assert.True(status.State == EvaluationJobState.Succeeded, status.Message);
        // The 4-identity run takes seconds, so polling sees some phases only (which ones depends on timing): at least one was
        // seen while it ran, and the report records every phase it went through.
        Assert.NotEmpty(phases);
        var runs = await db.InScopeAsync<ListEvaluationRuns, IReadOnlyList<EvaluationRunSummary>>(l => l.ExecuteAsync(Actors.Auditor));
        var run = Assert.Single(runs);
        Assert.Equal(status.RunId, run.Id);
        Assert.InRange(run.Identities, 2, 4);
        Assert.Equal(1, run.Seed);
        Assert.Equal("lfw-dev", Path.GetFileName(run.Dataset));
        var report = await db.InScopeAsync<ShowEvaluationRun, EvaluationReport>(s => s.ExecuteAsync(Actors.Auditor, run.Id));
        Assert.Equal(4, report.Settings.IdentityLimit);
        Assert.Equal(1, report.Settings.Parallelism);
        Assert.Empty(report.Sweep);
        Assert.Empty(report.Privacy);
        Assert.Equal("portal: dataset lfw-dev, 4 identities, seed 1, sweep off, privacy off", report.Settings.Command);
        Assert.Equal(2, report.Recognition.Count);
        Assert.Equal(["describe", "enroll", "score"], report.PhaseSeconds.Select(p => p.Phase).Take(3));
        Assert.All(report.Recognition, r => Assert.InRange(r.RocAuc, 0.5, 1.0));
        Assert.True(report.Data.GenuinePairs > 0);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationStarted} AND SubjectId = '{started.Id}'"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationRecorded} AND SubjectId = '{run.Id}' AND ActorId = '{Actors.Admin.Id}'"));
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationAbandoned}"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private async Task<GalleryTestDatabase> CreateAsync(string datasetsRoot, bool withModels = false)
    {
        var cache = TestModelCache.Folder;
        // The job runtime runs (the scheduler's hosted services started), as in the portal.
        return await GalleryTestDatabase.CreateAsync(startHostedServices: true, configure: s =>
        {
            if (withModels)
            {
                s.AddSingleton(new ModelPackOptions { CacheDir = cache });
            }
            // Its own descriptor cache: never the one a terminal run may be appending to.
            s.AddSingleton(new EvaluationRunSettings { DatasetsRoot = datasetsRoot, DescriptorCache = Path.Combine(_folder, "descriptors") }.Resolve(_folder));
        });
    }

    /// <summary>
    /// good/ (two identities, two faceless noise JPEGs each, labels.csv), single/ (one identity with two photos), flat/ (no
    /// images/ folder) and empty/ (images/ without identities).
    /// </summary>
    private string FakeDatasets()
    {
        var root = Path.Combine(_folder, "datasets");
        var random = new Random(7);
        foreach (var (dataset, identity) in new[] { ("good", "Ann_A"), ("good", "Bob_B"), ("single", "Cy_C") })
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, dataset, "images", identity)).FullName;
            for (var i = 1; i <= 2; i++)
            {
                var pixels = new byte[64 * 64 * 3];
                random.NextBytes(pixels);
                File.WriteAllBytes(Path.Combine(dir, $"{identity}_{i:0000}.jpg"), ImageEncoding.ToJpeg(RgbImage.FromPixels(64, 64, pixels)));
            }
        }
        File.WriteAllText(Path.Combine(root, "good", "labels.csv"), "identity,images,gender,ethnicity\nAnn_A,2,female,caucasian\nBob_B,2,male,caucasian\n");
        Directory.CreateDirectory(Path.Combine(root, "flat"));
        Directory.CreateDirectory(Path.Combine(root, "empty", "images"));
        return root;
    }
}
