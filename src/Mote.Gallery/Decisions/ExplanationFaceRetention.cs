using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Data;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Decisions;

/// <summary>
/// Keeps an explanation's aligned probe face no longer than the settings say (<see cref="GallerySettings.ExplanationFaceDays"/>,
/// default 30 days; 0 keeps none): <see cref="SweepAsync"/> clears every crop older than that, the map and its figures stay.
/// The portal sweeps at start and every hour (<see cref="ExplanationFaceRetentionService"/>); between sweeps the reader
/// (<see cref="GetExplanation"/>) already treats an expired crop as gone, so no face is shown a minute past its period.
/// </summary>
public static class ExplanationFaceRetention
{
    /// <summary>How often the portal sweeps.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromHours(1);

    /// <summary>The oldest explanation time whose crop may still be kept at <paramref name="now"/>.</summary>
    public static DateTimeOffset KeptSince(DateTimeOffset now, int days) => now - TimeSpan.FromDays(Math.Max(0, days));

    /// <summary>When a crop stored at <paramref name="createdUtc"/> is removed under a retention of <paramref name="days"/>.</summary>
    public static DateTimeOffset RemovedAt(DateTimeOffset createdUtc, int days) => createdUtc + TimeSpan.FromDays(Math.Max(0, days));

    /// <summary>Clears the crops of explanations made before <see cref="KeptSince"/>; returns how many were cleared.</summary>
    public static async Task<int> SweepAsync(MoteDbContext db, GallerySettingsStore settings, TimeProvider time, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        var days = (await settings.ReadAsync(ct).ConfigureAwait(false)).ExplanationFaceDays;
        var since = KeptSince(time.GetUtcNow(), days);
        // An explanation stored at this very tick under a 0-day setting is cleared too: "none kept" means none.
        return await db.DecisionExplanations.Where(x => x.CropBlob != null && (days == 0 || x.CreatedUtc < since))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.CropBlob, (byte[]?)null), ct).ConfigureAwait(false);
    }
}

/// <summary>Runs <see cref="ExplanationFaceRetention.SweepAsync"/> at start and every <see cref="ExplanationFaceRetention.Period"/> in a host.</summary>
internal sealed partial class ExplanationFaceRetentionService(IServiceScopeFactory scopes, TimeProvider time, ILogger<ExplanationFaceRetentionService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ExplanationFaceRetention.Period, time);
        do
        {
            try
            {
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var cleared = await ExplanationFaceRetention.SweepAsync(scope.ServiceProvider.GetRequiredService<MoteDbContext>(),
                        scope.ServiceProvider.GetRequiredService<GallerySettingsStore>(), time, stoppingToken).ConfigureAwait(false);
                    if (cleared > 0)
                    {
                        LogCleared(log, cleared);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be busy or restoring; the next period tries again, and readers hide expired crops meanwhile.
                LogFailed(log, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the aligned faces of {Count} explanation(s) past their retention period.")]
    private static partial void LogCleared(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The explanation-face retention sweep failed; it runs again within the hour.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
