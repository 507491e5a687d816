using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Alignment;

public sealed class TensorPackerTests
{
    // 2x1 image: pixel 0 = (0, 127.5-ish, 255), pixel 1 = (255, 0, 51).
    private static readonly RgbImage Image = RgbImage.FromPixels(2, 1, [0, 128, 255, 255, 0, 51]);

    [Fact]
    public void Pack_InsightFaceNchw_PlanesInRgbOrderScaledToMinusOneOne()
    {
        var t = TensorPacker.Pack(Image, TensorLayout.Nchw, PixelNormalization.InsightFace);

        // Layout: R plane (p0, p1), G plane, B plane.
        Assert.Equal(-1f, t[0]);
        Assert.Equal(1f, t[1]);
        Assert.Equal((128 - 127.5f) / 127.5f, t[2]);
        Assert.Equal(-1f, t[3]);
        Assert.Equal(1f, t[4]);
        Assert.Equal((51 - 127.5f) / 127.5f, t[5]);
    }

    [Fact]
    public void Pack_RawNhwc_KeepsInterleaved0To255()
    {
        var t = TensorPacker.Pack(Image, TensorLayout.Nhwc, PixelNormalization.Raw);
        Assert.Equal(new float[] { 0, 128, 255, 255, 0, 51 }, t);
    }

    [Fact]
    public void Pack_BgrNchw_SwapsPlanesAndUsesPerChannelMeanStd()
    {
        var norm = new PixelNormalization(ChannelOrder.Bgr, (10f, 20f, 30f), (1f, 2f, 5f));

        var t = TensorPacker.Pack(Image, TensorLayout.Nchw, norm);

        // First plane is blue: (255 − 30) / 5 and (51 − 30) / 5; last plane is red: (0 − 10), (255 − 10).
        float[] expected = [45f, 4.2f, 54f, -10f, -10f, 245f];
        Assert.Equal(expected.Length, t.Length);
        for (var i = 0; i < t.Length; i++)
        {
            Assert.Equal(expected[i], t[i], 5);
        }
    }

    [Fact]
    public void Pack_ScrfdNhwc_Uses128Divisor()
    {
        var t = TensorPacker.Pack(Image, TensorLayout.Nhwc, PixelNormalization.Scrfd);
        Assert.Equal((255 - 127.5f) / 128f, t[2]);
    }

    [Fact]
    public void Pack_IntoBatchSlice_WritesOnlyThatSlice()
    {
        var batch = new float[2 * 6];
        batch.AsSpan().Fill(-99f);

        TensorPacker.Pack(Image, TensorLayout.Nchw, PixelNormalization.Raw, batch.AsSpan(6, 6));

        Assert.All(batch[..6], v => Assert.Equal(-99f, v));
        Assert.Equal(new float[] { 0, 255, 128, 0, 255, 51 }, batch[6..]);
    }

    [Fact]
    public void Pack_WrongDestinationLength_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => TensorPacker.Pack(Image, TensorLayout.Nchw, PixelNormalization.Raw, new float[5]));
        Assert.Contains("6 floats", ex.Message, StringComparison.Ordinal);
    }
}
