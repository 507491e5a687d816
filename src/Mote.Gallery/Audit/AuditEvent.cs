namespace Mote.Gallery.Audit;

/// <summary>
/// One row of the append-only audit trail. The database refuses UPDATE and DELETE on this table
/// (triggers created by the migration); rows are only ever added through <see cref="AuditTrail"/>.
/// </summary>
public sealed class AuditEvent
{
    /// <summary>Sequence number, assigned by SQLite in append order.</summary>
    public long Id { get; set; }

    public DateTimeOffset OccurredUtc { get; set; }

    public int Code { get; set; }

    public int ActorKind { get; set; }

    public string ActorId { get; set; } = "";

    public string ActorName { get; set; } = "";

    /// <summary>The id of what the event is about (a user id, a person id), or null.</summary>
    public string? SubjectId { get; set; }

    /// <summary>A short human-readable detail, e.g. "role Auditor → Admin".</summary>
    public string? Detail { get; set; }
}
