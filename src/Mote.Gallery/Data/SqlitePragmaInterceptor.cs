using System.Data.Common;
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

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
