using System.Globalization;
using Microsoft.AspNetCore.Components.Forms;
using Mote.Core.Imaging;

namespace Mote.Portal.Components.Pages.Verify;

/// <summary>
/// Reads an uploaded probe on the server and refuses, in words, what the browser's own checks may have let
/// through: a file over 10 MB (checked on the reported size and again while reading, since a client can lie)
/// or one that is not PNG or JPEG by its first bytes. Damaged PNG/JPEG files are refused later by the
/// hardened decoder, whose reason the use case passes on.
/// </summary>
public static class ProbeUpload
{
    /// <summary>The largest probe accepted: 10 MB (10,000,000 bytes), the decoder's own limit.</summary>
    public const long MaxBytes = 10_000_000;

    /// <summary>What the browser's file picker offers.</summary>
    public const string Accept = ".png,.jpg,.jpeg,image/png,image/jpeg";

    /// <summary>The file's bytes, or <see cref="ProbeUploadException"/> saying why it is refused.</summary>
    public static async Task<byte[]> ReadAsync(IBrowserFile file, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Size > MaxBytes)
        {
            throw TooLarge(file.Name, file.Size);
        }
        using var buffer = new MemoryStream();
        try
        {
            // The stream enforces the limit on what actually arrives, whatever size the browser reported.
            var stream = file.OpenReadStream(MaxBytes, ct);
            await using (stream.ConfigureAwait(false))
            {
                await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            }
        }
        catch (IOException) when (buffer.Length >= MaxBytes || file.Size > MaxBytes)
        {
            throw TooLarge(file.Name, Math.Max(file.Size, buffer.Length));
        }
        return Check(file.Name, buffer.ToArray());
    }

    /// <summary>Returns <paramref name="bytes"/> when they start like a PNG or JPEG of at most <see cref="MaxBytes"/>; throws otherwise.</summary>
    public static byte[] Check(string name, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
        {
            throw new ProbeUploadException($"“{name}” is empty.");
        }
        if (bytes.Length > MaxBytes)
        {
            throw TooLarge(name, bytes.Length);
        }
        var format = ImageSignature.Detect(bytes);
        return format switch
        {
            EncodedImageFormat.Jpeg or EncodedImageFormat.Png => bytes,
            EncodedImageFormat.Unknown => throw new ProbeUploadException($"“{name}” is not an image. Upload a PNG or JPEG photo."),
            _ => throw new ProbeUploadException($"“{name}” is a {ImageSignature.DisplayName(format)} image; only PNG and JPEG are accepted."),
        };
    }

    private static ProbeUploadException TooLarge(string name, long size) =>
        new(string.Create(CultureInfo.InvariantCulture, $"“{name}” is {size:N0} bytes; the limit is 10 MB ({MaxBytes:N0} bytes)."));
}

/// <summary>An upload refused before it reached a use case; the message says why in words.</summary>
public sealed class ProbeUploadException(string message) : Exception(message);
