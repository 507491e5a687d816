using Microsoft.AspNetCore.Mvc;
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
    }

    /// <summary>Only same-site relative paths are followed after sign-in; anything else goes home (no open redirect).</summary>
    public static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
