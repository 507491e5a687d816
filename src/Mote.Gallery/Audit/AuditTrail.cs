using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Audit;

/// <summary>
/// Appends audit events through the caller's <see cref="MoteDbContext"/>, so an event commits in the
/// same transaction as the change it records: no change without its event, no event without its change.
/// </summary>
public sealed class AuditTrail(MoteDbContext db, TimeProvider time)
{
    /// <summary>Adds the event to the context and saves it (inside the caller's transaction, if any).</summary>
    public async Task<AuditEvent> AppendAsync(Actor actor, AuditEventCode code, string? subjectId, string? detail, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var row = new AuditEvent
        {
            OccurredUtc = time.GetUtcNow(),
            Code = (int)code,
            ActorKind = (int)actor.Kind,
            ActorId = actor.Id,
            ActorName = actor.Name,
            SubjectId = subjectId,
            Detail = detail,
        };
        db.AuditEvents.Add(row);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return row;
    }
}
