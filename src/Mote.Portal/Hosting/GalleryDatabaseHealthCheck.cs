using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mote.Gallery.Data;

namespace Mote.Portal.Hosting;

/// <summary>Healthy when the Gallery's SQLite file can be opened and queried.</summary>
internal sealed class GalleryDatabaseHealthCheck(MoteDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy("The Gallery database answers.")
                : HealthCheckResult.Unhealthy("The Gallery database cannot be opened.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The Gallery database cannot be opened.", e);
        }
    }
}
