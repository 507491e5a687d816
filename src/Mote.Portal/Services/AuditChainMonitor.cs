using Mote.Gallery.Audit;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>
/// Verifies the audit chain on demand (the Audit page's "Verify now" and its first render) and records the result with the
/// scheduled checks (<see cref="AuditChecks"/>: a durable job every <c>Mote:Audit:VerifyEveryMinutes</c>, default 60, and at
/// each start), so the overview of every instance shows the latest check; logs a broken chain as an error.
/// </summary>
public sealed partial class AuditChainMonitor(IServiceScopeFactory scopes, ILogger<AuditChainMonitor> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs a check now as <paramref name="actor"/> (whose permission the verifier checks), records and returns it.</summary>
    public async Task<AuditChainStatus> VerifyNowAsync(Actor actor, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var status = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(actor, ct).ConfigureAwait(false);
                if (status.Verified)
                {
                    LogVerified(logger, status.VerifiedUpTo, status.Duration.TotalMilliseconds);
                }
                else
                {
                    LogBroken(logger, status.FirstBadSequence ?? 0, status.Summary);
                }
                await scope.ServiceProvider.GetRequiredService<AuditChecks>().RecordAsync(actor, status, ct).ConfigureAwait(false);
                return status;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit chain verified up to #{Sequence} in {Milliseconds:F0} ms.")]
    private static partial void LogVerified(ILogger logger, long sequence, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "AUDIT CHAIN BROKEN at row #{Sequence}: {Summary}")]
    private static partial void LogBroken(ILogger logger, long sequence, string summary);
}
