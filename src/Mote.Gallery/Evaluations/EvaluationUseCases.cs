using Microsoft.EntityFrameworkCore;
using Mote.Core.Evaluation;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Evaluations;

/// <summary>
/// Records a finished evaluation run (its report) so the portal can list and show it; one
/// <see cref="AuditEventCode.EvaluationRecorded"/> event, all or nothing. Needs <see cref="Permission.RunEvaluations"/>
/// (running evaluations is an administrator's job; the terminal actor holds it).
/// </summary>
public sealed class RecordEvaluationRun(MoteDbContext db, AuditTrail audit, TimeProvider time)
{
    /// <summary>Stores the run; returns its id.</summary>
    /// <exception cref="GalleryException">The report is not of the current schema version.</exception>
    public async Task<string> ExecuteAsync(Actor actor, EvaluationReport report, string? reportFolder, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(report);
        actor.Demand(Permission.RunEvaluations);
        if (report.SchemaVersion != EvaluationReport.CurrentSchemaVersion)
        {
            throw new GalleryException($"The report has schema version {report.SchemaVersion}; this Gallery records version {EvaluationReport.CurrentSchemaVersion}.");
        }

        // The report names kinds as strings (its JSON): compare against the one place that names them.
        var (modelName, vectorName) = (TemplateKind.Model.ReportName(), TemplateKind.Vector.ReportName());
        var model = report.Recognition.FirstOrDefault(r => r.Kind == modelName);
        var vector = report.Recognition.FirstOrDefault(r => r.Kind == vectorName);
        var run = new EvaluationRun
        {
            Id = Guid.NewGuid().ToString("D"),
            FinishedUtc = report.CreatedUtc,
            RecordedUtc = time.GetUtcNow(),
            SchemaVersion = report.SchemaVersion,
            Dataset = report.Settings.Dataset,
            Backbone = report.Settings.Backbone,
            PopulationPack = report.Settings.PopulationPack,
            Seed = report.Settings.Seed,
            Identities = report.Data.Enrolled,
            GenuinePairs = report.Data.GenuinePairs,
            ImpostorPairs = report.Data.ImpostorPairs,
            ModelFnmrAtFmr1e3 = model?.AtFmr1e3?.Fnmr,
            VectorFnmrAtFmr1e3 = vector?.AtFmr1e3?.Fnmr,
            ModelEer = model?.Eer.Fmr ?? double.NaN,
            VectorEer = vector?.Eer.Fmr ?? double.NaN,
            ModelGenderFdr = report.Fairness.FirstOrDefault(f => f.Kind == modelName && f.Attribute == "gender")?.Fdr,
            VectorGenderFdr = report.Fairness.FirstOrDefault(f => f.Kind == vectorName && f.Attribute == "gender")?.Fdr,
            WallSeconds = report.TotalSeconds,
            Command = report.Settings.Command,
            Commit = report.Settings.Commit,
            ReportFolder = reportFolder,
            ReportJson = EvaluationReportWriter.ToJson(report),
        };
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            db.EvaluationRuns.Add(run);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await audit.AppendAsync(actor, AuditEventCode.EvaluationRecorded, run.Id,
                $"{run.Dataset}: {run.Identities} identities, seed {run.Seed}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }

        return run.Id;
    }
}

/// <summary>Recorded evaluation runs, newest first, without their report text. Needs <see cref="Permission.ViewFairness"/>.</summary>
public sealed class ListEvaluationRuns(MoteDbContext db)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="take">How many runs at most; clamped to 1..500.</param>
    /// <param name="ct">Cancels the query.</param>
    public async Task<IReadOnlyList<EvaluationRunSummary>> ExecuteAsync(Actor actor, int take = 50, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        return await db.EvaluationRuns.AsNoTracking().OrderByDescending(r => r.RecordedUtc).Take(Math.Clamp(take, 1, 500))
            .Select(r => new EvaluationRunSummary(r.Id, r.FinishedUtc, r.RecordedUtc, r.Dataset, r.Backbone, r.PopulationPack, r.Seed, r.Identities,
                r.GenuinePairs, r.ImpostorPairs, r.ModelFnmrAtFmr1e3, r.VectorFnmrAtFmr1e3, r.ModelEer, r.VectorEer, r.ModelGenderFdr,
                r.VectorGenderFdr, r.WallSeconds, r.Commit, r.ReportFolder))
            .ToListAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>One recorded run's full report. Needs <see cref="Permission.ViewFairness"/>.</summary>
public sealed class ShowEvaluationRun(MoteDbContext db)
{
    /// <exception cref="GalleryException">No run has this id, or its report cannot be read.</exception>
    public async Task<EvaluationReport> ExecuteAsync(Actor actor, string id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewFairness);
        var json = await db.EvaluationRuns.AsNoTracking().Where(r => r.Id == id).Select(r => r.ReportJson).FirstOrDefaultAsync(ct).ConfigureAwait(false)
            ?? throw new GalleryException($"There is no evaluation run with id '{id}'.");
        try
        {
            return EvaluationReportWriter.FromJson(json);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            throw new GalleryException($"The report of evaluation run '{id}' cannot be read: {e.Message}");
        }
    }
}
