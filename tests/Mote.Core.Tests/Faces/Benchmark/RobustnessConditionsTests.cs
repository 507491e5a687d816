using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces;
using Mote.Core.Faces.Benchmark;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Benchmark;

/// <summary>
/// The robustness suite's transforms on a real photo: the left-hand woman of face-api's demo <c>sample1.jpg</c>, cut
/// and scaled to an LFW-like 250x250 photo (face about 120 px wide), checked with the real detector and landmarks.
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class RobustnessConditionsTests : IDisposable
{
    private readonly FacePipeline _pipeline;
    private readonly ImageDecoder _decoder = new();
    private readonly ModelPackFixture _models;

    public RobustnessConditionsTests(ModelPackFixture models)
    {
        _models = models;
        _pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);
    }

    [Theory]
    [InlineData(RobustnessCondition.Pad)]
    [InlineData(RobustnessCondition.Small)]
    [InlineData(RobustnessCondition.Rotate)]
    [InlineData(RobustnessCondition.Jpeg30)]
    [InlineData(RobustnessCondition.Blur)]
    [InlineData(RobustnessCondition.OffCentre)]
    [InlineData(RobustnessCondition.StrongBlur)]
    public async Task Apply_SameSeedAndName_SamePixels(RobustnessCondition condition)
    {
        var photo = await LfwLikePhotoAsync();

        var first = RobustnessConditions.Apply(condition, photo, RobustnessConditions.RandomFor(5, "/a/Person_0001.jpg"), _decoder);
        var again = RobustnessConditions.Apply(condition, photo, RobustnessConditions.RandomFor(5, "/elsewhere/Person_0001.jpg"), _decoder);

        Assert.True(first.Pixels.SequenceEqual(again.Pixels));
        Assert.False(first.Pixels.SequenceEqual(photo.Pixels));
    }

    [Fact]
    public async Task Apply_Pad_PhotoCentredUnchangedOnDoubleCanvasAndFaceFoundThere()
    {
        var photo = await LfwLikePhotoAsync();
        var before = Face(photo);

        var padded = RobustnessConditions.Apply(RobustnessCondition.Pad, photo, RobustnessConditions.RandomFor(1, "p.jpg"), _decoder);
        var after = Face(padded);

        Assert.Equal((500, 500), (padded.Width, padded.Height));
        Assert.True(ImageRegion.Copy(padded, 125, 125, 250, 250).Pixels.SequenceEqual(photo.Pixels));
        var moved = before.Box with { X = before.Box.X + 125, Y = before.Box.Y + 125 };
        Assert.True(after.Box.IntersectionOverUnion(moved) > 0.8, $"IoU {after.Box.IntersectionOverUnion(moved):F2}");
        // The background is not flat: a padding a detector could learn to ignore trivially would not test anything.
        Assert.True(Sharpness.LaplacianVariance(ImageRegion.Copy(padded, 0, 0, 100, 100)) > 1);
    }

    [Fact]
    public async Task Apply_Small_FaceShrunkTo40To80PxOfLfwScaleAndSizesVary()
    {
        var photo = await LfwLikePhotoAsync();
        var before = Face(photo).Box.Width;
        var ratios = new List<double>();

        for (var seed = 1; seed <= 6; seed++)
        {
            var small = RobustnessConditions.Apply(RobustnessCondition.Small, photo, RobustnessConditions.RandomFor(seed, "s.jpg"), _decoder);
            Assert.Equal((250, 250), (small.Width, small.Height));
            ratios.Add(Face(small).Box.Width / before);
        }

        // The whole photo shrinks by drawn width / 110, so the detected face shrinks by the same ratio (±10 % detector jitter).
        Assert.All(ratios, r => Assert.InRange(r, (40.0 / 110) * 0.9, (80.0 / 110) * 1.1));
        Assert.True(ratios.Max() - ratios.Min() > 0.05, $"ratios {string.Join(", ", ratios)}");
    }

    [Fact]
    public async Task Apply_Rotate_EyeLineTurnsBy20DegreesBothWays()
    {
        // BlazeFace's own eye keypoints, read on the whole photo, measure the turn: measured +18.1 and −17.6 (keypoints are
        // coarse). The 68-point net, which reads an upright crop of the detector box, gave +12 and −21: it under-reads a
        // clockwise 20° turn, so the pipeline's alignment leaves part of that roll in (a finding of the suite itself).
        using var keypoints = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id, Landmarks = LandmarkSource.BlazeFace }, _models.Pack);
        double Roll(RgbImage image) => HeadPose.RollDegrees((keypoints.Analyze(image).BestFace(requireAccepted: false)
            ?? throw new Xunit.Sdk.XunitException("no face")).Landmarks);
        var photo = await LfwLikePhotoAsync();
        var roll = Roll(photo);
        var turns = new List<double>();

        for (var seed = 1; seed <= 8; seed++)
        {
            var rotated = RobustnessConditions.Apply(RobustnessCondition.Rotate, photo, RobustnessConditions.RandomFor(seed, "r.jpg"), _decoder);
            Assert.Equal((250, 250), (rotated.Width, rotated.Height));
            turns.Add(Roll(rotated) - roll);
        }

        Assert.True(turns.All(t => Math.Abs(t) is > 15 and < 23), $"turns {string.Join(", ", turns.Select(t => t.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.Contains(turns, t => t > 0);
        Assert.Contains(turns, t => t < 0);
    }

    [Fact]
    public async Task Apply_Jpeg30_LosesMoreThanQuality90()
    {
        var photo = await LfwLikePhotoAsync();

        var q30 = RobustnessConditions.Apply(RobustnessCondition.Jpeg30, photo, new Random(1), _decoder);
        var q90 = _decoder.Decode(ImageEncoding.ToJpeg(photo, 90));

        Assert.Equal((photo.Width, photo.Height), (q30.Width, q30.Height));
        var error30 = MeanAbsoluteDifference(photo, q30);
        var error90 = MeanAbsoluteDifference(photo, q90);
        Assert.True(error30 > 1.5 * error90, $"mean error q30 {error30:F2}, q90 {error90:F2}");
    }

    [Fact]
    public async Task Apply_Blur_MatchesDirectGaussianSigma15AndRemovesDetail()
    {
        var photo = await LfwLikePhotoAsync();

        var blurred = RobustnessConditions.Apply(RobustnessCondition.Blur, photo, new Random(1), _decoder);

        // One interior pixel computed as the full 2-D Gaussian sum (σ 1.5, radius 5): the separable filter must agree.
        const double Sigma = 1.5;
        var (cx, cy) = (125, 110);
        double expected = 0, weights = 0;
        for (var dy = -5; dy <= 5; dy++)
        {
            for (var dx = -5; dx <= 5; dx++)
            {
                var w = Math.Exp(-((dx * dx) + (dy * dy)) / (2 * Sigma * Sigma));
                expected += w * photo.Pixels[((((cy + dy) * photo.Width) + cx + dx) * 3) + 1];
                weights += w;
            }
        }

        Assert.InRange(blurred.Pixels[(((cy * photo.Width) + cx) * 3) + 1], (expected / weights) - 1, (expected / weights) + 1);
        Assert.True(Sharpness.LaplacianVariance(blurred) < 0.3 * Sharpness.LaplacianVariance(photo));
    }

    [Fact]
    public async Task Apply_OffCentre_FaceNearLeftOrRightEdgeOfWideCanvasBothSidesOccur()
    {
        var photo = await LfwLikePhotoAsync();
        var sides = new List<double>();

        for (var seed = 1; seed <= 8; seed++)
        {
            var wide = RobustnessConditions.Apply(RobustnessCondition.OffCentre, photo, RobustnessConditions.RandomFor(seed, "o.jpg"), _decoder);
            Assert.Equal((625, 250), (wide.Width, wide.Height));
            sides.Add(Face(wide).Box.Center.X / wide.Width);
        }

        Assert.All(sides, s => Assert.True(s < 0.3 || s > 0.7, $"face centre at {s:P0} of the width"));
        Assert.Contains(sides, s => s < 0.3);
        Assert.Contains(sides, s => s > 0.7);
    }

    [Fact]
    public void Parse_KnownAndUnknownNames()
    {
        Assert.Equal(RobustnessCondition.OffCentre, RobustnessConditions.Parse("OffCentre"));
        Assert.Equal(RobustnessCondition.Jpeg30, RobustnessConditions.Parse("jpeg30"));
        Assert.Equal(RobustnessCondition.StrongBlur, RobustnessConditions.Parse("blur2"));
        Assert.DoesNotContain(RobustnessCondition.StrongBlur, RobustnessConditions.All);
        var e = Assert.Throws<ArgumentException>(() => RobustnessConditions.Parse("fog"));
        Assert.Contains("blur", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        _decoder.Dispose();
    }

    private FaceResult Face(RgbImage image) => _pipeline.Analyze(image).BestFace(requireAccepted: false)
        ?? throw new Xunit.Sdk.XunitException($"no face in the {image.Width}x{image.Height} image");

    private static double MeanAbsoluteDifference(RgbImage a, RgbImage b)
    {
        long sum = 0;
        for (var i = 0; i < a.Pixels.Length; i++)
        {
            sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        }

        return sum / (double)a.Pixels.Length;
    }

    private async Task<RgbImage> LfwLikePhotoAsync()
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", "sample1.jpg"));
        // The left-hand woman (box about 423,412 188x187 in the photo), as FacePipelineTests cuts her, scaled to 250x250.
        return ImageResizer.Resize(ImageRegion.Copy(_decoder.Decode(bytes), 330, 330, 380, 360), 250, 250).Image;
    }
}
