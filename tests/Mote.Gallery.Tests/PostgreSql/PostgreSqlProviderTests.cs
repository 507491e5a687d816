using System.Diagnostics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Backup;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;
using Mote.Gallery.Keys;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Npgsql;
using Xunit.Abstractions;

namespace Mote.Gallery.Tests.PostgreSql;

/// <summary>
/// The Gallery on a real PostgreSQL server (<see cref="TestPostgres"/>: <c>$MOTE_TEST_POSTGRES</c>, else a throwaway cluster from
/// Debian's binaries): migrations, the append-only trail, one audit chain appended by two independent instances at once, the
/// data-protection ring shared through the database, and the SQLite-only features refusing in words.
/// </summary>
[Trait("Provider", "PostgreSql")]
public sealed class PostgreSqlProviderTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int EventsPerWriter = 500;

    [Fact]
    public async Task AuditChain_TwoInstancesTimesFourWritersTimes500Events_OneContiguousChainThatVerifies()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(GalleryProvider.PostgreSql);
        await using var other = await db.OpenAnotherInstanceAsync();
        var instances = new ServiceProvider[] { db.Services, other };
        var started = Stopwatch.StartNew();

        var writers = instances.SelectMany((services, i) => Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; n < EventsPerWriter; n++)
            {
                var scope = services.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    await scope.ServiceProvider.GetRequiredService<AuditTrail>()
                        .AppendAsync(Actors.Admin, AuditEventCode.SettingsChanged, $"instance{i}-writer{w}", $"event {n}").ConfigureAwait(false);
                }
            }
        }))).ToList();
        await Task.WhenAll(writers);
        output.WriteLine($"{instances.Length * Writers * EventsPerWriter} appends from {instances.Length} instances × {Writers} writers in {started.Elapsed.TotalSeconds:F1} s.");

        var status = await db.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actors.Auditor));
        const int total = 2 * Writers * EventsPerWriter;
        Assert.True(status.Verified, status.Summary);
        Assert.Equal(total, status.VerifiedUpTo);
        Assert.Equal(total, status.RowCount);
        // Every writer's events are all there, and the two instances interleaved (the lock serialised them, it did not queue one behind the other).
        var perWriter = await CountsAsync(db.ConnectionString!, "SELECT \"SubjectId\", COUNT(*) FROM \"AuditEvents\" GROUP BY \"SubjectId\"");
        Assert.Equal(2 * Writers, perWriter.Count);
        Assert.All(perWriter.Values, c => Assert.Equal(EventsPerWriter, c));
        var switches = await CountsAsync(db.ConnectionString!,
            "SELECT 'switches', COUNT(*) FROM (SELECT left(\"SubjectId\", 9) AS i, lag(left(\"SubjectId\", 9)) OVER (ORDER BY \"Id\") AS p FROM \"AuditEvents\") s WHERE i <> p");
        Assert.True(switches["switches"] > 10, $"the instances took turns only {switches["switches"]} times");
    }

    [Fact]
    public async Task Migrate_CreatesTheSchemaAndTheTrailRefusesUpdateDeleteAndTruncate()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(GalleryProvider.PostgreSql);
        await db.InScopeAsync<AuditTrail, AuditEvent>(a => a.AppendAsync(Actors.Admin, AuditEventCode.SettingsChanged, null, null));

        foreach (var sql in new[] { "UPDATE \"AuditEvents\" SET \"ActorName\" = 'forged'", "DELETE FROM \"AuditEvents\"", "TRUNCATE \"AuditEvents\" CASCADE" })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db.ConnectionString!, sql));
            Assert.Contains("append-only", e.MessageText, StringComparison.Ordinal);
        }
        var status = await db.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actors.Auditor));
        Assert.True(status.Verified, status.Summary);
        Assert.Equal(1, status.RowCount);
        var instance = await CountsAsync(db.ConnectionString!, "SELECT \"Id\", length(\"Id\") FROM \"GalleryInstance\"");
        Assert.Equal(32, Assert.Single(instance.Values));
    }

    [Fact]
    public async Task Migrations_MatchTheModel_NoPendingChanges()
    {
        // The SQLite twin (SqlitePragmaInterceptorTests) is SqliteOnly; this one checks Data/Migrations/PostgreSql's snapshot.
        await using var db = await GalleryTestDatabase.CreateAsync(GalleryProvider.PostgreSql);
        var scope = db.Services.CreateAsyncScope();
        await using (scope)
        {
            var context = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            Assert.IsType<PostgreSqlMoteDbContext>(context);
            Assert.False(context.Database.HasPendingModelChanges(),
                "The model changed without a PostgreSQL migration: run `dotnet ef migrations add <Name> --project src/Mote.Gallery --context PostgreSqlMoteDbContext --output-dir Data/Migrations/PostgreSql`.");
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        }
    }

    [Fact]
    public async Task BackupRestoreAndKeyRotation_OnPostgreSql_RefusedInWordsNamingWhatToDo()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(GalleryProvider.PostgreSql);
        var archive = Path.Combine(db.Folder, "x.motebak");

        var backup = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<CreateBackup, BackupResult>(b => b.ExecuteAsync(Actors.Admin, archive, "correct horse battery staple")));
        var restore = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<RestoreBackup, RestoreResult>(r => r.ExecuteAsync(Actors.Admin, archive, "correct horse battery staple", force: false)));
        var rotate = await Assert.ThrowsAsync<GalleryException>(() => db.InScopeAsync<RotateTemplateKey, KeyRotationResult>(r => r.ExecuteAsync(Actors.Admin)));

        Assert.Contains("pg_dump", backup.Message, StringComparison.Ordinal);
        Assert.Contains("pg_restore", restore.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL", rotate.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(archive));
        Assert.Null(db.Services.GetRequiredService<BackupStatus>().Read());
        // Refused before anything was written: no audit event claims a backup.
        Assert.Empty(await CountsAsync(db.ConnectionString!, "SELECT 'n', COUNT(*) FROM \"AuditEvents\" HAVING COUNT(*) > 0"));
        // Key status (a read) works on PostgreSQL.
        var usage = await db.InScopeAsync<ReadTemplateKeyUsage, TemplateKeyUsage>(u => u.ExecuteAsync(Actors.Admin));
        Assert.Equal(0, usage.Unrecognised);
    }

    [Fact]
    public async Task DataProtection_RingInTheDatabase_OneInstanceReadsWhatAnotherProtected_AndOnlyWithTheSharedSecretsKey()
    {
        await using var db = await GalleryTestDatabase.CreateAsync(GalleryProvider.PostgreSql);
        await using var first = BuildProtection(db, Path.Combine(db.Folder, "secrets"));
        await using var second = BuildProtection(db, Path.Combine(db.Folder, "secrets"));
        var foreignFolder = Path.Combine(db.Folder, "other-secrets");
        await using var foreign = BuildProtection(db, foreignFolder);

        var token = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("sign-in cookie");

        Assert.Equal("sign-in cookie", second.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(token));
        var rows = await CountsAsync(db.ConnectionString!, "SELECT \"Xml\", 1 FROM \"DataProtectionKeys\"");
        var xml = Assert.Single(rows.Keys);
        Assert.Contains(SecretKeyXmlEncryptor.ElementName, xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(db.Folder, "secrets", $"{SharedKeyRing.KeyName}.key")));
        // Another secrets folder cannot open the ring: it holds no key that protects anything.
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(
            () => foreign.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(token));
    }

    [Fact]
    public void ConnectionString_WithoutPassword_TakesTheVariableThenTheSecretsFile_AndAMissingOneIsAnError()
    {
        var folder = Directory.CreateTempSubdirectory("mote-pg-options-").FullName;
        try
        {
            var secrets = new SecretsOptions { Directory = folder };
            var options = new GalleryOptions { Provider = GalleryProvider.PostgreSql, ConnectionString = "Host=db.example.org;Database=mote;Username=mote" };
            File.WriteAllText(Path.Combine(folder, GalleryDatabase.PasswordFile), "from-the-file\n");
            var saved = Environment.GetEnvironmentVariable(GalleryDatabase.PasswordVariable);
            try
            {
                Environment.SetEnvironmentVariable(GalleryDatabase.PasswordVariable, null);
                Assert.Equal("from-the-file", new NpgsqlConnectionStringBuilder(GalleryDatabase.From(options, folder, secrets).ConnectionStringWithPassword).Password);
                Environment.SetEnvironmentVariable(GalleryDatabase.PasswordVariable, "from-the-variable");
                var database = GalleryDatabase.From(options, folder, secrets);
                Assert.Equal("from-the-variable", new NpgsqlConnectionStringBuilder(database.ConnectionStringWithPassword).Password);
                Assert.DoesNotContain("from-the", database.Description, StringComparison.Ordinal);
                Assert.Equal("database mote on db.example.org:5432", database.Description);
                options.ConnectionString = "Host=db.example.org;Database=mote;Username=mote;Password=inline";
                Assert.Equal("inline", new NpgsqlConnectionStringBuilder(GalleryDatabase.From(options, folder, secrets).ConnectionStringWithPassword).Password);
            }
            finally
            {
                Environment.SetEnvironmentVariable(GalleryDatabase.PasswordVariable, saved);
            }
            var missing = Assert.Throws<GalleryException>(() => GalleryDatabase.From(new GalleryOptions { Provider = GalleryProvider.PostgreSql }, folder, secrets));
            Assert.Contains("Mote:Gallery:ConnectionString", missing.Message, StringComparison.Ordinal);
            var sqlite = GalleryDatabase.From(new GalleryOptions(), folder, secrets);
            Assert.True(sqlite.IsSqlite);
            Assert.Equal(Path.Combine(folder, "data", "mote.db"), sqlite.Path);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ServiceProvider BuildProtection(GalleryTestDatabase db, string secretsFolder)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{GalleryOptions.Section}:Provider"] = nameof(GalleryProvider.PostgreSql),
            [$"{GalleryOptions.Section}:ConnectionString"] = db.ConnectionString,
            [$"{SecretsOptions.Section}:Directory"] = secretsFolder,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMoteGallery(configuration, db.Folder);
        var secrets = new SecretsOptions { Directory = secretsFolder };
        services.AddMoteDataProtection(GalleryDatabase.From(new GalleryOptions { Provider = GalleryProvider.PostgreSql, ConnectionString = db.ConnectionString }, db.Folder, secrets),
            secrets, "Mote.Portal");
        return services.BuildServiceProvider();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs a two-column query (text key, count) and returns it as a dictionary.</summary>
    private static async Task<Dictionary<string, long>> CountsAsync(string connectionString, string sql)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync().ConfigureAwait(false))
                    {
                        result[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
        }
        return result;
    }
}
