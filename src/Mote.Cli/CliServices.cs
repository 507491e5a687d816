using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Hosting;

namespace Mote.Cli;

/// <summary>
/// The Gallery services for one CLI invocation, configured like the portal (root <c>appsettings.json</c>,
/// then <c>MOTE_</c>-free environment variables) so both front ends open the same database by default.
/// </summary>
internal static class CliServices
{
    /// <summary>
    /// Builds the container; <paramref name="databasePath"/> (from <c>--db</c>) overrides the configured file, and
    /// <paramref name="settings"/> (e.g. <c>Mote:Faces:Backbone</c> from a command's <c>--backbone</c>) override configuration keys.
    /// <paramref name="migrate"/> false leaves the database untouched (for <c>mote restore</c>, which replaces it).
    /// </summary>
    public static async Task<ServiceProvider> OpenAsync(string? databasePath, CancellationToken ct, IReadOnlyDictionary<string, string?>? settings = null, bool migrate = true)
    {
        var contentRoot = ContentRoot.Locate();
        var overrides = settings is null ? new Dictionary<string, string?>() : new Dictionary<string, string?>(settings);
        if (!string.IsNullOrWhiteSpace(databasePath))
        {
            overrides[$"{GalleryOptions.Section}:{nameof(GalleryOptions.DatabasePath)}"] = Path.GetFullPath(databasePath);
        }
        var configuration = new ConfigurationBuilder()
            .SetBasePath(contentRoot)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMoteGallery(configuration, contentRoot);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = false });
        if (migrate)
        {
            await GalleryDatabase.MigrateAsync(provider, ct).ConfigureAwait(false);
        }
        return provider;
    }
}
