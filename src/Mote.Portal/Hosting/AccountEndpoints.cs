using Microsoft.AspNetCore.Mvc;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;
using Mote.Gallery.Users;

namespace Mote.Portal.Hosting;

/// <summary>Account endpoints that are not pages. Sign-in and setup are static server-rendered forms in Components/Pages/Account.</summary>
internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Binding a form field makes ASP.NET validate the antiforgery token on this POST.
        app.MapPost("/account/logout", async (HttpContext http, [FromForm] string? returnUrl, SignOutUser signOut, CancellationToken ct) =>
        {
            await signOut.ExecuteAsync(Actor.FromPrincipal(http.User), ct).ConfigureAwait(false);
            return Results.LocalRedirect("/account/login");
        });

        // A plain download (not a circuit message), so large trails stream straight to the browser.
        app.MapGet("/audit/export", async Task<IResult> (HttpContext http, string format, ExportAuditTrail export, CancellationToken ct) =>
        {
            format = (format ?? "").ToLowerInvariant();
            if (format is not ("csv" or "json"))
            {
                return Results.Problem(statusCode: 400, title: "Unknown export format", detail: "Use format=csv or format=json.");
            }
            http.Response.ContentType = format == "json" ? "application/json" : "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"mote-audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.{format}\"";
            await export.ExecuteAsync(Actor.FromPrincipal(http.User), format, http.Response.Body, null, ct).ConfigureAwait(false);
            return Results.Empty;
        }).RequireAuthorization(nameof(Permission.ViewAudit));
    }

    /// <summary>Only same-site relative paths are followed after sign-in; anything else goes home (no open redirect).</summary>
    public static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
