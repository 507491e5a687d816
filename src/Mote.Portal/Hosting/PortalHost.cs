using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Mote.Gallery.Hosting;
using Mote.Gallery.Security;
using Mote.Gallery.Users;
using Mote.Portal.Api;
using Mote.Portal.Components;
using Mote.Portal.Components.Pages.Account;
using Mote.Portal.Components.Pages.Audit;
using Mote.Portal.Components.Pages.Reports;
using Mote.Portal.Services;
using MudBlazor.Services;

namespace Mote.Portal.Hosting;

/// <summary>Composition of the portal: builder, services, middleware and endpoints.</summary>
public static class PortalHost
{
    /// <summary>
    /// Creates the builder with the repository root (or <c>MOTE_CONTENT_ROOT</c>) as content root, so
    /// the root <c>appsettings.json</c> is the configuration and the root <c>wwwroot/</c> the web root.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var contentRoot = ContentRoot.Locate();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = contentRoot,
            WebRootPath = Path.Combine(contentRoot, "wwwroot"),
            ApplicationName = typeof(PortalHost).Assembly.GetName().Name,
        });
        // Run from a build (not a publish), the framework's and MudBlazor's assets (_framework/, _content/)
        // live in the NuGet cache and are found through the build's static-web-assets manifest. ASP.NET
        // only wires that up in Development; `dotnet run` must work in any environment.
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static void AddMotePortal(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<PortalOptions>().Bind(configuration.GetSection(PortalOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddMoteGallery(configuration, builder.Environment.ContentRootPath)
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<MfaClaimsPrincipalFactory>();

        var secrets = configuration.GetSection(SecretsOptions.Section).Get<SecretsOptions>() ?? new SecretsOptions();
        // The secrets folder's dataprotection/ on SQLite; the database (encrypted with the secrets folder's key) on PostgreSQL.
        services.AddMoteDataProtection(
            GalleryDatabase.From(configuration.GetSection(GalleryOptions.Section).Get<GalleryOptions>() ?? new GalleryOptions(), builder.Environment.ContentRootPath, secrets),
            secrets, "Mote.Portal");

        var portal = configuration.GetSection(PortalOptions.Section).Get<PortalOptions>() ?? new PortalOptions();
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            // __Host-mote.auth and Secure over HTTPS (HostPrefixCookieManager); HttpOnly and SameSite=Strict always.
            o.Cookie.Name = "mote.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.CookieManager = new HostPrefixCookieManager();
            // Idle limit (sliding; every request renews it, see the stamp validation below) and absolute limit
            // (from the sign-in time in the cookie): 30 minutes and 12 hours by default (issue 14 item 2, was 8 h sliding only).
            o.ExpireTimeSpan = portal.SessionIdleTimeout;
            o.SlidingExpiration = true;
            o.Events.OnSigningIn = context =>
            {
                SessionLifetime.Stamp(context.Principal!, context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
                return Task.CompletedTask;
            };
            o.Events.OnValidatePrincipal = async context =>
            {
                var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
                if (context.Principal is null || !SessionLifetime.IsWithin(context.Principal, portal.SessionAbsoluteLifetime, now))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme).ConfigureAwait(false);
                    return;
                }
                await SecurityStampValidator.ValidatePrincipalAsync(context).ConfigureAwait(false);
            };
        });
        // Between the password and the code (ADR 0013): Identity's five-minute two-factor cookie, hardened like the session's.
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o =>
        {
            o.Cookie.Name = "mote.mfa";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.CookieManager = new HostPrefixCookieManager();
            o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
            o.SlidingExpiration = false;
        });
        // Every request checks the cookie's security stamp against the store (was: once a minute). Sign-out, a role
        // change, disabling, a password reset and "end sessions" change the stamp, so a copied cookie dies with the
        // session on the server, not when it expires (issue 14 item 2: a copy opened /audit 62 s after sign-out).
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.Zero;
            o.OnRefreshingPrincipal = context =>
            {
                if (context.CurrentPrincipal is not null && context.NewPrincipal is not null)
                {
                    SessionLifetime.Carry(context.CurrentPrincipal, context.NewPrincipal);
                }
                return Task.CompletedTask;
            };
        });

        services.AddAuthorization(o =>
        {
            o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            foreach (var permission in Enum.GetValues<Permission>())
            {
                o.AddPolicy(permission.ToString(), p => p.RequireRole(RolePermissions.RolesGranting(permission)));
            }
        });
        services.AddCascadingAuthenticationState();
        services.AddScoped<ISignedInActorSource, StoreActorSource>();
        services.AddScoped<CurrentActor>();
        services.AddScoped<ThemePreference>();
        services.AddScoped<OverviewLoader>();
        services.AddScoped<SignInUser>();
        services.AddScoped<SignOutUser>();
        services.AddScoped<SignInWithCode>();
        services.AddScoped<MfaSession>();

        services.AddRazorComponents().AddInteractiveServerComponents();
        // After the framework's own provider, so this one wins: open tabs re-check their account (issue 14 item 1).
        services.AddScoped<AuthenticationStateProvider, SessionRevalidatingStateProvider>();
        services.AddMudServices();
        services.AddHealthChecks()
            .AddCheck<GalleryDatabaseHealthCheck>("gallery-database")
            .AddCheck<TemplateIntegrityHealthCheck>("template-integrity");
        services.AddHostedService<SetupLinkAnnouncer>();
        services.AddHostedService<ModelPackWarmup>();
        services.AddSingleton<AuditChainMonitor>();
        services.AddMoteApi(configuration);
        builder.AddMoteTransport();
    }

    /// <summary>Migrates the database, then wires middleware and endpoints.</summary>
    public static async Task UseMotePortalAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await GalleryDatabase.MigrateAsync(app.Services).ConfigureAwait(false);

        // Forwarded headers, security headers, HSTS and the HTTP → HTTPS redirect come first (TransportSecurity).
        app.UseMoteTransport();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }
        app.UseStatusCodePagesWithReExecute("/not-found");
        // /api answers problem details, never the HTML error pages above.
        app.UseMoteApiErrors();

        // Files in the root wwwroot/ (css, icons) are public: served before routing and authentication,
        // so the static-assets fallback endpoint cannot claim them and the fallback policy never applies.
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        // An Admin without an authenticator reaches only /account/mfa until it is set up (ADR 0013).
        app.UseMfaEnrollmentGate();
        // After authorization: the API's limit is per key, so the key must be known.
        app.UseRateLimiter();
        app.UseAntiforgery();

        // Framework and MudBlazor assets (_framework/, _content/) come from the static-assets manifest.
        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/healthz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthText.WriteAsync }).AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapAuditEndpoints();
        app.MapReportEndpoints();
        app.MapMoteApi();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
