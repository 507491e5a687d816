using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Security;

namespace Mote.Portal.Api;

/// <summary>
/// Composition of the REST API under <c>/api/v1</c>: the API-key scheme and scope policies, problem details,
/// the per-key rate limit and the OpenAPI document. <see cref="Hosting.PortalHost"/> calls
/// <see cref="AddMoteApi"/>, <see cref="UseMoteApiErrors"/> (early), <c>UseRateLimiter</c> (after
/// authorization) and <see cref="MapMoteApi"/>.
/// </summary>
public static class MoteApi
{
    /// <summary>The OpenAPI document's address.</summary>
    public const string OpenApiPath = "/api/v1/openapi.json";

    /// <summary>The API's version within <c>/api/v1</c>: minor versions only add fields (docs/api.md, "Changes").</summary>
    public const string ApiVersion = "1.7";

    private const string AuthenticatedPolicy = "api";

    public static IServiceCollection AddMoteApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ApiRateLimitOptions>().Bind(configuration.GetSection(ApiRateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        // Not the default scheme: pages keep the sign-in cookie, and only endpoints whose policy names this
        // scheme ever look at an API key.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(o =>
        {
            o.AddPolicy(AuthenticatedPolicy, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
            foreach (var permission in Enum.GetValues<Permission>())
            {
                o.AddPolicy(PolicyFor(permission), p => p
                    .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                    .RequireAuthenticatedUser()
                    .RequireClaim(ApiKeyAuthenticationHandler.PermissionClaim, permission.ToString()));
            }
        });
        services.AddProblemDetails();
        services.AddMoteApiRateLimiting();
        services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Mote Portal REST API",
                    // The route stays /api/v1; the document's version counts additive changes (docs/api.md, "Changes").
                    Version = ApiVersion,
                    Description = "Verification (1:1), identification (1:N) and gallery management with MOTE model-templates. " +
                        "Authenticate with an API key ('Authorization: Bearer mote_…' or 'X-Api-Key: mote_…') whose scopes allow the call; " +
                        "errors are RFC 7807 problem details. See docs/api.md.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key (mote_<prefix>_<secret>) created in Settings → API keys or with `mote apikeys create`.",
                };
                document.Components.SecuritySchemes["apiKeyHeader"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyAuthenticationHandler.HeaderName,
                    Description = "The same API key, for clients that cannot set Authorization.",
                };
                document.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKeyHeader", document)] = [] },
                ];
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// For <c>/api</c> requests only: body-size cap and problem details for every failure. Call it right after
    /// the portal's status-code pages, before routing, so it wraps everything an API request goes through.
    /// </summary>
    public static IApplicationBuilder UseMoteApiErrors(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments(ApiLimits.Prefix, StringComparison.OrdinalIgnoreCase), branch => branch.UseMiddleware<ApiErrorMiddleware>());

    /// <summary>Maps <c>/api/v1/…</c> and the OpenAPI document at <see cref="OpenApiPath"/>.</summary>
    public static void MapMoteApi(this IEndpointRouteBuilder app)
    {
        // Form posts from integrations carry an API key header, not a cookie: there is no ambient
        // credential for a cross-site request to ride on, so antiforgery tokens do not apply.
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(AuthenticatedPolicy)
            .RequireRateLimiting(ApiRateLimiting.Policy)
            .DisableAntiforgery()
            .WithTags("Mote API v1");
        api.MapDecisionEndpoints();
        api.MapPeopleEndpoints();

        app.MapOpenApi("/api/{documentName}/openapi.json").AllowAnonymous();
        // Anything else under /api is a 404 problem, not the portal's sign-in redirect or HTML page.
        app.Map("/api/{**rest}", (HttpContext http) => ApiProblems.Problem(StatusCodes.Status404NotFound, "Not found",
                $"There is no API endpoint {http.Request.Method} {http.Request.Path}. The OpenAPI document at {OpenApiPath} lists them."))
            .AllowAnonymous()
            .ExcludeFromDescription();
    }

    internal static string PolicyFor(Permission permission) => $"api:{permission}";

    /// <summary>Requires a key whose scopes grant <paramref name="permission"/>; the use case checks it again.</summary>
    internal static RouteHandlerBuilder RequiresScope(this RouteHandlerBuilder builder, ApiKeyScopes scope, Permission permission) =>
        builder.RequireAuthorization(PolicyFor(permission)).WithMetadata(new ApiScopeMetadata(scope, permission));

    /// <summary>Describes the problem answers of an endpoint: the given ones plus 401, 403 and 429, which every API endpoint can give.</summary>
    internal static RouteHandlerBuilder ProducesApiProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Concat([StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests]))
        {
            builder.ProducesProblem(status);
        }
        return builder;
    }
}
