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
    /// <summary>The probe's largest face; refused with the reasons when it fails the detection quality check.</summary>
    public static AnalyzedFace ProbeFace(IFaceAnalyzer analyzer, ReadOnlyMemory<byte> probe, CancellationToken ct)
    {
        var face = EnrollPerson.PickFace(EnrollPerson.Analyze(analyzer, probe, QualityPurpose.Detection, ct), null);
        return face.Quality.IsAccepted
            ? face
            : throw new GalleryException("The probe cannot be used: " + string.Join("; ", face.Quality.Reasons) + ".", GalleryErrorKind.UnusablePhoto);
    }

    /// <summary>
    /// Stores <paramref name="row"/> and its one audit event in one transaction. The probe itself is stored only when
    /// the settings keep probe images (default off), re-encoded from its decoded pixels (no EXIF/GPS: never the upload's
    /// own bytes) and encrypted for this decision; the audit detail then says so.
    /// </summary>
    public static async Task RecordAsync(MoteDbContext db, GallerySettingsStore settings, TemplateProtector protector, AuditTrail audit, Actor actor,
        Decision row, ReadOnlyMemory<byte> probe, AuditEventCode code, string? subjectId, string detail, CancellationToken ct)
    {
        // Re-encoded before the write transaction, so decoding a large photo does not hold the database's write lock.
        var reencoded = (await settings.ReadAsync(ct).ConfigureAwait(false)).KeepProbeImages ? PhotoRules.ReencodedJpeg(probe, ct) : null;
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
                    Blob = protector.Protect(row.Id, DecisionProbeImage.Purpose, reencoded ?? PhotoRules.ReencodedJpeg(probe, ct)),
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
    /// Queues the recorded decision's explanation; when the queue is full, marks the decision
    /// <see cref="ExplanationState.QueueFull"/> so the explanation page says so instead of waiting. No running queue:
    /// nothing (the decision was recorded <see cref="ExplanationState.NotQueued"/>).
    /// </summary>
    public static async Task QueueExplanationAsync(MoteDbContext db, DecisionExplanationQueue? explanations, ExplanationRequest request, CancellationToken ct)
    {
        if (explanations is { IsRunning: true } && !explanations.Enqueue(request))
        {
            await db.Decisions.Where(d => d.Id == request.DecisionId)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.ExplanationState, ExplanationState.QueueFull), ct).ConfigureAwait(false);
        }
    }
}
