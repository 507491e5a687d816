using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mote.Core.Models;
using Mote.Gallery.Hosting;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Jobs;

/// <summary>
/// A real generic host around the Gallery — its hosted services started, so the Quartz scheduler and the job runtime run —
/// on a real SQLite file in <see cref="Folder"/>, or, when <c>$MOTE_TEST_PROVIDER</c> is <c>PostgreSql</c>, on a fresh
/// PostgreSQL database (<see cref="TestPostgres"/>; its connection string kept in the folder). Stopping and starting another
/// <see cref="JobHost"/> on the same folder is a restart: same database, same secrets.
/// </summary>
internal sealed class JobHost : IAsyncDisposable
{
    private readonly IHost _host;

    private const string PostgresFile = "postgres.connection";

    private JobHost(IHost host, string folder, string? postgres)
    {
        _host = host;
        Folder = folder;
        Postgres = postgres;
    }

    /// <summary>The PostgreSQL database's connection string; null on SQLite.</summary>
    public string? Postgres { get; }

    public string Folder { get; }

    public IServiceProvider Services => _host.Services;

    public string DatabasePath => Path.Combine(Folder, "data", "mote.db");

    /// <summary>A new temporary folder for <see cref="StartAsync"/> (and a new PostgreSQL database when the tests run on PostgreSQL).</summary>
    public static async Task<string> NewFolderAsync()
    {
        var folder = Directory.CreateTempSubdirectory("mote-jobs-test-").FullName;
        if (GalleryTestDatabase.DefaultProvider == GalleryProvider.PostgreSql)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, PostgresFile), await TestPostgres.CreateDatabaseAsync());
        }
        return folder;
    }

    /// <summary>
    /// Starts a host on <paramref name="folder"/>; <paramref name="configuration"/> adds or overrides settings (e.g.
    /// <c>Mote:Backup:*</c>). With <paramref name="runJobs"/> false the host is built but not started: its scheduler runs
    /// nothing, so the jobs it submits are run by another host on the same database (another instance's scheduler).
    /// </summary>
    public static async Task<JobHost> StartAsync(string folder, IReadOnlyDictionary<string, string?>? configuration = null, bool runJobs = true)
    {
        var postgresFile = Path.Combine(folder, PostgresFile);
        var postgres = File.Exists(postgresFile) ? await File.ReadAllTextAsync(postgresFile) : null;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = folder });
        var settings = new Dictionary<string, string?>
        {
            [$"{GalleryOptions.Section}:DatabasePath"] = Path.Combine(folder, "data", "mote.db"),
            [$"{SecretsOptions.Section}:Directory"] = Path.Combine(folder, "secrets"),
            [TestBackbone.Key] = TestBackbone.Id,
        };
        if (postgres is not null)
        {
            settings[$"{GalleryOptions.Section}:Provider"] = nameof(GalleryProvider.PostgreSql);
            settings[$"{GalleryOptions.Section}:ConnectionString"] = postgres;
        }
        foreach (var (key, value) in configuration ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddMoteGallery(builder.Configuration, folder);
        var cache = TestModelCache.Folder;
        builder.Services.AddSingleton(new ModelPackOptions { CacheDir = cache });
        var host = builder.Build();
        await GalleryDatabase.MigrateAsync(host.Services);
        if (runJobs)
        {
            await host.StartAsync();
        }
        return new JobHost(host, folder, postgres);
    }

    /// <summary>Resolves <typeparamref name="T"/> from a new scope, as a request would.</summary>
    public async Task<TResult> InScopeAsync<T, TResult>(Func<T, Task<TResult>> action) where T : notnull
    {
        var scope = Services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await action(scope.ServiceProvider.GetRequiredService<T>()).ConfigureAwait(false);
        }
    }

    /// <summary>One value from test SQL written for SQLite (identifiers quoted for PostgreSQL when on it).</summary>
    public long Scalar(string sql)
    {
        using System.Data.Common.DbConnection connection = Postgres is null
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString())
            : new Npgsql.NpgsqlConnection(Postgres);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Postgres is null ? sql : GalleryTestDatabase.ToPostgreSql(sql);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not reached within {timeout}.");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>A graceful stop (what SIGTERM asks of the host), then disposal.</summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // Already stopped and disposed by StopAsync.
        }
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }

    public static async Task DeleteFolderAsync(string folder)
    {
        SqliteConnection.ClearAllPools();
        var postgresFile = Path.Combine(folder, PostgresFile);
        if (File.Exists(postgresFile))
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await TestPostgres.DropDatabaseAsync(await File.ReadAllTextAsync(postgresFile));
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A still-closing handle on a temp file is not a test failure.
        }
    }
}
