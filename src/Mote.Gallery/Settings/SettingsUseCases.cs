using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Settings;

/// <summary>Reads the Gallery settings for the settings page. Needs <see cref="Permission.ManageSettings"/>; read-only.</summary>
public sealed class ReadGallerySettings(GallerySettingsStore store)
{
    /// <summary>The effective settings with the stamp to save against.</summary>
    /// <exception cref="PermissionDeniedException">The actor lacks <see cref="Permission.ManageSettings"/>.</exception>
    public Task<GallerySettingsView> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        return store.ReadAsync(ct);
    }
}

/// <summary>
/// Saves the Gallery settings. Needs <see cref="Permission.ManageSettings"/>; writes one
/// <see cref="AuditEventCode.SettingsChanged"/> event listing what changed (nothing changed: no write, no event).
/// Refuses a save made against settings someone else changed since they were read. A new target FMR
/// applies to enrollments and retrainings from now on; existing thresholds stay until a person is retrained. The
/// gallery-risk limit is the Fairness page's flag limit (a multiple of the target FMR).
/// </summary>
public sealed class UpdateGallerySettings(MoteDbContext db, GallerySettingsStore store, AuditTrail audit, TimeProvider time)
{
    /// <summary>The lowest and highest target false-match rate accepted (1e-6 … 1e-1).</summary>
    public const double MinTargetFmr = 1e-6, MaxTargetFmr = 0.1;

    /// <summary>
    /// The lowest and highest saved gallery-risk limit (× target FMR). Below 1× nearly everyone is flagged, since each
    /// threshold is calibrated to the target itself; above 1000× (100 % at the default target) nobody ever is.
    /// </summary>
    public const double MinRiskLimitMultiple = 1, MaxRiskLimitMultiple = 1000;

    /// <summary>Validates and saves <paramref name="change"/>; returns the settings as saved (unchanged when nothing differs).</summary>
    /// <exception cref="PermissionDeniedException">The actor lacks <see cref="Permission.ManageSettings"/>.</exception>
    /// <exception cref="GalleryException">A value out of range, in words; nothing is written.</exception>
    /// <exception cref="GalleryConcurrencyException">Someone saved since <see cref="GallerySettingsChange.ConcurrencyStamp"/> was read.</exception>
    public async Task<GallerySettingsView> ExecuteAsync(Actor actor, GallerySettingsChange change, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(change);
        actor.Demand(Permission.ManageSettings);
        if (!Enum.IsDefined(change.ReferenceRetention))
        {
            throw new GalleryException("Choose what to keep of the enrollment photo: nothing, a thumbnail, or the reference photo.");
        }
        if (!double.IsFinite(change.TargetFmr) || change.TargetFmr < MinTargetFmr || change.TargetFmr > MaxTargetFmr)
        {
            throw new GalleryException(string.Create(CultureInfo.InvariantCulture,
                $"The target false-match rate must be between {MinTargetFmr:0.######} and {MaxTargetFmr:0.#} (e.g. 0.001 for 1 in 1,000)."));
        }
        if (change.ExplanationFaceDays is { } days && days is < 0 or > GallerySettings.MaxExplanationFaceDays)
        {
            throw new GalleryException(string.Create(CultureInfo.InvariantCulture,
                $"Explanation faces are kept between 0 (not kept) and {GallerySettings.MaxExplanationFaceDays} days."));
        }
        if (change.RiskLimitMultiple is { } risk && (!double.IsFinite(risk) || risk < MinRiskLimitMultiple || risk > MaxRiskLimitMultiple))
        {
            throw new GalleryException(string.Create(CultureInfo.InvariantCulture,
                $"The gallery-risk limit must be between {MinRiskLimitMultiple:0} and {MaxRiskLimitMultiple:0} times the target false-match rate (e.g. 10)."));
        }

        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var before = await store.ReadAsync(ct).ConfigureAwait(false);
            if (before.ConcurrencyStamp != (change.ConcurrencyStamp ?? ""))
            {
                throw new GalleryConcurrencyException("The settings were changed by someone else since you opened them — reload and try again.");
            }
            var changes = Describe(before, change);
            if (changes.Count == 0)
            {
                return before;
            }
            var row = await db.Settings.SingleOrDefaultAsync(s => s.Id == GallerySettings.SingletonId, ct).ConfigureAwait(false);
            if (row is null)
            {
                row = new GallerySettings();
                db.Settings.Add(row);
            }
            row.ReferenceRetention = change.ReferenceRetention;
            row.KeepProbeImages = change.KeepProbeImages;
            row.TargetFmr = change.TargetFmr;
            if (change.RiskLimitMultiple is { } limit)
            {
                row.RiskLimitMultiple = limit;
            }
            if (change.ExplanationFaceDays is { } faceDays)
            {
                row.ExplanationFaceDays = faceDays;
            }
            row.UpdatedUtc = time.GetUtcNow();
            row.UpdatedBy = actor.Name;
            row.ConcurrencyStamp = Guid.NewGuid().ToString("N");
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await audit.AppendAsync(actor, AuditEventCode.SettingsChanged, "settings", string.Join("; ", changes), ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        return await store.ReadAsync(ct).ConfigureAwait(false);
    }

    private static List<string> Describe(GallerySettingsView before, GallerySettingsChange after)
    {
        var changes = new List<string>();
        if (before.ReferenceRetention != after.ReferenceRetention)
        {
            changes.Add($"reference retention {before.ReferenceRetention} → {after.ReferenceRetention}");
        }
        if (before.KeepProbeImages != after.KeepProbeImages)
        {
            changes.Add($"keep probe images {before.KeepProbeImages} → {after.KeepProbeImages}");
        }
        // Saving the shown default makes it explicit; record it only when the value moves.
        if (before.TargetFmr != after.TargetFmr)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"target FMR {before.TargetFmr:G4} → {after.TargetFmr:G4}"));
        }
        if (after.RiskLimitMultiple is { } limit && limit != before.RiskLimitMultiple)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"gallery-risk limit {before.RiskLimitMultiple:G4}× → {limit:G4}× target FMR"));
        }
        if (after.ExplanationFaceDays is { } days && days != before.ExplanationFaceDays)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"explanation faces kept {before.ExplanationFaceDays} → {days} days"));
        }
        return changes;
    }
}
