using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>Lists accounts with their roles, oldest first. Needs <see cref="Permission.ManageSettings"/>; read-only.</summary>
public sealed class ListUsers(MoteDbContext db, TimeProvider time)
{
    /// <summary>Every account, disabled ones included, oldest first.</summary>
    public async Task<IReadOnlyList<UserSummary>> ExecuteAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        var users = await db.Users.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var roleNames = await db.Roles.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name ?? r.Id, ct).ConfigureAwait(false);
        var links = await db.UserRoles.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return users
            .OrderBy(u => u.CreatedUtc)
            .Select(u => new UserSummary(
                u.Id,
                u.Email ?? u.UserName ?? u.Id,
                links.Where(l => l.UserId == u.Id).Select(l => roleNames[l.RoleId]).Order(StringComparer.Ordinal).ToArray(),
                u.CreatedUtc,
                AccountState.IsLockedOut(u, now),
                AccountState.IsDisabled(u),
                u.TwoFactorEnabled))
            .ToArray();
    }
}
