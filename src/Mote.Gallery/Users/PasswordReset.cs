using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>A one-time password-reset link's token and when it stops working; the portal path is <see cref="Path"/>.</summary>
public sealed record PasswordResetLink(string Email, string Token, DateTimeOffset ExpiresUtc)
{
    /// <summary>The portal-relative address to hand to the account's owner.</summary>
    public string Path => $"account/reset-password?token={Token}";
}

/// <summary>
/// Issues a one-time link with which an account's owner sets a new password, like the first-Admin setup link: a
/// 256-bit random token of which only the SHA-256 is stored (in Identity's own user-token table, so the CLI and the
/// portal share it), valid for <see cref="Lifetime"/> and once; a newer link replaces an older one. The current
/// password keeps working until the link is used. Needs <see cref="Permission.ManageSettings"/>; writes one
/// <see cref="AuditEventCode.PasswordResetIssued"/> event. Refused for a disabled account (enable it first).
/// </summary>
public sealed class IssuePasswordReset(MoteDbContext db, UserManager<PortalUser> users, UserAccounts accounts, AuditTrail audit, TimeProvider time)
{
    internal const string Provider = "Mote";
    internal const string Name = "PasswordReset";

    /// <summary>How long a link works: a working day's hand-over, short enough that a forgotten link soon dies.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <param name="actor">Who asks.</param>
    /// <param name="userId">The account's id.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The link's token, in clear this once, and when it expires.</returns>
    public async Task<PasswordResetLink> ExecuteAsync(Actor actor, string userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = await accounts.FindAsync(userId).ConfigureAwait(false);
            if (AccountState.IsDisabled(user))
            {
                throw new GalleryException($"{user.Email} is disabled: enable it before issuing a reset link.");
            }
            var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var expires = time.GetUtcNow() + Lifetime;
            UserAccounts.Check(await users.SetAuthenticationTokenAsync(user, Provider, Name, Stored(token, expires)).ConfigureAwait(false), "store the reset link");
            await audit.AppendAsync(actor, AuditEventCode.PasswordResetIssued, user.Id, $"{user.Email}, valid until {expires:yyyy-MM-dd HH:mm} UTC", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return new PasswordResetLink(user.Email ?? user.Id, token, expires);
        }
    }

    internal static string Hash(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    internal static string Stored(string token, DateTimeOffset expires) =>
        $"{Hash(token)}|{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// Sets a new password through a link from <see cref="IssuePasswordReset"/>. The link is spent by the same
/// transaction that sets the password (two racing uses set it once); a password the validators refuse (too short,
/// common) leaves the link working. Ends every session of the account, lifts a lock-out after failed sign-ins.
/// Anonymous; writes one <see cref="AuditEventCode.PasswordResetCompleted"/> event.
/// </summary>
public sealed class CompletePasswordReset(MoteDbContext db, UserManager<PortalUser> users, AuditTrail audit, TimeProvider time)
{
    private const string Invalid = "This password-reset link is not valid, has expired or has already been used. Ask an Admin for a new one.";

    /// <summary>True when <paramref name="token"/> is a live link (for the page to show the form or not); read-only.</summary>
    public async Task<bool> IsValidAsync(string? token, CancellationToken ct = default) => await FindAsync(token, ct).ConfigureAwait(false) is not null;

    /// <param name="token">The token from the link.</param>
    /// <param name="password">The new password; the portal's password validators apply.</param>
    /// <param name="remote">The client address, recorded with the event; null when unknown.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The account's e-mail address.</returns>
    /// <exception cref="GalleryException">The link is not valid, has expired or was used, or the password is refused.</exception>
    public async Task<string> ExecuteAsync(string? token, string password, string? remote, CancellationToken ct = default)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var row = await FindAsync(token, ct).ConfigureAwait(false) ?? throw new GalleryException(Invalid);
            var spent = await db.UserTokens
                .Where(t => t.UserId == row.UserId && t.LoginProvider == IssuePasswordReset.Provider && t.Name == IssuePasswordReset.Name && t.Value == row.Value)
                .ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var user = await users.FindByIdAsync(row.UserId).ConfigureAwait(false);
            if (spent != 1 || user is null || AccountState.IsDisabled(user))
            {
                throw new GalleryException(Invalid);
            }
            if (await users.HasPasswordAsync(user).ConfigureAwait(false))
            {
                UserAccounts.Check(await users.RemovePasswordAsync(user).ConfigureAwait(false), "set the new password");
            }
            // AddPasswordAsync runs the password validators (length, common-password list) and changes the security stamp.
            UserAccounts.Check(await users.AddPasswordAsync(user, password ?? "").ConfigureAwait(false), "set the new password");
            UserAccounts.Check(await users.SetLockoutEndDateAsync(user, null).ConfigureAwait(false), "lift the lock-out");
            UserAccounts.Check(await users.ResetAccessFailedCountAsync(user).ConfigureAwait(false), "lift the lock-out");
            await audit.AppendAsync(Actor.Anonymous(remote), AuditEventCode.PasswordResetCompleted, user.Id, user.Email, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return user.Email ?? user.Id;
        }
    }

    private async Task<IdentityUserToken<string>?> FindAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }
        var presented = Encoding.ASCII.GetBytes(IssuePasswordReset.Hash(token));
        var rows = await db.UserTokens.AsNoTracking()
            .Where(t => t.LoginProvider == IssuePasswordReset.Provider && t.Name == IssuePasswordReset.Name)
            .ToListAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var row in rows)
        {
            var parts = (row.Value ?? "").Split('|');
            if (parts.Length == 2
                && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[0]), presented)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) && expires > now)
            {
                return row;
            }
        }
        return null;
    }
}
