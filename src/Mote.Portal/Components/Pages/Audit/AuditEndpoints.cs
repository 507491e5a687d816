using Mote.Gallery.Audit;
using Mote.Gallery.Security;

namespace Mote.Portal.Components.Pages.Audit;

/// <summary>Audit endpoints that are not pages.</summary>
internal static class AuditEndpoints
{
    public static void MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        // A plain download (not a circuit message), so large trails stream straight to the browser.
        // The Audit page's filter travels in the query (AuditExportQuery), so the buttons export what the page shows.
        app.MapGet("/audit/export", async Task<IResult> (HttpContext http, string format, string? from, string? to, string? actor, string? code, string? subject,
            ExportAuditTrail export, Mote.Portal.Services.ISignedInActorSource actors, TimeProvider time, CancellationToken ct) =>
        {
            format = (format ?? "").ToLowerInvariant();
            if (format is not ("csv" or "json"))
            {
                return Results.Problem(statusCode: 400, title: "Unknown export format", detail: "Use format=csv or format=json.");
            }
            var (filter, problem) = Mote.Portal.Services.AuditExportQuery.Parse(from, to, actor, code, subject);
            if (problem is not null)
            {
                return Results.Problem(statusCode: 400, title: "Invalid filter", detail: problem);
            }
            http.Response.ContentType = format == "json" ? "application/json" : "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"mote-audit-{time.GetUtcNow():yyyyMMdd-HHmmss}.{format}\"";
            await export.ExecuteAsync(await actors.ResolveAsync(http.User, ct).ConfigureAwait(false), format, http.Response.Body, filter, ct).ConfigureAwait(false);
            return Results.Empty;
        }).RequireAuthorization(nameof(Permission.ViewAudit));
    }
}
