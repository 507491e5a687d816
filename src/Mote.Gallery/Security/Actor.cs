using System.Security.Claims;

namespace Mote.Gallery.Security;

/// <summary>How an actor reached the system; recorded with every audit event.</summary>
public enum ActorKind
{
    /// <summary>A signed-in portal user.</summary>
    User = 1,

    /// <summary>Someone at the server's terminal running <c>mote</c>: they already hold the database and keys.</summary>
    Terminal = 2,

    /// <summary>An unauthenticated request (e.g. a failed sign-in, the one-time setup link).</summary>
    Anonymous = 3,

    /// <summary>The system itself (start-up, schedules).</summary>
    System = 4,

    /// <summary>An integration (door controller, kiosk) calling the REST API with an API key.</summary>
    ApiKey = 5,
}

/// <summary>
/// Who performs a use case. Use cases receive it explicitly and check permissions against it. People
/// hold permissions through their roles; an API key holds exactly the permissions of its scopes
/// (<see cref="Granted"/>).
/// </summary>
public sealed record Actor(ActorKind Kind, string Id, string Name, IReadOnlySet<string> Roles, IReadOnlySet<Permission>? Granted = null)
{
    /// <summary>A terminal operator has every permission: the CLI runs with direct access to the database and keys.</summary>
    public static Actor Terminal(string userName) =>
        new(ActorKind.Terminal, $"terminal:{userName}", userName, new HashSet<string>(Security.Roles.All, StringComparer.Ordinal));

    /// <summary>An unauthenticated caller, with no roles and no permissions: named <c>anonymous@</c> and <paramref name="remote"/> in the audit trail, or <c>anonymous</c> when the address is unknown.</summary>
    /// <param name="remote">The client address; null when unknown.</param>
    public static Actor Anonymous(string? remote) =>
        new(ActorKind.Anonymous, "anonymous", remote is null ? "anonymous" : $"anonymous@{remote}", new HashSet<string>());

    /// <summary>The system itself (start-up, schedules), as named in the audit trail; it has no roles, so it holds no permission.</summary>
    public static Actor System { get; } = new(ActorKind.System, "system", "system", new HashSet<string>());

    /// <summary>Builds the actor for a signed-in principal; an unauthenticated principal becomes <see cref="Anonymous"/>.</summary>
    public static Actor FromPrincipal(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true)
        {
            return Anonymous(null);
        }
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";
        var name = principal.Identity.Name ?? id;
        var roles = principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new Actor(ActorKind.User, id, name, roles);
    }

    /// <summary>Whether this actor holds <paramref name="permission"/>: an API key through its <see cref="Granted"/> permissions, anyone else through their roles (<see cref="RolePermissions"/>).</summary>
    public bool Has(Permission permission) =>
        Granted is not null ? Granted.Contains(permission) : RolePermissions.Grants(Roles, permission);

    /// <summary>Throws <see cref="PermissionDeniedException"/> unless this actor holds <paramref name="permission"/>.</summary>
    public void Demand(Permission permission)
    {
        if (!Has(permission))
        {
            throw new PermissionDeniedException(this, permission);
        }
    }
}

/// <summary>An actor tried a use case its roles do not allow.</summary>
public sealed class PermissionDeniedException(Actor actor, Permission permission)
    : Exception(actor.Kind == ActorKind.ApiKey
        ? $"This API key may not do this: it needs the '{permission}' permission, which its scopes do not grant."
        : $"{actor.Name} may not do this: it needs the '{permission}' permission, which roles {string.Join(" or ", RolePermissions.RolesGranting(permission))} grant.")
{
    /// <summary>The permission the actor lacked.</summary>
    public Permission Permission { get; } = permission;
}
