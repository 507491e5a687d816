using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>
/// Gives an account a different role (each account holds exactly one). Needs
/// <see cref="Permission.ManageSettings"/>; writes one <see cref="AuditEventCode.UserRoleChanged"/>
/// event. Refuses to demote the last Admin, which would lock everyone out of Settings.
/// </summary>
public sealed class ChangeUserRole(MoteDbContext db, UserManager<PortalUser> users, AuditTrail audit)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="userId">The account's id.</param>
    /// <param name="role">The new role, one of <see cref="Roles.All"/> (case-insensitive).</param>
    /// <param name="ct">Cancels the change.</param>
    /// <exception cref="GalleryException">The role is unknown, the account is gone or has that role already, or it is the last Admin.</exception>
    public async Task<UserSummary> ExecuteAsync(Actor actor, string userId, string role, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        var newRole = Roles.Normalize(role)
            ?? throw new GalleryException($"Unknown role '{role}'. Roles are: {string.Join(", ", Roles.All)}.");
        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = await users.FindByIdAsync(userId).ConfigureAwait(false)
                ?? throw new GalleryException("That account no longer exists.");
            var current = await users.GetRolesAsync(user).ConfigureAwait(false);
            if (current.Count == 1 && current[0] == newRole)
            {
                throw new GalleryException($"{user.Email} already has the role {newRole}.");
            }
            if (current.Contains(Roles.Admin) && newRole != Roles.Admin
                && (await users.GetUsersInRoleAsync(Roles.Admin).ConfigureAwait(false)).Count(u => !AccountState.IsDisabled(u)) <= 1)
            {
                throw new GalleryException($"{user.Email} is the last Admin; make another account Admin first.");
            }
            UserAccounts.Check(await users.RemoveFromRolesAsync(user, current).ConfigureAwait(false), "remove the old role");
            UserAccounts.Check(await users.AddToRoleAsync(user, newRole).ConfigureAwait(false), "assign the role");
            // A role change must take effect on the user's next request, not when their cookie expires.
            UserAccounts.Check(await users.UpdateSecurityStampAsync(user).ConfigureAwait(false), "refresh the security stamp");
            var before = current.Count == 0 ? "none" : string.Join("+", current);
            await audit.AppendAsync(actor, AuditEventCode.UserRoleChanged, user.Id, $"{user.Email}: {before} → {newRole}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return new UserSummary(user.Id, user.Email ?? user.Id, [newRole], user.CreatedUtc, false);
        }
    }
}
