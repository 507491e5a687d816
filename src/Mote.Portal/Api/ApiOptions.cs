using System.ComponentModel.DataAnnotations;
using Mote.Gallery.Engine;
using Mote.Gallery.People;

namespace Mote.Portal.Api;

/// <summary>
/// A fixed window per API key: at most <see cref="PermitLimit"/> requests in each
/// <see cref="WindowSeconds"/>; more are refused with 429 and a <c>Retry-After</c> header. Default 60
/// per 60 s: a door controller or kiosk asks about once a second at its busiest.
/// </summary>
public sealed class ApiRateLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Mote:Api:RateLimit";

    /// <summary>Requests per window and key. Default 60.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 60;

    /// <summary>Window length in seconds. Default 60.</summary>
    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;
}

/// <summary>Fixed limits of the API.</summary>
public static class ApiLimits
{
    /// <summary>Largest request body: one photo (<see cref="PhotoPolicy.MaxBytes"/>) plus 64 KiB for the other form fields and the multipart framing.</summary>
    public static long MaxRequestBytes { get; } = PhotoPolicy.MaxBytes + (64 * 1024);

    /// <summary>The batch enrollment's path: its body is a ZIP, allowed up to <see cref="BulkEnrollmentBatch.MaxArchiveBytes"/>.</summary>
    public const string BatchPath = "/api/v1/people/batch";

    /// <summary>Largest request body of the batch enrollment: the ZIP plus 64 KiB of framing.</summary>
    public static long MaxBatchRequestBytes { get; } = BulkEnrollmentBatch.MaxArchiveBytes + (64 * 1024);

    /// <summary>The body limit of a request to <paramref name="path"/>: <see cref="MaxBatchRequestBytes"/> for the batch enrollment, else <see cref="MaxRequestBytes"/>.</summary>
    public static long MaxRequestBytesFor(PathString path) =>
        path.Equals(BatchPath, StringComparison.OrdinalIgnoreCase) ? MaxBatchRequestBytes : MaxRequestBytes;

    /// <summary>The path every API route lives under.</summary>
    public const string Prefix = "/api";
}
