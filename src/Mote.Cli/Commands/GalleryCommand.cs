using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces;
using Mote.Core.Models;
using Mote.Gallery;
using Mote.Gallery.Errors;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary>Runs one Gallery action for a command: opens the services, runs in a scope, maps refusals to exit code 1.</summary>
internal static class GalleryCommand
{
    /// <summary>
    /// A refused input or permission prints its message to <paramref name="error"/> and returns 1; face models that cannot be
    /// provisioned print one line saying so (and how to fetch them) and return 1; success returns 0.
    /// </summary>
    public static async Task<int> RunAsync(string? databasePath, TextWriter error, Func<IServiceProvider, Task> action, CancellationToken ct,
        IReadOnlyDictionary<string, string?>? settings = null, bool migrate = true)
    {
        try
        {
            var provider = await CliServices.OpenAsync(databasePath, ct, settings, migrate).ConfigureAwait(false);
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
        catch (Exception e) when (GalleryErrors.Classify(e) is { } refusal)
        {
            // The one error map (issue 18 item 2); models that could not be provisioned get the way out too.
            await error.WriteLineAsync(e is ModelProvisioningException models ? ModelsUnavailable(models) : refusal.Message).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>One line for face models that could not be provisioned: the reason (npm's output folded onto the line) and the way out.</summary>
    internal static string ModelsUnavailable(ModelProvisioningException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var reason = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
        return $"The face models are not available: {reason}. Run `mote models pull` (or `mote models import`) and try again.";
    }
}
