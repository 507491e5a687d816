using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Settings;

namespace Mote.Gallery.People;

/// <summary>
/// The backbone a gallery's templates are made with: the one its probes must be described by. Stored with the gallery's
/// settings (<see cref="GallerySettings.BackboneId"/>, <see cref="GallerySettings.BackboneHash"/>) when the first person
/// is enrolled and changed only by <see cref="Backbones.MigrateGalleryBackbone"/>. A gallery enrolled before the backbone was stored
/// is on its earliest person's backbone; a gallery nobody is enrolled in has none yet and starts on the configured one
/// (<c>Mote:Faces:Backbone</c>).
/// </summary>
public static class GalleryBackbone
{
    /// <summary>
    /// The id of the backbone the gallery's decisions are made on, whose population pack they read: the gallery's own
    /// (<see cref="ReadAsync"/>), else <see cref="GalleryEngine.ConfiguredBackbone"/> for a gallery nobody is enrolled in yet.
    /// </summary>
    public static async Task<string> GalleryBackboneIdAsync(this GalleryEngine engine, MoteDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return (await ReadAsync(db, ct).ConfigureAwait(false))?.Id ?? engine.ConfiguredBackbone;
    }

    /// <summary>
    /// The analyzer on the gallery's own backbone (<see cref="ReadAsync"/>: stored with the gallery, else the configured
    /// one for a gallery nobody is enrolled in yet), checked against what the gallery's templates were made with.
    /// </summary>
    /// <exception cref="GalleryException">Kind <see cref="GalleryErrorKind.Conflict"/>: this installation's model for the gallery's
    /// backbone is not the one the templates were made with (its weights differ), so probes it describes cannot be scored.</exception>
    public static async Task<IFaceAnalyzer> GetGalleryAnalyzerAsync(this GalleryEngine engine, MoteDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var stored = await ReadAsync(db, ct).ConfigureAwait(false);
        var analyzer = await engine.GetAnalyzerAsync(stored?.Id ?? engine.ConfiguredBackbone, ct).ConfigureAwait(false);
        if (stored is not null)
        {
            EnsureDescribes(stored, analyzer.Backbone);
        }
        return analyzer;
    }

    /// <summary>The gallery's backbone, or null when none is fixed yet (no one enrolled, nothing stored).</summary>
    public static async Task<BackboneIdentity?> ReadAsync(MoteDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var row = await db.Settings.AsNoTracking()
            .Where(s => s.Id == GallerySettings.SingletonId)
            .Select(s => new { s.BackboneId, s.BackboneHash })
            .SingleOrDefaultAsync(ct).ConfigureAwait(false);
        if (row is { BackboneId: { Length: > 0 } id, BackboneHash: { Length: > 0 } hash })
        {
            return new BackboneIdentity(id, hash);
        }
        var earliest = await db.People.AsNoTracking()
            .OrderBy(p => p.EnrolledUtc)
            .Select(p => new { p.BackboneId, p.BackboneHash })
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return earliest is null ? null : new BackboneIdentity(earliest.BackboneId, earliest.BackboneHash);
    }

    /// <summary>
    /// The <c>Mote:Faces:Backbone</c> value whose pipeline produces descriptors with <paramref name="describerId"/>: the id
    /// itself for the shipped backbones, <c>custom</c> for the id a user gave their own model.
    /// </summary>
    public static string OptionFor(string describerId) =>
        FaceDescribers.Known.Contains(describerId, StringComparer.Ordinal) ? describerId : FaceDescribers.Custom;

    /// <summary>Refuses a probe described by <paramref name="probe"/> when the gallery's templates come from <paramref name="gallery"/>.</summary>
    /// <exception cref="GalleryException">Kind <see cref="GalleryErrorKind.Conflict"/>, naming both backbones and what to do.</exception>
    public static void EnsureDescribes(BackboneIdentity gallery, BackboneIdentity probe)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        ArgumentNullException.ThrowIfNull(probe);
        if (!gallery.Equals(probe))
        {
            throw Mismatch(gallery, probe);
        }
    }

    /// <summary>The refusal for a probe described by another backbone than the gallery's.</summary>
    public static GalleryException Mismatch(BackboneIdentity gallery, BackboneIdentity probe)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        ArgumentNullException.ThrowIfNull(probe);
        var why = gallery.Id == probe.Id
            ? $"this installation's {probe.Id} model has other weights ({probe}), so the model file changed since the gallery was enrolled"
            : $"the probe was described by backbone {probe}";
        return new GalleryException(
            $"This gallery's templates were made with backbone {gallery}, but {why}; its scores would mean nothing. " +
            $"Put the gallery's model back, or move the gallery to this model with `mote gallery migrate --backbone {OptionFor(probe.Id)}` " +
            "(Settings → Model pack → Migrate), which re-enrolls everyone whose reference photo is kept.",
            GalleryErrorKind.Conflict);
    }
}
