using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>
/// Erases a person completely, in one transaction: their row with the encrypted template and any kept images (SQLite's
/// <c>secure_delete</c> overwrites the freed pages), their decisions, and the payloads of every audit event
/// about them (their name lives there); the chained audit rows stay, so the trail still verifies. Writes one
/// <see cref="AuditEventCode.PersonErased"/> event naming only the opaque id. Needs <see cref="Permission.ManageGallery"/>.
/// </summary>
public sealed class ErasePerson(MoteDbContext db, GalleryIndex index, AuditTrail audit)
{
    /// <summary>Erases the person with this name or id; returns how many rows were removed.</summary>
    public Task<int> ExecuteAsync(Actor actor, string person, CancellationToken ct = default) => ExecuteAsync(actor, person, null, ct);

    /// <summary>
    /// Erases the person with this name or id, refusing with <see cref="GalleryConcurrencyException"/> when
    /// <paramref name="concurrencyStamp"/> is given and someone changed them since it was read (the page passes
    /// it; the CLI, naming the person outright, does not). Returns how many rows were removed (images included).
    /// </summary>
    public async Task<int> ExecuteAsync(Actor actor, string person, string? concurrencyStamp, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageGallery);
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
            db.People.Remove(target);
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw RetrainPerson.Stale(target.Name);
            }
            removed = 1 + images + decisions + payloads;
            await audit.AppendAsync(actor, AuditEventCode.PersonErased, target.Id, null, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        index.Invalidate();
        return removed;
    }
}
