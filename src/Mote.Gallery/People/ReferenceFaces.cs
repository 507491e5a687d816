using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Quality;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>Where a retraining or a preview gets the person's face from: a new photo, or the retained reference face.</summary>
internal static class ReferenceFaces
{
    /// <summary>
    /// The face to train from: face <paramref name="faceIndex"/> of <paramref name="photo"/> when one is given (it must pass the
    /// enrollment check), else the retained reference crop (already accepted at enrollment). Words when neither exists.
    /// </summary>
    public static async Task<AnalyzedFace> ResolveAsync(MoteDbContext db, TemplateProtector protector, IFaceAnalyzer analyzer, Person person,
        ReadOnlyMemory<byte>? photo, int? faceIndex, CancellationToken ct)
    {
        if (photo is { } bytes)
        {
            PhotoPolicy.CheckSize(bytes);
            var face = EnrollPerson.PickFace(await Task.Run(() => EnrollPerson.Analyze(analyzer, bytes, QualityPurpose.Enrollment, ct), ct).ConfigureAwait(false), faceIndex);
            if (!face.Quality.IsAccepted)
            {
                throw new GalleryException("This photo cannot be used for enrollment: " + string.Join("; ", face.Quality.Reasons) + ".", GalleryErrorKind.UnusablePhoto);
            }
            return face;
        }
        var stored = await db.PersonImages.AsNoTracking()
            .SingleOrDefaultAsync(i => i.PersonId == person.Id && i.Kind == PersonImage.ReferenceKind, ct).ConfigureAwait(false)
            ?? throw new GalleryException($"No reference photo of {person.Name} is kept (see the retention setting): upload a new photo of them.", GalleryErrorKind.UnusablePhoto);
        var reference = protector.Unprotect(person.Id, PersonImage.Purpose(PersonImage.ReferenceKind), stored.Blob);
        var analysis = await Task.Run(() => EnrollPerson.Analyze(analyzer, reference, QualityPurpose.Detection, ct), ct).ConfigureAwait(false);
        return analysis.Faces.Count > 0
            ? analysis.Faces[0]
            : throw new GalleryException($"The kept reference photo of {person.Name} no longer yields a face with this model pack: upload a new photo of them.", GalleryErrorKind.UnusablePhoto);
    }
}
