using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Mote.Gallery.Data;

namespace Mote.Portal.Hosting;

/// <summary>
/// Re-issues this browser's session cookie after an MFA change, which changed the account's security stamp and so
/// ended every session including this one (ADR 0013). The sign-in time is carried over, so the absolute lifetime
/// (ADR 0010) is not extended; <c>amr=mfa</c> is kept when the session had it.
/// </summary>
internal sealed class MfaSession(SignInManager<PortalUser> signIn, UserManager<PortalUser> users)
{
    public async Task RenewAsync(ClaimsPrincipal current, string userId)
    {
        var user = await users.FindByIdAsync(userId).ConfigureAwait(false);
        if (user is null)
        {
            return;
        }
        var carried = current.Claims
            .Where(c => c.Type is SessionLifetime.SignedInClaim or "amr")
            .Select(c => new Claim(c.Type, c.Value, c.ValueType))
            .ToList();
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, carried).ConfigureAwait(false);
    }
}
