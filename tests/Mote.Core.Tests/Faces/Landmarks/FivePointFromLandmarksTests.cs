using Mote.Core.Faces.Detection;
using Mote.Core.Faces.Landmarks;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Landmarks;

public sealed class FivePointFromLandmarksTests
{
    [Fact]
    public void FivePoint_68Points_EyeCentresAreMeansNoseIs30MouthIs48And54()
    {
        var points = Enumerable.Range(0, 68).Select(i => new Point2D(i, 1000 + i)).ToArray();

        var five = FaceLandmark68Refiner.FivePoint(points);

        Assert.Equal(new Point2D(38.5, 1038.5), five.LeftEye);
        Assert.Equal(new Point2D(44.5, 1044.5), five.RightEye);
        Assert.Equal(points[30], five.Nose);
        Assert.Equal(points[48], five.LeftMouth);
        Assert.Equal(points[54], five.RightMouth);
    }

    [Fact]
    public void FivePoint_Not68Points_Throws() =>
        Assert.Throws<ArgumentException>(() => FaceLandmark68Refiner.FivePoint(new Point2D[5]));

    [Fact]
    public void FivePointFromBlazeFace_TiltedFace_MouthCornersAlongTheEyeLine()
    {
        // Eyes 40 px apart on a line tilted by 90° (one above the other); mouth centre to the side.
        Point2D[] keypoints = [new(100, 100), new(100, 140), new(130, 120), new(160, 120), new(90, 80), new(90, 160)];

        var five = BlazeFaceDetector.FivePointFromBlazeFace(keypoints);

        Assert.Equal(keypoints[0], five.LeftEye);
        Assert.Equal(keypoints[2], five.Nose);
        Assert.Equal(160, five.LeftMouth.X, 10);
        Assert.Equal(120 - (40 * 0.43), five.LeftMouth.Y, 10);
        Assert.Equal(120 + (40 * 0.43), five.RightMouth.Y, 10);
    }
}
