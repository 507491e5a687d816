using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Mote.Core.Tests.Imaging;

/// <summary>Synthesises encoded test images in memory (no files, no fixtures).</summary>
internal static class EncodedImageBuilder
{
    /// <summary>A smooth gradient so JPEG artefacts stay small and pixels are predictable.</summary>
    public static Image<Rgb24> Gradient(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    row[x] = new Rgb24((byte)(x * 255 / Math.Max(1, width - 1)), (byte)(y * 255 / Math.Max(1, height - 1)), 128);
                }
            }
        });
        return image;
    }

    public static byte[] Jpeg(Image<Rgb24> image, int quality = 90)
    {
        using var ms = new MemoryStream();
        image.SaveAsJpeg(ms, new JpegEncoder { Quality = quality });
        return ms.ToArray();
    }

    public static byte[] Png(Image<Rgb24> image)
    {
        using var ms = new MemoryStream();
        image.SaveAsPng(ms, new PngEncoder { ColorType = PngColorType.Rgb });
        return ms.ToArray();
    }

    public static byte[] Jpeg(int width, int height, int quality = 90)
    {
        using var image = Gradient(width, height);
        return Jpeg(image, quality);
    }

    public static byte[] Png(int width, int height)
    {
        using var image = Gradient(width, height);
        return Png(image);
    }

    public static byte[] Gif(int width, int height)
    {
        using var image = Gradient(width, height);
        using var ms = new MemoryStream();
        image.SaveAsGif(ms, new GifEncoder());
        return ms.ToArray();
    }

    public static byte[] Bmp(int width, int height)
    {
        using var image = Gradient(width, height);
        using var ms = new MemoryStream();
        image.SaveAsBmp(ms, new BmpEncoder());
        return ms.ToArray();
    }

    /// <summary>Minimal little-endian TIFF header plus a few bytes (ImageSharp 2.1 writes TIFF too, but the header is all that matters).</summary>
    public static byte[] TiffHeader() => [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>RIFF container with the WEBP form type and a VP8L chunk stub.</summary>
    public static byte[] WebPHeader()
    {
        var bytes = new byte[30];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 22);
        "WEBP"u8.CopyTo(bytes.AsSpan(8));
        "VP8L"u8.CopyTo(bytes.AsSpan(12));
        return bytes;
    }

    /// <summary>
    /// A PNG of a few dozen bytes whose IHDR claims <paramref name="width"/>x<paramref name="height"/>:
    /// valid signature, IHDR with a correct CRC, one tiny IDAT, IEND. Decoding it naively would
    /// allocate width*height*3 bytes.
    /// </summary>
    public static byte[] PixelFloodPng(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        WriteChunk(ms, "IHDR", ihdr);
        // zlib stream of a single empty stored block: enough to look like image data.
        WriteChunk(ms, "IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>A JPEG carrying an EXIF block with the given orientation and a GPS position.</summary>
    public static byte[] JpegWithExif(Image<Rgb24> image, ushort orientation)
    {
        var exif = new ExifProfile();
        exif.SetValue(ExifTag.Orientation, orientation);
        exif.SetValue(ExifTag.GPSLatitudeRef, "N");
        exif.SetValue(ExifTag.GPSLatitude, new[] { new Rational(52, 1), new Rational(31, 1), new Rational(1234, 100) });
        exif.SetValue(ExifTag.GPSLongitudeRef, "E");
        exif.SetValue(ExifTag.GPSLongitude, new[] { new Rational(13, 1), new Rational(24, 1), new Rational(0, 1) });
        exif.SetValue(ExifTag.Make, "MoteTestCamera");
        image.Metadata.ExifProfile = exif;
        return Jpeg(image, 95);
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, header[4..]);
        stream.Write(header);
        stream.Write(data);
        var crcInput = new byte[4 + data.Length];
        header[4..].CopyTo(crcInput);
        data.CopyTo(crcInput, 4);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(crcInput));
        stream.Write(crc);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
