using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Audit;

/// <summary>
/// Appends events to the chain through the caller's <see cref="MoteDbContext"/>, so an event commits in
/// the same transaction as the change it records: no change without its event, no event without its
/// change. Appends are serialised so that reading the last hash and inserting the next row can never
/// interleave with another writer, in this process or another — the chain never forks. On SQLite, by its
/// write lock: every Gallery transaction begins IMMEDIATE (Microsoft.Data.Sqlite's default). On PostgreSQL,
/// whose transactions run side by side, by a transaction-scoped advisory lock on the chain head
/// (<c>pg_advisory_xact_lock(<see cref="ChainHeadLock"/>)</c>) taken before the head is read and released by
/// the commit or rollback: portal instances on other machines wait for it too.
/// </summary>
public sealed class AuditTrail(MoteDbContext db, SecretKeyStore keys, AuditAnchorInterceptor anchoring, TimeProvider time)
{
    /// <summary>The advisory-lock key that serialises appends on PostgreSQL ("mote" "audt" as one 64-bit number).</summary>
    public const long ChainHeadLock = 0x6D6F7465_61756474;

    /// <summary>
    /// Appends one event (and its detail, kept apart from the chain). Saves; commits only a transaction it opened itself.
    /// The anchor outside the database moves to this row when its transaction commits, whoever commits it
    /// (<see cref="AuditAnchorInterceptor"/>); nothing moves when it rolls back.
    /// </summary>
    /// <param name="actor">Who did it; recorded in the chain.</param>
    /// <param name="code">What happened.</param>
    /// <param name="subjectId">What it happened to (a person, account or key id); null when nothing in particular.</param>
    /// <param name="detail">Words about it, stored apart from the chain, which binds only their digest; null for none.</param>
    /// <param name="ct">Cancels the append.</param>
    public async Task<AuditEvent> AppendAsync(Actor actor, AuditEventCode code, string? subjectId, string? detail, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var owned = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        try
        {
            if (db.Database.IsNpgsql())
            {
                // Held until this transaction ends; READ COMMITTED then shows the previous holder's row to the read below.
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({ChainHeadLock})", ct).ConfigureAwait(false);
            }
            var last = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Id)
                .Select(e => new { e.Id, e.Hash }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            var row = new AuditEvent
            {
                Id = (last?.Id ?? 0) + 1,
                OccurredUtc = time.GetUtcNow(),
                Code = (int)code,
                ActorKind = (int)actor.Kind,
                ActorId = actor.Id,
                ActorName = actor.Name,
                SubjectId = subjectId,
                PayloadDigest = detail is null ? null : AuditChain.PayloadDigestOf(detail),
            };
            var key = keys.GetOrCreate(AuditChain.KeyName);
            var instance = await InstanceIdAsync(db, ct).ConfigureAwait(false);
            row.Hash = AuditChain.ComputeHash(key, last?.Hash ?? AuditChain.Genesis(key, instance), row);
            db.AuditEvents.Add(row);
            if (detail is not null)
            {
                db.AuditPayloads.Add(new AuditPayload { EventId = row.Id, Detail = detail });
            }
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (db.PendingAuditAnchor is not { } pending || pending.Sequence < row.Id)
            {
                db.PendingAuditAnchor = new PendingAuditAnchor(instance, row.Id, row.Hash, row.OccurredUtc);
            }
            if (owned is not null)
            {
                await owned.CommitAsync(ct).ConfigureAwait(false);
                // The interceptor has anchored it already where the context was built with it; this covers one built without.
                anchoring.AdvancePending(db);
            }
            return row;
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>This database's instance id (created by the first migration).</summary>
    internal static async Task<string> InstanceIdAsync(MoteDbContext db, CancellationToken ct) =>
        await db.Instance.AsNoTracking().Select(i => i.Id).SingleOrDefaultAsync(ct).ConfigureAwait(false)
            ?? throw new GalleryException("This database has no instance id; it was not created by the Gallery's migrations.");
}
