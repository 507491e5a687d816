using Mote.Core.Faces;
using Mote.Core.Faces.Detection;

namespace Mote.Core.Tests.Faces.Detection;

public sealed class NonMaximumSuppressionTests
{
    [Fact]
    public void Apply_OverlapAboveThreshold_KeepsBestOnly()
    {
        // a and b: intersection 80x100 = 8000, union 12000 → IoU 0.667; c is disjoint.
        var a = Candidate(0, 0, 100, 100, 0.6);
        var b = Candidate(20, 0, 100, 100, 0.9);
        var c = Candidate(300, 300, 50, 50, 0.5);

        var kept = NonMaximumSuppression.Apply([a, b, c], 0.4);

        Assert.Equal([b, c], kept);
    }

    [Fact]
    public void Apply_OverlapAtOrBelowThreshold_KeepsBoth()
    {
        // IoU = 5000 / 15000 = 0.333.
        var a = Candidate(0, 0, 100, 100, 0.9);
        var b = Candidate(50, 0, 100, 100, 0.8);

        var kept = NonMaximumSuppression.Apply([b, a], 0.4);

        Assert.Equal([a, b], kept);
    }

    [Fact]
    public void Apply_ChainOfOverlaps_SuppressesOnlyAgainstKeptBoxes()
    {
        // a suppresses b (IoU 0.67), b would suppress c but b is gone; a and c barely touch (IoU 0.25): c stays.
        var a = Candidate(0, 0, 100, 100, 0.9);
        var b = Candidate(20, 0, 100, 100, 0.8);
        var c = Candidate(60, 0, 100, 100, 0.7);

        var kept = NonMaximumSuppression.Apply([a, b, c], 0.4);

        Assert.Equal([a, c], kept);
    }

    private static ScrfdCandidate Candidate(double x, double y, double w, double h, double score) =>
        new(new FaceBox(x, y, w, h), score, []);
}
