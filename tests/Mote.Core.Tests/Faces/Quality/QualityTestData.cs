using Mote.Core.Faces.Alignment;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Quality;

/// <summary>Builders for synthetic crops and landmark sets.</summary>
internal static class QualityTestData
{
    /// <summary>A black/white checkerboard of <paramref name="cell"/>-pixel squares.</summary>
    public static RgbImage Checkerboard(int size = 112, int cell = 8) => RgbImage.Create(size, size, pixels =>
    {
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var value = ((x / cell) + (y / cell)) % 2 == 0 ? (byte)230 : (byte)25;
                pixels.Slice(((y * size) + x) * 3, 3).Fill(value);
            }
        }
    });

    /// <summary>The image mirrored left to right (a new buffer).</summary>
    public static RgbImage Mirror(RgbImage image) => RgbImage.Create(image.Width, image.Height, pixels =>
    {
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.GetRow(y);
            for (var x = 0; x < image.Width; x++)
            {
                row.Slice((image.Width - 1 - x) * 3, 3).CopyTo(pixels.Slice(((y * image.Width) + x) * 3, 3));
            }
        }
    });

    /// <summary><paramref name="passes"/> passes of a (2r+1)² box blur, edge-replicated.</summary>
    public static RgbImage BoxBlur(RgbImage image, int radius, int passes)
    {
        for (var p = 0; p < passes; p++)
        {
            var source = image;
            int w = source.Width, h = source.Height;
            image = RgbImage.Create(w, h, output =>
            {
                for (var y = 0; y < h; y++)
                {
                    for (var x = 0; x < w; x++)
                    {
                        for (var c = 0; c < 3; c++)
                        {
                            var sum = 0;
                            for (var dy = -radius; dy <= radius; dy++)
                            {
                                for (var dx = -radius; dx <= radius; dx++)
                                {
                                    var xx = Math.Clamp(x + dx, 0, w - 1);
                                    var yy = Math.Clamp(y + dy, 0, h - 1);
                                    sum += source.Pixels[(((yy * w) + xx) * 3) + c];
                                }
                            }

                            output[(((y * w) + x) * 3) + c] = (byte)(sum / ((2 * radius) + 1) / ((2 * radius) + 1));
                        }
                    }
                }
            });
        }

        return image;
    }

    /// <summary>
    /// Landmarks of a generic head (eye distance <paramref name="eyeDistance"/> px, nose tip
    /// <see cref="HeadPose.NoseDepthRatio"/> × that in front of the eyes) turned by <paramref name="yawDegrees"/>, tilted by <paramref name="rollDegrees"/>
    /// in the image plane and projected orthographically around (200, 150).
    /// </summary>
    public static FivePointLandmarks Head(double yawDegrees, double rollDegrees, double eyeDistance = 60)
    {
        var yaw = yawDegrees * Math.PI / 180;
        var e = eyeDistance;
        // (x, y, depth towards the camera) in head coordinates, then turned about the vertical axis.
        (double X, double Y, double Z)[] head =
        [
            (-e / 2, 0, 0), (e / 2, 0, 0), (0, 0.6 * e, HeadPose.NoseDepthRatio * e), (-0.4 * e, 1.1 * e, 0.15 * e), (0.4 * e, 1.1 * e, 0.15 * e),
        ];
        var turned = head.Select(p => new Point2D((p.X * Math.Cos(yaw)) + (p.Z * Math.Sin(yaw)), p.Y)).ToArray();
        var tilt = SimilarityTransform.FromParameters(1, rollDegrees * Math.PI / 180, 200, 150);
        return FivePointLandmarks.FromPoints(turned.Select(tilt.Apply).ToArray());
    }
}
