using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mote.Gallery.Hosting;

namespace Mote.Gallery.Tests.Builders;

/// <summary>
/// A real, migrated SQLite file in a fresh temporary folder with the Gallery's services around it —
/// the same registration the portal and CLI use. Deleted on dispose.
/// </summary>
public sealed class GalleryTestDatabase : IAsyncDisposable
{
    private readonly string _folder;
    private readonly List<IHostedService> _started = [];

    private GalleryTestDatabase(string folder, ServiceProvider services, string path)
    {
        _folder = folder;
        Services = services;
        DatabasePath = path;
    }

    public ServiceProvider Services { get; }

    public string DatabasePath { get; }

    /// <summary>The temporary folder that holds everything the Gallery writes: <c>data/</c> (the database, its WAL) and <c>secrets/</c>.</summary>
    public string Folder => _folder;

    /// <param name="configure">Adds or replaces services.</param>
    /// <param name="startHostedServices">Starts the Gallery's hosted services (the job runtime's scheduler among them), as a host
    /// would; stopped at disposal. Default off: use cases run in the foreground and decisions are recorded "not queued".</param>
    public static async Task<GalleryTestDatabase> CreateAsync(Action<IServiceCollection>? configure = null, bool startHostedServices = false)
    {
        var folder = Directory.CreateTempSubdirectory("mote-gallery-test-").FullName;
        var path = Path.Combine(folder, "data", "mote.db");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{GalleryOptions.Section}:DatabasePath"] = path,
                [$"{SecretsOptions.Section}:Directory"] = Path.Combine(folder, "secrets"),
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostApplicationLifetime, Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>();
        services.AddMoteGallery(configuration, folder);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await GalleryDatabase.MigrateAsync(provider);
        var database = new GalleryTestDatabase(folder, provider, path);
        if (startHostedServices)
        {
            foreach (var hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None).ConfigureAwait(false);
                database._started.Add(hosted);
            }
        }
        return database;
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

    /// <summary>A raw connection to the file, bypassing EF (for checks and for tampering on purpose).</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        await Services.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
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
