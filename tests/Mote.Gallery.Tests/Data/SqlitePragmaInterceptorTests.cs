using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Data;

[Trait("Provider", "SqliteOnly")] // SQLite's pragmas
public sealed class SqlitePragmaInterceptorTests
{
    [Fact]
    public async Task ConnectionOpened_FreshAndPooledConnections_AllFourPragmasHold()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();

        // First a brand-new physical connection, then the same pooled one handed out again: pragmas such
        // as synchronous and secure_delete are per connection and reset when SQLite opens a new one.
        SqliteConnection.ClearAllPools();
        for (var round = 0; round < 3; round++)
        {
            var scope = db.Services.CreateAsyncScope();
            await using (scope)
            {
                var context = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
                await context.Database.OpenConnectionAsync();
                try
                {
                    var connection = context.Database.GetDbConnection();
                    Assert.Equal("wal", Pragma(connection, "journal_mode"));
                    Assert.Equal("2", Pragma(connection, "synchronous")); // 2 = FULL
                    Assert.Equal("1", Pragma(connection, "foreign_keys"));
                    Assert.Equal("1", Pragma(connection, "secure_delete"));
                }
                finally
                {
                    await context.Database.CloseConnectionAsync();
                }
            }
        }
    }

    [Fact]
    public async Task ConnectionOpened_WithoutInterceptor_SqliteDefaultsDiffer()
    {
        // Guards the test above: a plain connection does not have these settings, so it is the interceptor that sets them.
        await using var db = await GalleryTestDatabase.CreateAsync();
        using var raw = db.OpenRaw();
        Assert.NotEqual("1", Pragma(raw, "secure_delete"));
    }

    [Fact]
    public async Task Migrations_MatchTheModel_NoPendingChanges()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var scope = db.Services.CreateAsyncScope();
        await using (scope)
        {
            var context = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            Assert.False(context.Database.HasPendingModelChanges(), "The model changed without a migration: run `dotnet ef migrations add <Name> --project src/Mote.Gallery --output-dir Data/Migrations`.");
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        }
    }

    private static string Pragma(System.Data.Common.DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!.ToLowerInvariant();
    }
}
