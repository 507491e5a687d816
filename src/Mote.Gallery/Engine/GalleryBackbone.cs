using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Engine;

/// <summary>
/// The backbone a gallery's templates are made with: the one its probes must be described by. Stored with the gallery's
/// settings (<see cref="GallerySettings.BackboneId"/>, <see cref="GallerySettings.BackboneHash"/>) when the first person
/// is enrolled and changed only by <see cref="MigrateGalleryBackbone"/>. A gallery enrolled before the backbone was stored
/// is on its earliest person's backbone; a gallery nobody is enrolled in has none yet and starts on the configured one
/// (<c>Mote:Faces:Backbone</c>).
/// </summary>
public static class GalleryBackbone
{
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
