using Mote.Core.Faces.Detection;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Detection;

public sealed class BlazeFaceAnchorsTests
{
    [Fact]
    public void Generate_256_Gives512FineThen384CoarseAnchorsAtCellCentres()
    {
        var anchors = BlazeFaceAnchors.Generate(256);

        Assert.Equal(896, anchors.Length);
        Assert.Equal(new Point2D(8, 8), anchors[0]);
        Assert.Equal(new Point2D(8, 8), anchors[1]);
        Assert.Equal(new Point2D(24, 8), anchors[2]);
        Assert.Equal(new Point2D(248, 248), anchors[511]);
        Assert.Equal(new Point2D(16, 16), anchors[512]);
        Assert.All(anchors.Skip(512).Take(6), a => Assert.Equal(new Point2D(16, 16), a));
        Assert.Equal(new Point2D(48, 16), anchors[518]);
        Assert.Equal(new Point2D(240, 240), anchors[895]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void Generate_SizeNotMultipleOf32_Throws(int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BlazeFaceAnchors.Generate(size));
}
