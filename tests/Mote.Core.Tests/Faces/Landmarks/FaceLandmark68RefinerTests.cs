using Mote.Core.Faces.Detection;
using Mote.Core.Faces.Landmarks;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Landmarks;

[Collection(ModelPackCollection.Name)]
public sealed class FaceLandmark68RefinerTests : IDisposable
{
    private readonly OnnxSessionFactory _sessions = new();
    private readonly BlazeFaceDetector _detector;
    private readonly FaceLandmark68Refiner _refiner;
    private readonly ModelPackFixture _models;

    public FaceLandmark68RefinerTests(ModelPackFixture models)
    {
        _models = models;
        _detector = new BlazeFaceDetector(models.Pack["blazeface"], _sessions);
        _refiner = new FaceLandmark68Refiner(models.Pack["face_landmark_68_model"], _sessions);
    }

    [Theory]
    [InlineData("sample1.jpg")]
    [InlineData("sample5.jpg")]
    public async Task Refine_DemoFaces_PointsLieOnTheFaceInAnatomicalOrder(string file)
    {
        using var decoder = new ImageDecoder();
        var dir = Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo");
        var photo = decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(dir, file)));

        foreach (var face in _detector.Detect(photo))
        {
            var five = _refiner.Refine(photo, face);
            var box = face.Box;
            Assert.True(five.LeftEye.X < five.RightEye.X && five.LeftMouth.X < five.RightMouth.X, "image-left points first");
            // "Down" in the face's own frame (perpendicular to the eye line), so tilted heads count too.
            var eyeMid = new Point2D((five.LeftEye.X + five.RightEye.X) / 2, (five.LeftEye.Y + five.RightEye.Y) / 2);
            var mouthMid = new Point2D((five.LeftMouth.X + five.RightMouth.X) / 2, (five.LeftMouth.Y + five.RightMouth.Y) / 2);
            var (ux, uy) = (five.RightEye.X - five.LeftEye.X, five.RightEye.Y - five.LeftEye.Y);
            double Down(Point2D from, Point2D to) => ((to.X - from.X) * -uy) + ((to.Y - from.Y) * ux);
            Assert.True(Down(eyeMid, five.Nose) > 0, "nose below the eyes");
            Assert.True(Down(five.Nose, mouthMid) > 0, "mouth below the nose");
            foreach (var p in five.ToArray())
            {
                Assert.InRange(p.X, box.X - (0.1 * box.Width), box.Right + (0.1 * box.Width));
                Assert.InRange(p.Y, box.Y - (0.1 * box.Height), box.Bottom + (0.1 * box.Height));
            }

            // The two models disagree by up to about half an eye distance (measured mean of the larger eye error
            // 0.45 on the 22 demo faces: the 68-point eyes sit left of and above BlazeFace's); more means a mapping bug.
            var eyeDistance = face.Keypoints[0].DistanceTo(face.Keypoints[1]);
            Assert.InRange(five.LeftEye.DistanceTo(face.Keypoints[0]), 0, eyeDistance * 0.8);
            Assert.InRange(five.RightEye.DistanceTo(face.Keypoints[1]), 0, eyeDistance * 0.8);
        }
    }

    [Fact]
    public void Constructor_CropScaleOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceLandmark68Refiner(_models.Pack["face_landmark_68_model"], _sessions, 5));

    public void Dispose()
    {
        _refiner.Dispose();
        _detector.Dispose();
        _sessions.Dispose();
    }
}
