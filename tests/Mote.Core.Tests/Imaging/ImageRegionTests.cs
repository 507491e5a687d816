using Mote.Core.Imaging;

namespace Mote.Core.Tests.Imaging;

public sealed class ImageRegionTests
{
    [Fact]
    public void Copy_Rectangle_TakesThosePixels()
    {
        var source = RgbImage.Create(5, 4, p =>
        {
            for (var i = 0; i < p.Length; i++)
            {
                p[i] = (byte)i;
            }
        });

        var part = ImageRegion.Copy(source, 2, 1, 3, 2);

        Assert.Equal((3, 2), (part.Width, part.Height));
        Assert.Equal(source.GetPixel(2, 1), part.GetPixel(0, 0));
        Assert.Equal(source.GetPixel(4, 2), part.GetPixel(2, 1));
    }

    [Fact]
    public void Copy_OutsideImage_ThrowsWithRectangle()
    {
        var source = RgbImage.Create(5, 4, _ => { });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ImageRegion.Copy(source, 3, 0, 3, 1));
        Assert.Contains("3x1 at (3, 0)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HalveGaussian_Impulse_SpreadsBinomialWeights()
    {
        // A 160 impulse at (4, 4) in a 9x9 image: output (2, 2) sits on it and gets 160·6·6/256 = 22.5 → 23
        // (rounded); output (1, 2) sits 2 pixels left of it and gets 160·1·6/256 = 3.75 → 4.
        var source = RgbImage.Create(9, 9, p => p.Slice(((4 * 9) + 4) * 3, 3).Fill(160));

        var half = ImageRegion.HalveGaussian(source);

        Assert.Equal((5, 5), (half.Width, half.Height));
        Assert.Equal(23, half.GetPixel(2, 2).R);
        Assert.Equal(4, half.GetPixel(1, 2).R);
        Assert.Equal(0, half.GetPixel(0, 0).R);
    }

    [Fact]
    public void HalveGaussian_FlatImage_StaysFlat()
    {
        var half = ImageRegion.HalveGaussian(RgbImage.Create(7, 6, p => p.Fill(99)));
        Assert.All(half.Pixels.ToArray(), v => Assert.Equal(99, v));
    }
}
