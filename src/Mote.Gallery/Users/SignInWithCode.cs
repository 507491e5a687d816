using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>
/// The sign-in between its two steps: after the right password of an account with two-factor sign-in, Identity's
/// short-lived two-factor cookie (its own scheme, five minutes) holds the account's id and security stamp, and no
/// session exists yet. A stamp that changed meanwhile (MFA reset, sessions ended) voids it.
/// </summary>
internal static class SecondStep
{
    private const string UserIdClaim = "mote:pending_user";
    private const string StampClaim = "mote:pending_stamp";

    public static Task BeginAsync(HttpContext http, PortalUser user, DateTimeOffset now)
    {
        var identity = new ClaimsIdentity(
            [new Claim(UserIdClaim, user.Id), new Claim(StampClaim, user.SecurityStamp ?? ""), new Claim(ClaimTypes.Name, user.Id)],
            IdentityConstants.TwoFactorUserIdScheme);
        return http.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IssuedUtc = now, IsPersistent = false });
    }

    public static async Task<(string UserId, string Stamp)?> FindAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme).ConfigureAwait(false);
        var id = result.Principal?.FindFirstValue(UserIdClaim);
        return string.IsNullOrEmpty(id) ? null : (id, result.Principal!.FindFirstValue(StampClaim) ?? "");
    }

    public static Task EndAsync(HttpContext http) => http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
}

/// <summary>
/// The second sign-in step: a 6-digit authenticator code (one 30-s step either side of now, each step once) or one of
/// the account's unused recovery codes, which is spent. Success issues the session cookie (with <c>amr=mfa</c>) and
/// writes one <see cref="AuditEventCode.SignInSucceeded"/> event saying which kind of code; a wrong code writes one
/// <see cref="AuditEventCode.SignInCodeFailed"/> event and counts as a failed sign-in under the same throttling as a
/// wrong password (<see cref="SignInPolicy"/>: per address first; Admins wait, others lock).
/// </summary>
public sealed class SignInWithCode(
    SignInManager<PortalUser> signIn, UserManager<PortalUser> users, AuthenticatorStore store, AuditTrail audit, SignInThrottle throttle)
{
    /// <summary>True while a password-checked sign-in waits for its code in this browser (for the page to show the form or not).</summary>
    public async Task<bool> IsPendingAsync() => await SecondStep.FindAsync(signIn.Context).ConfigureAwait(false) is not null;

    /// <param name="code">A 6-digit authenticator code or an unused recovery code.</param>
    /// <param name="remote">The client address, for throttling and the audit trail; null when unknown.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns><see cref="SignInOutcome.Succeeded"/>, <see cref="SignInOutcome.Failed"/> for a wrong code, or <see cref="SignInOutcome.Expired"/>,
    /// <see cref="SignInOutcome.Throttled"/> or <see cref="SignInOutcome.LockedOut"/>.</returns>
    public async Task<SignInOutcome> ExecuteAsync(string? code, string? remote, CancellationToken ct = default)
    {
        var http = signIn.Context;
        if (throttle.AddressWait(remote) is not null)
        {
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.SignInThrottled, null, "address over its failure limit; second step", ct).ConfigureAwait(false);
            return SignInOutcome.Throttled;
        }
        var pending = await SecondStep.FindAsync(http).ConfigureAwait(false);
        var user = pending is null ? null : await users.FindByIdAsync(pending.Value.UserId).ConfigureAwait(false);
        if (user is null || AccountState.IsDisabled(user) || !user.TwoFactorEnabled
            || !string.Equals(user.SecurityStamp ?? "", pending!.Value.Stamp, StringComparison.Ordinal))
        {
            await SecondStep.EndAsync(http).ConfigureAwait(false);
            return SignInOutcome.Expired;
        }
        var isAdmin = await users.IsInRoleAsync(user, Roles.Admin).ConfigureAwait(false);
        if (isAdmin && throttle.AdminWait(user.Id) is not null)
        {
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.SignInThrottled, user.Id, "Admin account waiting after failures; second step", ct).ConfigureAwait(false);
            return SignInOutcome.Throttled;
        }
        if (!isAdmin && await users.IsLockedOutAsync(user).ConfigureAwait(false))
        {
            await SecondStep.EndAsync(http).ConfigureAwait(false);
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.SignInLockedOut, user.Id, "locked out; second step", ct).ConfigureAwait(false);
            return SignInOutcome.LockedOut;
        }

        string? how = null;
        var typed = Totp.Normalize(code);
        if (typed.Length == Totp.Digits && typed.All(char.IsAsciiDigit))
        {
            if (await store.VerifyCodeAsync(user.Id, typed, ct).ConfigureAwait(false))
            {
                how = "authenticator code";
            }
        }
        else if (await store.RedeemRecoveryCodeAsync(user.Id, code, ct).ConfigureAwait(false))
        {
            how = $"recovery code, {await store.RecoveryCodesLeftAsync(user.Id, ct).ConfigureAwait(false)} left";
        }

        if (how is not null)
        {
            await SecondStep.EndAsync(http).ConfigureAwait(false);
            await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim("amr", "mfa")]).ConfigureAwait(false);
            UserAccounts.Check(await users.ResetAccessFailedCountAsync(user).ConfigureAwait(false), "record the sign-in");
            throttle.RecordSuccess(user.Id);
            var roles = await users.GetRolesAsync(user).ConfigureAwait(false);
            var actor = new Actor(ActorKind.User, user.Id, user.Email ?? user.Id, roles.ToHashSet(StringComparer.Ordinal));
            await audit.AppendAsync(actor, AuditEventCode.SignInSucceeded, user.Id, $"{remote}; {how}", ct).ConfigureAwait(false);
            return SignInOutcome.Succeeded;
        }

        throttle.RecordFailure(remote, isAdmin ? user.Id : null);
        var locked = false;
        if (!isAdmin)
        {
            UserAccounts.Check(await users.AccessFailedAsync(user).ConfigureAwait(false), "record the failure");
            locked = await users.IsLockedOutAsync(user).ConfigureAwait(false);
        }
        if (locked)
        {
            await SecondStep.EndAsync(http).ConfigureAwait(false);
        }
        await audit.AppendAsync(Actor.Anonymous(remote), locked ? AuditEventCode.SignInLockedOut : AuditEventCode.SignInCodeFailed, user.Id, "wrong or used code", ct).ConfigureAwait(false);
        return locked ? SignInOutcome.LockedOut : SignInOutcome.Failed;
    }
}
