using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>What became of one row of a bulk enrollment.</summary>
public enum BulkRowOutcome
{
    /// <summary>Enrolled now (one <see cref="AuditEventCode.PersonEnrolled"/> event).</summary>
    Enrolled,

    /// <summary>Skipped: this person is enrolled already (same external id and name, or same name and the very same photo).</summary>
    AlreadyEnrolled,

    /// <summary>Refused; nothing of this row was stored. <see cref="BulkRowResult.Message"/> says why.</summary>
    Failed,
}

/// <summary>One row's result.</summary>
/// <param name="Row">The row's number in the batch (1 = first after a CSV's header).</param>
/// <param name="Name">The name the row gave.</param>
/// <param name="ExternalId">The external id it gave, if any.</param>
/// <param name="Photo">The photo it named.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Message">In words: "Enrolled.", "Already enrolled: skipped.", or why it failed.</param>
/// <param name="PersonId">The enrolled (or already enrolled) person's id; null when failed.</param>
/// <param name="Duration">How long the row took.</param>
public sealed record BulkRowResult(
    int Row, string Name, string? ExternalId, string Photo, BulkRowOutcome Outcome, string Message, string? PersonId, TimeSpan Duration);

/// <summary>Progress of a bulk enrollment: rows finished of the total, the row now running and its stage, and the row just finished.</summary>
/// <param name="Done">Rows finished so far.</param>
/// <param name="Total">Rows in the batch.</param>
/// <param name="Current">The row now running (null once all are done).</param>
/// <param name="Stage">Its enrollment stage (<see cref="EnrollmentStages"/>), or "checking" before it starts.</param>
/// <param name="Finished">The row that just finished, when this report is about one.</param>
public sealed record BulkEnrollmentProgress(int Done, int Total, BulkEnrollmentRow? Current, string? Stage, BulkRowResult? Finished);

/// <summary>The whole batch's result, one entry per row in order.</summary>
public sealed record BulkEnrollmentSummary(string Source, IReadOnlyList<BulkRowResult> Rows, TimeSpan Duration)
{
    /// <summary>Rows enrolled by this run.</summary>
    public int Enrolled => Rows.Count(r => r.Outcome == BulkRowOutcome.Enrolled);

    /// <summary>Rows skipped because their person was already enrolled (by an earlier run of the same batch).</summary>
    public int AlreadyEnrolled => Rows.Count(r => r.Outcome == BulkRowOutcome.AlreadyEnrolled);

    /// <summary>Rows that failed; each says why in <see cref="BulkRowResult.Message"/>.</summary>
    public int Failed => Rows.Count(r => r.Outcome == BulkRowOutcome.Failed);

    /// <summary>"5 rows: 3 enrolled, 1 already enrolled, 1 failed."</summary>
    public string Text => $"{Rows.Count} row{(Rows.Count == 1 ? "" : "s")}: {Enrolled} enrolled, {AlreadyEnrolled} already enrolled, {Failed} failed.";
}

/// <summary>
/// Enrolls every row of a <see cref="BulkEnrollmentBatch"/> through <see cref="EnrollPerson"/> — its permission check, photo
/// policy, training and one audit event per person, each row in its own scope and transaction, one row at a time (training is
/// CPU-bound). A row that fails leaves nothing behind and does not stop the others. Resumable: a row whose person is already
/// enrolled is skipped and reported as such — matched on the external id (with the same name), else on the name plus the
/// keyed digest of the very same photo recorded in the person's enrollment event (<see cref="PhotoDigest"/>); a namesake
/// enrolled from another photo is refused in words (give an external id). Needs <see cref="Permission.ManageGallery"/>;
/// writes no event of its own (the batch is the sum of its people's events). Cancelling stops before the next row (a row
/// being enrolled rolls back); sending the batch again resumes.
/// </summary>
public sealed partial class EnrollPeopleInBulk(IServiceScopeFactory scopes, SecretKeyStore keys, ILogger<EnrollPeopleInBulk> log)
{
    /// <summary>The stage reported while a row's photo is read and matched against the gallery.</summary>
    public const string Checking = "checking";

