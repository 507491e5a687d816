using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mote.Gallery.Data;
using Mote.Gallery.People;

namespace Mote.Portal.Hosting;

/// <summary>
/// Degraded while any enrolled person's template is recorded as damaged (issue 14 item 11): 1:N still answers, without
/// them. Reads the audit trail's <c>TemplateIntegrityViolation</c> events, so it reports what identification found,
/// in this process or another; re-enrolling, retraining or erasing the person clears it.
/// </summary>
internal sealed class TemplateIntegrityHealthCheck(MoteDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var damaged = await TemplateIntegrity.CountDamagedAsync(db, cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object> { ["damagedTemplates"] = damaged };
        return damaged == 0
            ? HealthCheckResult.Healthy("No stored template has failed its integrity check.", data)
            : HealthCheckResult.Degraded(
                $"{damaged} stored template(s) failed their integrity check and are left out of 1:N identification; see the Audit page (event 303) and re-enroll or erase those people.",
                data: data);
    }
}

/// <summary>
/// The <c>/healthz</c> body: "Healthy" alone when all is well (what load balancers and the tests read), otherwise the
/// overall status followed by one line per check that is not healthy, with its description.
/// </summary>
internal static class HealthText
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = new List<string> { report.Status.ToString() };
        lines.AddRange(report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description}"));
        return context.Response.WriteAsync(string.Join('\n', lines), context.RequestAborted);
    }
}
