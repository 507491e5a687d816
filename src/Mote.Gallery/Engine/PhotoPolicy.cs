using System.Globalization;
using Mote.Core.Imaging;

namespace Mote.Gallery.Engine;

/// <summary>
/// The one photo policy of every front end (portal pages, REST API, CLI) and every use case that takes a photo:
/// a non-empty PNG or JPEG of at most <see cref="MaxBytes"/>, the hardened decoder's own cap, so no front end can
/// accept what the decoder would refuse or refuse what it would take. Each transport's reader checks a photo with
/// <see cref="Check"/> before handing it on; the use cases check the size again (<see cref="CheckSize(ReadOnlyMemory{byte}, string?)"/>) and the
/// decoder checks the format again, so a front end that forgets is still safe. Refusals are
/// <see cref="GalleryException"/>s in the same words everywhere.
/// </summary>
public static class PhotoPolicy
{
    /// <summary>The decoder options every photo is decoded with; the limits below are read from them.</summary>
    public static ImageDecoderOptions DecoderOptions { get; } = new();

    /// <summary>
    /// The one decoder of the process for uploaded photos (analysis and stored derivatives alike), so its concurrency gate
    /// (<see cref="ImageDecoderOptions.MaxConcurrentDecodes"/>, one per core) bounds every full-size frame in memory at once.
    /// Lives as long as the process; never disposed.
    /// </summary>
    public static ImageDecoder Decoder { get; } = new(DecoderOptions);

    /// <summary>
    /// The most pixels a photo is analysed at: 3,145,728 = 2048 x 1536 (3 Mpx, 4:3). A larger photo is scaled down to this
    /// inside the decoder before detection: the detector searches overlapping 512-px tiles, so its work grows with the
    /// pixel count (165 tiles for a 12-Mpx photo, 35 at 3 Mpx), and 20 concurrent 12-Mpx verifications took 3 s of CPU each
    /// and 2.3 GB of RSS (docs/reliability.md). Face sizes (the quality check's 40 and 80 px) are then counted at this
    /// size; positions reported are in the photo's own pixels. Every fixture and dataset photo (at most 1920 x 1537) is
    /// analysed unscaled.
    /// </summary>
    public const long AnalysisPixels = 2048L * 1536;

    /// <summary>The largest photo accepted, in bytes: the decoder's <see cref="ImageDecoderOptions.MaxEncodedBytes"/> (10 MB = 10,000,000 bytes).</summary>
    public static long MaxBytes => DecoderOptions.MaxEncodedBytes;

    /// <summary>What a file picker offers.</summary>
    public const string Accept = ".png,.jpg,.jpeg,image/png,image/jpeg";

    /// <summary>The limit in words, e.g. "10 MB".</summary>
    public static string Limit => Megabytes(MaxBytes, "0.#") + " MB";

    /// <summary>The limit in words with its exact size, e.g. "10 MB (10,000,000 bytes)".</summary>
    public static string LimitInBytes => string.Create(CultureInfo.InvariantCulture, $"{Limit} ({MaxBytes:N0} bytes)");

    /// <summary>What may be sent, in words, e.g. "PNG or JPEG, at most 10 MB".</summary>
    public static string Description => $"PNG or JPEG, at most {Limit}";

    /// <summary>
    /// Why a photo of <paramref name="bytes"/> bytes is refused: "“huge.jpg” is too large: 12.0 MB (12,000,000 bytes);
    /// the limit is 10 MB (10,000,000 bytes)." <paramref name="subject"/> names it (e.g. "“huge.jpg”"; default "The photo");
    /// without <paramref name="bytes"/> (a body whose size only showed while reading) the size is left out.
    /// </summary>
    public static string TooLargeMessage(string? subject, long? bytes)
    {
        subject ??= "The photo";
        return bytes is { } b
            ? string.Create(CultureInfo.InvariantCulture, $"{subject} is too large: {Megabytes(b, "0.0")} MB ({b:N0} bytes); the limit is {LimitInBytes}.")
            : $"{subject} is too large; the limit is {LimitInBytes}.";
    }

    /// <summary>The refusal of an over-large photo (<see cref="GalleryErrorKind.PhotoTooLarge"/>), in the words of <see cref="TooLargeMessage"/>.</summary>
    public static GalleryException TooLarge(string? name, long? bytes) =>
        new(TooLargeMessage(Subject(name), bytes), GalleryErrorKind.PhotoTooLarge);

    /// <summary>
    /// Throws a <see cref="GalleryException"/> in words for an empty or over-large photo; the bytes are not read further.
    /// <paramref name="name"/> is the file's name where the user gave one (it is quoted in the message).
    /// </summary>
    public static void CheckSize(ReadOnlyMemory<byte> photo, string? name = null) => CheckSize(photo.Length, name);

    /// <summary>Like <see cref="CheckSize(ReadOnlyMemory{byte}, string?)"/> for a photo known only by its size (a file, an upload's declared length).</summary>
    public static void CheckSize(long length, string? name = null)
    {
        if (length == 0)
        {
            throw new GalleryException($"{Subject(name) ?? "The file"} is empty: choose a PNG or JPEG photo.", GalleryErrorKind.UnusablePhoto);
        }
        if (length > MaxBytes)
        {
            throw TooLarge(name, length);
        }
    }

    /// <summary>
    /// What every front end's reader checks before a use case sees the photo: <see cref="CheckSize(ReadOnlyMemory{byte}, string?)"/>,
    /// then the format by its first bytes (PNG or JPEG; damaged files are left to the hardened decoder). Returns <paramref name="photo"/>.
    /// </summary>
    public static byte[] Check(byte[] photo, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(photo);
        CheckSize(photo, name);
        var format = ImageSignature.Detect(photo);
        return format switch
        {
            EncodedImageFormat.Jpeg or EncodedImageFormat.Png => photo,
            EncodedImageFormat.Unknown => throw new GalleryException(
                $"{Subject(name) ?? "The file"} is not an image. Upload a PNG or JPEG photo.", GalleryErrorKind.UnusablePhoto),
            _ => throw new GalleryException(
                $"{Subject(name) ?? "The file"} is a {ImageSignature.DisplayName(format)} image; only PNG and JPEG are accepted.", GalleryErrorKind.UnusablePhoto),
        };
    }

    private static string? Subject(string? name) => string.IsNullOrWhiteSpace(name) ? null : $"“{name}”";

    private static string Megabytes(long bytes, string format) => (bytes / 1_000_000.0).ToString(format, CultureInfo.InvariantCulture);
}
