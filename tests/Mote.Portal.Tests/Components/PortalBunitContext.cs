using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mote.Core.Models;
using Mote.Gallery.Models;
using Mote.Gallery.Security;
using Mote.Portal.Hosting;
using Mote.Portal.Services;
using MudBlazor;
using MudBlazor.Services;

namespace Mote.Portal.Tests.Components;

/// <summary>
/// The one shared bUnit base: MudBlazor services with transitions off, loose JS interop, and the
/// portal's real authorization policies evaluated against a signed-in test user with the given role.
/// </summary>
public abstract class PortalBunitContext : BunitContext, IAsyncLifetime
{
    protected PortalBunitContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.ShowTransitionDuration = 0;
            o.SnackbarConfiguration.HideTransitionDuration = 0;
            o.PopoverOptions.CheckForPopoverProvider = false;
        });
        Services.AddSingleton(Options.Create(new PortalOptions { Name = "Mote Portal (test)", Tagline = "test tagline" }));
        // bUnit registers placeholders that throw; the portal's real authorization service replaces them.
        Services.RemoveAll<IAuthorizationService>();
        Services.RemoveAll<IAuthorizationPolicyProvider>();
        Services.RemoveAll<AuthenticationStateProvider>();
        Services.AddAuthorizationCore(o =>
        {
            foreach (var permission in Enum.GetValues<Permission>())
            {
                o.AddPolicy(permission.ToString(), p => p.RequireRole(RolePermissions.RolesGranting(permission)));
            }
        });
        Services.AddCascadingAuthenticationState();
        Services.AddSingleton<TestAuthenticationStateProvider>();
        Services.AddSingleton<AuthenticationStateProvider>(sp => sp.GetRequiredService<TestAuthenticationStateProvider>());
        // Component tests render pages for a role without an account in a store: the actor comes from the test
        // principal's claims. The real source (StoreActorSource) is tested against a real portal process.
        Services.AddScoped<ISignedInActorSource, ClaimsActorSource>();
        Services.AddScoped<CurrentActor>();
        Services.AddScoped<ThemePreference>();
        // A model-pack service with no recipes: the shell renders its banner without provisioning anything.
        Services.AddSingleton(new ModelPackService(new ModelPackOptions { CacheDir = Path.Combine(Path.GetTempPath(), "mote-bunit-models") }, []));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>MudBlazor registers services that only dispose asynchronously.</summary>
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>Signs the test user in with <paramref name="role"/>.</summary>
    protected void SignInAs(string role, string email = "tester@example.org") =>
        Services.GetRequiredService<TestAuthenticationStateProvider>().Set(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, $"id-{role}"), new Claim(ClaimTypes.Name, email), new Claim(ClaimTypes.Role, role)],
            authenticationType: "Test")));
}

/// <summary>Serves a fixed principal; anonymous until <see cref="Set"/> is called.</summary>
public sealed class TestAuthenticationStateProvider : AuthenticationStateProvider
{
    private ClaimsPrincipal _user = new(new ClaimsIdentity());

    public void Set(ClaimsPrincipal user)
    {
        _user = user;
        NotifyAuthenticationStateChanged(GetAuthenticationStateAsync());
    }

    public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(_user));
}

/// <summary>Test-only: the actor as the principal's claims say (the portal itself re-reads the store).</summary>
public sealed class ClaimsActorSource : ISignedInActorSource
{
    public Task<Actor> ResolveAsync(ClaimsPrincipal principal, CancellationToken ct = default) => Task.FromResult(Actor.FromPrincipal(principal));
}
