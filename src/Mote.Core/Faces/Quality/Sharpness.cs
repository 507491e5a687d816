using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;

namespace Mote.Core.Faces.Quality;

/// <summary>Focus measures on pixel buffers.</summary>
public static class Sharpness
{
    /// <summary>
    /// The template faces are aligned to for <see cref="FaceQualityOptions.MinSharpness"/>: InsightFace's five points
    /// scaled to 64x64, whatever the backbone. At one fixed, small size the measure judges blur relative to the face:
    /// a 250x250 LFW face (about 110 px) and the same photo upscaled 2x give nearly the same value, whereas the
    /// backbone's 150-px crop had upsampled (smoothed) LFW faces enough for sharp photos to fail (docs/faces.md).
    /// </summary>
    public static FaceTemplate FaceTemplate { get; } = FaceTemplates.InsightFace112.ScaledTo(64, 64, "quality-64");

    /// <summary>
    /// Variance of the 4-neighbour Laplacian (<c>[0 1 0; 1 −4 1; 0 1 0]</c>) of the grey image
    /// (<c>0.299 R + 0.587 G + 0.114 B</c>, 0..255), over interior pixels. Higher is sharper; the value
    /// depends on the crop size, so compare crops of one size (the default threshold of
    /// <see cref="FaceQualityOptions.MinSharpness"/> is for crops aligned to <see cref="FaceTemplate"/>).
    /// </summary>
    /// <returns>The variance, or 0 for images smaller than 3x3.</returns>
    public static double LaplacianVariance(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height;
        if (w < 3 || h < 3)
        {
            return 0;
        }

        var grey = new double[w * h];
        var pixels = image.Pixels;
        for (var i = 0; i < grey.Length; i++)
        {
            grey[i] = (0.299 * pixels[i * 3]) + (0.587 * pixels[(i * 3) + 1]) + (0.114 * pixels[(i * 3) + 2]);
        }

        double sum = 0, sumSquares = 0;
        long count = 0;
        for (var y = 1; y < h - 1; y++)
        {
            for (var x = 1; x < w - 1; x++)
            {
                var i = (y * w) + x;
                var lap = grey[i - 1] + grey[i + 1] + grey[i - w] + grey[i + w] - (4 * grey[i]);
                sum += lap;
                sumSquares += lap * lap;
                count++;
            }
        }

        var mean = sum / count;
        return Math.Max(0, (sumSquares / count) - (mean * mean));
    }
}
