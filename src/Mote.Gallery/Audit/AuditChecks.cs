using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Mote.Gallery.Data;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;
using Quartz;

namespace Mote.Gallery.Audit;

/// <summary>
/// The scheduled audit check as a durable job (issue 15): every <c>Mote:Audit:VerifyEveryMinutes</c> (default 60) and at
/// each host's start, one <see cref="JobKind.VerifyAudit"/> job verifies the whole chain as the system and stores what it
/// found with the job (<see cref="BackgroundJob.ResultJson"/>). With several instances on PostgreSQL the schedule is a
/// clustered trigger, so the chain is checked once per period for all of them, and every instance shows the same latest
/// result. A check run on demand ("Verify now", <see cref="VerifyNowAsync"/>) runs in the caller and is recorded the same
/// way, as a finished job. Either way the chain is verified, and a broken one logged, here alone.
/// </summary>
public sealed partial class AuditChecks(MoteDbContext db, AuditVerifier verifier, JobRuntime runtime, ILogger<AuditChecks> log)
{
    /// <summary>The configuration key of the period, in minutes.</summary>
    public const string PeriodSetting = "Mote:Audit:VerifyEveryMinutes";

    /// <summary>The latest stored check for <paramref name="actor"/>, who needs <see cref="Permission.ViewAudit"/>; null before the first one finished.</summary>
    public async Task<AuditChainStatus?> LatestAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewAudit);
        var json = await db.BackgroundJobs.AsNoTracking()
            .Where(j => j.Kind == JobKind.VerifyAudit && j.State == JobState.Succeeded && j.ResultJson != null)
            .OrderByDescending(j => j.FinishedUtc)
            .Select(j => j.ResultJson)
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return json is null ? null : JsonSerializer.Deserialize<AuditChainStatus>(json, JobRuntime.Json);
    }

    /// <summary>Verifies the chain now as <paramref name="actor"/> (whose permission the verifier checks), records the result as the latest check and returns it.</summary>
    public async Task<AuditChainStatus> VerifyNowAsync(Actor actor, CancellationToken ct = default)
    {
        var status = await VerifyAsync(actor, ct).ConfigureAwait(false);
        await RecordAsync(actor, status, ct).ConfigureAwait(false);
        return status;
    }

    /// <summary>Records a check <paramref name="actor"/> ran on demand as a finished <see cref="JobKind.VerifyAudit"/> job, so every instance shows it as the latest.</summary>
    public Task RecordAsync(Actor actor, AuditChainStatus status, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(status);
        return runtime.RecordAsync(JobKind.VerifyAudit, actor, "audit chain (on demand)", ResultOf(status), status.CheckedUtc, ct);
    }

    /// <summary>Verifies the chain as <paramref name="actor"/> and logs what it found (a broken chain as an error).</summary>
    internal async Task<AuditChainStatus> VerifyAsync(Actor actor, CancellationToken ct)
    {
        var status = await verifier.VerifyAsync(actor, ct).ConfigureAwait(false);
        if (status.Verified)
        {
            LogVerified(log, status.VerifiedUpTo, status.Duration.TotalMilliseconds);
        }
        else
        {
            LogBroken(log, status.FirstBadSequence ?? 0, status.Summary);
        }
        return status;
    }

    /// <summary>A check as its job's result: the summary as the message, the status stored as JSON.</summary>
    internal static JobResult ResultOf(AuditChainStatus status) => new(null, status.Summary, status, JsonSerializer.Serialize(status, JobRuntime.Json));

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit chain verified up to #{Sequence} in {Milliseconds:F0} ms.")]
    private static partial void LogVerified(ILogger logger, long sequence, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "AUDIT CHAIN BROKEN at row #{Sequence}: {Summary}")]
    private static partial void LogBroken(ILogger logger, long sequence, string summary);
}

/// <summary>Runs one scheduled audit check as the job's actor; a broken chain is a finding (logged as an error), not a failed job.</summary>
internal sealed class VerifyAuditJobHandler(AuditChecks checks) : IJobHandler
{
    public JobKind Kind => JobKind.VerifyAudit;

    public async Task<JobResult> RunAsync(JobRun run, CancellationToken ct)
    {
        run.Report("verifying the chain");
        return AuditChecks.ResultOf(await checks.VerifyAsync(run.Actor, ct).ConfigureAwait(false));
    }
}

/// <summary>The recurring trigger's job: submits one <see cref="JobKind.VerifyAudit"/> job as the system (the check itself is a durable job).</summary>
[DisallowConcurrentExecution]
internal sealed class AuditCheckSchedule(JobRuntime runtime) : IJob
{
    /// <summary>The schedule's job and trigger key.</summary>
    public static readonly JobKey Key = new("audit-check", JobRuntime.ScheduleGroup);

    /// <summary>
    /// Adds the schedule: a trigger in the store (clustered on PostgreSQL, so one check per <paramref name="period"/> for all
    /// instances), written again at each start, which fires it at once: every start checks the chain.
    /// </summary>
    public static void AddTo(IQuartzBuilder quartz, TimeSpan period)
    {
        quartz.AddJob<AuditCheckSchedule>(j => j.WithIdentity(Key).StoreDurably(true).WithDescription("Mote audit check schedule"));
        quartz.AddTrigger(t => t.ForJob(Key).WithIdentity(Key.Name, Key.Group).StartNow()
            .WithSimpleSchedule(s => s.WithInterval(period).RepeatForever()));
    }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await runtime.SubmitAsync(JobKind.VerifyAudit, Actor.System, "audit chain", new { }, null, capacity: 1, cancellationToken).ConfigureAwait(false);
        }
        catch (GalleryBusyException)
        {
            // A check is already waiting or running (several instances started at once, or a slow check): one is enough.
        }
    }
}