    /// <param name="actor">Who asks; each row is enrolled as this actor.</param>
    /// <param name="batch">The rows and their photos; not disposed here.</param>
    /// <param name="progress">Told as each row starts, changes stage and finishes.</param>
    /// <param name="ct">Stops before the next row; the row being enrolled rolls back.</param>
    /// <returns>One result per row, in the batch's order.</returns>
    public async Task<BulkEnrollmentSummary> ExecuteAsync(Actor actor, BulkEnrollmentBatch batch, IProgress<BulkEnrollmentProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(batch);
        actor.Demand(Permission.ManageGallery);
        var started = Stopwatch.StartNew();
        var results = new List<BulkRowResult>(batch.Rows.Count);
        foreach (var row in batch.Rows)
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(new BulkEnrollmentProgress(results.Count, batch.Rows.Count, row, Checking, null));
            var result = await EnrollRowAsync(actor, batch, row, new InlineStage(progress, results.Count, batch.Rows.Count, row), ct).ConfigureAwait(false);
            results.Add(result);
            progress?.Report(new BulkEnrollmentProgress(results.Count, batch.Rows.Count, null, null, result));
        }
        return new BulkEnrollmentSummary(batch.Source, results, started.Elapsed);
    }

    private async Task<BulkRowResult> EnrollRowAsync(Actor actor, BulkEnrollmentBatch batch, BulkEnrollmentRow row, IProgress<string> stage, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        BulkRowResult Result(BulkRowOutcome outcome, string message, string? personId) =>
            new(row.Row, row.Name, row.ExternalId, row.Photo, outcome, message, personId, clock.Elapsed);
        try
        {
            if (row.Problem is { } problem)
            {
                return Result(BulkRowOutcome.Failed, problem, null);
            }
            var key = PersonIdentity.Normalize(row.Name, row.ExternalId);
            var photo = await batch.ReadPhotoAsync(row, ct).ConfigureAwait(false);
            // A fresh scope (and DbContext) per row: a failed save must not leave tracked entities for the next row to write.
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
                if (await FindEnrolledAsync(db, key, PhotoDigest.Of(keys, photo), ct).ConfigureAwait(false) is { } enrolled)
                {
                    return Result(BulkRowOutcome.AlreadyEnrolled, "Already enrolled: skipped.", enrolled);
                }
                var request = new EnrollmentRequest(key.Name, photo, Declared: new DeclaredAttributes(row.Gender, row.Ethnicity, row.AgeBand), ExternalId: key.ExternalId);
                var done = await scope.ServiceProvider.GetRequiredService<EnrollPerson>().ExecuteAsync(actor, request, stage, ct).ConfigureAwait(false);
                return Result(BulkRowOutcome.Enrolled, "Enrolled.", done.Person.Id);
            }
        }
        catch (GalleryException e)
        {
            return Result(BulkRowOutcome.Failed, e.Message, null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // One row's unexpected failure is reported on that row; the batch goes on (each row rolls back alone).
        catch (Exception e) when (e is not PermissionDeniedException)
#pragma warning restore CA1031
        {
            LogRowFailed(log, e, row.Row, batch.Source);
            return Result(BulkRowOutcome.Failed, $"The enrollment failed unexpectedly ({e.GetType().Name}: {e.Message}); nothing was stored.", null);
        }
    }

    /// <summary>
    /// The id of the person this row describes when they are enrolled already: the holder of its external id when their name
    /// is the same; without an external id, the namesake without one whose enrollment event records this photo's digest.
    /// Null otherwise (enrollment then goes ahead, or refuses a clash in its own words).
    /// </summary>
    internal static async Task<string?> FindEnrolledAsync(MoteDbContext db, PersonKey key, string digest, CancellationToken ct)
    {
        if (key.NormalizedExternalId.Length > 0)
        {
            var holder = await db.People.AsNoTracking().Where(p => p.NormalizedExternalId == key.NormalizedExternalId)
                .Select(p => new { p.Id, p.NormalizedName }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            return holder is not null && holder.NormalizedName == key.NormalizedName ? holder.Id : null;
        }
        var namesake = await db.People.AsNoTracking().Where(p => p.NormalizedName == key.NormalizedName && p.NormalizedExternalId == "")
            .Select(p => p.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (namesake is null)
        {
            return null;
        }
        var code = (int)AuditEventCode.PersonEnrolled;
        var marker = PhotoDigest.Marker + digest;
        var details = await db.AuditEvents.AsNoTracking().Where(e => e.Code == code && e.SubjectId == namesake)
            .Join(db.AuditPayloads.AsNoTracking(), e => e.Id, p => p.EventId, (e, p) => p.Detail)
            .ToListAsync(ct).ConfigureAwait(false);
        return details.Any(d => d.Contains(marker, StringComparison.Ordinal)) ? namesake : null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk enrollment row {Row} of {Source} failed unexpectedly")]
    private static partial void LogRowFailed(ILogger logger, Exception exception, int row, string source);

    /// <summary>Turns a row's enrollment stages into batch progress.</summary>
    private sealed class InlineStage(IProgress<BulkEnrollmentProgress>? progress, int done, int total, BulkEnrollmentRow row) : IProgress<string>
    {
        public void Report(string value) => progress?.Report(new BulkEnrollmentProgress(done, total, row, value, null));
    }
}
