namespace Mote.Core.Faces.Quality;

/// <summary>Thresholds for <see cref="FaceQualityAssessor"/>.</summary>
public sealed record FaceQualityOptions
{
    /// <summary>Minimum face (detector box) width in source pixels for probes. Default 40.</summary>
    public double MinFaceWidthForDetection { get; init; } = 40;

    /// <summary>Minimum face width in source pixels for enrollment photos. Default 80.</summary>
    public double MinFaceWidthForEnrollment { get; init; } = 80;

    /// <summary>
    /// Minimum Laplacian variance of the face aligned to the 64x64 <see cref="Sharpness.FaceTemplate"/>
    /// (<see cref="Sharpness.LaplacianVariance"/>), whatever the photo size and backbone. Default 80, calibrated
    /// 2026-11-29 on 400 LFW dev photos (seed 3; docs/faces.md): 99.3% of the photos pass as they are, 98.5% at half
    /// size and 98.8% upscaled 2x, while 98.3% of copies Gaussian-blurred with σ = 3 source pixels, 83% of copies
    /// downsampled 4x and upsampled again and 71% with σ = 2 are refused. (The former threshold 20 was measured on
    /// 112-px crops but applied to the backbone's 150-px crop, on which sharp LFW faces fell below it.)
    /// </summary>
    public double MinSharpness { get; init; } = 80;

    /// <summary>
    /// Largest accepted |yaw| in degrees (<see cref="HeadPose.YawDegrees"/>). Default 45, set 2026-12-05 on lfw-dev's
    /// first photos (<c>mote faces quality-audit</c>, docs/faces.md): with the calibrated yaw 0.5 % of them read beyond
    /// 45°, and those looked at are three-quarter views or near profiles; faces read at 40–45° are clearly but
    /// moderately turned with both eyes in view, and 40° would refuse 1.2 %, 30° 4.3 %. (The former 30° on the
    /// uncalibrated estimate refused 10.8 %, e.g. Angela_Merkel_0001, turned about 25°.)
    /// </summary>
    public double MaxYawDegrees { get; init; } = 45;

    /// <summary>Largest accepted |roll| in degrees. Default 30 (alignment undoes roll; beyond that landmarks get unreliable).</summary>
    public double MaxRollDegrees { get; init; } = 30;

    /// <summary>Minimum detector score (0..1). Default 0.5.</summary>
    public double MinDetectorScore { get; init; } = 0.5;
}
