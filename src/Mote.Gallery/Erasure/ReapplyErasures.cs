using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Data;

namespace Mote.Gallery.Erasure;

/// <summary>
/// Erases again every person the <see cref="ErasureLedger"/> names who is still in this database: what a database restored
/// from a backup taken before their erasure holds. Runs on every start before anything is served
/// (<see cref="Hosting.GalleryDatabase.MigrateAsync"/>) and at the end of <c>mote restore</c>. Each one is erased
/// completely (<see cref="ErasePerson"/>, WAL checkpoint included) and audited as
/// <see cref="Audit.AuditEventCode.ErasureReapplied"/> (802) by the system. A no-op when the ledger is empty or names nobody present.
/// </summary>
public sealed class ReapplyErasures(MoteDbContext db, ErasureLedger ledger, ErasePerson erase, ILogger<ReapplyErasures> log)
{
    /// <summary>Returns the ids of the people erased again (empty when none).</summary>
    public async Task<IReadOnlyList<string>> ExecuteAsync(CancellationToken ct = default)
    {
        var entries = ledger.Read();
        if (entries.Count == 0)
        {
            return [];
        }
        var ids = entries.Select(e => e.PersonId).ToList();
        var present = new List<string>();
        // In slices: SQLite allows at most 32,766 parameters per statement.
        foreach (var slice in ids.Chunk(500))
        {
            present.AddRange(await db.People.AsNoTracking().Where(p => slice.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct).ConfigureAwait(false));
        }
        foreach (var id in present)
        {
            await erase.ReapplyAsync(id, ct).ConfigureAwait(false);
            log.LogWarning("Person {PersonId} was erased on {Date} but was back in the database (restored from an older copy); erased again.",
                id, entries.First(e => e.PersonId == id).ErasedUtc.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
        }
        return present;
    }
}
