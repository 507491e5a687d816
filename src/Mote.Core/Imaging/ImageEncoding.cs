using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Mote.Core.Imaging;

/// <summary>
/// Re-encodes an <see cref="RgbImage"/> for storage. The output carries pixels only: no EXIF (so no GPS
/// position, camera serial or capture time), no XMP, no ICC profile, orientation already applied.
/// </summary>
/// <remarks>
/// Why re-encode rather than store the upload: the upload may carry metadata about the person or the
/// place, and it was decoded by our hardened path, so what we store is exactly what we analysed.
/// </remarks>
public static class ImageEncoding
{
    private static readonly Configuration Codecs = new(new PngConfigurationModule(), new JpegConfigurationModule());

    /// <summary>Lossless PNG (24-bit RGB, default compression). <paramref name="image"/> is not modified.</summary>
    public static byte[] ToPng(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var frame = ToImageSharp(image);
        using var output = new MemoryStream();
        frame.SaveAsPng(output, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        return output.ToArray();
    }

    /// <summary>Baseline JPEG at <paramref name="quality"/> (1..100, default 90). <paramref name="image"/> is not modified.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quality"/> is outside 1..100.</exception>
    public static byte[] ToJpeg(RgbImage image, int quality = 90)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        using var frame = ToImageSharp(image);
        using var output = new MemoryStream();
        frame.SaveAsJpeg(output, new JpegEncoder { Quality = quality });
        return output.ToArray();
    }

    private static Image<Rgb24> ToImageSharp(RgbImage image)
    {
        // A fresh image has empty metadata; nothing from the original upload can leak into it.
        return Image.LoadPixelData<Rgb24>(Codecs, image.Pixels, image.Width, image.Height);
    }
}
