using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using Mote.Gallery.Users;

namespace Mote.Portal.Hosting;

/// <summary>
/// The circuit's authentication state, re-checked against the store every <see cref="PortalOptions.SessionRevalidation"/>
/// (at most 30 s): an account that was deleted, disabled, locked out, signed out, or whose security stamp changed
/// (role change, password reset, "end sessions") loses its open tabs, which then show the sign-in page; so does a
/// session past its absolute lifetime. Before, a demoted and locked-out Admin's tab kept working (issue 14 item 1).
/// </summary>
internal sealed class SessionRevalidatingStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopes,
    IOptions<PortalOptions> options,
    TimeProvider time)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.SessionRevalidation;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        if (!SessionLifetime.IsWithin(user, options.Value.SessionAbsoluteLifetime, time.GetUtcNow()))
        {
            return false;
        }
        // A fresh scope: the circuit's own DbContext may be busy with a page's query.
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var actor = await scope.ServiceProvider.GetRequiredService<ResolveUserActor>().ExecuteAsync(user, cancellationToken).ConfigureAwait(false);
            return actor.Kind == Mote.Gallery.Security.ActorKind.User;
        }
    }
}

/// <summary>The absolute session lifetime: a claim stamped at sign-in, carried over every refresh of the cookie.</summary>
internal static class SessionLifetime
{
    public const string SignedInClaim = "mote:signed_in";

    /// <summary>Adds the sign-in time to a principal that has none (a fresh sign-in).</summary>
    public static void Stamp(ClaimsPrincipal principal, DateTimeOffset now)
    {
        if (principal.FindFirst(SignedInClaim) is null && principal.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(SignedInClaim, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        }
    }

    /// <summary>Copies the sign-in time onto a principal rebuilt from the store (security-stamp validation).</summary>
    public static void Carry(ClaimsPrincipal from, ClaimsPrincipal to)
    {
        if (from.FindFirst(SignedInClaim) is { } claim && to.FindFirst(SignedInClaim) is null && to.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(SignedInClaim, claim.Value, ClaimValueTypes.Integer64));
        }
    }

    /// <summary>True when <paramref name="principal"/> signed in less than <paramref name="lifetime"/> ago; false without a sign-in time.</summary>
    public static bool IsWithin(ClaimsPrincipal principal, TimeSpan lifetime, DateTimeOffset now) =>
        principal.FindFirst(SignedInClaim)?.Value is { } value
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && now - DateTimeOffset.FromUnixTimeSeconds(seconds) < lifetime;
}
