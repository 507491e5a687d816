using Mote.Gallery.Security;

namespace Mote.Gallery.Tests.Builders;

/// <summary>Test actors with one role each.</summary>
public static class Actors
{
    public static Actor WithRole(string role) =>
        new(ActorKind.User, $"user-{role.ToLowerInvariant()}", $"{role.ToLowerInvariant()}@example.org", new HashSet<string> { role });

    public static Actor Admin => WithRole(Roles.Admin);

    public static Actor Auditor => WithRole(Roles.Auditor);

    public static Actor Operator => WithRole(Roles.Operator);
}
