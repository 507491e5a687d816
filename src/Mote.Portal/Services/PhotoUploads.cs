using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery;
using Mote.Gallery.Engine;
using Mote.Gallery.Errors;
using Mote.Gallery.People;

namespace Mote.Portal.Services;

/// <summary>
/// The portal pages' one reader of a photo chosen in the browser (enrollment, a person's new photo, the verify and
/// identify probes), under <see cref="PhotoPolicy"/>. The use cases check size and format again on the server.
/// </summary>
public static class PhotoUploads
{
    /// <summary>What the file picker offers.</summary>
    public const string Accept = PhotoPolicy.Accept;

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>
    /// Why <paramref name="file"/> cannot be used, in words, judged by what the browser reported (name, type, size)
    /// before anything is read; null when it may be read. Only saves a round trip: <see cref="ReadAsync"/> checks again.
    /// </summary>
    public static string? Problem(IBrowserFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var extension = Path.GetExtension(file.Name).ToLowerInvariant();
        if (!Extensions.Contains(extension) && file.ContentType is not ("image/png" or "image/jpeg"))
        {
            return $"“{file.Name}” is not an image we accept: choose a PNG or JPEG photo.";
        }
        try
        {
            PhotoPolicy.CheckSize(file.Size, file.Name);
            return null;
        }
        catch (Exception e) when (GalleryErrors.IsRefusal(e))
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The file's bytes, or a <see cref="GalleryException"/> saying why it is refused under <see cref="PhotoPolicy.Check"/>:
    /// the size is checked on the reported size and again while reading (a client can lie), the format by its first bytes.
    /// </summary>
    public static async Task<byte[]> ReadAsync(IBrowserFile file, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Size > PhotoPolicy.MaxBytes)
        {
            throw PhotoPolicy.TooLarge(file.Name, file.Size);
        }
        using var buffer = new MemoryStream((int)Math.Max(0, file.Size));
        try
        {
            var stream = file.OpenReadStream(PhotoPolicy.MaxBytes, ct);
            await using (stream.ConfigureAwait(false))
            {
                // Counted here too: the limit holds for what actually arrives, whatever size the browser reported.
                var chunk = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > PhotoPolicy.MaxBytes)
                    {
                        throw PhotoPolicy.TooLarge(file.Name, null);
                    }
                    buffer.Write(chunk, 0, read);
                }
            }
        }
        catch (IOException e)
        {
            throw new GalleryException($"“{file.Name}” could not be read: {e.Message}", GalleryErrorKind.UnusablePhoto);
        }
        return PhotoPolicy.Check(buffer.ToArray(), file.Name);
    }
}
