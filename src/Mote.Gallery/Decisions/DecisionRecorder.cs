using Mote.Core.Faces.Quality;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;

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

    /// <summary>Stores <paramref name="row"/> and its one audit event in one transaction (the probe itself is never stored).</summary>
    public static async Task RecordAsync(MoteDbContext db, AuditTrail audit, Actor actor, Decision row, AuditEventCode code, string? subjectId, string detail, CancellationToken ct)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            db.Decisions.Add(row);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await audit.AppendAsync(actor, code, subjectId, detail, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }
}
