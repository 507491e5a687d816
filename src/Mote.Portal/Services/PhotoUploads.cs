using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery.People;

namespace Mote.Portal.Services;

/// <summary>
/// The browser-side courtesy check and read of an uploaded photo. It only saves a round trip: the use cases
/// check size and format again on the server (<see cref="PhotoRules"/> and the hardened decoder).
/// </summary>
public static class PhotoUploads
{
    /// <summary>What the file picker offers.</summary>
    public const string Accept = ".png,.jpg,.jpeg,image/png,image/jpeg";

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>Why <paramref name="file"/> cannot be used, in words; null when it may be sent on.</summary>
    public static string? Problem(IBrowserFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var extension = Path.GetExtension(file.Name).ToLowerInvariant();
        if (!Extensions.Contains(extension) && file.ContentType is not ("image/png" or "image/jpeg"))
        {
            return $"{file.Name} is not an image we accept: choose a PNG or JPEG photo.";
        }
        if (file.Size == 0)
        {
            return $"{file.Name} is empty: choose a PNG or JPEG photo.";
        }
        if (file.Size > PhotoRules.MaxBytes)
        {
            return $"{file.Name} is too large ({file.Size / 1_000_000.0:0.0} MB); the limit is {PhotoRules.MaxBytes / 1_000_000} MB.";
        }
        return null;
    }

    /// <summary>Reads the file into memory, never more than the limit (the stream refuses beyond it).</summary>
    public static async Task<byte[]> ReadAsync(IBrowserFile file, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var stream = file.OpenReadStream(PhotoRules.MaxBytes, ct);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream((int)Math.Min(file.Size, PhotoRules.MaxBytes));
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }
}
