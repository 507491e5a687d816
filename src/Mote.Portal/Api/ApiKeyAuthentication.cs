using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Security;

namespace Mote.Portal.Api;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: reads <c>Authorization: Bearer mote_…</c> or <c>X-Api-Key: mote_…</c>,
/// checks it with the <see cref="AuthenticateApiKey"/> use case (constant-time hash comparison, revocation,
/// expiry) and yields a principal holding exactly the key's permissions. Only the API's endpoints name this
/// scheme, so a key never opens a page, and the API never accepts the sign-in cookie. Challenges and
/// refusals answer 401/403 problem details, never a redirect to the sign-in page.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AuthenticateApiKey authenticate)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The alternative header for clients that cannot set <c>Authorization</c>.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>Claim type carrying each <see cref="Permission"/> the key's scopes grant.</summary>
    public const string PermissionClaim = "mote:permission";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        var actor = await authenticate.ExecuteAsync(presented, Context.RequestAborted).ConfigureAwait(false);
        if (actor is null)
        {
            return AuthenticateResult.Fail("The API key is not valid: it is unknown, revoked or expired.");
        }
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, actor.Id),
            new(ClaimTypes.Name, actor.Name),
        };
        claims.AddRange((actor.Granted ?? new HashSet<Permission>()).Select(p => new Claim(PermissionClaim, p.ToString())));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var presented = result.Failure is not null;
        // RFC 6750 §3: name the scheme, and say invalid_token only when a token was sent.
        Response.Headers.WWWAuthenticate = presented ? "Bearer realm=\"mote\", error=\"invalid_token\"" : "Bearer realm=\"mote\"";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            presented ? "Invalid API key" : "API key required",
            presented
                ? "The API key is not valid: it is unknown, revoked or expired. Ask an administrator for a new one (Settings → API keys, or `mote apikeys create`)."
                : $"Send an API key as 'Authorization: Bearer mote_…' or '{HeaderName}: mote_…'.").ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<ApiScopeMetadata>();
        var detail = needed is null
            ? "This API key's scopes do not allow this request."
            : $"This API key does not have the '{ScopeText.Format(needed.Scope)}' scope, which {Request.Method} {Request.Path} needs.";
        return ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Scope missing", detail);
    }

    /// <summary>The key from <c>Authorization: Bearer</c>, else from <c>X-Api-Key</c>; null when neither is sent.</summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        var header = request.Headers[HeaderName].ToString().Trim();
        return header.Length > 0 ? header : null;
    }
}

/// <summary>Marks an API endpoint with the scope it needs, for the 403 message and the OpenAPI description.</summary>
internal sealed record ApiScopeMetadata(ApiKeyScopes Scope, Permission Permission);

/// <summary>The Gallery <see cref="Actor"/> behind an API request.</summary>
internal static class ApiActor
{
    /// <summary>
    /// Rebuilds the key's actor from the principal the <see cref="ApiKeyAuthenticationHandler"/> made: its id,
    /// name and granted permissions (the use cases check them again).
    /// </summary>
    public static Actor From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity is not { IsAuthenticated: true, AuthenticationType: ApiKeyAuthenticationHandler.SchemeName })
        {
            // Only reachable if an endpoint were mapped without the API's policy: refuse rather than guess.
            throw new InvalidOperationException("This request was not authenticated with an API key.");
        }
        var granted = user.FindAll(ApiKeyAuthenticationHandler.PermissionClaim)
            .Select(c => Enum.Parse<Permission>(c.Value))
            .ToHashSet();
        return new Actor(ActorKind.ApiKey, user.FindFirstValue(ClaimTypes.NameIdentifier)!, user.Identity.Name ?? "API key", new HashSet<string>(), granted);
    }
}
