using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Mote.Core.Templates;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>A stored template that failed its integrity check: whose, and why in words.</summary>
public sealed record DamagedTemplate(string PersonId, string PersonName, string Reason);

/// <summary>
/// What happens when a stored template fails its integrity check during 1:N (issue 14 item 11): the person is left out of
/// identification (everyone else is still searched), the failure is logged as an error each time a process builds its
/// gallery index, and it is recorded as one <see cref="AuditEventCode.TemplateIntegrityViolation"/> event per person
/// and stored template — not per request: the detail names the damaged blob by its SHA-256, and an event with the same
/// detail for the same person is not written again (checked inside the write transaction, so two processes do not
/// both write it). A re-enrollment or retraining stores a new blob, whose damage would be a new event.
/// </summary>
public static partial class TemplateIntegrity
{
    /// <summary>
    /// Records <paramref name="damaged"/> (unless already recorded for this blob) as the system, in its own transaction.
    /// Never throws for a failed write: identification must not fail because its audit note could not be written; that is logged.
    /// </summary>
    internal static async Task RecordAsync(MoteDbContext db, AuditTrail audit, ILogger log, Person person, DamagedTemplate damaged, CancellationToken ct)
    {
        LogDamaged(log, damaged.PersonName, damaged.PersonId, damaged.Reason);
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{person.Name}: the stored {person.TemplateKind.ReportName()} template (blob SHA-256 {Convert.ToHexString(SHA256.HashData(person.TemplateBlob))[..16]}) failed its integrity check: {damaged.Reason} It is left out of 1:N identification; re-enroll or erase this person.");
        var digest = AuditChain.PayloadDigestOf(detail);
        try
        {
            var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var code = (int)AuditEventCode.TemplateIntegrityViolation;
                var known = await db.AuditEvents.AsNoTracking()
                    .Where(e => e.Code == code && e.SubjectId == person.Id)
                    .Select(e => e.PayloadDigest).ToListAsync(ct).ConfigureAwait(false);
                if (!known.Any(k => k is not null && k.AsSpan().SequenceEqual(digest)))
                {
                    await audit.AppendAsync(Actor.System, AuditEventCode.TemplateIntegrityViolation, person.Id, detail, ct).ConfigureAwait(false);
                }
                await transaction.CommitAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotRecorded(log, e, damaged.PersonId);
        }
    }

    /// <summary>
    /// How many enrolled people have a template recorded as damaged since their last enrollment or retraining (what
    /// the portal's health check reports). Counts what identification has found so far; it does not open templates.
    /// </summary>
    public static async Task<int> CountDamagedAsync(MoteDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        try
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                // Both columns hold UTC ticks; an event older than the person's current template is about a blob that is gone.
                command.CommandText = string.Create(CultureInfo.InvariantCulture, $"""
                    SELECT COUNT(DISTINCT e."SubjectId") FROM "AuditEvents" e JOIN "People" p ON p."Id" = e."SubjectId"
                    WHERE e."Code" = {(int)AuditEventCode.TemplateIntegrityViolation} AND e."OccurredUtc" >= COALESCE(p."RetrainedUtc", p."EnrolledUtc")
                    """);
                return Convert.ToInt32(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The stored template of {Name} ({PersonId}) failed its integrity check and is left out of 1:N identification: {Reason}")]
    private static partial void LogDamaged(ILogger logger, string name, string personId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The integrity violation of the template of person {PersonId} could not be recorded in the audit trail.")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, string personId);
}
