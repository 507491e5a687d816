using Mote.Core.Imaging;

namespace Mote.Core.Tests.Imaging;

public sealed class ImageResizerTests
{
    /// <summary>Black image with a white 4x4 block whose top-left pixel is (left, top).</summary>
    private static RgbImage Block(int width, int height, int left, int top) => RgbImage.Create(width, height, pixels =>
    {
        for (var y = top; y < top + 4; y++)
        {
            pixels.Slice(((y * width) + left) * 3, 12).Fill(255);
        }
    });

    /// <summary>Intensity-weighted centroid of the image.</summary>
    private static Point2D Centroid(RgbImage image)
    {
        double sx = 0, sy = 0, sum = 0;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                double v = image.GetPixel(x, y).R;
                sx += v * x;
                sy += v * y;
                sum += v;
            }
        }

        return new Point2D(sx / sum, sy / sum);
    }

    [Fact]
    public void Resize_Downscale4x_BlockCentroidLandsWhereMappingSays()
    {
        // Block covers x 300..303, y 200..203: centre (301.5, 201.5).
        var source = Block(1000, 800, 300, 200);

        var resized = ImageResizer.Resize(source, 250, 200);

        var expected = resized.ToTarget(new Point2D(301.5, 201.5));
        var actual = Centroid(resized.Image);
        Assert.Equal(expected.X, actual.X, 1);
        Assert.Equal(expected.Y, actual.Y, 1);
        // Averaged, not point-sampled: the 4x4 block's energy spreads to about one target pixel.
        Assert.InRange(resized.Image.GetPixel((int)Math.Round(expected.X), (int)Math.Round(expected.Y)).R, 60, 255);
    }

    [Fact]
    public void Letterbox_WidePhoto_PadsTopAndBottomAndMapsBack()
    {
        var source = Block(1920, 1280, 958, 638); // centre (959.5, 639.5), the image centre

        var boxed = ImageResizer.Letterbox(source, 640, 640);

        Assert.Equal((640, 640), (boxed.Image.Width, boxed.Image.Height));
        Assert.Equal(1.0 / 3, boxed.ScaleX, 9);
        Assert.Equal(0, boxed.OffsetX);
        Assert.Equal(106, boxed.OffsetY); // 1280 / 3 = 426.7 → 427 rows; (640 − 427) / 2 = 106 (integer division)
        Assert.Equal(new RgbPixel(0, 0, 0), boxed.Image.GetPixel(320, 5));
        var back = boxed.ToSource(Centroid(boxed.Image));
        Assert.Equal(959.5, back.X, 0);
        Assert.Equal(639.5, back.Y, 0);
    }

    [Fact]
    public void Letterbox_TopLeft_NoOffset()
    {
        var boxed = ImageResizer.Letterbox(Block(100, 50, 10, 10), 64, 64, centre: false);
        Assert.Equal((0.0, 0.0), (boxed.OffsetX, boxed.OffsetY));
        Assert.Equal(new RgbPixel(0, 0, 0), boxed.Image.GetPixel(10, 40));
    }

    [Fact]
    public void ToSource_InvertsToTarget()
    {
        var r = new ResizedImage(RgbImage.FromPixels(1, 1, [0, 0, 0]), 0.25, 0.5, 3, 7);
        var p = new Point2D(123.4, 56.7);
        Assert.Equal(0, r.ToSource(r.ToTarget(p)).DistanceTo(p), 9);
    }
}
