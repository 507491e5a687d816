using Microsoft.EntityFrameworkCore;
using Mote.Core.Explain;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Decisions;

/// <summary>A decision as the explanation list shows it, with where its explanation stands (and its threshold, for the person page's history).</summary>
public sealed record ExplainableDecision(string DecisionId, string Kind, string? PersonName, DateTimeOffset CreatedUtc, string ActorName, bool Accepted, float? Score, ExplanationState ExplanationState,
    float? Threshold = null)
{
    /// <summary>True when the explanation is stored.</summary>
    public bool HasExplanation => ExplanationState == ExplanationState.Ready;
}

/// <summary>
/// A decision with its explanation (null unless <see cref="ExplainableDecision.ExplanationState"/> is ready) and the aligned
/// probe face the map is drawn over, as PNG, while it is kept (<see cref="Settings.GallerySettings.ExplanationFaceDays"/>).
/// </summary>
/// <param name="Decision">The decision and where its explanation stands.</param>
/// <param name="Threshold">The threshold the decision was made at.</param>
/// <param name="Explanation">The stored explanation, or null.</param>
/// <param name="AlignedProbePng">The aligned probe face, or null: none kept (0 days), past its period, cleared by an erasure, or no explanation.</param>
/// <param name="FaceRemovedAt">When <paramref name="AlignedProbePng"/> is removed (its retention period ends); null without one.</param>
/// <param name="FaceDays">The explanation-face retention in force, in days (0 = none kept).</param>
public sealed record ExplanationView(ExplainableDecision Decision, float? Threshold, DecisionExplanation? Explanation, byte[]? AlignedProbePng,
    DateTimeOffset? FaceRemovedAt = null, int FaceDays = Settings.GallerySettings.DefaultExplanationFaceDays)
{
    /// <summary>Where the explanation stands; the page refreshes while it is not final.</summary>
    public ExplanationState State => Decision.ExplanationState;
}

/// <summary>
/// Reads decisions' explanations. Needs <see cref="Permission.ViewExplanations"/>; whoever may read the audit trail
/// (<see cref="Permission.ViewAudit"/>: Auditors, Admins) sees any decision, everyone else only decisions they asked
/// for themselves (decisions store who asked). Reads only; the one event it writes is a refusal: asking for a decision
/// that exists but is someone else's writes <see cref="AuditEventCode.DecisionAccessRefused"/> (an attempted IDOR is
/// worth an auditor's eye; an id that matches no decision writes nothing, so guessing ids cannot flood the trail). A decision recorded as computing
/// whose explanation input is no longer stored (<see cref="DecisionExplanationInput"/>: it waits with the decision until its
/// durable job has run) reads as <see cref="ExplanationState.Lost"/> once it is <see cref="LostAfter"/> old (the short
/// wait covers the moment between recording and queueing; decisions queued in memory before the job runtime, issue 15).
/// </summary>
public sealed class GetExplanation(MoteDbContext db, TemplateProtector protector, AuditTrail audit, Settings.GallerySettingsStore settings, TimeProvider time)
{
    /// <summary>How old a computing decision without a waiting input must be to read as lost: 1 minute.</summary>
    public static readonly TimeSpan LostAfter = TimeSpan.FromMinutes(1);

