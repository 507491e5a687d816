using Mote.Core.Imaging;

namespace Mote.Core.Tests.Imaging;

public sealed class RgbImageTests
{
    [Fact]
    public void FromPixels_CopiesBuffer_LaterChangesDoNotLeakIn()
    {
        byte[] rgb = [1, 2, 3, 4, 5, 6];
        var image = RgbImage.FromPixels(2, 1, rgb);

        rgb[0] = 99;

        Assert.Equal(new RgbPixel(1, 2, 3), image.GetPixel(0, 0));
        Assert.Equal(new RgbPixel(4, 5, 6), image.GetPixel(1, 0));
    }

    [Fact]
    public void FromPixels_WrongLength_ThrowsWithSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => RgbImage.FromPixels(2, 2, new byte[11]));
        Assert.Contains("12 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_FillWritesRowMajorInterleaved()
    {
        var image = RgbImage.Create(3, 2, pixels =>
        {
            // pixel (x=2, y=1) is at (1 * 3 + 2) * 3
            pixels[15] = 200;
            pixels[16] = 100;
            pixels[17] = 50;
        });

        Assert.Equal(new RgbPixel(200, 100, 50), image.GetPixel(2, 1));
        Assert.Equal(new RgbPixel(0, 0, 0), image.GetPixel(0, 0));
        Assert.Equal(9, image.GetRow(1).Length);
    }

    [Fact]
    public void GetPixel_OutsideImage_Throws()
    {
        var image = RgbImage.FromPixels(1, 1, [0, 0, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetPixel(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetPixel(0, -1));
    }
}
