using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mote.Core.Models;
using Mote.Gallery.Hosting;

namespace Mote.Gallery.Tests.Jobs;

/// <summary>
/// A real generic host around the Gallery — its hosted services started, so the Quartz scheduler and the job runtime run —
/// on a real SQLite file in <see cref="Folder"/>. Stopping and starting another <see cref="JobHost"/> on the same folder is a
/// restart: same database, same secrets.
/// </summary>
internal sealed class JobHost : IAsyncDisposable
{
    private readonly IHost _host;

    private JobHost(IHost host, string folder)
    {
        _host = host;
        Folder = folder;
    }

    public string Folder { get; }

    public IServiceProvider Services => _host.Services;

    public string DatabasePath => Path.Combine(Folder, "data", "mote.db");

    /// <summary>A new temporary folder for <see cref="StartAsync"/>.</summary>
    public static string NewFolder() => Directory.CreateTempSubdirectory("mote-jobs-test-").FullName;

    public static async Task<JobHost> StartAsync(string folder)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{GalleryOptions.Section}:DatabasePath"] = Path.Combine(folder, "data", "mote.db"),
            [$"{SecretsOptions.Section}:Directory"] = Path.Combine(folder, "secrets"),
        });
        builder.Services.AddLogging();
        builder.Services.AddMoteGallery(builder.Configuration, folder);
        var cache = Environment.GetEnvironmentVariable(ModelPackOptions.CacheDirEnvironmentVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "mote-test-models");
        builder.Services.AddSingleton(new ModelPackOptions { CacheDir = cache });
        var host = builder.Build();
        await GalleryDatabase.MigrateAsync(host.Services);
        await host.StartAsync();
        return new JobHost(host, folder);
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

    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
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

    public static void DeleteFolder(string folder)
    {
        SqliteConnection.ClearAllPools();
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
