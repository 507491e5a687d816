using Mote.Gallery.Audit;
using Mote.Gallery.Overview;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>
/// What the overview shows, each part null when the signed-in actor may not see that area (the card is then left out).
/// </summary>
/// <param name="People">People enrolled (<see cref="Permission.ViewGallery"/>).</param>
/// <param name="Decisions">Today's decisions (<see cref="Permission.ViewExplanations"/>).</param>
/// <param name="RiskVisible">Whether the gallery-risk card shows (<see cref="Permission.ViewFairness"/>).</param>
/// <param name="Risk">The latest assessment's flags; null when nothing was assessed since the start (or not visible).</param>
/// <param name="ModelPack">The model pack in use (<see cref="Permission.ViewGallery"/>).</param>
/// <param name="AuditVisible">Whether the audit-chain card shows (<see cref="Permission.ViewAudit"/>).</param>
/// <param name="AuditChain">The last chain check; null before the first one finished (or not visible).</param>
/// <param name="Jobs">Background work in progress, per area the actor may see.</param>
/// <param name="BackupVisible">Whether the last-backup card shows (<see cref="Permission.ManageSettings"/>).</param>
/// <param name="LastBackup">The last recorded backup; null when none was (or not visible).</param>
public sealed record OverviewFigures(
    int? People, DecisionTally? Decisions, bool RiskVisible, GalleryRiskSummary? Risk, ModelPackSummary? ModelPack,
    bool AuditVisible, AuditChainStatus? AuditChain, RunningJobs? Jobs, bool BackupVisible = false, Mote.Gallery.Backup.LastBackup? LastBackup = null);

/// <summary>
/// Gathers the overview's figures through the Gallery's use cases, asking each only when the actor holds its permission
/// (the use cases check again). No figure is computed here.
/// </summary>
public sealed class OverviewLoader(
    CountPeople people, CountDecisionsToday decisions, ReadGalleryRiskSummary risk, ReadModelPackSummary modelPack,
    ReadRunningJobs jobs, Mote.Gallery.Audit.AuditChecks auditChecks, ReadLastBackup lastBackup)
{
    public async Task<OverviewFigures> LoadAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var gallery = actor.Has(Permission.ViewGallery);
        var riskVisible = actor.Has(Permission.ViewFairness);
        var auditVisible = actor.Has(Permission.ViewAudit);
        var backupVisible = actor.Has(Permission.ManageSettings);
        // Sequential on purpose: the use cases share one scoped DbContext, which allows one query at a time.
        return new OverviewFigures(
            gallery ? await people.ExecuteAsync(actor, ct).ConfigureAwait(false) : null,
            actor.Has(Permission.ViewExplanations) ? await decisions.ExecuteAsync(actor, ct).ConfigureAwait(false) : null,
            riskVisible,
            riskVisible ? await risk.ExecuteAsync(actor, ct).ConfigureAwait(false) : null,
            gallery ? await modelPack.ExecuteAsync(actor, ct).ConfigureAwait(false) : null,
            auditVisible,
            auditVisible ? await auditChecks.LatestAsync(actor, ct).ConfigureAwait(false) : null,
            gallery ? await jobs.ExecuteAsync(actor, ct).ConfigureAwait(false) : null,
            backupVisible,
            backupVisible ? lastBackup.Execute(actor) : null);
    }
}
