using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Mote.Gallery.Data;

/// <summary>
/// Folds the write-ahead log into the database file and truncates it to zero bytes
/// (<c>PRAGMA wal_checkpoint(TRUNCATE)</c>). In WAL mode a commit writes whole new page images to <c>mote.db-wal</c>
/// and leaves the old ones there until a checkpoint; SQLite's automatic checkpoint (every 1000 pages) is passive and
/// never shrinks the file, so a deleted row's earlier pages stay readable in the WAL. <c>secure_delete</c> zeroes the
/// freed content in the pages the checkpoint then writes into <c>mote.db</c>; truncating removes the old images.
/// On PostgreSQL there is no such file and no <c>secure_delete</c>: the same call runs a plain <c>VACUUM</c> on the tables an
/// erasure deletes from, which prunes the dead row versions (and their TOAST chunks) so their space is reused; PostgreSQL does
/// not promise to overwrite those bytes in its data files or WAL at once (docs/erasure.md, docs/deployment.md).
/// </summary>
public static class WalCheckpoint
{
    /// <summary>How long a checkpoint keeps retrying while readers hold an older snapshot: 5 s (50 × 100 ms).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Runs a TRUNCATE checkpoint on <paramref name="db"/>'s connection (outside any transaction), retrying for up to
    /// <see cref="Patience"/> while another connection reads an older snapshot. Returns whether the WAL was emptied;
    /// when not, logs a warning (the data leaves the WAL at the next checkpoint that completes).
    /// </summary>
    public static async Task<bool> TruncateAsync(MoteDbContext db, TimeProvider time, ILogger log, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        if (db.Database.IsNpgsql())
        {
            return await VacuumAsync(db, log, ct).ConfigureAwait(false);
        }
        await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            var connection = db.Database.GetDbConnection();
            for (var waited = TimeSpan.Zero; ; waited += Pause)
            {
                long busy;
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                    busy = Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }
                if (busy == 0)
                {
                    return true;
                }
                if (waited >= Patience)
                {
                    log.LogWarning("The WAL checkpoint after an erasure stayed blocked by readers for {Seconds} s; erased pages stay in mote.db-wal until the next checkpoint completes.", Patience.TotalSeconds);
                    return false;
                }
                await Task.Delay(Pause, time, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The tables an erasure deletes from (and so leaves dead row versions in, on PostgreSQL).</summary>
    internal static readonly IReadOnlyList<string> ErasedTables =
        ["People", "PersonImages", "Decisions", "DecisionProbeImages", "DecisionExplanations", "AuditPayloads"];

    // VACUUM cannot run in a transaction block: EF runs this outside one (the erasure has committed). A failure is logged, not
    // thrown: the erasure stands, and autovacuum prunes the rows later.
    private static async Task<bool> VacuumAsync(MoteDbContext db, ILogger log, CancellationToken ct)
    {
        var tables = string.Join(", ", ErasedTables.Select(t => $"\"{t}\""));
        try
        {
#pragma warning disable EF1002 // Constant table names from ErasedTables, not input.
            await db.Database.ExecuteSqlRawAsync($"VACUUM {tables}", ct).ConfigureAwait(false);
#pragma warning restore EF1002
            return true;
        }
        catch (Npgsql.PostgresException e)
        {
            log.LogWarning(e, "VACUUM after an erasure failed ({SqlState}); the erased rows' space is pruned by autovacuum later.", e.SqlState);
            return false;
        }
    }
}
