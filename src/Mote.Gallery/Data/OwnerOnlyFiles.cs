namespace Mote.Gallery.Data;

/// <summary>
/// Owner-only permissions (0600 files, 0700 new folders) for what holds biometric data or vouches for the audit trail:
/// the database, its WAL and shared-memory files, and the audit anchor — like the secrets folder. A no-op on Windows,
/// where files inherit the folder's ACL.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>0600: read and write for the owner only.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0700: read, write and enter for the owner only.</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Prepares <paramref name="databasePath"/>: creates its folder (0700 when new), creates the database as an empty
    /// 0600 file when absent — SQLite creates its <c>-wal</c> and <c>-shm</c> files with the database file's mode, and an
    /// empty file is an empty database to it — and narrows an existing database and its WAL/SHM files to 0600 (files
    /// made by earlier versions were 0644 under the usual umask 022).
    /// </summary>
    public static void PrepareDatabase(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, FolderMode);
            }
        }
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        if (!File.Exists(databasePath))
        {
            try
            {
                using var created = new FileStream(databasePath, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
            }
            catch (IOException) when (File.Exists(databasePath))
            {
                // Another process created it first; narrowed below.
            }
        }
        foreach (var path in new[] { databasePath, databasePath + "-wal", databasePath + "-shm", databasePath + "-journal" })
        {
            Narrow(path);
        }
    }

    /// <summary>Sets <paramref name="path"/> to 0600 when it exists and is wider; no-op on Windows.</summary>
    public static void Narrow(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return;
        }
        try
        {
            if ((File.GetUnixFileMode(path) & ~FileMode) != 0)
            {
                File.SetUnixFileMode(path, FileMode);
            }
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to change (another user's file we may only read): SQLite will refuse or read it as it stands.
        }
        catch (FileNotFoundException)
        {
            // The last connection closed and SQLite removed its WAL in between.
        }
    }

    /// <summary>Options that create a file 0600 on Unix (for a file written with <see cref="FileStream"/>).</summary>
    public static FileStreamOptions CreateNew()
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        return options;
    }
}
