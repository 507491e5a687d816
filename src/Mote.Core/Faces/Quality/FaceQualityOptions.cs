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
    /// (<see cref="Sharpness.LaplacianVariance"/>), whatever the photo size and backbone. Default 60, set 2026-12-07 by what
    /// recognition needs (<c>mote faces quality-audit --recognition --condition blur2</c>, docs/faces.md "Quality: the gate
    /// against recognition"): lfw-dev first photos blurred with σ = 2 and scored against the identity's unblurred second
    /// photo are recognised less often below 60 (faceplugin-fr 87.8 % under 40 and 93.1 % at 40–60 against 94–98 % at 60–80;
    /// dlib-resnet 83.2 % and 87.7 % against 91–92 %) and no differently at 60–80 than at 80–100, and their false matches do
    /// not depend on the band (0.14–0.18 %). At 60, 99.8 % of sharp LFW photos pass, 98 % of copies blurred with σ = 3 and
    /// 41 % with σ = 2 are refused. (It was 80, calibrated 2026-11-29 on blurred copies alone; that refused 51 of 4,036
    /// lfw-dev first photos as blurred, which the default backbone then recognised 11 of 11 times from a second photo.)
    /// </summary>
    public double MinSharpness { get; init; } = 60;

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
