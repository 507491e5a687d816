using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Hosting;

namespace Mote.Gallery.Data;

/// <summary>
/// Marks a database as served: a process that serves it (the portal) holds an exclusive lock on <c>&lt;database&gt;.serving</c>
/// for as long as it runs (an advisory <c>flock</c> on Unix, released by the kernel when the process dies, so a crashed
/// portal leaves no stale mark). <c>mote restore</c> refuses to replace a database whose lock is held unless told
/// <c>--force</c>. The CLI never holds it: its commands are short and open the database through the same checks.
/// </summary>
public static class ServingLock
{
    /// <summary>The lock file of <paramref name="databasePath"/>.</summary>
    public static string PathFor(string databasePath) => databasePath + ".serving";

    /// <summary>Takes the lock; null when another process (or another holder in this one) has it.</summary>
    public static FileStream? TryAcquire(string databasePath)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFiles.FileMode;
            }
            return new FileStream(PathFor(databasePath), options);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Whether a running process serves <paramref name="databasePath"/> now.</summary>
    public static bool IsHeld(string databasePath)
    {
        if (!File.Exists(PathFor(databasePath)))
        {
            return false;
        }
        using var probe = TryAcquire(databasePath);
        return probe is null;
    }
}

/// <summary>Holds the <see cref="ServingLock"/> of the Gallery's database while the host runs (the portal; never the CLI).</summary>
public sealed class ServingLockService(GalleryDatabase database, ILogger<ServingLockService> log) : IHostedService, IDisposable
{
    private FileStream? _lock;

    /// <summary>
    /// Takes the serving lock on a SQLite database; when another process holds it, logs a warning and serves without it.
    /// On PostgreSQL no lock is taken.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!database.IsSqlite)
        {
            // The lock guards `mote restore`, which refuses PostgreSQL outright; several instances serving one database is the point there.
            log.LogInformation("Serving {Database} on PostgreSQL: no serving lock (mote restore refuses PostgreSQL; use pg_restore).", database.Description);
            return Task.CompletedTask;
        }
        _lock = ServingLock.TryAcquire(database.Path);
        if (_lock is null)
        {
            log.LogWarning("Another process already serves {Database}; `mote restore` will refuse to replace it while either runs.", database.Path);
        }
        return Task.CompletedTask;
    }

    /// <summary>Releases the serving lock.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Releases the serving lock, if held; safe to call more than once.</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
