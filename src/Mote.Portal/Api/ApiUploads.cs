using Mote.Gallery;
using Mote.Gallery.Engine;
using Mote.Gallery.People;

namespace Mote.Portal.Api;

/// <summary>The API's one reader of an uploaded photo (a multipart form's 'image' field), under <see cref="PhotoPolicy"/>.</summary>
internal static class ApiUploads
{
    /// <summary>
    /// The photo's bytes, or the problem to answer instead: 400 missing, 413 over <see cref="PhotoPolicy.MaxBytes"/> (checked
    /// on the declared length, before reading), 422 empty or not a PNG/JPEG, in the policy's words.
    /// </summary>
    public static async Task<(byte[]? Photo, IResult? Refusal)> ReadAsync(IFormFile? image, string what, CancellationToken ct)
    {
        if (image is null)
        {
            return (null, ApiProblems.Problem(StatusCodes.Status400BadRequest, "Photo missing",
                $"Send {what} as the multipart/form-data field 'image' ({PhotoPolicy.Description})."));
        }
        try
        {
            PhotoPolicy.CheckSize(image.Length);
            var bytes = new byte[image.Length];
            var stream = image.OpenReadStream();
            await using (stream.ConfigureAwait(false))
            {
                await stream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
            }
            return (PhotoPolicy.Check(bytes), null);
        }
        catch (GalleryException e)
        {
            return (null, ApiProblems.From(e));
        }
    }
}
