using Microsoft.AspNetCore.Identity;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>The outcome of a sign-in attempt, worded for the sign-in page.</summary>
public enum SignInOutcome
{
    Succeeded,
    Failed,
    LockedOut,
}

/// <summary>
/// Checks a password and issues the session cookie (through <see cref="SignInManager{TUser}"/>), and
/// records every attempt: one audit event for success, failure or lock-out. Five failures lock the
/// account for 15 minutes (Identity lockout, configured in <c>AddMoteGallery</c>).
/// </summary>
public sealed class SignInUser(SignInManager<PortalUser> signIn, UserManager<PortalUser> users, AuditTrail audit)
{
    public async Task<SignInOutcome> ExecuteAsync(string email, string password, string? remote, CancellationToken ct = default)
    {
        email = (email ?? "").Trim();
        var user = email.Length == 0 ? null : await users.FindByEmailAsync(email).ConfigureAwait(false);
        if (user is null)
        {
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.SignInFailed, null, $"no account {Truncate(email)}", ct).ConfigureAwait(false);
            return SignInOutcome.Failed;
        }
        var result = await signIn.PasswordSignInAsync(user, password ?? "", isPersistent: false, lockoutOnFailure: true).ConfigureAwait(false);
        if (result.Succeeded)
        {
            var roles = await users.GetRolesAsync(user).ConfigureAwait(false);
            var actor = new Actor(ActorKind.User, user.Id, user.Email ?? user.Id, roles.ToHashSet(StringComparer.Ordinal));
            await audit.AppendAsync(actor, AuditEventCode.SignInSucceeded, user.Id, remote, ct).ConfigureAwait(false);
            return SignInOutcome.Succeeded;
        }
        var code = result.IsLockedOut ? AuditEventCode.SignInLockedOut : AuditEventCode.SignInFailed;
        await audit.AppendAsync(Actor.Anonymous(remote), code, user.Id, "wrong password", ct).ConfigureAwait(false);
        return result.IsLockedOut ? SignInOutcome.LockedOut : SignInOutcome.Failed;
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200];
}

/// <summary>Ends the session cookie and records one <see cref="AuditEventCode.SignedOut"/> event.</summary>
public sealed class SignOutUser(SignInManager<PortalUser> signIn, AuditTrail audit)
{
    public async Task ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await signIn.SignOutAsync().ConfigureAwait(false);
        if (actor.Kind == ActorKind.User)
        {
            await audit.AppendAsync(actor, AuditEventCode.SignedOut, actor.Id, null, ct).ConfigureAwait(false);
        }
    }
}
