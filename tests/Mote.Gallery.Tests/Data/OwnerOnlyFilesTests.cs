using Microsoft.Data.Sqlite;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Data;

/// <summary>Issue 14 item 15: the database, its WAL/SHM and the audit anchor are owner-only (0600) on a fresh data folder.</summary>
[Trait("Provider", "SqliteOnly")] // the SQLite file's modes
public sealed class OwnerOnlyFilesTests
{
    [Fact]
    public async Task FreshDataFolder_DatabaseWalShmAndAnchor_OwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix permissions only.
        }
        await using var db = await GalleryTestDatabase.CreateAsync();
        await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Admin, AuditEventCode.UserCreated, "u-1", "detail"));
        // Keep a connection open so the WAL and shared-memory files exist while they are checked.
        using var open = db.OpenRaw();
        using (var read = open.CreateCommand())
        {
            read.CommandText = "SELECT COUNT(*) FROM AuditEvents";
            read.ExecuteScalar();
        }

        var anchors = Directory.GetFiles(Path.Combine(db.Folder, "secrets"), "audit-*.anchor");
        string[] files = [db.DatabasePath, db.DatabasePath + "-wal", db.DatabasePath + "-shm", Assert.Single(anchors)];
        foreach (var file in files)
        {
            Assert.True(File.Exists(file), file);
            Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task AuditAnchor_WorldReadableFromAnEarlierVersion_NarrowedWhenRead()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix permissions only.
        }
        await using var db = await GalleryTestDatabase.CreateAsync();
        await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Admin, AuditEventCode.UserCreated, "u-1", null));
        var anchor = Assert.Single(Directory.GetFiles(Path.Combine(db.Folder, "secrets"), "audit-*.anchor"));
        File.SetUnixFileMode(anchor, OwnerOnlyFiles.FileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var status = await db.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Mote.Gallery.Security.Actor.System));

        Assert.True(status.Verified, status.Summary);
        Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(anchor));
    }

    [Fact]
    public void PrepareDatabase_ExistingWorldReadableFiles_NarrowedTo0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix permissions only.
        }
        var folder = Directory.CreateTempSubdirectory("mote-owner-only-").FullName;
        try
        {
            var path = Path.Combine(folder, "mote.db");
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.WriteAllBytes(file, []);
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            OwnerOnlyFiles.PrepareDatabase(path);

            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
