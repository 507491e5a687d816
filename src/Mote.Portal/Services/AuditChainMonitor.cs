using Mote.Gallery.Audit;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>
/// The Audit page's "Verify now" (and its first render): one check at a time in this process, through
/// <see cref="AuditChecks.VerifyNowAsync"/>, which records it with the scheduled checks (a durable job every
/// <c>Mote:Audit:VerifyEveryMinutes</c>, default 60, and at each start) so the overview of every instance shows the latest.
/// </summary>
public sealed class AuditChainMonitor(IServiceScopeFactory scopes) : IDisposable
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
                return await scope.ServiceProvider.GetRequiredService<AuditChecks>().VerifyNowAsync(actor, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
