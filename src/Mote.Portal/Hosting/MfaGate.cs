using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Mote.Gallery.Data;
using Mote.Gallery.Users;

namespace Mote.Portal.Hosting;

/// <summary>
/// Adds <see cref="MfaClaim"/> to the session's principal when the account has two-factor sign-in on. The principal is
/// rebuilt from the store on every request (security-stamp validation, ADR 0010), so the claim is never stale.
/// </summary>
internal sealed class MfaClaimsPrincipalFactory(UserManager<PortalUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PortalUser, IdentityRole>(users, roles, options)
{
    public const string MfaClaim = "mote:mfa";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user).ConfigureAwait(false);
        if (user.TwoFactorEnabled)
        {
            identity.AddClaim(new Claim(MfaClaim, "on"));
        }
        return identity;
    }
}

/// <summary>
/// Two-factor sign-in is required for Admins (issue 14 item 3, ADR 0013): a signed-in Admin without an authenticator
/// reaches only <c>/account/mfa</c>, the other account pages and public files (and <c>/api</c>, which ignores cookies) until it is set up; every other request
/// is sent there (GET) or refused with 403. Runs after authentication, before any endpoint. The set-up page is a
/// static form, so no interactive circuit (which would navigate without requests) can exist in that state.
/// </summary>
internal static class MfaGate
{
    public const string SetupPath = "/account/mfa";

    public static IApplicationBuilder UseMfaEnrollmentGate(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (MustSetUp(http.User) && !IsAllowed(http))
        {
            if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            {
                var back = http.Request.Path + http.Request.QueryString;
                http.Response.Redirect($"{SetupPath}?ReturnUrl={Uri.EscapeDataString(back)}");
            }
            else
            {
                // A plain 403: the status-code page would re-run this POST against /not-found.
                if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
                {
                    pages.Enabled = false;
                }
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await http.Response.WriteAsync("Set up two-factor sign-in first: /account/mfa").ConfigureAwait(false);
            }
            return;
        }
        await next(http).ConfigureAwait(false);
    });

    /// <summary>True for a cookie session of an account that must use two-factor sign-in and has not set it up.</summary>
    public static bool MustSetUp(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: var type }
        && type == IdentityConstants.ApplicationScheme
        && MfaPolicy.IsRequired(user.FindAll(ClaimTypes.Role).Select(c => c.Value))
        && user.FindFirst(MfaClaimsPrincipalFactory.MfaClaim) is null;

    // /api authenticates with API keys only and answers 401 to a cookie (docs/api.md); it is never a way in for a session.
    private static bool IsAllowed(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/account", StringComparison.OrdinalIgnoreCase)
        || http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;
}
