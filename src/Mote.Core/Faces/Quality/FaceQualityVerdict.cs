using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;

namespace Mote.Core.Faces.Quality;

/// <summary>What a face is being checked for; enrollment is stricter about size.</summary>
public enum QualityPurpose
{
    /// <summary>A probe for verification or identification.</summary>
    Detection = 0,

    /// <summary>A reference photo for enrolling a person.</summary>
    Enrollment = 1,
}

/// <summary>Why a face failed the quality check.</summary>
public enum FaceQualityIssue
{
    /// <summary>The face is narrower than the minimum for the purpose.</summary>
    TooSmall = 1,

    /// <summary>The aligned crop's Laplacian variance is below the minimum.</summary>
    Blurred = 2,

    /// <summary>The head is turned sideways beyond the limit.</summary>
    TooMuchYaw = 3,

    /// <summary>The head is tilted in the image plane beyond the limit.</summary>
    TooMuchRoll = 4,

    /// <summary>The detector's confidence is below the minimum.</summary>
    LowDetectorScore = 5,
}

/// <summary>What the assessor is given about one detected face.</summary>
/// <param name="FaceWidthPixels">Detector box width in source-image pixels.</param>
/// <param name="Landmarks">Five landmarks in source-image pixels.</param>
/// <param name="DetectorScore">Detector confidence, 0..1.</param>
/// <param name="AlignedCrop">The face aligned to <see cref="Sharpness.FaceTemplate"/> (64x64), for the sharpness measure.</param>
public sealed record FaceQualityInput(double FaceWidthPixels, FivePointLandmarks Landmarks, double DetectorScore, RgbImage AlignedCrop);

/// <summary>The measured values behind a verdict.</summary>
/// <param name="FaceWidthPixels">Face width in source pixels.</param>
/// <param name="Sharpness">Laplacian variance of the aligned crop.</param>
/// <param name="YawDegrees">Estimated yaw; positive towards the image right.</param>
/// <param name="RollDegrees">Eye-line angle; positive clockwise on screen.</param>
/// <param name="DetectorScore">Detector confidence.</param>
public sealed record FaceQualityMeasures(double FaceWidthPixels, double Sharpness, double YawDegrees, double RollDegrees, double DetectorScore);

/// <summary>Accept or reject, with reasons for code and sentences for people.</summary>
/// <param name="Issues">Every failed check, in a fixed order (size, score, roll, yaw, blur); empty when accepted.</param>
/// <param name="Reasons">One plain-language sentence per issue, same order.</param>
/// <param name="Measures">The values the checks used.</param>
public sealed record FaceQualityVerdict(IReadOnlyList<FaceQualityIssue> Issues, IReadOnlyList<string> Reasons, FaceQualityMeasures Measures)
{
    /// <summary>True when no check failed.</summary>
    public bool IsAccepted => Issues.Count == 0;
}
