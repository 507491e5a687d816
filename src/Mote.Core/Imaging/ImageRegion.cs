namespace Mote.Core.Imaging;

/// <summary>Cut-outs and pyramid levels of an <see cref="RgbImage"/>.</summary>
public static class ImageRegion
{
    private static readonly int[] Binomial5 = [1, 4, 6, 4, 1];

    /// <summary>A copy of the rectangle at (<paramref name="left"/>, <paramref name="top"/>); <paramref name="source"/> is not modified.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle is empty or leaves the image.</exception>
    public static RgbImage Copy(RgbImage source, int left, int top, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (left + width > source.Width || top + height > source.Height)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"Rectangle {width}x{height} at ({left}, {top}) leaves the {source.Width}x{source.Height} image.");
        }

        return RgbImage.Create(width, height, pixels =>
        {
            for (var y = 0; y < height; y++)
            {
                source.GetRow(top + y).Slice(left * 3, width * 3).CopyTo(pixels.Slice(y * width * 3, width * 3));
            }
        });
    }

    /// <summary>
    /// One Gaussian pyramid level: smooth with the separable 5-tap binomial kernel [1 4 6 4 1]/16 (edges
    /// replicated) and keep every second pixel, so output pixel p is centred on input pixel 2p. Output size
    /// is ⌈W/2⌉ x ⌈H/2⌉. <paramref name="source"/> is not modified.
    /// </summary>
    public static RgbImage HalveGaussian(RgbImage source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int w = source.Width, h = source.Height;
        int ow = (w + 1) / 2, oh = (h + 1) / 2;

        // Horizontal pass at the kept columns only, kept as 16x-scaled integers.
        var rows = new int[h * ow * 3];
        var pixels = source.Pixels;
        for (var y = 0; y < h; y++)
        {
            var row = pixels.Slice(y * w * 3, w * 3);
            for (var x = 0; x < ow; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var sum = 0;
                    for (var k = -2; k <= 2; k++)
                    {
                        sum += Binomial5[k + 2] * row[(Math.Clamp((2 * x) + k, 0, w - 1) * 3) + c];
                    }

                    rows[(((y * ow) + x) * 3) + c] = sum;
                }
            }
        }

        return RgbImage.Create(ow, oh, output =>
        {
            for (var y = 0; y < oh; y++)
            {
                for (var i = 0; i < ow * 3; i++)
                {
                    var sum = 0;
                    for (var k = -2; k <= 2; k++)
                    {
                        sum += Binomial5[k + 2] * rows[(Math.Clamp((2 * y) + k, 0, h - 1) * ow * 3) + i];
                    }

                    output[(y * ow * 3) + i] = (byte)((sum + 128) / 256); // 16 x 16 = 256, rounded
                }
            }
        });
    }
}
