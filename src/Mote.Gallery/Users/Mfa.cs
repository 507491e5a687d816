using Microsoft.AspNetCore.Identity;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>Who must use two-factor sign-in: Admins (ADR 0013). Everyone else may.</summary>
public static class MfaPolicy
{
    /// <summary>True when an account with <paramref name="roles"/> may not use the portal until it has set up an authenticator.</summary>
    public static bool IsRequired(IEnumerable<string> roles) => roles.Contains(Roles.Admin, StringComparer.Ordinal);

    /// <summary>The issuer name authenticator apps show beside the account.</summary>
    public const string Issuer = "Mote Portal";

    internal static async Task<PortalUser> SelfAsync(Actor actor, UserAccounts accounts)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Kind != ActorKind.User)
        {
            throw new GalleryException("Two-factor sign-in is set up by the signed-in account itself.");
        }
        return await accounts.FindAsync(actor.Id).ConfigureAwait(false);
    }
}

/// <summary>An account's two-factor state as its owner sees it.</summary>
public sealed record MfaStatus(bool Enabled, bool Required, int RecoveryCodesLeft);

/// <summary>A secret waiting for its first code: <see cref="Secret"/> (base32, to type) and <see cref="AuthenticatorUri"/> (for the QR code).</summary>
public sealed record MfaSetup(string Secret, string AuthenticatorUri);

/// <summary>Reads the signed-in account's two-factor state. Read-only; needs a signed-in account.</summary>
public sealed class ReadMfaStatus(UserAccounts accounts, UserManager<PortalUser> users, AuthenticatorStore store)
{
    /// <summary>Whether two-factor sign-in is on, whether the account's role requires it, and how many recovery codes are left.</summary>
    public async Task<MfaStatus> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        var user = await MfaPolicy.SelfAsync(actor, accounts).ConfigureAwait(false);
        var roles = await users.GetRolesAsync(user).ConfigureAwait(false);
        return new MfaStatus(user.TwoFactorEnabled, MfaPolicy.IsRequired(roles), await store.RecoveryCodesLeftAsync(user.Id, ct).ConfigureAwait(false));
    }
}

/// <summary>
/// Starts setting up an authenticator for the signed-in account: a new 160-bit secret, stored encrypted as pending
/// (two-factor sign-in stays off until <see cref="ConfirmMfaSetup"/> sees a code from it). Asking again before
/// confirming returns the same pending secret and writes nothing; a new one writes one
/// <see cref="AuditEventCode.MfaSetupStarted"/> event. Refused while MFA is on (turn it off first).
/// </summary>
public sealed class BeginMfaSetup(MoteDbContext db, UserAccounts accounts, AuthenticatorStore store, AuditTrail audit)
{
    /// <summary>The pending secret, to type (base32) or scan (<c>otpauth://</c> address).</summary>
    public async Task<MfaSetup> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = await MfaPolicy.SelfAsync(actor, accounts).ConfigureAwait(false);
            if (user.TwoFactorEnabled)
            {
                throw new GalleryException("Two-factor sign-in is already on for this account.");
            }
            var key = await store.PendingKeyAsync(user.Id, ct).ConfigureAwait(false);
            if (key is null)
            {
                key = await store.NewPendingKeyAsync(user.Id, ct).ConfigureAwait(false);
                await audit.AppendAsync(actor, AuditEventCode.MfaSetupStarted, user.Id, user.Email, ct).ConfigureAwait(false);
            }
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return new MfaSetup(Base32.Encode(key), Totp.AuthenticatorUri(MfaPolicy.Issuer, user.Email ?? user.Id, key));
        }
    }
}

/// <summary>
/// Turns two-factor sign-in on: the code must come from the pending secret (one 30-s step either side), which becomes
/// the account's secret; its time step is spent. Returns <see cref="AuthenticatorStore.RecoveryCodeCount"/> one-time
/// recovery codes, shown this once (only their keyed hashes are stored). Changes the security stamp: every other
/// session of the account ends (the caller re-issues its own). Writes one <see cref="AuditEventCode.MfaEnabled"/> event.
/// </summary>
public sealed class ConfirmMfaSetup(MoteDbContext db, UserManager<PortalUser> users, UserAccounts accounts, AuthenticatorStore store, AuditTrail audit)
{
    /// <param name="actor">The signed-in account.</param>
    /// <param name="code">The current code from the authenticator.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The new recovery codes, in clear this once.</returns>
    public async Task<IReadOnlyList<string>> ExecuteAsync(Actor actor, string? code, CancellationToken ct = default)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = await MfaPolicy.SelfAsync(actor, accounts).ConfigureAwait(false);
            if (user.TwoFactorEnabled)
            {
                throw new GalleryException("Two-factor sign-in is already on for this account.");
            }
            var step = await store.MatchPendingAsync(user.Id, code, ct).ConfigureAwait(false)
                ?? throw new GalleryException("That code is not the one your authenticator shows now. Check the phone's clock and type the current 6-digit code.");
            await store.ActivatePendingAsync(user.Id, step, ct).ConfigureAwait(false);
            var codes = await store.NewRecoveryCodesAsync(user.Id, ct).ConfigureAwait(false);
            // SetTwoFactorEnabledAsync changes the security stamp too.
            UserAccounts.Check(await users.SetTwoFactorEnabledAsync(user, true).ConfigureAwait(false), "turn on two-factor sign-in");
            await audit.AppendAsync(actor, AuditEventCode.MfaEnabled, user.Id, user.Email, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return codes;
        }
    }
}

