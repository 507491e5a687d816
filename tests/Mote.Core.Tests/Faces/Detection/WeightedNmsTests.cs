using Mote.Core.Faces;
using Mote.Core.Faces.Detection;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Detection;

public sealed class WeightedNmsTests
{
    [Fact]
    public void Apply_TwoOverlappingCandidates_BlendsByScoreAndKeepsBestScore()
    {
        var strong = Candidate(0, 0, 100, 0.9, new Point2D(10, 10));
        var weak = Candidate(10, 0, 100, 0.3, new Point2D(40, 10)); // IoU 0.82

        var merged = Assert.Single(WeightedNms.Apply([weak, strong], 0.3));

        Assert.Equal(0.9, merged.Score);
        Assert.Equal(2.5, merged.Box.X, 6); // (0.9·0 + 0.3·10) / 1.2
        Assert.Equal(100, merged.Box.Width, 6);
        Assert.Equal(17.5, merged.Keypoints[0].X, 6); // (0.9·10 + 0.3·40) / 1.2
    }

    [Fact]
    public void Apply_DisjointCandidates_KeepsAllBestFirst()
    {
        var result = WeightedNms.Apply([Candidate(0, 0, 50, 0.6), Candidate(200, 0, 50, 0.8), Candidate(400, 0, 50, 0.7)], 0.3);

        Assert.Equal([0.8, 0.7, 0.6], result.Select(c => c.Score));
        Assert.Equal(200, result[0].Box.X);
    }

    [Fact]
    public void Apply_OverlapBelowThreshold_NotMerged()
    {
        // IoU of two 100-boxes shifted by 60: 40/160 = 0.25.
        var result = WeightedNms.Apply([Candidate(0, 0, 100, 0.9), Candidate(60, 0, 100, 0.8)], 0.3);

        Assert.Equal(2, result.Count);
    }

    [Fact]
    public void Apply_ThresholdOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightedNms.Apply([], 1.5));

    private static FaceCandidate Candidate(double x, double y, double size, double score, Point2D? keypoint = null) =>
        new(new FaceBox(x, y, size, size), score, [keypoint ?? new Point2D(x, y)]);
}
