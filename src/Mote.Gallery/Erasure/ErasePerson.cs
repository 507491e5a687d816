using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Erasure;

/// <summary>
/// Erases a person completely, in one transaction: their row with the encrypted template and any kept images (SQLite's
/// <c>secure_delete</c> overwrites the freed pages), their decisions, the payloads of every audit event
/// about them (their name lives there), and every trace in other people's 1:N decisions that listed them as a
/// candidate: their entry (id, score, threshold) leaves the candidate list, and that decision's kept probe image and
/// explanation crop (which may show their face) are deleted. The chained audit rows stay, so the trail still verifies.
/// Writes one <see cref="AuditEventCode.PersonErased"/> event naming only the opaque id. After the commit, a TRUNCATE
/// checkpoint (<see cref="WalCheckpoint"/>) removes the old page images from <c>mote.db-wal</c>.
/// Needs <see cref="Permission.ManageGallery"/>. The person's id goes into the <see cref="ErasureLedger"/> (secrets folder)
/// before the commit, so a database restored from a backup taken before the erasure loses them again at its next start
/// (<see cref="ReapplyErasures"/>, docs/erasure.md).
/// </summary>
public sealed class ErasePerson(MoteDbContext db, GalleryIndex index, AuditTrail audit, ErasureLedger ledger, TimeProvider time, ILogger<ErasePerson> log)
{
    /// <summary>Erases the person with this name or id; returns how many rows were removed.</summary>
    public Task<int> ExecuteAsync(Actor actor, string person, CancellationToken ct = default) => ExecuteAsync(actor, person, null, ct);

    /// <summary>
    /// Erases the person with this name or id, refusing with <see cref="GalleryConcurrencyException"/> when
    /// <paramref name="concurrencyStamp"/> is given and someone changed them since it was read (the page passes
    /// it; the CLI, naming the person outright, does not). Returns how many rows were removed (images included).
    /// </summary>
    public Task<int> ExecuteAsync(Actor actor, string person, string? concurrencyStamp, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
        return EraseAsync(actor, person, concurrencyStamp, AuditEventCode.PersonErased, ct);
    }

    /// <summary>
    /// Erases again, as the system, a person the <see cref="ErasureLedger"/> names but a restored database still holds;
    /// audited as <see cref="AuditEventCode.ErasureReapplied"/> instead of <see cref="AuditEventCode.PersonErased"/>.
    /// </summary>
    internal Task<int> ReapplyAsync(string personId, CancellationToken ct) =>
        EraseAsync(Actor.System, personId, null, AuditEventCode.ErasureReapplied, ct);

    private async Task<int> EraseAsync(Actor actor, string person, string? concurrencyStamp, AuditEventCode code, CancellationToken ct)
    {
        int removed;
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var target = await db.People.FindByNameOrIdAsync(person, ct).ConfigureAwait(false);
            if (concurrencyStamp is not null)
            {
                RetrainPerson.EnsureStamp(target, concurrencyStamp);
            }
            // Counted for the report; the rows themselves go with the person (cascade).
            var images = await db.PersonImages.CountAsync(i => i.PersonId == target.Id, ct).ConfigureAwait(false);
            var decisions = await db.Decisions.Where(d => d.PersonId == target.Id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var payloads = await db.AuditPayloads
                .Where(p => db.AuditEvents.Any(e => e.Id == p.EventId && e.SubjectId == target.Id))
                .ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var scrubbed = await ScrubCandidateAsync(target.Id, ct).ConfigureAwait(false);
            db.People.Remove(target);
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw RetrainPerson.Stale(target.Name);
            }
            removed = 1 + images + decisions + payloads + scrubbed;
            await audit.AppendAsync(actor, code, target.Id, null, ct).ConfigureAwait(false);
            // Remembered outside the database before the commit: if the commit then fails, the next start erases them
            // anyway (what was asked); the other order could lose the erasure from the ledger.
            ledger.Record(target.Id, time.GetUtcNow());
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        index.Invalidate();
        // Committed: the erasure stands even if the checkpoint has to wait for readers (it then logs a warning).
        await WalCheckpoint.TruncateAsync(db, time, log, CancellationToken.None).ConfigureAwait(false);
        return removed;
    }

    /// <summary>
    /// Removes <paramref name="personId"/> from the candidate lists of the 1:N decisions that remain (their best match was
    /// someone else), and deletes those decisions' probe images and explanation crops. Returns the probe images and crops removed.
    /// </summary>
    private async Task<int> ScrubCandidateAsync(string personId, CancellationToken ct)
    {
        // Ids are GUIDs, so a substring match on the JSON finds exactly the lists that name them; parsed below to be sure.
        var pattern = "%" + personId + "%";
        var listed = await db.Decisions.Where(d => d.PersonId != personId && d.CandidatesJson != null && EF.Functions.Like(d.CandidatesJson, pattern))
            .ToListAsync(ct).ConfigureAwait(false);
        foreach (var decision in listed)
        {
            var candidates = JsonNode.Parse(decision.CandidatesJson!)!.AsArray();
            foreach (var entry in candidates.Where(c => (string?)c?["personId"] == personId).ToList())
            {
                candidates.Remove(entry);
            }
            decision.CandidatesJson = candidates.ToJsonString();
        }
        // The lists are written first, the crops last: ExplainDecision stores an explanation only after it changed the same
        // decision row, and keeps its crop only when the list is unchanged and its input still there. On PostgreSQL an
        // explanation committing meanwhile has either made these writes wait (its crop is cleared below) or finds the
        // list rewritten (it keeps no crop); the rows are taken in the same order (decision, then input), never in a circle.
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var ids = listed.Select(d => d.Id).ToList();
        // A waiting explanation's input is the probe's aligned face: it goes too, and that explanation will not be made.
        var inputs = await db.DecisionExplanationInputs.Where(x => ids.Contains(x.DecisionId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        if (inputs > 0)
        {
            await db.Decisions.Where(d => ids.Contains(d.Id) && d.ExplanationState == Decisions.ExplanationState.Computing)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.ExplanationState, Decisions.ExplanationState.Failed), ct).ConfigureAwait(false);
        }
        var probes = await db.DecisionProbeImages.Where(p => ids.Contains(p.DecisionId)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        var crops = await db.DecisionExplanations.Where(x => ids.Contains(x.DecisionId) && x.CropBlob != null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.CropBlob, (byte[]?)null), ct).ConfigureAwait(false);
        return probes + crops + inputs;
    }
}
