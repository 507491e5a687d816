using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Mote.Gallery.Security;
using Mote.Gallery.Users;

namespace Mote.Portal.Components.Pages.Account;

/// <summary>Account endpoints that are not pages. Sign-in and setup are static server-rendered forms in Components/Pages/Account.</summary>
internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // The antiforgery token is checked here rather than by form binding: a refused binding threw, the status-code
        // page re-ran as a POST and threw again, and the answer was a 500 (issue 14 item 2). Now it is a plain 400.
        app.MapPost("/account/logout", async (HttpContext http, IAntiforgery antiforgery, SignOutUser signOut, CancellationToken ct) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
            {
                if (http.Features.Get<IStatusCodePagesFeature>() is { } pages)
                {
                    pages.Enabled = false;
                }
                return Results.Text("The sign-out form has expired or did not come from this portal. Reload the page and sign out again.", statusCode: StatusCodes.Status400BadRequest);
            }
            await signOut.ExecuteAsync(Actor.FromPrincipal(http.User), ct).ConfigureAwait(false);
            return Results.LocalRedirect("/account/login");
        }).DisableAntiforgery();
    }

    /// <summary>Only same-site relative paths are followed after sign-in; anything else goes home (no open redirect).</summary>
    public static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
