using System.Text.Json;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;

namespace Mote.Gallery.Backup;

/// <summary>The newest backup taken of this database: when, where to (file name), how large, and what it held.</summary>
public sealed record LastBackup(DateTimeOffset TakenUtc, string FileName, long Bytes, string Sha256, long People, long Decisions, long AuditEvents);

/// <summary>
/// Where the last backup is remembered: <c>&lt;database&gt;.last-backup.json</c> beside the database (owner-only), not in it,
/// so recording a backup needs no schema change and a restored database does not claim its own backup's successors.
/// Read by the Settings page (and anything else that wants to show it, e.g. the Overview); written by <see cref="CreateBackup"/>.
/// </summary>
public sealed class BackupStatus(GalleryDatabase database)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The status file's path (SQLite only).</summary>
    public string FilePath => database.Path + ".last-backup.json";

    /// <summary>False on PostgreSQL: backups are taken with pg_dump, outside the Gallery, so it records none.</summary>
    public bool Applies => database.IsSqlite;

    /// <summary>
    /// The last backup recorded, or null when none was ever taken (or the file is unreadable: then none is claimed), and always
    /// null on PostgreSQL (<see cref="Applies"/>).
    /// </summary>
    public LastBackup? Read()
    {
        if (!Applies)
        {
            return null;
        }
        try
        {
            return File.Exists(FilePath) ? JsonSerializer.Deserialize<LastBackup>(File.ReadAllBytes(FilePath)) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>Replaces the record atomically (0600).</summary>
    internal void Record(LastBackup backup)
    {
        var temp = FilePath + $".{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temp, OwnerOnlyFiles.CreateNew()))
        {
            JsonSerializer.Serialize(stream, backup, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, FilePath, overwrite: true);
    }
}
