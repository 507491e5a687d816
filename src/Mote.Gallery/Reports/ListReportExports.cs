using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Reports;

/// <summary>One past export, from its audit event.</summary>
/// <param name="Sequence">The audit event's sequence number.</param>
/// <param name="OccurredUtc">When.</param>
/// <param name="ActorName">Who generated it.</param>
/// <param name="Detail">Format and content hash ("pdf; sha256 …").</param>
public sealed record ReportExportEntry(long Sequence, DateTimeOffset OccurredUtc, string ActorName, string Detail);

/// <summary>Past compliance-report exports, newest first, read from the audit trail. Needs <see cref="Permission.ExportReports"/>; read-only.</summary>
public sealed class ListReportExports(MoteDbContext db)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="take">How many exports at most; clamped to 1..1000.</param>
    /// <param name="ct">Cancels the query.</param>
    public async Task<IReadOnlyList<ReportExportEntry>> ExecuteAsync(Actor actor, int take = 100, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ExportReports);
        var code = (int)AuditEventCode.ReportExported;
        return await (from e in db.AuditEvents.AsNoTracking()
                      where e.Code == code
                      orderby e.Id descending
                      join p in db.AuditPayloads.AsNoTracking() on e.Id equals p.EventId into payloads
                      from p in payloads.DefaultIfEmpty()
                      select new ReportExportEntry(e.Id, e.OccurredUtc, e.ActorName, p == null ? "" : p.Detail))
            .Take(Math.Clamp(take, 1, 1000))
            .ToListAsync(ct).ConfigureAwait(false);
    }
}