/// <summary>
/// Turns the signed-in account's two-factor sign-in off, after a current code (authenticator or recovery): secret and
/// recovery codes are deleted, the security stamp changes (other sessions end). An Admin may do it too, but is then
/// sent to set up a new authenticator before anything else (this is how an Admin replaces a lost phone after signing
/// in with a recovery code). Writes one <see cref="AuditEventCode.MfaDisabled"/> event.
/// </summary>
public sealed class DisableMfa(MoteDbContext db, UserManager<PortalUser> users, UserAccounts accounts, AuthenticatorStore store, AuditTrail audit)
{
    /// <param name="actor">The signed-in account.</param>
    /// <param name="code">A current authenticator code or an unused recovery code.</param>
    /// <param name="ct">Cancels the request.</param>
    public async Task ExecuteAsync(Actor actor, string? code, CancellationToken ct = default)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = await MfaPolicy.SelfAsync(actor, accounts).ConfigureAwait(false);
            if (!user.TwoFactorEnabled)
            {
                throw new GalleryException("Two-factor sign-in is not on for this account.");
            }
            if (!await store.VerifyCodeAsync(user.Id, code, ct).ConfigureAwait(false) && !await store.RedeemRecoveryCodeAsync(user.Id, code, ct).ConfigureAwait(false))
            {
                throw new GalleryException("That code is wrong or already used. Type the current code from your authenticator, or an unused recovery code.");
            }
            await store.RemoveAllAsync(user.Id, ct).ConfigureAwait(false);
            UserAccounts.Check(await users.SetTwoFactorEnabledAsync(user, false).ConfigureAwait(false), "turn off two-factor sign-in");
            await audit.AppendAsync(actor, AuditEventCode.MfaDisabled, user.Id, user.Email, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Replaces the signed-in account's recovery codes after a current authenticator code; the old ones stop working.
/// Changes the security stamp (other sessions end). Writes one <see cref="AuditEventCode.RecoveryCodesRegenerated"/> event.
/// </summary>
public sealed class RegenerateRecoveryCodes(MoteDbContext db, UserManager<PortalUser> users, UserAccounts accounts, AuthenticatorStore store, AuditTrail audit)
{
    /// <param name="actor">The signed-in account.</param>
    /// <param name="code">A current authenticator code (a recovery code is not accepted here).</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The new recovery codes, in clear this once.</returns>
    public async Task<IReadOnlyList<string>> ExecuteAsync(Actor actor, string? code, CancellationToken ct = default)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = await MfaPolicy.SelfAsync(actor, accounts).ConfigureAwait(false);
            if (!user.TwoFactorEnabled)
            {
                throw new GalleryException("Two-factor sign-in is not on for this account.");
            }
            if (!await store.VerifyCodeAsync(user.Id, code, ct).ConfigureAwait(false))
            {
                throw new GalleryException("That code is wrong or already used. Type the current code from your authenticator.");
            }
            var codes = await store.NewRecoveryCodesAsync(user.Id, ct).ConfigureAwait(false);
            UserAccounts.Check(await users.UpdateSecurityStampAsync(user).ConfigureAwait(false), "end the other sessions");
            await audit.AppendAsync(actor, AuditEventCode.RecoveryCodesRegenerated, user.Id, user.Email, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return codes;
        }
    }
}

/// <summary>
/// An Admin (or `mote users reset-mfa`) removes another account's authenticator and recovery codes, for a lost phone:
/// its sessions end (security stamp), and an Admin account is sent to set up a new authenticator at its next sign-in.
/// Needs <see cref="Permission.ManageSettings"/>; writes one <see cref="AuditEventCode.MfaReset"/> event.
/// </summary>
public sealed class ResetUserMfa(MoteDbContext db, UserManager<PortalUser> users, UserAccounts accounts, AuthenticatorStore store, AuditTrail audit)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="userId">The account's id.</param>
    /// <param name="ct">Cancels the request.</param>
    public async Task ExecuteAsync(Actor actor, string userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = await accounts.FindAsync(userId).ConfigureAwait(false);
            var had = user.TwoFactorEnabled;
            await store.RemoveAllAsync(user.Id, ct).ConfigureAwait(false);
            UserAccounts.Check(await users.SetTwoFactorEnabledAsync(user, false).ConfigureAwait(false), "reset two-factor sign-in");
            await audit.AppendAsync(actor, AuditEventCode.MfaReset, user.Id, $"{user.Email}{(had ? "" : " (was not on)")}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }
}
