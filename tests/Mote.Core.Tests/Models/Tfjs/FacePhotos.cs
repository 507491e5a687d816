using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Mote.Core.Tests.Models.Tfjs;

/// <summary>How a model expects its RGB pixels scaled.</summary>
public enum PixelScaling
{
    /// <summary>v / 127.5 − 1, range [−1, 1].</summary>
    MinusOneToOne,

    /// <summary>v / 255, range [0, 1].</summary>
    ZeroToOne,

    /// <summary>v unchanged, range [0, 255].</summary>
    Raw255,
}

/// <summary>A hand-picked square around one face in a face-api demo photo (pixel coordinates of the decoded JPEG).</summary>
public sealed record FaceCrop(string Photo, int X, int Y, int Size)
{
    public override string ToString() => $"{Photo}@{X},{Y}+{Size}";
}

/// <summary>Decodes the face-api demo photos with ImageSharp (PNG and JPEG only) and turns crops into NHWC float tensors.</summary>
public static class FacePhotos
{
    // Boxes picked by eye on the 1920-px photos: three faces in sample1 (frontal, tilted, smiling),
    // three in sample2 (profile, looking down, looking down); sizes leave a margin around each face.
    public static readonly IReadOnlyList<FaceCrop> Crops =
    [
        new("sample1.jpg", 394, 344, 260),
        new("sample1.jpg", 804, 410, 260),
        new("sample1.jpg", 1440, 194, 260),
        new("sample2.jpg", 300, 130, 300),
        new("sample2.jpg", 820, 170, 300),
        new("sample2.jpg", 1390, 130, 300),
    ];

    private static readonly Configuration PngAndJpegOnly = new(new PngConfigurationModule(), new JpegConfigurationModule());

    /// <summary>The crop resized to <paramref name="size"/>², as a [1, size, size, 3] tensor.</summary>
    public static float[] CropTensor(string photosDir, FaceCrop crop, int size, PixelScaling scaling)
    {
        using var image = Image.Load<Rgb24>(PngAndJpegOnly, Path.Combine(photosDir, crop.Photo));
        image.Mutate(c => c.Crop(new Rectangle(crop.X, crop.Y, crop.Size, crop.Size)).Resize(size, size));
        return ToTensor(image, scaling);
    }

    /// <summary>The whole photo squeezed (aspect ratio not kept) to <paramref name="size"/>², as a [1, size, size, 3] tensor.</summary>
    public static float[] SqueezedTensor(string photosDir, string photo, int size, PixelScaling scaling)
    {
        using var image = Image.Load<Rgb24>(PngAndJpegOnly, Path.Combine(photosDir, photo));
        image.Mutate(c => c.Resize(size, size));
        return ToTensor(image, scaling);
    }

    private static float[] ToTensor(Image<Rgb24> image, PixelScaling scaling)
    {
        var data = new float[image.Width * image.Height * 3];
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var i = ((y * row.Length) + x) * 3;
                    data[i] = Scale(row[x].R, scaling);
                    data[i + 1] = Scale(row[x].G, scaling);
                    data[i + 2] = Scale(row[x].B, scaling);
                }
            }
        });
        return data;
    }

    private static float Scale(byte v, PixelScaling scaling) => scaling switch
    {
        PixelScaling.MinusOneToOne => (v / 127.5f) - 1f,
        PixelScaling.ZeroToOne => v / 255f,
        _ => v,
    };
}