    /// <summary>The most recent decisions the actor may open, newest first.</summary>
    public async Task<IReadOnlyList<ExplainableDecision>> ListAsync(Actor actor, int take = 50, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewExplanations);
        var rows = await Project(Visible(actor).OrderByDescending(d => d.CreatedUtc).Take(Math.Clamp(take, 1, 500))).ToListAsync(ct).ConfigureAwait(false);
        return rows.Select(x => ToItem(x.D, x.Name, x.Has, x.Held)).ToArray();
    }

    /// <summary>
    /// The most recent decisions about one person (1:1 verifications of them, 1:N identifications they matched), newest
    /// first, that the actor may open — everyone's for those who may read the audit trail, else only their own — for the
    /// person page's history. Needs <see cref="Permission.ViewGallery"/> and <see cref="Permission.ViewExplanations"/>; one query.
    /// </summary>
    public async Task<IReadOnlyList<ExplainableDecision>> ListForPersonAsync(Actor actor, string personId, int take = 20, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        actor.Demand(Permission.ViewExplanations);
        var rows = await Project(Visible(actor).Where(d => d.PersonId == personId).OrderByDescending(d => d.CreatedUtc).Take(Math.Clamp(take, 1, 200)))
            .ToListAsync(ct).ConfigureAwait(false);
        return rows.Select(x => ToItem(x.D, x.Name, x.Has, x.Held) with { Threshold = x.D.Threshold }).ToArray();
    }

    /// <summary>
    /// How many stored decisions are about <paramref name="personId"/>, whoever made them (the person page's count, beside the
    /// ones <see cref="ListForPersonAsync"/> lets the actor open). Needs <see cref="Permission.ViewGallery"/>.
    /// </summary>
    public Task<int> CountForPersonAsync(Actor actor, string personId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewGallery);
        return db.Decisions.CountAsync(d => d.PersonId == personId, ct);
    }

    /// <summary>One decision's explanation.</summary>
    /// <exception cref="GalleryException">No such decision, or not one the actor may open (the same words: ids are not confirmed to outsiders).</exception>
    public async Task<ExplanationView> ExecuteAsync(Actor actor, string decisionId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewExplanations);
        var row = await Project(Visible(actor).Where(d => d.Id == decisionId)).SingleOrDefaultAsync(ct).ConfigureAwait(false);
        if (row is null)
        {
            if (await db.Decisions.AsNoTracking().AnyAsync(d => d.Id == decisionId, ct).ConfigureAwait(false))
            {
                await audit.AppendAsync(actor, AuditEventCode.DecisionAccessRefused, decisionId,
                    $"refused to open decision {decisionId}: it was asked for by someone else and {actor.Name} may not read the audit trail", ct).ConfigureAwait(false);
            }
            // The same words either way: ids are not confirmed to outsiders.
            throw new GalleryException($"No decision '{decisionId}' that you may open.", GalleryErrorKind.NotFound);
        }
        var stored = await db.DecisionExplanations.AsNoTracking().SingleOrDefaultAsync(e => e.DecisionId == decisionId, ct).ConfigureAwait(false);
        // A crop past its retention period is not shown even before the hourly sweep clears it (ExplanationFaceRetention).
        var faceDays = (await settings.ReadAsync(ct).ConfigureAwait(false)).ExplanationFaceDays;
        var removedAt = stored?.CropBlob is null ? (DateTimeOffset?)null : ExplanationFaceRetention.RemovedAt(stored.CreatedUtc, faceDays);
        byte[]? crop = removedAt > time.GetUtcNow() ? protector.Unprotect(decisionId, DecisionExplanationRecord.CropPurpose, stored!.CropBlob!) : null;
        return new ExplanationView(ToItem(row.D, row.Name, stored is not null || row.Has, row.Held), row.D.Threshold, stored is null ? null : DecisionExplanation.FromJson(stored.Json), crop,
            crop is null ? null : removedAt, faceDays);
    }

    private IQueryable<Decision> Visible(Actor actor)
    {
        var decisions = db.Decisions.AsNoTracking();
        return actor.Has(Permission.ViewAudit) ? decisions : decisions.Where(d => d.ActorId == actor.Id);
    }

    private IQueryable<Row> Project(IQueryable<Decision> decisions)
    {
        return from d in decisions
               join p in db.People on d.PersonId equals p.Id into people
               from p in people.DefaultIfEmpty()
               select new Row(d, p == null ? null : p.Name, db.DecisionExplanations.Any(e => e.DecisionId == d.Id),
                   db.DecisionExplanationInputs.Any(i => i.DecisionId == d.Id));
    }

    private ExplainableDecision ToItem(Decision d, string? name, bool has, bool held) =>
        new(d.Id, d.Kind, name, d.CreatedUtc, d.ActorName, d.Accepted, d.Score, StateOf(d, has, held));

    private ExplanationState StateOf(Decision d, bool has, bool held)
    {
        if (has)
        {
            return ExplanationState.Ready;
        }
        if (d.Kind == "identify" && d.PersonId is null)
        {
            return ExplanationState.NoMatch; // also for decisions recorded before the state was stored
        }
        if (d.ExplanationState == ExplanationState.Ready)
        {
            return ExplanationState.Failed; // marked ready, yet nothing stored: should not happen; never claim "ready" without one
        }
        return d.ExplanationState == ExplanationState.Computing && !held && time.GetUtcNow() - d.CreatedUtc >= LostAfter
            ? ExplanationState.Lost
            : d.ExplanationState;
    }

    private sealed record Row(Decision D, string? Name, bool Has, bool Held);
}
