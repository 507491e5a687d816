using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Mote.Core.Models;
using Mote.Core.Templates;
using Mote.Gallery;
using Mote.Gallery.Engine;
using Mote.Gallery.Errors;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Portal.Api;

/// <summary>RFC 7807 problem details for every API answer that is not a success.</summary>
internal static class ApiProblems
{
    /// <summary>
    /// Writes a problem (<c>application/problem+json</c> with type, title, status, detail and traceId) whatever
    /// the client's <c>Accept</c> header says: an integration must always be able to read why it was refused.
    /// </summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail) =>
        Problem(status, title, detail).ExecuteAsync(context);

    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>413 for a request body over <see cref="ApiLimits.MaxRequestBytes"/>, in <see cref="PhotoPolicy"/>'s words.</summary>
    public static IResult TooLarge(long? bytes) => TooLarge(PhotoPolicy.TooLargeMessage("The upload", bytes));

    /// <summary>413 for a body over the limit of <paramref name="path"/>: the batch enrollment's ZIP limit there, else the photo's.</summary>
    public static IResult TooLarge(PathString path, long? bytes) =>
        path.Equals(ApiLimits.BatchPath, StringComparison.OrdinalIgnoreCase) ? From(BulkEnrollmentBatch.TooLarge(null, bytes)) : TooLarge(bytes);

    private static IResult TooLarge(string detail) => Problem(StatusCodes.Status413PayloadTooLarge, "Image too large", detail);

    /// <summary>The answer for a refusal a use case raised, in the words it used.</summary>
    public static IResult From(GalleryException e) => From(GalleryErrors.Classify(e)!);

    /// <summary>The one map from a refusal's kind to the REST answer (issue 18 item 2).</summary>
    public static IResult From(GalleryError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Kind switch
        {
            GalleryErrorKind.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", error.Message),
            GalleryErrorKind.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", error.Message),
            GalleryErrorKind.UnusablePhoto => Problem(StatusCodes.Status422UnprocessableEntity, "Unusable photo", error.Message),
            GalleryErrorKind.PhotoTooLarge => TooLarge(error.Message),
            GalleryErrorKind.Busy => new RetryAfter(Problem(StatusCodes.Status503ServiceUnavailable, "Busy", error.Message), error.RetryAfter ?? TimeSpan.FromSeconds(60)),
            GalleryErrorKind.Forbidden => Problem(StatusCodes.Status403Forbidden, "Scope missing", error.Message),
            GalleryErrorKind.Unavailable => Problem(StatusCodes.Status503ServiceUnavailable, "Face models unavailable",
                "The face models are not ready on this server; an administrator can see why on the portal's model pack banner or with `mote models pull`."),
            GalleryErrorKind.Invalid => Problem(StatusCodes.Status400BadRequest, "Invalid request", error.Message),
            _ => Problem(StatusCodes.Status400BadRequest, "Invalid request", error.Message),
        };
    }
}

/// <summary>A problem with a <c>Retry-After</c> header (whole seconds): the system was saturated and took nothing.</summary>
internal sealed class RetryAfter(IResult problem, TimeSpan after) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return problem.ExecuteAsync(httpContext);
    }
}

/// <summary>
/// Runs first for every <c>/api</c> request: caps the body at <see cref="ApiLimits.MaxRequestBytes"/> (a
/// declared larger body is refused before it is read), switches the portal's HTML status-code pages off,
/// and turns every failure — a use case's refusal, a body the server could not read, an unexpected error —
/// into problem details. Stack traces are logged, never sent.
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }
        var limit = ApiLimits.MaxRequestBytesFor(context.Request.Path);
        if (context.Request.ContentLength > limit)
        {
            await ApiProblems.TooLarge(context.Request.Path, context.Request.ContentLength).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await Map(e, context).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        // A status without a body (e.g. model binding refused the form): give it a problem body too.
        var response = context.Response;
        if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
        {
            var result = response.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ApiProblems.TooLarge(context.Request.Path, null),
                StatusCodes.Status404NotFound => ApiProblems.Problem(404, "Not found", $"There is no API endpoint {context.Request.Method} {context.Request.Path}."),
                StatusCodes.Status405MethodNotAllowed => ApiProblems.Problem(405, "Method not allowed", $"{context.Request.Path} does not accept {context.Request.Method}."),
                StatusCodes.Status415UnsupportedMediaType => ApiProblems.Problem(415, "Unsupported media type", "Send the request as multipart/form-data."),
                var status => ApiProblems.Problem(status, "Request refused", "The request could not be read; check the fields against the OpenAPI document at /api/v1/openapi.json."),
            };
            await result.ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    private IResult Map(Exception e, HttpContext context)
    {
        switch (e)
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return ApiProblems.TooLarge(context.Request.Path, context.Request.ContentLength);
            case BadHttpRequestException bad:
                return ApiProblems.Problem(bad.StatusCode, "Request refused", bad.Message);
            case var _ when GalleryErrors.Classify(e) is { } refusal:
                if (refusal.Kind == GalleryErrorKind.Unavailable)
                {
                    LogUnavailable(logger, e.Message);
                }
                return ApiProblems.From(refusal);
            default:
                LogFailure(logger, e, context.Request.Method, context.Request.Path, context.TraceIdentifier);
                return ApiProblems.Problem(StatusCodes.Status500InternalServerError, "Server error",
                    $"The server could not complete this request; its log has the details under trace id {context.TraceIdentifier}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Method} {Path} failed (trace id {TraceId}).")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, string path, string traceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API request refused, face models unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
