using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Alignment;

public sealed class FaceAlignerTests
{
    /// <summary>A grey image with one white pixel at (mx, my).</summary>
    private static RgbImage Marked(int width, int height, int mx, int my) => RgbImage.Create(width, height, pixels =>
    {
        pixels.Fill(40);
        var i = ((my * width) + mx) * 3;
        pixels[i] = pixels[i + 1] = pixels[i + 2] = 255;
    });

    private static (int X, int Y) Brightest(RgbImage image)
    {
        var best = (X: -1, Y: -1);
        var bestValue = -1;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var p = image.GetPixel(x, y);
                if (p.R + p.G + p.B > bestValue)
                {
                    bestValue = p.R + p.G + p.B;
                    best = (x, y);
                }
            }
        }

        return best;
    }

    [Fact]
    public void Warp_RotationScaleTranslation_PutsMarkedPixelWhereTransformSays()
    {
        var source = Marked(200, 150, 120, 40);
        // Rotate 90° clockwise on screen, scale 0.5, shift: (120, 40) → (0.5·(−40) + 60, 0.5·120 + 10) = (40, 70).
        var transform = SimilarityTransform.FromParameters(0.5, Math.PI / 2, 60, 10);
        var expected = transform.Apply(new Point2D(120, 40));
        Assert.Equal(new Point2D(40, 70), new Point2D(Math.Round(expected.X, 9), Math.Round(expected.Y, 9)));

        var crop = new FaceAligner().Warp(source, transform, 100, 100);

        Assert.Equal((40, 70), Brightest(crop));
        // Scale 0.5 blends the one bright pixel with its neighbours: still clearly brighter than grey 40.
        Assert.True(crop.GetPixel(40, 70).R > 100, $"marked pixel is {crop.GetPixel(40, 70)}");
    }

    [Fact]
    public void Warp_IntegerTranslation_CopiesPixelsExactly()
    {
        var source = RgbImage.Create(8, 6, pixels =>
        {
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (byte)(i * 7);
            }
        });

        var crop = new FaceAligner().Warp(source, new SimilarityTransform(1, 0, -2, -1), 4, 3);

        for (var y = 0; y < 3; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                Assert.Equal(source.GetPixel(x + 2, y + 1), crop.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void Warp_HalfPixelShift_AveragesNeighbours()
    {
        var source = RgbImage.FromPixels(2, 1, [0, 0, 0, 200, 100, 50]);

        // Crop (0, 0) samples source x = 0.5: the mean of both pixels.
        var crop = new FaceAligner().Warp(source, new SimilarityTransform(1, 0, -0.5, 0), 1, 1);

        Assert.Equal(new RgbPixel(100, 50, 25), crop.GetPixel(0, 0));
    }

    [Fact]
    public void Warp_OutsideSource_BlackByDefaultEdgeWithReplicate()
    {
        var source = RgbImage.Create(4, 4, pixels => pixels.Fill(180));
        var shift = new SimilarityTransform(1, 0, 10, 10); // the source lands at (10..13, 10..13)

        var black = new FaceAligner().Warp(source, shift, 16, 16);
        var replicated = new FaceAligner(WarpBorder.Replicate).Warp(source, shift, 16, 16);

        Assert.Equal(new RgbPixel(0, 0, 0), black.GetPixel(0, 0));
        Assert.Equal(new RgbPixel(180, 180, 180), black.GetPixel(11, 11));
        Assert.Equal(new RgbPixel(180, 180, 180), replicated.GetPixel(0, 0));
        Assert.Equal(new RgbPixel(180, 180, 180), replicated.GetPixel(15, 15));
    }

    [Fact]
    public void Align_LandmarksFromKnownTransform_LandOnTemplate()
    {
        // Place the InsightFace template in a big image with a known pose, draw a bright dot at the
        // nose, align back: the dot must come out at the template's nose position (56, 72).
        var template = FaceTemplates.InsightFace112;
        var pose = SimilarityTransform.FromParameters(2.6, 0.35, 180, 40);
        var landmarks = template.Landmarks.Transform(pose);
        var nose = landmarks.Nose;
        var source = Marked(500, 500, (int)Math.Round(nose.X), (int)Math.Round(nose.Y));

        var aligned = new FaceAligner().Align(source, landmarks, template);

        Assert.Equal((112, 112), (aligned.Crop.Width, aligned.Crop.Height));
        Assert.True(aligned.ResidualPixels < 1e-9);
        var (x, y) = Brightest(aligned.Crop);
        Assert.InRange(x, 55, 57);
        Assert.InRange(y, 71, 73);
    }

    [Fact]
    public void ScaledTo_InsightFaceTo224_DoublesEveryPoint()
    {
        var scaled = FaceTemplates.InsightFace112.ScaledTo(224, 224);

        Assert.Equal(224, scaled.Width);
        Assert.Equal(new Point2D(38.2946 * 2, 51.6963 * 2), scaled.Landmarks.LeftEye);
        Assert.Equal(new Point2D(70.7299 * 2, 92.2041 * 2), scaled.Landmarks.RightMouth);
    }

    [Fact]
    public void Dlib150_FollowsDlibChipFormula()
    {
        // dlib get_face_chip_details(det, 150, 0.25): point = 25 + 100·meanFace.
        var t = FaceTemplates.Dlib150;
        Assert.Equal(150, t.Width);
        Assert.Equal(25 + (100 * 0.490127), t.Landmarks.Nose.X, 9);
        Assert.Equal(25 + (100 * 0.215990), t.Landmarks.LeftEye.Y, 9);
        // The mean face is symmetric about x ≈ 0.49: eyes mirror each other around the nose.
        Assert.Equal(t.Landmarks.Nose.X - t.Landmarks.LeftEye.X, t.Landmarks.RightEye.X - t.Landmarks.Nose.X, 0);
    }

    /// <summary>Vertical 1-pixel stripes: even columns black, odd columns white (mean 127.5).</summary>
    private static RgbImage Stripes(int size) => RgbImage.Create(size, size, pixels =>
    {
        for (var i = 0; i < size * size; i++)
        {
            if (i % size % 2 == 1)
            {
                pixels.Slice(i * 3, 3).Fill(255);
            }
        }
    });

    private static (double Mean, double Std) Stats(RgbImage image)
    {
        double sum = 0, squares = 0;
        foreach (var v in image.Pixels)
        {
            sum += v;
            squares += (double)v * v;
        }

        var n = image.Pixels.Length;
        return (sum / n, Math.Sqrt(Math.Max(0, (squares / n) - ((sum / n) * (sum / n)))));
    }

    [Fact]
    public void Warp_EightfoldReductionOfStripes_PyramidAveragesBilinearAliases()
    {
        // The crop reads source 80..840 of 1000, away from the image edges (where edge replication
        // legitimately darkens the first column).
        var source = Stripes(1000);
        var shrink = SimilarityTransform.FromParameters(0.125, 0, -10, -10);

        var pyramid = Stats(new FaceAligner().Warp(source, shrink, 96, 96));
        var bilinear = Stats(new FaceAligner(sampling: ChipSampling.Bilinear).Warp(source, shrink, 96, 96));

        // Bilinear reads source x = 8u, always an even (black) column: mean 0 instead of 127.5.
        Assert.Equal(0, bilinear.Mean, 6);
        Assert.InRange(pyramid.Mean, 125, 130);
        Assert.True(pyramid.Std < 3, $"pyramid std {pyramid.Std:0.00}");
    }

    [Fact]
    public void Warp_PyramidWithRotation_KeepsGeometry()
    {
        // A 24x24 white square centred at (612.5, 388.5) in a 1200x900 photo, crop at scale 0.1 with a
        // rotation: its centroid must land where the transform maps the centre (3 pyramid levels used).
        var source = RgbImage.Create(1200, 900, pixels =>
        {
            for (var y = 377; y < 401; y++)
            {
                pixels.Slice(((y * 1200) + 601) * 3, 24 * 3).Fill(255);
            }
        });
        var transform = SimilarityTransform.FromParameters(0.1, 0.4, -10, -30);
        var expected = transform.Apply(new Point2D(612.5, 388.5));

        var crop = new FaceAligner().Warp(source, transform, 112, 112);

        double sx = 0, sy = 0, sum = 0;
        for (var y = 0; y < crop.Height; y++)
        {
            for (var x = 0; x < crop.Width; x++)
            {
                double v = crop.GetPixel(x, y).G;
                sx += v * x;
                sy += v * y;
                sum += v;
            }
        }

        Assert.Equal(expected.X, sx / sum, 1);
        Assert.Equal(expected.Y, sy / sum, 1);
    }

    [Fact]
    public void Warp_ScaleAtLeastHalf_PyramidAndBilinearIdentical()
    {
        var source = Stripes(300);
        var t = SimilarityTransform.FromParameters(0.6, 0.2, 5, -7);

        var a = new FaceAligner().Warp(source, t, 120, 120);
        var b = new FaceAligner(sampling: ChipSampling.Bilinear).Warp(source, t, 120, 120);

        Assert.True(a.Pixels.SequenceEqual(b.Pixels));
    }
}
