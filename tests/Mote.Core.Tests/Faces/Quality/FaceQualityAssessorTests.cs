using Mote.Core.Faces.Quality;

namespace Mote.Core.Tests.Faces.Quality;

public sealed class FaceQualityAssessorTests
{
    private static readonly FaceQualityAssessor Assessor = new();

    private static FaceQualityInput GoodFace() =>
        new(FaceWidthPixels: 120, QualityTestData.Head(yawDegrees: 5, rollDegrees: 3), DetectorScore: 0.93, QualityTestData.Checkerboard());

    [Fact]
    public void Assess_GoodFaceForEnrollment_Accepted()
    {
        var verdict = Assessor.Assess(GoodFace(), QualityPurpose.Enrollment);

        Assert.True(verdict.IsAccepted, string.Join("; ", verdict.Reasons));
        Assert.Empty(verdict.Reasons);
        Assert.Equal(5, verdict.Measures.YawDegrees, 6);
        Assert.Equal(3, verdict.Measures.RollDegrees, 6);
    }

    [Fact]
    public void Assess_SmallFace_RejectedForEnrollmentButAcceptedAsProbe()
    {
        var input = GoodFace() with { FaceWidthPixels = 61 };

        var enrollment = Assessor.Assess(input, QualityPurpose.Enrollment);
        var probe = Assessor.Assess(input, QualityPurpose.Detection);

        Assert.Equal([FaceQualityIssue.TooSmall], enrollment.Issues);
        Assert.Equal("face too small: 61 px wide, at least 80 px needed", enrollment.Reasons[0]);
        Assert.True(probe.IsAccepted);
    }

    [Fact]
    public void Assess_TinyProbe_RejectedAsTooSmall()
    {
        var verdict = Assessor.Assess(GoodFace() with { FaceWidthPixels = 31 }, QualityPurpose.Detection);
        Assert.Equal("face too small: 31 px wide, at least 40 px needed", Assert.Single(verdict.Reasons));
    }

    [Fact]
    public void Assess_BlurredCrop_RejectedAsBlurred()
    {
        // A full-contrast checkerboard keeps strong edges under mild blur (186 after σ ≈ 2 px); three 7x7
        // box passes (σ ≈ 3.5 px) bring it to 16.6, below the default 80.
        var input = GoodFace() with { AlignedCrop = QualityTestData.BoxBlur(QualityTestData.Checkerboard(), radius: 3, passes: 3) };

        var verdict = Assessor.Assess(input, QualityPurpose.Enrollment);

        Assert.Equal([FaceQualityIssue.Blurred], verdict.Issues);
        Assert.StartsWith("image too blurred: sharpness ", verdict.Reasons[0], StringComparison.Ordinal);
        Assert.True(verdict.Measures.Sharpness < Assessor.Options.MinSharpness);
    }

    [Fact]
    public void Assess_TurnedAndTiltedFaceWithLowScore_ReportsEveryIssueInOrder()
    {
        var input = GoodFace() with { Landmarks = QualityTestData.Head(yawDegrees: -52, rollDegrees: 37), DetectorScore = 0.31 };

        var verdict = Assessor.Assess(input, QualityPurpose.Detection);

        Assert.False(verdict.IsAccepted);
        Assert.Equal([FaceQualityIssue.LowDetectorScore, FaceQualityIssue.TooMuchRoll, FaceQualityIssue.TooMuchYaw], verdict.Issues);
        Assert.Equal(
            [
                "face detection uncertain: score 0.31, at least 0.50 needed",
                "head tilted too far: 37° roll, at most 30° allowed",
                "face turned too far sideways: about 52° yaw, at most 45° allowed",
            ],
            verdict.Reasons);
    }

    [Fact]
    public void Constructor_NegativeThreshold_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FaceQualityAssessor(new FaceQualityOptions { MaxYawDegrees = -1 }));
        Assert.Equal("MaxYawDegrees", ex.ParamName);
    }
}
