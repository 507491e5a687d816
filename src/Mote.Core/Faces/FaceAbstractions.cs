using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;

namespace Mote.Core.Faces;

/// <summary>An axis-aligned box in source-image pixels (x, y = top-left corner).</summary>
public readonly record struct FaceBox(double X, double Y, double Width, double Height)
{
    /// <summary>Right edge in pixels (<see cref="X"/> + <see cref="Width"/>).</summary>
    public double Right => X + Width;

    /// <summary>Bottom edge in pixels (<see cref="Y"/> + <see cref="Height"/>).</summary>
    public double Bottom => Y + Height;

    /// <summary>Centre of the box in pixels.</summary>
    public Point2D Center => new(X + (Width / 2), Y + (Height / 2));

    /// <summary>Intersection over union with <paramref name="other"/> (0 when disjoint).</summary>
    public double IntersectionOverUnion(FaceBox other)
    {
        var w = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        var h = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }
        var intersection = w * h;
        return intersection / ((Width * Height) + (other.Width * other.Height) - intersection);
    }
}

/// <summary>
/// One face found by a detector, in source-image pixels: its box, the detector's confidence (0..1),
/// the detector's own keypoints (e.g. BlazeFace's six: eyes, nose tip, mouth centre, ears), and five
/// alignment landmarks when the detector or a landmark model provides them.
/// </summary>
public sealed record DetectedFace(FaceBox Box, double Score, IReadOnlyList<Point2D> Keypoints, FivePointLandmarks? Landmarks);

/// <summary>Finds faces in a whole photo. Implementations are thread-safe and own native sessions.</summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>Stable id of the detector model (e.g. "blazeface"), recorded with results.</summary>
    string Id { get; }

    /// <summary>All faces, best score first, after non-maximum suppression.</summary>
    IReadOnlyList<DetectedFace> Detect(RgbImage image);
}

/// <summary>Refines a detection into five alignment landmarks (e.g. from a 68-point net).</summary>
public interface ILandmarkRefiner : IDisposable
{
    /// <summary>Returns the five alignment landmarks of <paramref name="face"/> in <paramref name="image"/>, in source-image pixels.</summary>
    FivePointLandmarks Refine(RgbImage image, DetectedFace face);
}

/// <summary>
/// A backbone: turns an aligned face crop into a descriptor. The crop must follow
/// <see cref="Template"/> (size and landmark positions). Thread-safe.
/// </summary>
public interface IFaceDescriber : IDisposable
{
    /// <summary>Stable backbone id (e.g. "dlib-resnet"), recorded in templates and populations.</summary>
    string BackboneId { get; }

    /// <summary>SHA-256 of the backbone's ONNX file, so templates and population packs can refuse a different model.</summary>
    string BackboneHash { get; }

    /// <summary>Descriptor length (128 for the dlib ResNet).</summary>
    int Dimension { get; }

    /// <summary>The canonical landmark template (and crop size) this backbone expects.</summary>
    FaceTemplate Template { get; }

    /// <summary>L2-normalised descriptors, one per crop, in order.</summary>
    float[][] Describe(IReadOnlyList<RgbImage> alignedCrops);
}

/// <summary>Estimated demographic attributes of a face, always marked as estimates, with probabilities.</summary>
/// <param name="Gender">The more probable gender.</param>
/// <param name="GenderProbability">Its probability (0.5..1): the estimator's confidence in <paramref name="Gender"/>.</param>
/// <param name="AgeYears">Estimated age in years.</param>
/// <param name="AgeBand">The most probable age band.</param>
/// <param name="AgeBandProbability">Its probability (the summed probability of the model's classes in that band): the confidence in <paramref name="AgeBand"/>.</param>
/// <param name="Ethnicity">The most probable ethnicity.</param>
/// <param name="EthnicityProbability">Its probability: the confidence in <paramref name="Ethnicity"/>.</param>
/// <param name="EthnicityProbabilities">Every ethnicity's probability.</param>
public sealed record AttributeEstimate(
    string Gender,
    double GenderProbability,
    double AgeYears,
    string AgeBand,
    double AgeBandProbability,
    string Ethnicity,
    double EthnicityProbability,
    IReadOnlyDictionary<string, double> EthnicityProbabilities)
{
    /// <summary>Always true: these are a model's guesses, never declared facts.</summary>
    public bool IsEstimated => true;
}

/// <summary>Estimates attributes from a face in a photo.</summary>
public interface IAttributeEstimator : IDisposable
{
    /// <summary>Estimates the attributes of <paramref name="face"/> in <paramref name="image"/>, each with its confidence.</summary>
    AttributeEstimate Estimate(RgbImage image, DetectedFace face);
}
