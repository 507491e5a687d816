using Microsoft.AspNetCore.Identity;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>
/// Disables an account: it can no longer sign in, and its sessions and open tabs end (its security stamp changes;
/// open tabs notice within the revalidation interval, every use case at once). Needs <see cref="Permission.ManageSettings"/>;
/// writes one <see cref="AuditEventCode.UserDisabled"/> event. Refuses the actor's own account and the last Admin who can sign in.
/// </summary>
public sealed class DisableUser(MoteDbContext db, UserManager<PortalUser> users, UserAccounts accounts, AuditTrail audit)
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
            if (user.Id == actor.Id)
            {
                throw new GalleryException("You cannot disable your own account.");
            }
            if (AccountState.IsDisabled(user))
            {
                throw new GalleryException($"{user.Email} is already disabled.");
            }
            await accounts.EnsureNotLastEnabledAdminAsync(user, "disable it").ConfigureAwait(false);
            UserAccounts.Check(await users.SetLockoutEnabledAsync(user, true).ConfigureAwait(false), "disable the account");
            UserAccounts.Check(await users.SetLockoutEndDateAsync(user, AccountState.DisabledUntil).ConfigureAwait(false), "disable the account");
            UserAccounts.Check(await users.UpdateSecurityStampAsync(user).ConfigureAwait(false), "end its sessions");
            await audit.AppendAsync(actor, AuditEventCode.UserDisabled, user.Id, user.Email, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Enables a disabled account again, or lifts a lock-out after failed sign-ins. Needs <see cref="Permission.ManageSettings"/>;
/// writes one <see cref="AuditEventCode.UserEnabled"/> event. The password is unchanged: issue a reset link if it may be known to someone else.
/// </summary>
public sealed class EnableUser(MoteDbContext db, UserManager<PortalUser> users, UserAccounts accounts, AuditTrail audit, TimeProvider time)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="userId">The account's id.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <exception cref="GalleryException">The account is neither disabled nor locked out.</exception>
    public async Task ExecuteAsync(Actor actor, string userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = await accounts.FindAsync(userId).ConfigureAwait(false);
            var wasDisabled = AccountState.IsDisabled(user);
            if (!wasDisabled && !AccountState.IsLockedOut(user, time.GetUtcNow()))
            {
                throw new GalleryException($"{user.Email} is already active.");
            }
            UserAccounts.Check(await users.SetLockoutEndDateAsync(user, null).ConfigureAwait(false), "enable the account");
            UserAccounts.Check(await users.ResetAccessFailedCountAsync(user).ConfigureAwait(false), "enable the account");
            await audit.AppendAsync(actor, AuditEventCode.UserEnabled, user.Id, $"{user.Email} ({(wasDisabled ? "was disabled" : "was locked out")})", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Ends every session of an account (cookies and open tabs) by changing its security stamp; the account can sign in
/// again. Needs <see cref="Permission.ManageSettings"/>; writes one <see cref="AuditEventCode.UserSessionsEnded"/> event.
/// </summary>
public sealed class EndUserSessions(MoteDbContext db, UserManager<PortalUser> users, UserAccounts accounts, AuditTrail audit)
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
            UserAccounts.Check(await users.UpdateSecurityStampAsync(user).ConfigureAwait(false), "end its sessions");
            await audit.AppendAsync(actor, AuditEventCode.UserSessionsEnded, user.Id, user.Email, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }
}
