using System.Buffers.Binary;

namespace Mote.Gallery.Tests.Builders;

/// <summary>
/// Reads just enough of a JPEG or PNG to tell whether it carries metadata: JPEG APP1 segments (EXIF, XMP) up to the
/// start of scan, PNG <c>eXIf</c>/<c>tEXt</c>/<c>iTXt</c>/<c>zTXt</c> chunks, and whether an EXIF block points to a GPS IFD.
/// </summary>
public static class StoredImageMetadata
{
    /// <summary>True when the image has an EXIF block, an XMP packet or a PNG text chunk, or the bytes "Exif\0\0" anywhere.</summary>
    public static bool HasMetadata(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.AsSpan().IndexOf("Exif\0\0"u8) >= 0 || JpegApp1(image).Any() || PngChunks(image).Any(c => c is "eXIf" or "tEXt" or "iTXt" or "zTXt");
    }

    /// <summary>True when a JPEG's EXIF block has a GPS IFD pointer (tag 0x8825) in IFD0.</summary>
    public static bool HasExifGps(byte[] jpeg)
    {
        foreach (var (offset, length) in JpegApp1(jpeg))
        {
            var segment = jpeg.AsSpan(offset, length);
            if (!segment.StartsWith("Exif\0\0"u8))
            {
                continue;
            }
            var tiff = segment[6..];
            var little = tiff[0] == (byte)'I';
            ushort U16(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
            uint U32(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
            var ifd = (int)U32(tiff[4..]);
            var entries = U16(tiff[ifd..]);
            for (var i = 0; i < entries; i++)
            {
                if (U16(tiff[(ifd + 2 + (12 * i))..]) == 0x8825)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>(payload offset, payload length) of each APP1 segment before the start of scan; none for a non-JPEG.</summary>
    private static IEnumerable<(int Offset, int Length)> JpegApp1(byte[] image)
    {
        if (image.Length < 4 || image[0] != 0xFF || image[1] != 0xD8)
        {
            yield break;
        }
        var at = 2;
        while (at + 4 <= image.Length && image[at] == 0xFF)
        {
            var marker = image[at + 1];
            if (marker == 0xDA)
            {
                yield break;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(image.AsSpan(at + 2));
            if (marker == 0xE1)
            {
                yield return (at + 4, Math.Min(length - 2, image.Length - at - 4));
            }
            at += 2 + length;
        }
    }

    private static IEnumerable<string> PngChunks(byte[] image)
    {
        if (image.Length < 8 || !image.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }))
        {
            yield break;
        }
        var at = 8;
        while (at + 8 <= image.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(image.AsSpan(at));
            yield return System.Text.Encoding.ASCII.GetString(image, at + 4, 4);
            at += 12 + length;
        }
    }
}
