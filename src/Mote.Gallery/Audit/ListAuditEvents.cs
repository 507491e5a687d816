using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Audit;

/// <summary>Which events to show or export. Every criterion is optional; text matches are case-insensitive substrings.</summary>
public sealed record AuditFilter(DateTimeOffset? FromUtc = null, DateTimeOffset? ToUtc = null, string? Actor = null, int? Code = null, string? Subject = null)
{
    /// <summary>True when no criterion is set (the whole trail).</summary>
    public bool IsEmpty => FromUtc is null && ToUtc is null && string.IsNullOrWhiteSpace(Actor) && Code is null && string.IsNullOrWhiteSpace(Subject);

    /// <summary>The criteria in words, for the export's audit event: "whole trail", or e.g. "from 2026-12-01T00:00:00Z, code 400, actor 'ada'".</summary>
    public string Describe()
    {
        if (IsEmpty)
        {
            return "whole trail";
        }
        var parts = new List<string>(5);
        if (FromUtc is { } from)
        {
            parts.Add("from " + from.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (ToUtc is { } to)
        {
            parts.Add("to " + to.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (!string.IsNullOrWhiteSpace(Actor))
        {
            parts.Add($"actor '{Actor.Trim()}'");
        }
        if (Code is { } code)
        {
            parts.Add(FormattableString.Invariant($"code {code}"));
        }
        if (!string.IsNullOrWhiteSpace(Subject))
        {
            parts.Add($"subject '{Subject.Trim()}'");
        }
        return string.Join(", ", parts);
    }
}

/// <summary>Reads the audit trail, newest first, filtered. Needs <see cref="Permission.ViewAudit"/>; read-only.</summary>
public sealed class ListAuditEvents(MoteDbContext db)
{
    /// <summary>A page of matching events and the number of all matching events.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Rows, int Total)> ExecuteAsync(Actor actor, int skip, int take, AuditFilter? filter = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewAudit);
        var query = Apply(filter ?? new AuditFilter());
        var total = await query.CountAsync(ct).ConfigureAwait(false);
        var rows = await Project(query.OrderByDescending(e => e.Id).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 500))).ToListAsync(ct).ConfigureAwait(false);
        return (rows, total);
    }

    /// <summary>All matching events, oldest first, streamed (for export).</summary>
    public IAsyncEnumerable<AuditEntry> StreamAsync(Actor actor, AuditFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewAudit);
        return Project(Apply(filter ?? new AuditFilter()).OrderBy(e => e.Id)).AsAsyncEnumerable();
    }

    private IQueryable<AuditEvent> Apply(AuditFilter filter)
    {
        var query = db.AuditEvents.AsNoTracking();
        if (filter.FromUtc is { } from)
        {
            query = query.Where(e => e.OccurredUtc >= from);
        }
        if (filter.ToUtc is { } to)
        {
            query = query.Where(e => e.OccurredUtc <= to);
        }
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var pattern = $"%{filter.Actor.Trim()}%";
            // Case-insensitive on both: SQLite's LIKE is for ASCII already; PostgreSQL's is not, ILIKE is.
            query = db.Database.IsNpgsql()
                ? query.Where(e => EF.Functions.ILike(e.ActorName, pattern) || EF.Functions.ILike(e.ActorId, pattern))
                : query.Where(e => EF.Functions.Like(e.ActorName, pattern) || EF.Functions.Like(e.ActorId, pattern));
        }
        if (filter.Code is { } code)
        {
            query = query.Where(e => e.Code == code);
        }
        if (!string.IsNullOrWhiteSpace(filter.Subject))
        {
            var pattern = $"%{filter.Subject.Trim()}%";
            query = db.Database.IsNpgsql()
                ? query.Where(e => e.SubjectId != null && EF.Functions.ILike(e.SubjectId, pattern))
                : query.Where(e => e.SubjectId != null && EF.Functions.Like(e.SubjectId, pattern));
        }
        return query;
    }

    private IQueryable<AuditEntry> Project(IQueryable<AuditEvent> events) =>
        from e in events
        join p in db.AuditPayloads on e.Id equals p.EventId into payloads
        from p in payloads.DefaultIfEmpty()
        select new AuditEntry(e.Id, e.OccurredUtc, e.Code, e.ActorKind, e.ActorId, e.ActorName, e.SubjectId,
            p == null ? null : p.Detail, p == null && e.PayloadDigest != null);
}
