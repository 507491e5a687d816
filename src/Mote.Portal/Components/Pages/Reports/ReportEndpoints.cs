using Mote.Gallery.Reports;
using Mote.Gallery.Security;

namespace Mote.Portal.Components.Pages.Reports;

/// <summary>The compliance report download (a plain HTTP response, not a circuit message).</summary>
internal static class ReportEndpoints
{
    public static void MapReportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reports/export", async Task<IResult> (HttpContext http, string format, ExportComplianceReport export, Mote.Portal.Services.ISignedInActorSource actors, TimeProvider time, CancellationToken ct) =>
        {
            format = (format ?? "").ToLowerInvariant();
            if (format is not ("pdf" or "json"))
            {
                return Results.Problem(statusCode: 400, title: "Unknown report format", detail: "Use format=pdf or format=json.");
            }
            // Rendered into memory first: the use case appends its audit event before any byte is sent.
            using var buffer = new MemoryStream();
            var result = await export.ExecuteAsync(await actors.ResolveAsync(http.User, ct).ConfigureAwait(false), format, buffer, ct).ConfigureAwait(false);
            http.Response.Headers["X-Content-SHA256"] = result.ContentSha256;
            return Results.File(buffer.ToArray(), format == "pdf" ? "application/pdf" : "application/json",
                $"mote-compliance-report-{time.GetUtcNow():yyyyMMdd-HHmmss}.{format}");
        }).RequireAuthorization(nameof(Permission.ExportReports));
    }
}
