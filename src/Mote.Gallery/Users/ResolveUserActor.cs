using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>
/// Builds the <see cref="Actor"/> of a signed-in user from the store, not from the claims in their cookie or
/// circuit: the roles are the account's roles now, and an account that was deleted, disabled, locked out, or whose
/// security stamp changed since the session began (sign-out, role change, password reset, "end sessions") becomes
/// <see cref="Actor.Anonymous"/>, which holds no permission. Every front end resolves the actor this way right before
/// it calls a use case (issue 14 item 1: a demoted, disabled Admin's open tab created an API key 76 s later).
/// Read-only.
/// </summary>
public sealed class ResolveUserActor(MoteDbContext db, IOptions<IdentityOptions> identity, TimeProvider time)
{
    /// <summary>
    /// The current actor for <paramref name="userId"/>; <paramref name="securityStamp"/> is the stamp the session was
    /// issued with (null skips that check, e.g. for a principal that carries none).
    /// </summary>
    public async Task<Actor> ExecuteAsync(string? userId, string? securityStamp, CancellationToken ct = default)
    {
        var user = await FindValidAsync(userId, securityStamp, ct).ConfigureAwait(false);
        if (user is null)
        {
            return Actor.Anonymous(null);
        }
        var roles = await (from link in db.UserRoles.AsNoTracking()
                           join role in db.Roles.AsNoTracking() on link.RoleId equals role.Id
                           where link.UserId == user.Id
                           select role.Name).ToListAsync(ct).ConfigureAwait(false);
        return new Actor(ActorKind.User, user.Id, user.Email ?? user.Id, roles.Where(r => r is not null).Select(r => r!).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>True while the session of <paramref name="userId"/> issued with <paramref name="securityStamp"/> may go on.</summary>
    public async Task<bool> IsValidAsync(string? userId, string? securityStamp, CancellationToken ct = default) =>
        await FindValidAsync(userId, securityStamp, ct).ConfigureAwait(false) is not null;

    /// <summary>Reads the actor for a principal: its user id and the security stamp claim Identity put in it.</summary>
    public Task<Actor> ExecuteAsync(System.Security.Claims.ClaimsPrincipal principal, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true)
        {
            return Task.FromResult(Actor.Anonymous(null));
        }
        return ExecuteAsync(
            principal.FindFirst(identity.Value.ClaimsIdentity.UserIdClaimType)?.Value,
            principal.FindFirst(identity.Value.ClaimsIdentity.SecurityStampClaimType)?.Value ?? "",
            ct);
    }

    private async Task<PortalUser?> FindValidAsync(string? userId, string? securityStamp, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return null;
        }
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct).ConfigureAwait(false);
        if (user is null || AccountState.IsDisabled(user) || AccountState.IsLockedOut(user, time.GetUtcNow()))
        {
            return null;
        }
        if (securityStamp is not null && !string.Equals(user.SecurityStamp, securityStamp, StringComparison.Ordinal))
        {
            return null;
        }
        return user;
    }
}
