using Mote.Gallery.Audit;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>Creates a portal account with one role. Needs <see cref="Permission.ManageSettings"/>; writes one <see cref="AuditEventCode.UserCreated"/> event.</summary>
public sealed class CreateUser(UserAccounts accounts)
{
    /// <param name="actor">Who asks.</param>
    /// <param name="email">The e-mail address, which is also the user name.</param>
    /// <param name="password">The initial password; the portal's password validators apply.</param>
    /// <param name="role">One of <see cref="Roles.All"/> (case-insensitive).</param>
    /// <param name="ct">Cancels the request.</param>
    /// <exception cref="GalleryException">The address is not one, the role is unknown, the e-mail is taken or the password is refused; nothing is stored.</exception>
    public Task<UserSummary> ExecuteAsync(Actor actor, string email, string password, string role, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        return accounts.CreateAsync(actor, email, password, role, AuditEventCode.UserCreated, ct);
    }
}
