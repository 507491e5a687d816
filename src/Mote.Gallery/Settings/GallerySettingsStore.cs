using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;

namespace Mote.Gallery.Settings;

/// <summary>
/// Reads the effective settings for other use cases (enrollment reads the retention and target FMR,
/// decisions read probe retention, explanations the days their face is kept). Internal reads need no permission: the
/// calling use case has checked its own.
/// </summary>
public sealed class GallerySettingsStore(MoteDbContext db, EngineSettings engine)
{
    /// <summary>The effective settings: the saved row with defaults filled in, or all defaults before the first save.</summary>
    public async Task<GallerySettingsView> ReadAsync(CancellationToken ct = default)
    {
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Id == GallerySettings.SingletonId, ct).ConfigureAwait(false);
        return row is null
            ? new GallerySettingsView(ReferenceRetention.None, false, engine.TargetFmr, true, null, null, "")
            : new GallerySettingsView(row.ReferenceRetention, row.KeepProbeImages, row.TargetFmr ?? engine.TargetFmr,
                row.TargetFmr is null, row.UpdatedUtc, row.UpdatedBy, row.ConcurrencyStamp,
                row.RiskLimitMultiple ?? Fairness.GalleryRiskRequest.DefaultLimitMultiple, row.RiskLimitMultiple is null,
                row.ExplanationFaceDays ?? GallerySettings.DefaultExplanationFaceDays);
    }
}
