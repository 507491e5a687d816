using Mote.Core.Faces.Detection;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Detection;

public sealed class BlazeFaceDecoderTests
{
    private static readonly Point2D[] Anchors = BlazeFaceAnchors.Generate(256);

    [Fact]
    public void Decode_OneConfidentAnchor_BoxAndKeypointsOffsetFromThatAnchor()
    {
        var (regressors, logits) = Empty();
        const int i = 600; // a coarse-grid anchor
        logits[i] = 2f; // sigmoid 0.881
        float[] r = [3, -2, 40, 50, -10, -5, 10, -5, 0, 5, 0, 15, -20, 0, 20, 0];
        r.CopyTo(regressors, i * 16);

        var found = BlazeFaceDecoder.Decode(regressors, logits, Anchors, 0.5);

        var face = Assert.Single(found);
        var a = Anchors[i];
        Assert.Equal(1 / (1 + Math.Exp(-2)), face.Score, 6);
        Assert.Equal(a.X + 3 - 20, face.Box.X, 4);
        Assert.Equal(a.Y - 2 - 25, face.Box.Y, 4);
        Assert.Equal(40, face.Box.Width, 4);
        Assert.Equal(50, face.Box.Height, 4);
        Assert.Equal(6, face.Keypoints.Count);
        Assert.Equal(new Point2D(a.X - 10, a.Y - 5), face.Keypoints[0]);
        Assert.Equal(new Point2D(a.X + 20, a.Y), face.Keypoints[5]);
    }

    [Fact]
    public void Decode_ScoresBelowThresholdOrDegenerateBox_AreDropped()
    {
        var (regressors, logits) = Empty();
        logits[10] = -1f; // 0.27 < 0.5
        logits[20] = 5f;  // confident but zero-sized box
        logits[30] = float.PositiveInfinity; // clamped, still a valid score
        regressors[(30 * 16) + 2] = 10;
        regressors[(30 * 16) + 3] = 10;

        var found = BlazeFaceDecoder.Decode(regressors, logits, Anchors, 0.5);

        var face = Assert.Single(found);
        Assert.Equal(1.0, face.Score, 6);
    }

    [Fact]
    public void Decode_LengthsDisagreeWithAnchors_ThrowsNamingCounts()
    {
        var e = Assert.Throws<ArgumentException>(() => BlazeFaceDecoder.Decode(new float[16], new float[1], Anchors, 0.5));

        Assert.Contains("896 anchors", e.Message, StringComparison.Ordinal);
    }

    private static (float[] Regressors, float[] Logits) Empty()
    {
        var logits = new float[Anchors.Length];
        Array.Fill(logits, -10f);
        return (new float[Anchors.Length * 16], logits);
    }
}
