using Microsoft.AspNetCore.Components.Authorization;
using Mote.Gallery.Security;

namespace Mote.Portal.Services;

/// <summary>The signed-in user as a Gallery <see cref="Actor"/>, for pages that call use cases.</summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication)
{
    public async Task<Actor> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync().ConfigureAwait(false);
        return Actor.FromPrincipal(state.User);
    }
}
