using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Quality;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

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

    /// <summary>
    /// The descriptor a template is trained on for <paramref name="face"/> of a new photo. Where retention keeps the
    /// reference crop, it is the face as found again in that crop — what a retrain without a new photo reads — so that
    /// retraining with the same balance and seed reproduces the template exactly, and a balance preview shows the change's
    /// own effect rather than the difference between describing a photo and describing its crop (which alone moved a
    /// group's synthetic false matches from 1 to 7 in 2,000). Otherwise, or when the crop yields no face, the photo's own.
    /// </summary>
    public static async Task<float[]> TrainingDescriptorAsync(IFaceAnalyzer analyzer, ReadOnlyMemory<byte> photo, AnalyzedFace face, ReferenceRetention retention, CancellationToken ct)
    {
        if (retention != ReferenceRetention.ReferencePhoto)
        {
            return face.Descriptor;
        }

        var crop = PhotoRules.ReferenceCrop(PhotoRules.Decode(photo, ct), face.Box);
        var again = await Task.Run(() => EnrollPerson.Analyze(analyzer, crop, QualityPurpose.Detection, ct), ct).ConfigureAwait(false);
        return again.Faces.Count > 0 ? again.Faces[0].Descriptor : face.Descriptor;
    }
}
