using Mote.Gallery.Models;

namespace Mote.Portal.Hosting;

/// <summary>
/// Starts provisioning the model pack in the background as the portal starts (unless
/// <c>Mote:Models:ProvisionOnStart</c> is false), so the first enrollment does not wait for it. The
/// portal serves pages meanwhile and shows the progress in its banner.
/// </summary>
internal sealed partial class ModelPackWarmup(ModelPackService models, ModelSettings settings, ILogger<ModelPackWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.ProvisionOnStart)
        {
            return;
        }
        try
        {
            var pack = await models.GetAsync(stoppingToken).ConfigureAwait(false);
            LogReady(logger, pack.Models.Count, pack.CacheDir);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e)
        {
            LogFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model pack ready: {Count} models in {CacheDir}.")]
    private static partial void LogReady(ILogger logger, int count, string cacheDir);

    [LoggerMessage(Level = LogLevel.Error, Message = "The model pack could not be prepared: {Reason} Face features stay unavailable until this is fixed; `mote models pull` shows the same error.")]
    private static partial void LogFailed(ILogger logger, string reason);
}
