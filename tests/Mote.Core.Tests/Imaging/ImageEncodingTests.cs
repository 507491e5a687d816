using Mote.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Mote.Core.Tests.Imaging;

public sealed class ImageEncodingTests
{
    private static readonly ImageDecoder Decoder = new();

    /// <summary>A 60x30 grey image with a 10x10 pure red block in its stored top-left corner.</summary>
    private static Image<Rgb24> MarkedLandscape()
    {
        var image = new Image<Rgb24>(60, 30, new Rgb24(90, 90, 90));
        for (var y = 0; y < 10; y++)
        {
            for (var x = 0; x < 10; x++)
            {
                image[x, y] = new Rgb24(255, 0, 0);
            }
        }

        return image;
    }

    private static bool IsRed(RgbPixel p) => p.R > 200 && p.G < 60 && p.B < 60;

    [Fact]
    public void ToJpeg_FromJpegWithExifAndGps_OutputHasNoExif()
    {
        using var source = MarkedLandscape();
        var upload = EncodedImageBuilder.JpegWithExif(source, orientation: 1);
        // Control: the upload really carries EXIF with a GPS position.
        var uploadExif = Image.Identify(upload).Metadata.ExifProfile;
        Assert.NotNull(uploadExif);
        Assert.NotNull(uploadExif.GetValue(ExifTag.GPSLatitude));
        Assert.True(Contains(upload, "Exif\0\0"u8));
        Assert.True(Contains(upload, "MoteTestCamera"u8));

        var stored = ImageEncoding.ToJpeg(Decoder.Decode(upload));

        Assert.Null(Image.Identify(stored).Metadata.ExifProfile);
        Assert.False(Contains(stored, "Exif\0\0"u8));
        Assert.False(Contains(stored, "MoteTestCamera"u8));
    }

    [Fact]
    public void ToPng_FromJpegWithExifAndGps_OutputHasNoExifAndSamePixels()
    {
        using var source = MarkedLandscape();
        var decoded = Decoder.Decode(EncodedImageBuilder.JpegWithExif(source, orientation: 1));

        var stored = ImageEncoding.ToPng(decoded);

        var info = Image.Identify(stored);
        Assert.Null(info.Metadata.ExifProfile);
        Assert.False(Contains(stored, "eXIf"u8));
        Assert.False(Contains(stored, "MoteTestCamera"u8));
        // PNG is lossless: decoding the stored file gives back exactly the pixels we analysed.
        var roundTrip = Decoder.Decode(stored);
        Assert.True(decoded.Pixels.SequenceEqual(roundTrip.Pixels));
    }

    [Fact]
    public void Decode_JpegWithOrientation6_RotatedClockwiseBeforeUse()
    {
        // EXIF orientation 6: the stored image must be turned 90° clockwise to be upright, so the
        // stored 60x30 becomes 30x60 and the stored top-left corner lands at the top-right.
        using var source = MarkedLandscape();

        var upright = Decoder.Decode(EncodedImageBuilder.JpegWithExif(source, orientation: 6));

        Assert.Equal((30, 60), (upright.Width, upright.Height));
        Assert.True(IsRed(upright.GetPixel(upright.Width - 3, 2)), $"top-right is {upright.GetPixel(upright.Width - 3, 2)}");
        Assert.False(IsRed(upright.GetPixel(2, 2)));
        Assert.False(IsRed(upright.GetPixel(upright.Width - 3, upright.Height - 3)));
    }

    [Fact]
    public void ToJpeg_AfterOrientation6_StoresUprightPixelsWithoutOrientationTag()
    {
        using var source = MarkedLandscape();
        var upright = Decoder.Decode(EncodedImageBuilder.JpegWithExif(source, orientation: 6));

        var stored = ImageEncoding.ToJpeg(upright);
        var again = Decoder.Decode(stored);

        Assert.Equal((30, 60), (again.Width, again.Height));
        Assert.True(IsRed(again.GetPixel(again.Width - 3, 2)));
    }

    [Fact]
    public void ToJpeg_QualityOutOfRange_Throws()
    {
        var image = RgbImage.FromPixels(1, 1, [1, 2, 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageEncoding.ToJpeg(image, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageEncoding.ToJpeg(image, 101));
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
