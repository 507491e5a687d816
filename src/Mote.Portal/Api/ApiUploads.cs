namespace Mote.Portal.Api;

/// <summary>Reads an uploaded photo from a multipart form, refusing a missing or oversized one in words.</summary>
internal static class ApiUploads
{
    /// <summary>The photo's bytes, or the problem to answer instead (400 missing, 413 over <see cref="ApiLimits.MaxImageBytes"/>).</summary>
    public static async Task<(byte[]? Photo, IResult? Refusal)> ReadAsync(IFormFile? image, string what, CancellationToken ct)
    {
        if (image is null)
        {
            return (null, ApiProblems.Problem(StatusCodes.Status400BadRequest, "Photo missing",
                $"Send {what} as the multipart/form-data field 'image' (a JPEG or PNG of at most {ApiLimits.MaxImageBytes / 1_000_000} MB)."));
        }
        if (image.Length > ApiLimits.MaxImageBytes)
        {
            return (null, ApiProblems.TooLarge(image.Length));
        }
        var bytes = new byte[image.Length];
        var stream = image.OpenReadStream();
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        }
        return (bytes, null);
    }
}
