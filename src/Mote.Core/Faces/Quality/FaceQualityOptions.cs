namespace Mote.Core.Faces.Quality;

/// <summary>Thresholds for <see cref="FaceQualityAssessor"/>.</summary>
public sealed record FaceQualityOptions
{
    /// <summary>Minimum face (detector box) width in source pixels for probes. Default 40.</summary>
    public double MinFaceWidthForDetection { get; init; } = 40;

    /// <summary>Minimum face width in source pixels for enrollment photos. Default 80.</summary>
    public double MinFaceWidthForEnrollment { get; init; } = 80;

    /// <summary>
    /// Minimum Laplacian variance of the 112x112 aligned crop (<see cref="Sharpness.LaplacianVariance"/>).
    /// Default 20. Measured on 600 LFW deep-funneled photos warped to 112x112 with fixed approximate
    /// landmarks: no sharp photo fell below 20 (1st percentile 31.5, median 130), while 94.5% of the same
    /// photos Gaussian-blurred with σ = 2 px (source pixels) and 97.7% of those downsampled 4x and
    /// upsampled again did; σ = 1 px blur (median 43) mostly passes.
    /// </summary>
    public double MinSharpness { get; init; } = 20;

    /// <summary>Largest accepted |yaw| in degrees (<see cref="HeadPose.YawDegrees"/>). Default 30.</summary>
    public double MaxYawDegrees { get; init; } = 30;

    /// <summary>Largest accepted |roll| in degrees. Default 30 (alignment undoes roll; beyond that landmarks get unreliable).</summary>
    public double MaxRollDegrees { get; init; } = 30;

    /// <summary>Minimum detector score (0..1). Default 0.5.</summary>
    public double MinDetectorScore { get; init; } = 0.5;
}
