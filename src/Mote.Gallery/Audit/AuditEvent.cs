namespace Mote.Gallery.Audit;

/// <summary>
/// One link of the tamper-evident audit chain. Its <see cref="Hash"/> is an HMAC (key outside the
/// database) over the previous row's hash and every field of this row, including the digest of its
/// payload; the payload itself (<see cref="AuditPayload"/>) sits apart so an erasure can delete it and
/// the chain still verifies. The database refuses UPDATE and DELETE on this table (migration triggers).
/// </summary>
public sealed class AuditEvent
{
    /// <summary>Sequence number: 1, 2, 3 … with no gaps; assigned under the write lock when appended.</summary>
    public long Id { get; set; }

    /// <summary>When the event happened.</summary>
    public DateTimeOffset OccurredUtc { get; set; }

    /// <summary>The event's <see cref="AuditEventCode"/>, as stored.</summary>
    public int Code { get; set; }

    /// <summary>The <see cref="Security.ActorKind"/> of who caused it, as stored.</summary>
    public int ActorKind { get; set; }

    /// <summary>The actor's id.</summary>
    public string ActorId { get; set; } = "";

    /// <summary>The actor's name as shown when the event happened.</summary>
    public string ActorName { get; set; } = "";

    /// <summary>The id of what the event is about (a user id, a person id, a key id), or null.</summary>
    public string? SubjectId { get; set; }

    /// <summary>SHA-256 of the payload text, or null when the event has none.</summary>
    public byte[]? PayloadDigest { get; set; }

    /// <summary>HMAC-SHA256(audit key, previous hash ‖ this row's fields); 32 bytes.</summary>
    public byte[] Hash { get; set; } = [];
}

/// <summary>
/// The free-text detail of an event ("ada@example.org as Admin"), which may hold personal data. Kept
/// outside the chain: erasing it leaves <see cref="AuditEvent.PayloadDigest"/> in place, so the chain
/// still verifies and shows that something was erased.
/// </summary>
public sealed class AuditPayload
{
    /// <summary>The <see cref="AuditEvent.Id"/> this detail belongs to.</summary>
    public long EventId { get; set; }

    /// <summary>The detail text.</summary>
    public string Detail { get; set; } = "";
}

/// <summary>An audit event as read back: the chained fields plus its detail, or null when erased or absent.</summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset OccurredUtc,
    int Code,
    int ActorKind,
    string ActorId,
    string ActorName,
    string? SubjectId,
    string? Detail,
    bool PayloadErased);
