using Mote.Core.Faces.Alignment;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;

namespace Mote.Core.Faces.Pipeline;

/// <summary>One face through the whole pipeline, in source-image pixels.</summary>
/// <param name="Detection">Box, detector score and keypoints.</param>
/// <param name="Landmarks">The five landmarks used for alignment.</param>
/// <param name="Quality">The quality verdict (for the pipeline's purpose).</param>
/// <param name="AlignedCrop">The crop given to the backbone, when <see cref="FacePipelineOptions.KeepAlignedCrops"/> is on.</param>
/// <param name="Descriptor">L2-normalised descriptor of the backbone.</param>
public sealed record FaceResult(DetectedFace Detection, FivePointLandmarks Landmarks, FaceQualityVerdict Quality, RgbImage? AlignedCrop, float[] Descriptor)
{
    /// <summary>The detector box.</summary>
    public FaceBox Box => Detection.Box;

    /// <summary>The detector score, 0..1.</summary>
    public double Score => Detection.Score;
}

/// <summary>Time spent per stage on one image, in milliseconds; <see cref="InferenceMs"/> is the part inside ONNX Runtime.</summary>
public sealed record PipelineTimings(double DecodeMs, double DetectMs, double LandmarksMs, double AlignMs, double DescribeMs, double InferenceMs)
{
    /// <summary>Decode through describe.</summary>
    public double TotalMs => DecodeMs + DetectMs + LandmarksMs + AlignMs + DescribeMs;

    /// <summary>
    /// For a composite backbone (<see cref="Descriptors.ICompositeFaceDescriber"/>), per part: the time spent only for
    /// that part (its own alignment, except the first part's, which is the pipeline's, and its describe call), so that
    /// <c>TotalMs − Σ other parts</c> estimates the photo's time on that part alone. Null otherwise.
    /// </summary>
    public IReadOnlyList<double>? PartMs { get; init; }
}

/// <summary>Everything found in one photo.</summary>
/// <param name="Width">Photo width after EXIF orientation.</param>
/// <param name="Height">Photo height.</param>
/// <param name="BackboneId">The backbone that produced the descriptors.</param>
/// <param name="Faces">Faces, best detector score first.</param>
/// <param name="Timings">Per-stage timings.</param>
public sealed record FaceAnalysis(int Width, int Height, string BackboneId, IReadOnlyList<FaceResult> Faces, PipelineTimings Timings)
{
    /// <summary>
    /// The face a single-face use (enrollment, verification) should take: among faces whose quality was
    /// accepted (or all faces when <paramref name="requireAccepted"/> is false), the widest, ties
    /// going to the one nearest the photo's centre. Null when there is none.
    /// </summary>
    public FaceResult? BestFace(bool requireAccepted = true)
    {
        var centre = new Point2D(Width / 2.0, Height / 2.0);
        return Faces
            .Where(f => !requireAccepted || f.Quality.IsAccepted)
            .OrderByDescending(f => Math.Round(f.Box.Width / Math.Max(1, Width) * 20)) // 5%-of-width bands: near-equal sizes count as equal
            .ThenBy(f => f.Box.Center.DistanceTo(centre))
            .FirstOrDefault();
    }
}

/// <summary>Why no usable face came out of a photo.</summary>
public enum FaceRejectionReason
{
    /// <summary>The detector found no face.</summary>
    NoFace = 1,

    /// <summary>Faces were found but none passed the quality check (see the verdict's reasons).</summary>
    QualityRejected = 2,
}

/// <summary>No usable face in a photo; the message says why in words.</summary>
public sealed class FaceNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FaceNotFoundException(FaceRejectionReason reason, string message, FaceQualityVerdict? verdict = null)
        : base(message)
    {
        Reason = reason;
        Verdict = verdict;
    }

    /// <summary>Why.</summary>
    public FaceRejectionReason Reason { get; }

    /// <summary>The best face's quality verdict when <see cref="Reason"/> is <see cref="FaceRejectionReason.QualityRejected"/>.</summary>
    public FaceQualityVerdict? Verdict { get; }
}
