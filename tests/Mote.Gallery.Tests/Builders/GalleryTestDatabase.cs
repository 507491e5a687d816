using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mote.Gallery.Hosting;

namespace Mote.Gallery.Tests.Builders;

/// <summary>
/// A real, migrated database with the Gallery's services around it — the same registration the portal and CLI use — and a
/// fresh temporary folder for its secrets. By default a SQLite file in that folder; a fresh PostgreSQL database
/// (<see cref="TestPostgres"/>) when asked for, or for every test when <c>$MOTE_TEST_PROVIDER</c> is <c>PostgreSql</c>
/// (how <c>.ci/run</c> runs the Gallery tests a second time). Deleted on dispose.
/// </summary>
public sealed class GalleryTestDatabase : IAsyncDisposable
{
    /// <summary>The variable that runs every Gallery test on PostgreSQL (<c>PostgreSql</c>) instead of SQLite.</summary>
    public const string ProviderVariable = "MOTE_TEST_PROVIDER";

    private readonly string _folder;
    private readonly string? _postgres;
    private readonly List<IHostedService> _started = [];

    private GalleryTestDatabase(string folder, ServiceProvider services, string path, string? postgres)
    {
        _folder = folder;
        Services = services;
        DatabasePath = path;
        _postgres = postgres;
    }

    /// <summary>The provider a test gets when it names none: SQLite unless <c>$MOTE_TEST_PROVIDER</c> says PostgreSql.</summary>
    public static GalleryProvider DefaultProvider =>
        Enum.TryParse<GalleryProvider>(Environment.GetEnvironmentVariable(ProviderVariable), ignoreCase: true, out var p) ? p : GalleryProvider.Sqlite;

    public ServiceProvider Services { get; }

    /// <summary>The SQLite file (unused, never created, on PostgreSQL).</summary>
    public string DatabasePath { get; }

    public GalleryProvider Provider => _postgres is null ? GalleryProvider.Sqlite : GalleryProvider.PostgreSql;

    /// <summary>The PostgreSQL database's connection string; null on SQLite.</summary>
    public string? ConnectionString => _postgres;

    /// <summary>The temporary folder that holds everything the Gallery writes: <c>data/</c> (the database, its WAL) and <c>secrets/</c>.</summary>
    public string Folder => _folder;

    /// <param name="configure">Adds or replaces services.</param>
    /// <param name="startHostedServices">Starts the Gallery's hosted services (the job runtime's scheduler among them), as a host
    /// would; stopped at disposal. Default off: use cases run in the foreground and decisions are recorded "not queued".</param>
    public static Task<GalleryTestDatabase> CreateAsync(Action<IServiceCollection>? configure = null, bool startHostedServices = false) =>
        CreateAsync(DefaultProvider, configure, startHostedServices);

