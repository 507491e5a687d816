using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.Jobs;

namespace Mote.Gallery.Tests.Audit;

/// <summary>
/// The scheduled audit check as a durable job (issue 15) in a real host with its Quartz scheduler, on SQLite (and on
/// PostgreSQL in CI's second pass): a start checks the chain once, the result is stored with the job for any instance
/// to read, the schedule is a trigger in the store, and a check run on demand is recorded as the latest.
/// </summary>
public sealed class AuditChecksTests
{
    [Fact]
    public async Task HostStarts_ChainCheckedByAJob_ResultStoredForEveryInstance_OnDemandCheckBecomesLatest()
    {
        var folder = await JobHost.NewFolderAsync();
        try
        {
            await using var host = await JobHost.StartAsync(folder);
            await host.WaitUntilAsync(() => host.Scalar("SELECT COUNT(*) FROM BackgroundJobs WHERE Kind = 4 AND State = 2 AND ResultJson IS NOT NULL") == 1,
                TimeSpan.FromMinutes(2), "the start's audit check");

            // The schedule lives in the store: one trigger every 60 minutes (the default), apart from the jobs' one-shot triggers.
            Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM QRTZ_SIMPLE_TRIGGERS WHERE TRIGGER_GROUP = '{JobRuntime.ScheduleGroup}' AND REPEAT_INTERVAL = {(long)TimeSpan.FromMinutes(60).TotalMilliseconds} AND REPEAT_COUNT = -1"));

            // Read back through a second service provider on the same database, as another instance would.
            var scheduled = await host.InScopeAsync<AuditChecks, AuditChainStatus?>(c => c.LatestAsync(Actors.Auditor));
            Assert.NotNull(scheduled);
            Assert.True(scheduled.Verified, scheduled.Summary);
            Assert.Equal("The trail is empty.", scheduled.Summary);
            await Assert.ThrowsAsync<PermissionDeniedException>(() => host.InScopeAsync<AuditChecks, AuditChainStatus?>(c => c.LatestAsync(Actors.Operator)));

            // Events appended since, then a check on demand: recorded, and now the latest for everyone.
            await host.InScopeAsync<AuditTrail, bool>(async t =>
            {
                await t.AppendAsync(Actor.System, AuditEventCode.SettingsChanged, "settings", "test event", default);
                return true;
            });
            var onDemand = await host.InScopeAsync<AuditVerifier, AuditChainStatus>(v => v.VerifyAsync(Actors.Auditor));
            await host.InScopeAsync<AuditChecks, bool>(async c =>
            {
                await c.RecordAsync(Actors.Auditor, onDemand);
                return true;
            });
            var latest = await host.InScopeAsync<AuditChecks, AuditChainStatus?>(c => c.LatestAsync(Actors.Auditor));
            Assert.Equal((true, 1L, "Verified up to #1."), (latest!.Verified, latest.VerifiedUpTo, latest.Summary));
        }
        finally
        {
            await JobHost.DeleteFolderAsync(folder);
        }
    }
}
