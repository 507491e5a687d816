using Mote.Core.Faces;
using Mote.Core.Imaging;

namespace Mote.Gallery.People;

/// <summary>
/// How the Gallery decodes an uploaded photo and the images it derives from one for retention. What it accepts
/// is <see cref="PhotoPolicy"/>'s.
/// </summary>
public static class PhotoRules
{
    /// <summary>Longest side of a stored thumbnail, in pixels (a face on the person page; about 5–8 KB as JPEG).</summary>
    public const int ThumbnailSide = 160;

    /// <summary>Longest side of a stored reference crop: the descriptor reads a 150-px face, so 480 px keeps enough margin to re-detect it.</summary>
    public const int ReferenceSide = 480;

    /// <summary>Decodes an upload through the hardened decoder (PNG/JPEG only, EXIF orientation applied); words on refusal.</summary>
    internal static RgbImage Decode(ReadOnlyMemory<byte> photo, CancellationToken ct)
    {
        using var decoder = new ImageDecoder(PhotoPolicy.DecoderOptions);
        try
        {
            return decoder.Decode(photo.Span, ct);
        }
        catch (ImageRejectedException e)
        {
            throw new GalleryException(e.Message, GalleryErrorKind.UnusablePhoto);
        }
    }

    /// <summary>
    /// The whole photo decoded (orientation applied) and re-encoded as a JPEG at quality 90, carrying pixels only: no
    /// EXIF (so no GPS position, camera serial or capture time), no XMP, no ICC. What a kept probe image stores; never
    /// store an upload's own bytes.
    /// </summary>
    internal static byte[] ReencodedJpeg(ReadOnlyMemory<byte> photo, CancellationToken ct) => ImageEncoding.ToJpeg(Decode(photo, ct), 90);

    /// <summary>A JPEG of the face with a margin of <paramref name="margin"/> box widths each side, scaled to at most <paramref name="side"/> px.</summary>
    internal static byte[] FaceJpeg(RgbImage image, FaceBox box, double margin, int side, int quality) =>
        ImageEncoding.ToJpeg(FaceCrop(image, box, margin, side), quality);

    /// <summary>
    /// The reference face crop kept for retraining: 0.6 box widths of margin each side (so the detector finds the face
    /// again in it), at most <see cref="ReferenceSide"/> pixels, PNG (lossless, so describing it again gives the same
    /// descriptor every time).
    /// </summary>
    internal static byte[] ReferenceCrop(RgbImage image, FaceBox box) => FacePng(image, box, 0.6, ReferenceSide);

    /// <summary>A PNG (lossless) of the face with a margin, scaled to at most <paramref name="side"/> px.</summary>
    internal static byte[] FacePng(RgbImage image, FaceBox box, double margin, int side) =>
        ImageEncoding.ToPng(FaceCrop(image, box, margin, side));

    /// <summary>The whole photo re-encoded as a JPEG of at most <paramref name="side"/> px (no metadata): what the picker shows.</summary>
    internal static byte[] PreviewJpeg(RgbImage image, int side)
    {
        var scale = Math.Min(1.0, (double)side / Math.Max(image.Width, image.Height));
        var shown = scale < 1 ? ImageResizer.Resize(image, Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale))).Image : image;
        return ImageEncoding.ToJpeg(shown, 85);
    }

    private static RgbImage FaceCrop(RgbImage image, FaceBox box, double margin, int side)
    {
        var left = (int)Math.Clamp(box.X - (box.Width * margin), 0, image.Width - 1);
        var top = (int)Math.Clamp(box.Y - (box.Height * margin), 0, image.Height - 1);
        var right = (int)Math.Min(image.Width, Math.Ceiling(box.Right + (box.Width * margin)));
        var bottom = (int)Math.Min(image.Height, Math.Ceiling(box.Bottom + (box.Height * margin)));
        var crop = ImageRegion.Copy(image, left, top, Math.Max(1, right - left), Math.Max(1, bottom - top));
        var scale = (double)side / Math.Max(crop.Width, crop.Height);
        return scale < 1
            ? ImageResizer.Resize(crop, Math.Max(1, (int)Math.Round(crop.Width * scale)), Math.Max(1, (int)Math.Round(crop.Height * scale))).Image
            : crop;
    }
}
