using Mote.Gallery.Audit;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>
/// Verifies the audit chain at start-up, then every <c>Mote:Audit:VerifyEveryMinutes</c> (default 60),
/// and on demand from the Audit page; keeps the latest status for the page and logs a broken chain as
/// an error.
/// </summary>
public sealed partial class AuditChainMonitor(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<AuditChainMonitor> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The most recent result, or null before the first check finished.</summary>
    public AuditChainStatus? Latest { get; private set; }

    /// <summary>
    /// The most recent result for <paramref name="actor"/>, who needs <see cref="Permission.ViewAudit"/> (the overview's
    /// card); null before the first check finished. Checks nothing itself: the start-up check, the hourly one or the Audit
    /// page's "Verify now" set it.
    /// </summary>
    public AuditChainStatus? LatestFor(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ViewAudit);
        return Latest;
    }

    /// <summary>Runs a check now as <paramref name="actor"/> (whose permission the verifier checks) and publishes it.</summary>
    public async Task<AuditChainStatus> VerifyNowAsync(Actor actor, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var status = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(actor, ct).ConfigureAwait(false);
                Latest = status;
                if (status.Verified)
                {
                    LogVerified(logger, status.VerifiedUpTo, status.Duration.TotalMilliseconds);
                }
                else
                {
                    LogBroken(logger, status.FirstBadSequence ?? 0, status.Summary);
                }
                return status;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromMinutes(Math.Max(1, configuration.GetValue("Mote:Audit:VerifyEveryMinutes", 60)));
        using var timer = new PeriodicTimer(every);
        do
        {
            try
            {
                await VerifyNowAsync(Actor.System, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit chain verified up to #{Sequence} in {Milliseconds:F0} ms.")]
    private static partial void LogVerified(ILogger logger, long sequence, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "AUDIT CHAIN BROKEN at row #{Sequence}: {Summary}")]
    private static partial void LogBroken(ILogger logger, long sequence, string summary);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit chain could not be verified.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