    /// <summary>A database on <paramref name="provider"/> (PostgreSQL: a new database on <see cref="TestPostgres"/>'s server).</summary>
    /// <param name="provider">The Gallery's provider.</param>
    /// <param name="configure">Adds or replaces services.</param>
    /// <param name="startHostedServices">Starts the Gallery's hosted services, as a host would; stopped at disposal.</param>
    public static async Task<GalleryTestDatabase> CreateAsync(GalleryProvider provider, Action<IServiceCollection>? configure = null, bool startHostedServices = false)
    {
        var folder = Directory.CreateTempSubdirectory("mote-gallery-test-").FullName;
        var path = Path.Combine(folder, "data", "mote.db");
        var postgres = provider == GalleryProvider.PostgreSql ? await TestPostgres.CreateDatabaseAsync() : null;
        var settings = new Dictionary<string, string?>
        {
            [$"{GalleryOptions.Section}:DatabasePath"] = path,
            [$"{SecretsOptions.Section}:Directory"] = Path.Combine(folder, "secrets"),
        };
        if (postgres is not null)
        {
            settings[$"{GalleryOptions.Section}:Provider"] = nameof(GalleryProvider.PostgreSql);
            settings[$"{GalleryOptions.Section}:ConnectionString"] = postgres;
        }
        var services = await BuildAsync(folder, settings, configure);
        var database = new GalleryTestDatabase(folder, services, path, postgres);
        if (startHostedServices)
        {
            foreach (var hosted in services.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None).ConfigureAwait(false);
                database._started.Add(hosted);
            }
        }
        return database;
    }

    /// <summary>
    /// A second, independent set of Gallery services (its own DbContext pool, its own caches) on the same database and secrets
    /// folder: what a second portal instance would be. Dispose it before this database.
    /// </summary>
    public async Task<ServiceProvider> OpenAnotherInstanceAsync(Action<IServiceCollection>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{GalleryOptions.Section}:DatabasePath"] = DatabasePath,
            [$"{SecretsOptions.Section}:Directory"] = Path.Combine(_folder, "secrets"),
        };
        if (_postgres is not null)
        {
            settings[$"{GalleryOptions.Section}:Provider"] = nameof(GalleryProvider.PostgreSql);
            settings[$"{GalleryOptions.Section}:ConnectionString"] = _postgres;
        }
        return await BuildAsync(_folder, settings, configure);
    }

    private static async Task<ServiceProvider> BuildAsync(string folder, Dictionary<string, string?> settings, Action<IServiceCollection>? configure)
    {
        settings.TryAdd(TestBackbone.Key, TestBackbone.Id);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostApplicationLifetime, Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>();
        services.AddMoteGallery(configuration, folder);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await GalleryDatabase.MigrateAsync(provider);
        return provider;
    }

    /// <summary>Resolves <typeparamref name="T"/> from a new scope (a fresh DbContext), as a request would.</summary>
    public async Task<TResult> InScopeAsync<T, TResult>(Func<T, Task<TResult>> action) where T : notnull
    {
        var scope = Services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await action(scope.ServiceProvider.GetRequiredService<T>()).ConfigureAwait(false);
        }
    }

    /// <summary>Saves <paramref name="people"/> (e.g. from <see cref="PersonRows"/>) in one scope.</summary>
    public async Task AddPeopleAsync(params Mote.Gallery.People.Person[] people)
    {
        var scope = Services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetRequiredService<Mote.Gallery.Data.MoteDbContext>();
            context.People.AddRange(people);
            await context.SaveChangesAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A raw connection to the file, bypassing EF (for checks and for tampering on purpose). SQLite only.</summary>
    public SqliteConnection OpenRaw()
    {
        if (_postgres is not null)
        {
            throw new InvalidOperationException("This test reads the SQLite file directly; mark it [Trait(\"Provider\", \"SqliteOnly\")] or use Scalar/Execute, which run on both.");
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Runs one query that returns a number, bypassing EF. Written in SQLite's dialect with bare identifiers; on PostgreSQL
    /// the mixed-case identifiers are quoted (outside string literals) so the same text runs there.
    /// </summary>
    public long Scalar(string sql)
    {
        using var connection = OpenAny();
        using var command = connection.CreateCommand();
        command.CommandText = Dialect(sql);
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs one query and returns its first column as text, row by row, bypassing EF. As <see cref="Scalar"/>, on either provider.</summary>
    public IReadOnlyList<string> Strings(string sql)
    {
        using var connection = OpenAny();
        using var command = connection.CreateCommand();
        command.CommandText = Dialect(sql);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    /// <summary>Runs one statement (tampering on purpose), bypassing EF; returns the rows it changed. As <see cref="Scalar"/>, on either provider.</summary>
    public int Execute(string sql)
    {
        using var connection = OpenAny();
        using var command = connection.CreateCommand();
        command.CommandText = Dialect(sql);
        return command.ExecuteNonQuery();
    }

    private System.Data.Common.DbConnection OpenAny()
    {
        if (_postgres is null)
        {
            return OpenRaw();
        }
        var connection = new Npgsql.NpgsqlConnection(_postgres);
        connection.Open();
        return connection;
    }

    private string Dialect(string sql) => _postgres is null ? sql : ToPostgreSql(sql);

    /// <summary>Test SQL written for SQLite, with its mixed-case identifiers quoted for PostgreSQL.</summary>
    internal static string ToPostgreSql(string sql)
    {
        // Even segments lie outside '…' literals; there, quote identifiers that mix case (AuditEvents, Id), never SQL keywords (all capitals).
        var parts = sql.Split('\'');
        for (var i = 0; i < parts.Length; i += 2)
        {
            parts[i] = System.Text.RegularExpressions.Regex.Replace(parts[i], "(?<![\"\\w])([A-Z][a-z][A-Za-z0-9]*)(?![\"\\w(])", "\"$1\"");
        }
        return string.Join('\'', parts);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        await Services.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
        if (_postgres is not null)
        {
            await TestPostgres.DropDatabaseAsync(_postgres).ConfigureAwait(false);
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A still-closing handle on a temp file is not a test failure.
        }
    }
}
