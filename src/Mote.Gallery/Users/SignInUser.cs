using Microsoft.AspNetCore.Identity;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>The outcome of a sign-in attempt, worded for the sign-in page.</summary>
public enum SignInOutcome
{
    /// <summary>Signed in: the session cookie is issued.</summary>
    Succeeded,

    /// <summary>Refused: unknown or disabled account, wrong password, or wrong code (the page does not say which).</summary>
    Failed,

    /// <summary>Refused: the account (not an Admin) is locked after too many failures.</summary>
    LockedOut,

    /// <summary>Refused without checking the password: too many recent failures from this address, or against this Admin.</summary>
    Throttled,

    /// <summary>The password was right; the account uses two-factor sign-in, so a code is asked for next (<see cref="SignInWithCode"/>).</summary>
    CodeRequired,

    /// <summary>The second step found no pending sign-in (it expired after five minutes, or the account changed meanwhile).</summary>
    Expired,
}

/// <summary>
/// Checks a password and issues the session cookie (through <see cref="SignInManager{TUser}"/>), and
/// records every attempt: one audit event for success, failure, lock-out or throttling. In this order
/// (<see cref="SignInPolicy"/>): a client address with too many recent failures is refused before any account
/// is looked at; an Admin is never locked out by failures, only made to wait progressively longer; other
/// accounts lock after <see cref="SignInPolicy.FailuresPerAccount"/> failures. An unknown or disabled account
/// costs the same password hash as a real one, so the answer time does not tell which e-mails exist.
/// </summary>
public sealed class SignInUser(SignInManager<PortalUser> signIn, UserManager<PortalUser> users, AuditTrail audit, SignInThrottle throttle, TimeProvider time)
{
    private static readonly Lock DummyGate = new();
    private static string? _dummyHash;

    /// <summary>
    /// The least time a refused sign-in takes. A wrong password for a real account also queries its roles and writes its
    /// failure count, which an unknown e-mail does not: measured about 50 ms apart (118 vs 69 ms median on the 2-core CI
    /// machine), enough to tell which e-mails have accounts. Both refusals are padded to this floor instead.
    /// </summary>
    public static readonly TimeSpan RefusalFloor = TimeSpan.FromMilliseconds(300);

    /// <param name="email">The account's e-mail address.</param>
    /// <param name="password">The password typed.</param>
    /// <param name="remote">The client address, for throttling and the audit trail; null when unknown.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>What happened. A refusal for a wrong password or an unknown or disabled account takes at least <see cref="RefusalFloor"/>.</returns>
    public async Task<SignInOutcome> ExecuteAsync(string email, string password, string? remote, CancellationToken ct = default)
    {
        email = (email ?? "").Trim();
        password ??= "";
        if (throttle.AddressWait(remote) is not null)
        {
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.SignInThrottled, null, $"address over its failure limit; {Truncate(email)}", ct).ConfigureAwait(false);
            return SignInOutcome.Throttled;
        }
        var started = time.GetTimestamp();
        var user = email.Length == 0 ? null : await users.FindByEmailAsync(email).ConfigureAwait(false);
        if (user is null || AccountState.IsDisabled(user))
        {
            // Same work as a real account (one password hash, measured 3-5x the time of a miss before): the
            // refusal must not tell a stranger which e-mails have accounts.
            users.PasswordHasher.VerifyHashedPassword(user ?? new PortalUser(), DummyHash(users.PasswordHasher), password);
            throttle.RecordFailure(remote, null);
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.SignInFailed, user?.Id,
                user is null ? $"no account {Truncate(email)}" : "account disabled", ct).ConfigureAwait(false);
            await PadToFloorAsync(started, ct).ConfigureAwait(false);
            return SignInOutcome.Failed;
        }
        var isAdmin = await users.IsInRoleAsync(user, Roles.Admin).ConfigureAwait(false);
        if (isAdmin && throttle.AdminWait(user.Id) is not null)
        {
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.SignInThrottled, user.Id, "Admin account waiting after failures", ct).ConfigureAwait(false);
            return SignInOutcome.Throttled;
        }
        // Admins are exempt from the hard lock-out: five guesses by anyone would otherwise shut every Admin out for 15 minutes.
        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: !isAdmin).ConfigureAwait(false);
        if (result.Succeeded && user.TwoFactorEnabled)
        {
            // No session yet: a five-minute cookie of its own scheme remembers whose code to ask for (ADR 0013). The
            // throttle's counters are not reset: a stranger who knows the password must not clear an Admin's wait.
            await SecondStep.BeginAsync(signIn.Context, user, time.GetUtcNow()).ConfigureAwait(false);
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.SignInCodeRequired, user.Id, remote, ct).ConfigureAwait(false);
            return SignInOutcome.CodeRequired;
        }
        if (result.Succeeded)
        {
            await signIn.SignInAsync(user, isPersistent: false).ConfigureAwait(false);
            throttle.RecordSuccess(user.Id);
            var roles = await users.GetRolesAsync(user).ConfigureAwait(false);
            var actor = new Actor(ActorKind.User, user.Id, user.Email ?? user.Id, roles.ToHashSet(StringComparer.Ordinal));
            await audit.AppendAsync(actor, AuditEventCode.SignInSucceeded, user.Id, remote, ct).ConfigureAwait(false);
            return SignInOutcome.Succeeded;
        }
        throttle.RecordFailure(remote, isAdmin ? user.Id : null);
        var code = result.IsLockedOut ? AuditEventCode.SignInLockedOut : AuditEventCode.SignInFailed;
        await audit.AppendAsync(Actor.Anonymous(remote), code, user.Id, "wrong password", ct).ConfigureAwait(false);
        await PadToFloorAsync(started, ct).ConfigureAwait(false);
        return result.IsLockedOut ? SignInOutcome.LockedOut : SignInOutcome.Failed;
    }

    private async Task PadToFloorAsync(long started, CancellationToken ct)
    {
        var left = RefusalFloor - time.GetElapsedTime(started);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, time, ct).ConfigureAwait(false);
        }
    }

    private static string DummyHash(IPasswordHasher<PortalUser> hasher)
    {
        lock (DummyGate)
        {
            return _dummyHash ??= hasher.HashPassword(new PortalUser(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200];
}

/// <summary>
/// Ends the session: changes the account's security stamp first, so the cookie is dead on the server too (a copy
/// of it opened /audit 62 s after sign-out before, issue 14 item 2), and every other session and open tab of the
/// account ends with it; then clears the cookie. Records one <see cref="AuditEventCode.SignedOut"/> event.
/// </summary>
public sealed class SignOutUser(SignInManager<PortalUser> signIn, UserManager<PortalUser> users, AuditTrail audit)
{
    /// <param name="actor">Who signs out; only a portal user's stamp changes and only a portal user's sign-out is recorded.</param>
    /// <param name="ct">Cancels the request.</param>
    public async Task ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Kind == ActorKind.User && await users.FindByIdAsync(actor.Id).ConfigureAwait(false) is { } user)
        {
            UserAccounts.Check(await users.UpdateSecurityStampAsync(user).ConfigureAwait(false), "end the session");
        }
        await signIn.SignOutAsync().ConfigureAwait(false);
        if (actor.Kind == ActorKind.User)
        {
            await audit.AppendAsync(actor, AuditEventCode.SignedOut, actor.Id, null, ct).ConfigureAwait(false);
        }
    }
}
