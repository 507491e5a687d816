namespace Mote.Core.Faces.Quality;

/// <summary>Checks whether a detected face is good enough to enroll or to probe. Stateless and thread-safe.</summary>
public sealed class FaceQualityAssessor
{
    private readonly FaceQualityOptions _options;

    /// <summary>Creates an assessor with the given thresholds (defaults when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is negative or not a number; names the option.</exception>
    public FaceQualityAssessor(FaceQualityOptions? options = null)
    {
        _options = options ?? new FaceQualityOptions();
        NonNegative(_options.MinFaceWidthForDetection, nameof(FaceQualityOptions.MinFaceWidthForDetection));
        NonNegative(_options.MinFaceWidthForEnrollment, nameof(FaceQualityOptions.MinFaceWidthForEnrollment));
        NonNegative(_options.MinSharpness, nameof(FaceQualityOptions.MinSharpness));
        NonNegative(_options.MaxYawDegrees, nameof(FaceQualityOptions.MaxYawDegrees));
        NonNegative(_options.MaxRollDegrees, nameof(FaceQualityOptions.MaxRollDegrees));
        NonNegative(_options.MinDetectorScore, nameof(FaceQualityOptions.MinDetectorScore));
    }

    /// <summary>The thresholds in use.</summary>
    public FaceQualityOptions Options => _options;

    /// <summary>Measures <paramref name="input"/> (not modified) and returns every check that failed.</summary>
    public FaceQualityVerdict Assess(FaceQualityInput input, QualityPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(input);
        var measures = new FaceQualityMeasures(
            input.FaceWidthPixels,
            Sharpness.LaplacianVariance(input.AlignedCrop),
            HeadPose.YawDegrees(input.Landmarks),
            HeadPose.RollDegrees(input.Landmarks),
            input.DetectorScore);

        var issues = new List<FaceQualityIssue>();
        var reasons = new List<string>();
        var minWidth = purpose == QualityPurpose.Enrollment ? _options.MinFaceWidthForEnrollment : _options.MinFaceWidthForDetection;
        if (measures.FaceWidthPixels < minWidth)
        {
            issues.Add(FaceQualityIssue.TooSmall);
            reasons.Add($"face too small: {measures.FaceWidthPixels:0} px wide, at least {minWidth:0} px needed");
        }

        if (measures.DetectorScore < _options.MinDetectorScore)
        {
            issues.Add(FaceQualityIssue.LowDetectorScore);
            reasons.Add($"face detection uncertain: score {measures.DetectorScore:0.00}, at least {_options.MinDetectorScore:0.00} needed");
        }

        if (Math.Abs(measures.RollDegrees) > _options.MaxRollDegrees)
        {
            issues.Add(FaceQualityIssue.TooMuchRoll);
            reasons.Add($"head tilted too far: {Math.Abs(measures.RollDegrees):0.#}° roll, at most {_options.MaxRollDegrees:0}° allowed");
        }

        if (Math.Abs(measures.YawDegrees) > _options.MaxYawDegrees)
        {
            issues.Add(FaceQualityIssue.TooMuchYaw);
            reasons.Add($"face turned too far sideways: about {Math.Abs(measures.YawDegrees):0.#}° yaw, at most {_options.MaxYawDegrees:0}° allowed");
        }

        if (measures.Sharpness < _options.MinSharpness)
        {
            issues.Add(FaceQualityIssue.Blurred);
            reasons.Add($"image too blurred: sharpness {measures.Sharpness:0.0}, at least {_options.MinSharpness:0.0} needed");
        }

        return new FaceQualityVerdict(issues, reasons, measures);
    }

    private static void NonNegative(double value, string name)
    {
        if (!(value >= 0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"FaceQualityOptions.{name} must be a non-negative number.");
        }
    }
}
