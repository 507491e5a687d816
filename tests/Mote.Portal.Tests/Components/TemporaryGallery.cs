using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mote.Gallery.Hosting;

namespace Mote.Portal.Tests.Components;

/// <summary>Registers the real Gallery on a migrated SQLite file in a temp folder, for component tests that call use cases.</summary>
public sealed class TemporaryGallery : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-bunit-").FullName;

    public void Register(IServiceCollection services)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{GalleryOptions.Section}:DatabasePath"] = Path.Combine(_folder, "mote.db"),
                [$"{SecretsOptions.Section}:Directory"] = Path.Combine(_folder, "secrets"),
                [Infrastructure.TestEnvironment.BackboneKey] = Infrastructure.TestEnvironment.Backbone,
            })
            .Build();
        services.AddLogging();
        services.AddSingleton<IHostApplicationLifetime, Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMoteGallery(configuration, _folder);
        services.AddSingleton<Mote.Portal.Services.AuditChainMonitor>();
        services.AddScoped<Mote.Portal.Services.OverviewLoader>();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

/// <summary>The shared bUnit base plus a real, temporary Gallery (migrated on demand), disposed with the test.</summary>
public abstract class GalleryBunitContext : PortalBunitContext
{
    private readonly TemporaryGallery _gallery = new();
    private readonly List<IHostedService> _started = [];

    protected GalleryBunitContext() => _gallery.Register(Services);

    /// <summary>Starts the Gallery's hosted services as the portal's host does: the job runtime's scheduler runs background jobs
    /// (enrollments, explanations, evaluations). Migrate first. Stopped when the test is disposed.</summary>
    protected async Task StartJobsAsync()
    {
        foreach (var hosted in Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
            _started.Add(hosted);
        }
    }

    /// <summary>bUnit disposes <c>Services</c> here, before <see cref="Dispose(bool)"/>: the hosted services
    /// (Quartz's among them, which resolves services as it stops) stop first.</summary>
    protected override async ValueTask DisposeAsyncCore()
    {
        await StopJobsAsync();
        await base.DisposeAsyncCore();
    }

    private async Task StopJobsAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(CancellationToken.None);
        }
        _started.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopJobsAsync().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
        if (disposing)
        {
            _gallery.Dispose();
        }
    }
}
