using Mote.Core.Evaluation;
using Mote.Gallery.Audit;
using Mote.Gallery.Evaluations;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Evaluations;

public sealed class EvaluationRunTests
{
    [Fact]
    public async Task RecordEvaluationRun_StoresHeadlinesAndReport_WithOneAuditEvent()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var report = Report();

        var id = await db.InScopeAsync<RecordEvaluationRun, string>(r => r.ExecuteAsync(Actors.Admin, report, "/tmp/run"));

        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM EvaluationRuns"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationRecorded} AND SubjectId = '{id}'"));
        var runs = await db.InScopeAsync<ListEvaluationRuns, IReadOnlyList<EvaluationRunSummary>>(l => l.ExecuteAsync(Actors.Auditor));
        var run = Assert.Single(runs);
        Assert.Equal(id, run.Id);
        Assert.Equal(0.04, run.ModelFnmrAtFmr1e3);
        Assert.Equal(0.02, run.VectorFnmrAtFmr1e3);
        Assert.Equal(0.97, run.ModelGenderFdr);
        Assert.Equal(42, run.Identities);
        Assert.Equal("/tmp/run", run.ReportFolder);
        var shown = await db.InScopeAsync<ShowEvaluationRun, EvaluationReport>(s => s.ExecuteAsync(Actors.Auditor, id));
        Assert.Equal(report.Recognition[0].RocAuc, shown.Recognition[0].RocAuc);
        Assert.Equal(report.Settings.Command, shown.Settings.Command);
    }

    [Fact]
    public async Task RecordEvaluationRun_WithoutRunEvaluations_IsDenied_AndWritesNothing()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<RecordEvaluationRun, string>(r => r.ExecuteAsync(Actors.Auditor, Report(), null)));

        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM EvaluationRuns"));
        Assert.Equal(0, db.Scalar($"SELECT COUNT(*) FROM AuditEvents WHERE Code = {(int)AuditEventCode.EvaluationRecorded}"));
    }

    [Fact]
    public async Task RecordEvaluationRun_OtherSchemaVersion_IsRefused()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<RecordEvaluationRun, string>(r => r.ExecuteAsync(Actors.Admin, Report() with { SchemaVersion = 99 }, null)));

        Assert.Equal(0, db.Scalar("SELECT COUNT(*) FROM EvaluationRuns"));
    }

    [Fact]
    public async Task ListAndShow_NeedViewFairness()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var id = await db.InScopeAsync<RecordEvaluationRun, string>(r => r.ExecuteAsync(Actors.Admin, Report(), null));

        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<ListEvaluationRuns, IReadOnlyList<EvaluationRunSummary>>(l => l.ExecuteAsync(Actors.Operator)));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => db.InScopeAsync<ShowEvaluationRun, EvaluationReport>(s => s.ExecuteAsync(Actors.Operator, id)));
        await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<ShowEvaluationRun, EvaluationReport>(s => s.ExecuteAsync(Actors.Auditor, "no-such-run")));
    }

    /// <summary>A small but complete report, as the runner writes it.</summary>
    internal static EvaluationReport Report()
    {
        var det = new[] { new ErrorPoint(0.5, 0.001, 0.04) };
        var groups = new[]
        {
            new GroupRates("female", 10, 40, 900, new RateInterval(0.001, 0, 0.002), new RateInterval(0.05, 0.01, 0.1), det, null),
            new GroupRates("male", 32, 160, 9000, new RateInterval(0.001, 0, 0.002), new RateInterval(0.03, 0.01, 0.06), det, null),
        };
        return new EvaluationReport(
            EvaluationReport.CurrentSchemaVersion, new DateTimeOffset(2026, 11, 29, 22, 0, 0, TimeSpan.Zero),
            new EvaluationSettings("lfw-dev", "dlib-resnet", "4b583403012f4b906d33", "dlib-resnet/20261129200908", 1, null, "equal", 2000, 4000, 1,
                "128→128→64→16→1", 0, 120, 1e-3, [0, 1], 20, 10, 400, 100, 2, "mote evaluate --dataset x", "abc123"),
            new DataSummary(100, 42, 42, 0, 200, 0, 200, 8200, new Dictionary<string, int> { ["female"] = 10, ["male"] = 32 }, new Dictionary<string, int>()),
            [
                new KindRecognition("model", "logit", 200, 8200, 0.99, new ErrorPoint(0.1, 0.03, 0.03), new ErrorPoint(0.5, 0.001, 0.04), null, det, new Dictionary<string, double>(), new Dictionary<string, double>()),
                new KindRecognition("vector", "cosine", 200, 8200, 0.999, new ErrorPoint(0.9, 0.01, 0.01), new ErrorPoint(0.92, 0.001, 0.02), null, det, new Dictionary<string, double>(), new Dictionary<string, double>()),
            ],
            new PersonalThresholdResult(1e-3, 400, 0.006, 0.04, 1e-6, 1e-8, 1e-4, 0),
            new VariationCheck(42, 1, 0.98, 0.94),
            [new AttributeFairness("model", "gender", 0.5, 1e-3, groups, 0.97, 0.2, 1.0, 1.2)],
            [],
            [new AttackResult("gender", "vector templates", 20, ["female", "male"], 10, 5, 0.9, 0.7, 0.97, [0.9, 0.9, 0.9, 0.9, 0.9], 0.5)],
            [new KindCosts("model", 104115, 900, 1200, 15, 0.2, 42), new KindCosts("vector", 512, 0, 0, 0.3, 0.01, 42)],
            [new ScoreHistogram("model", -10, 10, [0.5, 0.5], [0.5, 0.5])],
            [new PhaseTime("enroll", 30)],
            []);
    }
}
