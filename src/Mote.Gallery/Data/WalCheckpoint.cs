using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Mote.Gallery.Data;

/// <summary>
/// Folds the write-ahead log into the database file and truncates it to zero bytes
/// (<c>PRAGMA wal_checkpoint(TRUNCATE)</c>). In WAL mode a commit writes whole new page images to <c>mote.db-wal</c>
/// and leaves the old ones there until a checkpoint; SQLite's automatic checkpoint (every 1000 pages) is passive and
/// never shrinks the file, so a deleted row's earlier pages stay readable in the WAL. <c>secure_delete</c> zeroes the
/// freed content in the pages the checkpoint then writes into <c>mote.db</c>; truncating removes the old images.
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
}
