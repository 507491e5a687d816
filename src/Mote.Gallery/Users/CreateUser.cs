using Mote.Gallery.Audit;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>Creates a portal account with one role. Needs <see cref="Permission.ManageSettings"/>; writes one <see cref="AuditEventCode.UserCreated"/> event.</summary>
public sealed class CreateUser(UserAccounts accounts)
{
    public Task<UserSummary> ExecuteAsync(Actor actor, string email, string password, string role, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Demand(Permission.ManageSettings);
        return accounts.CreateAsync(actor, email, password, role, AuditEventCode.UserCreated, ct);
    }
}
