using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Mote.Portal.Api;

/// <summary>
/// The API's rate limit: one fixed window per API key (<see cref="ApiRateLimitOptions"/>), so one busy or
/// misbehaving integration cannot starve the others. It runs after authorization, so it counts only
/// requests from a valid key; refused requests get 429 problem details with <c>Retry-After</c>.
/// </summary>
internal static class ApiRateLimiting
{
    public const string Policy = "mote-api";

    public static IServiceCollection AddMoteApiRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Policy, http =>
            {
                var limit = http.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
                // The key id, from the principal the ApiKey scheme made; a request without one never gets
                // here (authorization answers 401 first), but it would share one partition per address.
                var partition = http.User.Identity?.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName
                    ? http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "?"
                    : $"address:{http.Connection.RemoteIpAddress}";
                return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.PermitLimit,
                    Window = TimeSpan.FromSeconds(limit.WindowSeconds),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (rejected, ct) =>
            {
                var limit = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? (int)Math.Ceiling(wait.TotalSeconds)
                    : limit.WindowSeconds;
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, retryAfter).ToString(CultureInfo.InvariantCulture);
                await ApiProblems.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    string.Create(CultureInfo.InvariantCulture,
                        $"This API key may make {limit.PermitLimit} requests per {limit.WindowSeconds} s; try again in {Math.Max(1, retryAfter)} s.")).ConfigureAwait(false);
            };
        });
        return services;
    }
}
