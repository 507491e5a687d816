using Mote.Core.Imaging;

namespace Mote.Core.Faces.Alignment;

/// <summary>
/// The five facial landmarks used for alignment and quality, in image orientation: "left" is the
/// image-left side (the subject's right), as in InsightFace and BlazeFace outputs.
/// </summary>
/// <param name="LeftEye">Centre of the image-left eye.</param>
/// <param name="RightEye">Centre of the image-right eye.</param>
/// <param name="Nose">Nose tip.</param>
/// <param name="LeftMouth">Image-left mouth corner.</param>
/// <param name="RightMouth">Image-right mouth corner.</param>
public readonly record struct FivePointLandmarks(Point2D LeftEye, Point2D RightEye, Point2D Nose, Point2D LeftMouth, Point2D RightMouth)
{
    /// <summary>The points in the fixed order left eye, right eye, nose, left mouth, right mouth.</summary>
    public Point2D[] ToArray() => [LeftEye, RightEye, Nose, LeftMouth, RightMouth];

    /// <summary>Builds landmarks from exactly five points in the order of <see cref="ToArray"/>.</summary>
    /// <exception cref="ArgumentException">Not exactly five points.</exception>
    public static FivePointLandmarks FromPoints(IReadOnlyList<Point2D> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count != 5)
        {
            throw new ArgumentException($"Five landmarks are needed (left eye, right eye, nose, left mouth, right mouth); {points.Count} were given.", nameof(points));
        }

        return new FivePointLandmarks(points[0], points[1], points[2], points[3], points[4]);
    }

    /// <summary>Every point mapped through <paramref name="transform"/>.</summary>
    public FivePointLandmarks Transform(SimilarityTransform transform) => new(
        transform.Apply(LeftEye), transform.Apply(RightEye), transform.Apply(Nose), transform.Apply(LeftMouth), transform.Apply(RightMouth));
}
