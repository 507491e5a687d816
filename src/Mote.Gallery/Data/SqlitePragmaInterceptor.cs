using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mote.Gallery.Data;

/// <summary>
/// Sets the durability and safety pragmas on every connection EF opens, pooled or new: pragmas such
/// as <c>synchronous</c>, <c>foreign_keys</c> and <c>secure_delete</c> are per connection, so setting
/// them once at database creation is not enough.
/// </summary>
public sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    /// <summary>WAL for concurrent readers, FULL sync so a committed audit row survives power loss,
    /// foreign keys enforced, and deleted biometric data overwritten with zeros in the file.</summary>
    public const string Pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;";

    /// <summary>
    /// The same without <c>journal_mode</c>, for read-only connections, which cannot change it (the database already is
    /// WAL, or it is the empty file <see cref="OwnerOnlyFiles.PrepareDatabase"/> created owner-only, which EF's existence
    /// check opens read-only before migrating).
    /// </summary>
    public const string ReadOnlyPragmas = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;";

    /// <summary>Runs <see cref="Pragmas"/> on the connection just opened, or <see cref="ReadOnlyPragmas"/> when it was opened read-only.</summary>
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = PragmasFor(connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Runs the pragmas on the connection just opened, as <see cref="ConnectionOpened"/> does.</summary>
    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = PragmasFor(connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string PragmasFor(DbConnection connection) =>
        new SqliteConnectionStringBuilder(connection.ConnectionString).Mode == SqliteOpenMode.ReadOnly ? ReadOnlyPragmas : Pragmas;
}
