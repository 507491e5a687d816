using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Hosting;
using Mote.Gallery.Tests.Builders;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.PostgreSql;

/// <summary>
/// One fresh PostgreSQL database (<see cref="TestPostgres"/>) and one secrets folder that several real portal processes
/// share, as a scaled-out deployment does (docs/deployment.md), with an in-process view of the same gallery for checks.
/// Disposing stops the portals it started, then drops the database and deletes the folder.
/// </summary>
internal sealed class SharedPostgresGallery : IAsyncDisposable
{
    private readonly List<PortalProcess> _portals = [];

    private SharedPostgresGallery(string connection, string folder)
    {
        Connection = connection;
        Folder = folder;
    }

    /// <summary>The database's connection string.</summary>
    public string Connection { get; }

    /// <summary>The temporary folder; the shared secrets live in <see cref="Secrets"/> under it.</summary>
    public string Folder { get; }

    /// <summary>The secrets folder every portal and <see cref="Open"/> use (template, audit and data-protection keys).</summary>
    public string Secrets => Path.Combine(Folder, "secrets");

    /// <summary>A new database and folder (named with <paramref name="folderPrefix"/>).</summary>
    public static async Task<SharedPostgresGallery> CreateAsync(string folderPrefix) =>
        new(await TestPostgres.CreateDatabaseAsync(), Directory.CreateTempSubdirectory(folderPrefix).FullName);

    /// <summary>
    /// Starts <paramref name="count"/> portal processes together on the database and secrets (the first start migrates the
    /// empty database, the others wait for it), with <paramref name="more"/> settings after the shared ones. If one fails to
    /// start, the others are stopped before the failure is thrown.
    /// </summary>
    public async Task<PortalProcess[]> StartPortalsAsync(int count, params string[] more)
    {
        string[] arguments = ["--Mote:Gallery:Provider=PostgreSql", $"--Mote:Gallery:ConnectionString={Connection}", $"--Mote:Secrets:Directory={Secrets}", .. more];
        var starting = Enumerable.Range(0, count).Select(_ => PortalProcess.StartAsync(arguments)).ToArray();
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }
            throw;
        }
        var portals = starting.Select(s => s.Result).ToArray();
        _portals.AddRange(portals);
        return portals;
    }

    /// <summary>The Gallery's services on the same database and secrets, in this process (dispose it after use).</summary>
    public ServiceProvider Open()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{GalleryOptions.Section}:Provider"] = nameof(GalleryProvider.PostgreSql),
            [$"{GalleryOptions.Section}:ConnectionString"] = Connection,
            [$"{SecretsOptions.Section}:Directory"] = Secrets,
            [TestEnvironment.BackboneKey] = TestEnvironment.Backbone,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMoteGallery(configuration, Folder);
        return services.BuildServiceProvider();
    }

    /// <summary>Stops the portals (a killed one included), then drops the database and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var portal in _portals)
        {
            await portal.DisposeAsync();
        }
        await TestPostgres.DropDatabaseAsync(Connection);
        Directory.Delete(Folder, recursive: true);
    }
}
