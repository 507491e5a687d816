using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Mote.Gallery.Data;

namespace Mote.Gallery.Audit;

/// <summary>The newest audit row a transaction has written but not yet committed: what the anchor moves to on commit.</summary>
internal sealed record PendingAuditAnchor(string InstanceId, long Sequence, byte[] Hash, DateTimeOffset OccurredUtc);

/// <summary>
/// Moves the audit anchor forward on every commit that appended an audit row, whoever owns the transaction: the
/// <see cref="AuditTrail"/> itself or a use case that wraps its change and its event in one transaction (enrollment,
/// erasure, decisions…). Without this the anchor lagged behind every use-case event (issue 14 item 10), and deleting
/// that unanchored tail passed verification. A rolled-back transaction moves nothing.
/// </summary>
public sealed class AuditAnchorInterceptor(AuditAnchor anchor) : DbTransactionInterceptor
{
    /// <summary>Advances the anchor to the row <paramref name="db"/> appended in its committed transaction, once; no-op when none is pending.</summary>
    internal void AdvancePending(MoteDbContext db)
    {
        if (db.PendingAuditAnchor is { } pending)
        {
            db.PendingAuditAnchor = null;
            anchor.For(pending.InstanceId).Advance(pending.Sequence, pending.Hash, pending.OccurredUtc);
        }
    }

    /// <summary>Clears any pending anchor left on the context: a row from a transaction that never committed is not anchored.</summary>
    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Forget(eventData);
        return result;
    }

    /// <summary>Clears any pending anchor left on the context, as <see cref="TransactionStarted"/> does.</summary>
    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Forget(eventData);
        return ValueTask.FromResult(result);
    }

    /// <summary>Moves the anchor to the audit row the context appended in the transaction just committed; no-op when it appended none.</summary>
    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData?.Context is MoteDbContext db)
        {
            AdvancePending(db);
        }
    }

    /// <summary>Moves the anchor on commit, as <see cref="TransactionCommitted"/> does (the anchor file is written synchronously).</summary>
    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    /// <summary>Drops the pending anchor: a rolled-back audit row is never anchored.</summary>
    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData);

    /// <summary>Drops the pending anchor, as <see cref="TransactionRolledBack"/> does.</summary>
    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData);
        return Task.CompletedTask;
    }

    // A row from a transaction that never committed must not be anchored: the next transaction starts clean.
    private static void Forget(TransactionEndEventData eventData)
    {
        if (eventData?.Context is MoteDbContext db)
        {
            db.PendingAuditAnchor = null;
        }
    }
}
