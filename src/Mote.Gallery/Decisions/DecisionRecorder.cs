using Microsoft.EntityFrameworkCore;
using Mote.Core.Faces.Quality;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Decisions;

/// <summary>What verification and identification share: reading the probe, and storing a decision with its audit event.</summary>
internal static class DecisionRecorder
{
    /// <summary>Every face of the probe, largest first, checked for a decision (<see cref="QualityPurpose.Detection"/>); refused in words when there is none.</summary>
    public static FaceAnalysis ProbeFaces(IFaceAnalyzer analyzer, ReadOnlyMemory<byte> probe, CancellationToken ct)
    {
        var analysis = EnrollPerson.Analyze(analyzer, probe, QualityPurpose.Detection, ct);
        _ = EnrollPerson.PickFace(analysis, null); // no face at all: refused
        return analysis;
    }

    /// <summary>
    /// The face to decide on: face <paramref name="index"/> when given (refused with its reasons when it fails the quality
    /// check), else the largest usable face; when none is usable, refused with the largest face's reasons.
    /// </summary>
    public static int PickProbeFace(FaceAnalysis analysis, int? index)
    {
        if (index is { } i)
        {
            var picked = EnrollPerson.PickFace(analysis, i);
            return picked.Quality.IsAccepted
                ? i
                : throw new GalleryException($"Face #{i + 1} of the probe cannot be used: " + string.Join("; ", picked.Quality.Reasons) + ".", GalleryErrorKind.UnusablePhoto);
        }
        for (var k = 0; k < analysis.Faces.Count; k++)
        {
            if (analysis.Faces[k].Quality.IsAccepted)
            {
                return k;
            }
        }
        throw Unusable(analysis);
    }

    /// <summary>The refusal of a probe with no usable face: the largest face's reasons (the message API 1.0–1.2 gave).</summary>
    public static GalleryException Unusable(FaceAnalysis analysis)
    {
        var reasons = string.Join("; ", analysis.Faces[0].Quality.Reasons) + ".";
        return new GalleryException(analysis.Faces.Count == 1
            ? "The probe cannot be used: " + reasons
            : $"The probe cannot be used: none of its {analysis.Faces.Count} faces passes the quality check; the largest: " + reasons, GalleryErrorKind.UnusablePhoto);
    }

    /// <summary>The face as a decision reports it.</summary>
    public static DecidedFace Describe(FaceAnalysis analysis, int index) => new(index, analysis.Faces[index].Box, analysis.Faces.Count);

    /// <summary>Where the face is, for audit details of photos with several faces ("" for a photo with one face, as before).</summary>
    public static string AuditSuffix(DecidedFace face) => face.FacesInPhoto == 1
        ? ""
        : FormattableString.Invariant($"; face #{face.Index + 1} of {face.FacesInPhoto} at {face.Box.X:0},{face.Box.Y:0} {face.Box.Width:0}x{face.Box.Height:0}");

    /// <summary>
    /// Stores <paramref name="row"/> and its one audit event in one transaction. The probe itself is stored only when
    /// the settings keep probe images (default off), and then only the decided <paramref name="face"/>'s region
    /// (<see cref="PhotoRules.ProbeFaceJpeg"/>: re-encoded from decoded pixels, no EXIF/GPS, never the upload's own bytes
    /// or the whole photo), encrypted for this decision; the audit detail then says so.
    /// </summary>
    public static async Task RecordAsync(MoteDbContext db, GallerySettingsStore settings, TemplateProtector protector, AuditTrail audit, Actor actor,
        Decision row, ReadOnlyMemory<byte> probe, DecidedFace face, AuditEventCode code, string? subjectId, string detail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(face);
        // Re-encoded before the write transaction, so decoding a large photo does not hold the database's write lock.
        var reencoded = (await settings.ReadAsync(ct).ConfigureAwait(false)).KeepProbeImages ? PhotoRules.ProbeFaceJpeg(probe, face.Box, ct) : null;
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            db.Decisions.Add(row);
            // Read again inside the transaction: a probe is kept only if the setting is on at the moment the decision is written.
            if ((await settings.ReadAsync(ct).ConfigureAwait(false)).KeepProbeImages)
            {
                db.DecisionProbeImages.Add(new DecisionProbeImage
                {
                    DecisionId = row.Id,
                    Blob = protector.Protect(row.Id, DecisionProbeImage.Purpose, reencoded ?? PhotoRules.ProbeFaceJpeg(probe, face.Box, ct)),
                    CreatedUtc = row.CreatedUtc,
                });
                detail += "; probe image kept (encrypted)";
            }
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await audit.AppendAsync(actor, code, subjectId, detail, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Queues the recorded decision's explanation as a durable job, with the aligned face and descriptor the decision used
    /// stored beside it (never the upload). Nothing is dropped: a burst waits queued. No running scheduler (the command
    /// line): nothing (the decision was recorded <see cref="ExplanationState.NotQueued"/>).
    /// </summary>
    public static async Task QueueExplanationAsync(MoteDbContext db, DecisionExplanationQueue? explanations, string decisionId, AnalyzedFace face,
        float score, float threshold, int faceIndex, CancellationToken ct)
    {
        if (explanations is { IsRunning: true })
        {
            await explanations.EnqueueAsync(db, decisionId, face, score, threshold, faceIndex, ct).ConfigureAwait(false);
        }
    }
}
