namespace Mote.Core.Imaging;

/// <summary>Image container formats recognised from their first bytes.</summary>
public enum EncodedImageFormat
{
    /// <summary>No known signature.</summary>
    Unknown = 0,

    /// <summary>JPEG (<c>FF D8 FF</c>). Accepted.</summary>
    Jpeg,

    /// <summary>PNG (<c>89 50 4E 47 0D 0A 1A 0A</c>). Accepted.</summary>
    Png,

    /// <summary>GIF (<c>GIF87a</c> / <c>GIF89a</c>). Refused.</summary>
    Gif,

    /// <summary>Windows bitmap (<c>BM</c>). Refused.</summary>
    Bmp,

    /// <summary>TIFF (<c>II*\0</c> / <c>MM\0*</c>). Refused.</summary>
    Tiff,

    /// <summary>WebP (<c>RIFF….WEBP</c>). Refused.</summary>
    WebP,

    /// <summary>HEIF / HEIC / AVIF (ISO base media <c>ftyp</c> box). Refused.</summary>
    Heif,

    /// <summary>Windows icon (<c>00 00 01 00</c>). Refused.</summary>
    Ico,
}

/// <summary>Recognises an image format from its magic bytes, before any decoder sees the data.</summary>
public static class ImageSignature
{
    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format named by the first bytes of <paramref name="data"/>, or <see cref="EncodedImageFormat.Unknown"/>.</summary>
    public static EncodedImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return EncodedImageFormat.Jpeg;
        }

        if (data.StartsWith(PngMagic))
        {
            return EncodedImageFormat.Png;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return EncodedImageFormat.Gif;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return EncodedImageFormat.WebP;
        }

        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8))
        {
            return EncodedImageFormat.Tiff;
        }

        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8) && IsHeifBrand(data[8..12]))
        {
            return EncodedImageFormat.Heif;
        }

        // "BM" alone is two printable letters, so also require the 4-byte reserved field (always 0) to
        // keep text files that start with "BM" from being called bitmaps.
        if (data.Length >= 10 && data[0] == (byte)'B' && data[1] == (byte)'M' && data[6] == 0 && data[7] == 0 && data[8] == 0 && data[9] == 0)
        {
            return EncodedImageFormat.Bmp;
        }

        if (data.Length >= 6 && data[0] == 0 && data[1] == 0 && data[2] == 1 && data[3] == 0 && data[4] != 0)
        {
            return EncodedImageFormat.Ico;
        }

        return EncodedImageFormat.Unknown;
    }

    /// <summary>The name a user knows the format by ("JPEG", "WebP", …).</summary>
    public static string DisplayName(EncodedImageFormat format) => format switch
    {
        EncodedImageFormat.Jpeg => "JPEG",
        EncodedImageFormat.Png => "PNG",
        EncodedImageFormat.Gif => "GIF",
        EncodedImageFormat.Bmp => "BMP",
        EncodedImageFormat.Tiff => "TIFF",
        EncodedImageFormat.WebP => "WebP",
        EncodedImageFormat.Heif => "HEIF/AVIF",
        EncodedImageFormat.Ico => "ICO",
        _ => "unknown",
    };

    private static bool IsHeifBrand(ReadOnlySpan<byte> brand) =>
        brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("hevc"u8)
        || brand.SequenceEqual("heif"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8)
        || brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8);
}
