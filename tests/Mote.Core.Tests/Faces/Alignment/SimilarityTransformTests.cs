using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Alignment;

public sealed class SimilarityTransformTests
{
    private static Point2D[] RandomPoints(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => new Point2D(random.NextDouble() * 400, random.NextDouble() * 300)).ToArray();

    [Fact]
    public void Estimate_NoiseFreePoints_RecoversKnownTransformExactly()
    {
        var truth = SimilarityTransform.FromParameters(scale: 0.37, rotationRadians: 0.6, tx: -41.5, ty: 12.25);
        var source = RandomPoints(new Random(1), 5);
        var target = source.Select(truth.Apply).ToArray();

        var estimate = SimilarityTransform.Estimate(source, target);

        Assert.Equal(0.37, estimate.Scale, 12);
        Assert.Equal(0.6, estimate.RotationRadians, 12);
        Assert.Equal(-41.5, estimate.Tx, 9);
        Assert.Equal(12.25, estimate.Ty, 9);
        Assert.True(estimate.RootMeanSquareError(source, target) < 1e-9);
    }

    [Fact]
    public void Estimate_TwoPoints_IsExact()
    {
        Point2D[] source = [new(10, 10), new(20, 10)];
        Point2D[] target = [new(0, 0), new(0, 20)];

        var t = SimilarityTransform.Estimate(source, target);

        Assert.Equal(2.0, t.Scale, 12);
        Assert.Equal(Math.PI / 2, t.RotationRadians, 12);
        Assert.Equal(0, t.Apply(new Point2D(10, 10)).DistanceTo(new Point2D(0, 0)), 9);
    }

    [Fact]
    public void Estimate_NoisyPoints_IsLeastSquaresOptimal()
    {
        // At the least-squares optimum, no perturbation of any of the four parameters lowers the error.
        var random = new Random(7);
        var truth = SimilarityTransform.FromParameters(1.8, -0.3, 30, 50);
        var source = RandomPoints(random, 12);
        var target = source.Select(p => truth.Apply(p)).Select(p => new Point2D(p.X + ((random.NextDouble() - 0.5) * 6), p.Y + ((random.NextDouble() - 0.5) * 6))).ToArray();
        var best = SimilarityTransform.Estimate(source, target);
        var bestError = SumSquares(best, source, target);

        foreach (var step in new[] { 1e-3, 1e-2, 1e-1 })
        {
            foreach (var (da, db, dx, dy) in new[] { (1, 0, 0, 0), (-1, 0, 0, 0), (0, 1, 0, 0), (0, -1, 0, 0), (0, 0, 1, 0), (0, 0, -1, 0), (0, 0, 0, 1), (0, 0, 0, -1), (1, 1, 1, 1), (-1, 1, -1, 1) })
            {
                var moved = new SimilarityTransform(best.A + (da * step), best.B + (db * step), best.Tx + (dx * step * 100), best.Ty + (dy * step * 100));
                Assert.True(SumSquares(moved, source, target) > bestError, $"perturbation ({da},{db},{dx},{dy})·{step} lowered the error");
            }
        }

        // And the noise did not throw the estimate far from the truth.
        Assert.Equal(1.8, best.Scale, 1);
        Assert.Equal(-0.3, best.RotationRadians, 1);
    }

    [Fact]
    public void Estimate_MirroredTarget_StaysARotationNotAReflection()
    {
        Point2D[] source = [new(0, 0), new(10, 0), new(0, 10), new(7, 3)];
        var target = source.Select(p => new Point2D(-p.X, p.Y)).ToArray();

        var t = SimilarityTransform.Estimate(source, target);

        // The mirror x → −x would fit with zero error; a similarity cannot reflect, so a large residual
        // remains (5.25 px RMS for these points, computed independently in Python) instead of a silently flipped face.
        Assert.Equal(5.24654, t.RootMeanSquareError(source, target), 4);
    }

    [Fact]
    public void Invert_ComposedWithOriginal_IsIdentity()
    {
        var t = SimilarityTransform.FromParameters(2.5, 1.1, 7, -3);
        var roundTrip = t.Then(t.Invert());
        var p = new Point2D(123.4, -56.7);

        Assert.Equal(0, roundTrip.Apply(p).DistanceTo(p), 9);
        Assert.Equal(0, t.Invert().Apply(t.Apply(p)).DistanceTo(p), 9);
    }

    [Fact]
    public void Then_AppliesFirstThenSecond()
    {
        var first = SimilarityTransform.FromParameters(2, 0.5, 1, 2);
        var second = SimilarityTransform.FromParameters(0.5, -0.2, -3, 4);
        var p = new Point2D(5, 6);

        Assert.Equal(0, first.Then(second).Apply(p).DistanceTo(second.Apply(first.Apply(p))), 9);
    }

    [Fact]
    public void Estimate_CoincidentSourcePoints_ThrowsNamingTheProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(5, 5), new(5, 5)], [new(0, 0), new(1, 1)]));
        Assert.Contains("coincide", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_OnePointOrMismatchedCounts_Throws()
    {
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(1, 1)], [new(2, 2)]));
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(1, 1), new(2, 2)], [new(2, 2)]));
    }

    [Fact]
    public void Estimate_NaNCoordinate_Throws()
    {
        Assert.Throws<ArgumentException>(() => SimilarityTransform.Estimate([new(1, 1), new(double.NaN, 2)], [new(2, 2), new(3, 3)]));
    }

    private static double SumSquares(SimilarityTransform t, Point2D[] source, Point2D[] target)
    {
        var rms = t.RootMeanSquareError(source, target);
        return rms * rms * source.Length;
    }
}
