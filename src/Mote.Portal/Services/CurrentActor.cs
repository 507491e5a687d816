using Microsoft.AspNetCore.Components.Authorization;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>
/// The signed-in user as a Gallery <see cref="Actor"/>, for pages that call use cases. Pages ask for it right before
/// each use case, and it is rebuilt from the store each time (<see cref="ISignedInActorSource"/>): an open tab
/// cannot keep rights its account lost.
/// </summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication, ISignedInActorSource actors)
{
    public async Task<Actor> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync().ConfigureAwait(false);
        return await actors.ResolveAsync(state.User).ConfigureAwait(false);
    }
}
