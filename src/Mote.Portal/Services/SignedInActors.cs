using System.Security.Claims;
using Mote.Gallery.Security;
using Mote.Gallery.Users;

namespace Mote.Portal.Services;

/// <summary>Turns a signed-in principal into the <see cref="Actor"/> a use case receives.</summary>
public interface ISignedInActorSource
{
    Task<Actor> ResolveAsync(ClaimsPrincipal principal, CancellationToken ct = default);
}

/// <summary>
/// The portal's source: reads the account's current roles and state from the store (<see cref="ResolveUserActor"/>)
/// on every call, never the roles cached in the cookie or the circuit. A deleted, disabled or locked-out account, or
/// a session whose security stamp is stale, becomes anonymous and holds no permission.
/// </summary>
public sealed class StoreActorSource(ResolveUserActor resolve) : ISignedInActorSource
{
    public Task<Actor> ResolveAsync(ClaimsPrincipal principal, CancellationToken ct = default) => resolve.ExecuteAsync(principal, ct);
}
