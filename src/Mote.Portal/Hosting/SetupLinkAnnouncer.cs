using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Users;

namespace Mote.Portal.Hosting;

/// <summary>
/// On a start with no accounts, issues the one-time setup token and writes the link to the console
/// log once the server listens: there is no default account or password to change.
/// </summary>
internal sealed partial class SetupLinkAnnouncer(
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    IServer server,
    SetupToken token,
    ILogger<SetupLinkAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = AnnounceAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task AnnounceAsync()
    {
        try
        {
            var scope = services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                if (await scope.ServiceProvider.GetRequiredService<MoteDbContext>().Users.AnyAsync().ConfigureAwait(false))
                {
                    return;
                }
            }
            var link = $"{BaseAddress()}/setup?token={token.Issue()}";
            LogSetupLink(logger, link);
        }
        catch (Exception e)
        {
            LogFailed(logger, e);
        }
    }

    private string BaseAddress()
    {
        // The HTTPS address when there is one: plain HTTP only redirects to it.
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            ?? addresses.FirstOrDefault()
            ?? "https://localhost:5443";
        // A wildcard binding is not a browsable address.
        return address.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .TrimEnd('/');
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No account exists yet. Open this one-time link to create the first Admin (it stops working once used): {Link}")]
    private static partial void LogSetupLink(ILogger logger, string link);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not prepare the first-run setup link.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
