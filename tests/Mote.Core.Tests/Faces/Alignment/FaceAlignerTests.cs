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
}
