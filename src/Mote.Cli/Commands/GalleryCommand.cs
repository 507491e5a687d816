using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary>Runs one Gallery action for a command: opens the services, runs in a scope, maps refusals to exit code 1.</summary>
internal static class GalleryCommand
{
    /// <summary>A refused input or permission prints its message to <paramref name="error"/> and returns 1; success returns 0.</summary>
    public static async Task<int> RunAsync(string? databasePath, TextWriter error, Func<IServiceProvider, Task> action, CancellationToken ct)
    {
        try
        {
            var provider = await CliServices.OpenAsync(databasePath, ct).ConfigureAwait(false);
            await using (provider.ConfigureAwait(false))
            {
                var scope = provider.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    await action(scope.ServiceProvider).ConfigureAwait(false);
                }
            }
            return 0;
        }
        catch (Exception e) when (e is GalleryException or PermissionDeniedException)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
