using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Audit;

/// <summary>A page of audit events, newest first, with the total count. Needs <see cref="Permission.ViewAudit"/>.</summary>
public sealed class ListAuditEvents(MoteDbContext db)
{
    public async Task<(IReadOnlyList<AuditEvent> Rows, int Total)> ExecuteAsync(Actor actor, int skip, int take, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewAudit);
        take = Math.Clamp(take, 1, 500);
        var total = await db.AuditEvents.CountAsync(ct).ConfigureAwait(false);
        var rows = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Id).Skip(Math.Max(0, skip)).Take(take).ToListAsync(ct).ConfigureAwait(false);
        return (rows, total);
    }
}
