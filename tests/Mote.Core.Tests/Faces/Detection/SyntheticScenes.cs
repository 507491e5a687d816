using Mote.Core.Faces;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Detection;

/// <summary>Large synthetic test images: seeded texture backgrounds, optionally with real face crops pasted in small.</summary>
internal static class SyntheticScenes
{
    /// <summary>
    /// Value noise at three scales (4, 16 and 64 cells across) over a colour gradient plus per-pixel noise:
    /// edges and blobs at every scale, so a detector has texture to be fooled by.
    /// </summary>
    public static RgbImage Texture(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var layers = new[] { (Cells: 4, Amplitude: 60.0), (Cells: 16, Amplitude: 40.0), (Cells: 64, Amplitude: 25.0) }
            .Select(l => (l.Cells, l.Amplitude, Grid: Enumerable.Range(0, (l.Cells + 2) * (l.Cells + 2)).Select(_ => rng.NextDouble()).ToArray()))
            .ToArray();
        var (r, g, b) = (rng.Next(60, 200), rng.Next(60, 200), rng.Next(60, 200));
        return RgbImage.Create(width, height, p =>
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    double v = 0;
                    foreach (var (cells, amplitude, grid) in layers)
                    {
                        var fx = x * (double)cells / width;
                        var fy = y * (double)cells / height;
                        int ix = (int)fx, iy = (int)fy, stride = cells + 2;
                        double tx = fx - ix, ty = fy - iy;
                        var top = (grid[(iy * stride) + ix] * (1 - tx)) + (grid[(iy * stride) + ix + 1] * tx);
                        var bottom = (grid[((iy + 1) * stride) + ix] * (1 - tx)) + (grid[((iy + 1) * stride) + ix + 1] * tx);
                        v += ((top * (1 - ty)) + (bottom * ty) - 0.5) * amplitude;
                    }

                    var gradient = ((x / (double)width) - 0.5) * 40;
                    var i = ((y * width) + x) * 3;
                    p[i] = (byte)Math.Clamp(r + v + gradient + rng.Next(-8, 9), 0, 255);
                    p[i + 1] = (byte)Math.Clamp(g + v - gradient + rng.Next(-8, 9), 0, 255);
                    p[i + 2] = (byte)Math.Clamp(b + v + rng.Next(-8, 9), 0, 255);
                }
            }
        });
    }

    /// <summary>
    /// Pastes each face (a square crop of twice its box around the box centre) scaled so that the box is
    /// <paramref name="faceWidths"/>[k] pixels wide, on a 3-column, 2-row jittered grid; returns the scene and where
    /// each face box landed.
    /// </summary>
    public static (RgbImage Scene, FaceBox[] Faces) PasteFaces(RgbImage background, IReadOnlyList<(RgbImage Photo, FaceBox Box)> faces, IReadOnlyList<int> faceWidths, int seed)
    {
        var rng = new Random(seed);
        var pixels = background.Pixels.ToArray();
        var (w, h) = (background.Width, background.Height);
        var placed = new FaceBox[faces.Count];
        for (var k = 0; k < faces.Count; k++)
        {
            var (photo, box) = faces[k];
            var side = (int)(box.Width * 2);
            var cropLeft = (int)Math.Clamp(box.X + (box.Width / 2) - (side / 2), 0, photo.Width - side);
            var cropTop = (int)Math.Clamp(box.Y + (box.Height / 2) - (side / 2), 0, photo.Height - side);
            var scale = faceWidths[k] / box.Width;
            var size = (int)Math.Round(side * scale);
            var small = ImageResizer.Resize(ImageRegion.Copy(photo, cropLeft, cropTop, side, side), size, size).Image;
            var left = (int)((w * (0.12 + (0.3 * (k % 3)))) + rng.Next(-60, 60));
            var top = (int)((h * (0.2 + (0.45 * (k / 3 % 2)))) + rng.Next(-60, 60));
            for (var y = 0; y < size; y++)
            {
                small.GetRow(y).CopyTo(pixels.AsSpan((((top + y) * w) + left) * 3, size * 3));
            }

            placed[k] = new FaceBox(left + ((box.X - cropLeft) * scale), top + ((box.Y - cropTop) * scale), box.Width * scale, box.Height * scale);
        }

        return (RgbImage.FromPixels(w, h, pixels), placed);
    }
}
