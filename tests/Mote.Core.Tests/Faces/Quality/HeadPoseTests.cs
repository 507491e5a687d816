using Mote.Core.Faces.Alignment;
using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Quality;

public sealed class HeadPoseTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(-35)]
    [InlineData(55)]
    public void YawDegrees_GenericHeadTurned_RecoversTheTurn(double yaw)
    {
        Assert.Equal(yaw, HeadPose.YawDegrees(QualityTestData.Head(yaw, rollDegrees: 0)), 6);
    }

    [Theory]
    [InlineData(0, 20)]
    [InlineData(25, -40)]
    [InlineData(-15, 170)]
    public void RollAndYaw_TiltedTurnedHead_AreSeparated(double yaw, double roll)
    {
        var landmarks = QualityTestData.Head(yaw, roll);

        Assert.Equal(roll, HeadPose.RollDegrees(landmarks), 6);
        Assert.Equal(yaw, HeadPose.YawDegrees(landmarks), 6);
    }

    [Fact]
    public void YawDegrees_EyesOnOnePoint_Throws()
    {
        var p = new Point2D(1, 1);
        Assert.Throws<ArgumentException>(() => HeadPose.YawDegrees(new FivePointLandmarks(p, p, new(1, 5), new(0, 8), new(2, 8))));
    }
}
