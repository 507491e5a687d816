using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Mote.Core.Tests.Models.FaceApi;

/// <summary>A square face box in one of face-api's <c>demo/sample{Photo}.jpg</c> photos (pixels).</summary>
internal readonly record struct FaceBox(int Photo, int X, int Y, int Side);

/// <summary>Cuts face crops from the face-api demo photos as float32 NHWC RGB 0..255.</summary>
internal static class FaceCrops
{
    /// <summary>
    /// Two faces per demo photo, hand-picked: squares around the faces face-api's SSD detector reported
    /// (score ≥ 0.95) on the full-size photos, so each crop holds one whole face, like a loose face chip.
    /// </summary>
    public static IReadOnlyList<FaceBox> DemoFaces { get; } =
    [
        new(1, 383, 355, 240), new(1, 817, 420, 230),
        new(2, 1422, 153, 244), new(2, 860, 220, 234),
        new(3, 549, 329, 272), new(3, 1460, 292, 280),
        new(4, 629, 53, 258), new(4, 959, 180, 228),
        new(5, 759, 109, 212), new(5, 1074, 198, 238),
        new(6, 607, 320, 308), new(6, 1135, 305, 280),
    ];

    // Only the decoders the product allows (ARCHITECTURE §4): PNG and JPEG.
    private static readonly Configuration Decoders = new(new PngConfigurationModule(), new JpegConfigurationModule());

    /// <summary>Returns <paramref name="boxes"/> cut from <c>demo/</c> of the package and resized to <paramref name="size"/>², concatenated.</summary>
    public static float[] Load(string faceApiPackageDir, IReadOnlyList<FaceBox> boxes, int size)
    {
        var result = new float[boxes.Count * size * size * 3];
        var offset = 0;
        foreach (var group in boxes.Select((box, index) => (box, index)).GroupBy(b => b.box.Photo))
        {
            using var photo = Image.Load<Rgb24>(Decoders, Path.Combine(faceApiPackageDir, "demo", $"sample{group.Key}.jpg"));
            foreach (var (box, index) in group)
            {
                using var crop = photo.Clone(c => c
                    .Crop(new Rectangle(box.X, box.Y, box.Side, box.Side))
                    .Resize(size, size, KnownResamplers.Triangle));
                offset = index * size * size * 3;
                crop.ProcessPixelRows(rows =>
                {
                    for (var y = 0; y < size; y++)
                    {
                        var row = rows.GetRowSpan(y);
                        for (var x = 0; x < size; x++)
                        {
                            var p = row[x];
                            var i = offset + (((y * size) + x) * 3);
                            result[i] = p.R;
                            result[i + 1] = p.G;
                            result[i + 2] = p.B;
                        }
                    }
                });
            }
        }
        return result;
    }
}
