using Mote.Core.Imaging;

namespace Mote.Core.Faces.Alignment;

/// <summary>
/// Where the five landmarks should land in an aligned crop of <see cref="Width"/>x<see cref="Height"/>
/// pixels (points in the order of <see cref="FivePointLandmarks.ToArray"/>).
/// </summary>
public sealed record FaceTemplate
{
    /// <summary>Creates a template; <paramref name="points"/> is copied.</summary>
    /// <exception cref="ArgumentException">Not five points, or a non-positive size.</exception>
    public FaceTemplate(string name, int width, int height, IReadOnlyList<Point2D> points)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Landmarks = FivePointLandmarks.FromPoints(points);
        Name = name;
        Width = width;
        Height = height;
    }

    /// <summary>A short name for logs and manifests, e.g. <c>insightface-112</c>.</summary>
    public string Name { get; }

    /// <summary>Crop width in pixels.</summary>
    public int Width { get; }

    /// <summary>Crop height in pixels.</summary>
    public int Height { get; }

    /// <summary>Target positions of the five landmarks.</summary>
    public FivePointLandmarks Landmarks { get; }

    /// <summary>
    /// The same template for a crop of <paramref name="width"/>x<paramref name="height"/>: every point
    /// scaled by <c>width / Width</c> and <c>height / Height</c> (a non-square target distorts the face,
    /// so keep the aspect ratio of the original). This instance is not modified.
    /// </summary>
    public FaceTemplate ScaledTo(int width, int height, string? name = null)
    {
        var sx = (double)width / Width;
        var sy = (double)height / Height;
        var points = Landmarks.ToArray().Select(p => new Point2D(p.X * sx, p.Y * sy)).ToArray();
        return new FaceTemplate(name ?? $"{Name}@{width}x{height}", width, height, points);
    }
}

/// <summary>Canonical alignment templates, as data.</summary>
public static class FaceTemplates
{
    /// <summary>
    /// InsightFace's 5-point template for a 112x112 crop (ArcFace <c>norm_crop</c>), used by
    /// <c>w600k_r50</c>, <c>mobileface</c> and <c>mobilefacenet</c>-style 112x112 descriptors.
    /// </summary>
    public static FaceTemplate InsightFace112 { get; } = new("insightface-112", 112, 112,
    [
        new(38.2946, 51.6963),
        new(73.5318, 51.5014),
        new(56.0252, 71.7366),
        new(41.5493, 92.3655),
        new(70.7299, 92.2041),
    ]);

    /// <summary>
    /// A dlib-style 150x150 chip as fed to dlib's ResNet face descriptor
    /// (<c>face_recognition_model</c> in face-api), expressed for our five landmarks.
    /// </summary>
    /// <remarks>
    /// Derived from dlib's <c>get_face_chip_details(det, 150, 0.25)</c> (the call in dlib's
    /// face-recognition example), whose 68-point mean face maps a normalised point p to
    /// <c>(0.25 + p) / 1.5 · 150 = 25 + 100·p</c>. Our landmarks taken from that mean face: eye centres =
    /// mean of points 36–41 and 42–47 → (0.225492, 0.215990) and (0.754761, 0.215990); nose tip =
    /// point 30 → (0.490127, 0.515625); mouth corners = points 48 and 54 → (0.254149, 0.780233) and
    /// (0.726104, 0.780233). dlib itself fits all 68 points minus eyebrows and lower lip (or its own
    /// 5-point eye-corner layout), so a 5-point fit to this template approximates dlib's chip; how close
    /// it comes on real faces is still to be measured against the descriptor's accuracy.
    /// </remarks>
    public static FaceTemplate Dlib150 { get; } = new("dlib-150", 150, 150,
    [
        FromDlibMeanFace(0.225492, 0.215990),
        FromDlibMeanFace(0.754761, 0.215990),
        FromDlibMeanFace(0.490127, 0.515625),
        FromDlibMeanFace(0.254149, 0.780233),
        FromDlibMeanFace(0.726104, 0.780233),
    ]);

    private static Point2D FromDlibMeanFace(double x, double y)
    {
        const double size = 150, padding = 0.25;
        return new Point2D((padding + x) / (1 + (2 * padding)) * size, (padding + y) / (1 + (2 * padding)) * size);
    }
}
