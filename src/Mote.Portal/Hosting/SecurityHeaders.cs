namespace Mote.Portal.Hosting;

/// <summary>
/// The headers every response carries (pages, static files, the API, errors, redirects): a Content-Security-Policy
/// that Blazor Server and MudBlazor work under, <c>nosniff</c>, no referrer, no framing (decision 0012).
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// Scripts only from the portal's own files (no inline script, no eval: Blazor Server and MudBlazor need
    /// neither); the circuit's WebSocket and fetches to the portal only; images from the portal and the
    /// <c>data:</c> URIs the pages draw photos, thumbnails and heatmaps with; no plugins, no framing, no foreign
    /// form targets or base URL.
    /// <c>style-src</c> keeps <c>'unsafe-inline'</c>: MudBlazor writes its theme as an inline <c>&lt;style&gt;</c>
    /// element and sizes and positions components (popovers, sliders, the drawer, progress bars) through <c>style</c>
    /// attributes that Blazor sets from script; without it the browser refused them on every page (measured in
    /// ContentSecurityPolicyBrowserTests, numbers in decision 0012). Inline styles cannot run code.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "font-src 'self'; " +
        "connect-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>
    /// Adds the headers when the response starts, so they survive the exception handler clearing the response and
    /// replace the <c>frame-ancestors 'self'</c> policy Blazor sets on its pages with the one policy above (callbacks
    /// registered first run last). Put it first in the pipeline.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var response = context.Response;
            response.OnStarting(() =>
            {
                var headers = response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
