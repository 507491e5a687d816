using Mote.Core.Faces;
using Mote.Core.Faces.Detection;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Detection;

/// <summary>BlazeFace on the face-api demo photos (real group photos, 1920 px wide, faces 150–250 px).</summary>
[Collection(ModelPackCollection.Name)]
public sealed class BlazeFaceDetectorTests : IDisposable
{
    private readonly OnnxSessionFactory _sessions = new();
    private readonly BlazeFaceDetector _detector;
    private readonly ImageDecoder _decoder = new();
    private readonly ModelPackFixture _models;

    public BlazeFaceDetectorTests(ModelPackFixture models)
    {
        _models = models;
        _detector = new BlazeFaceDetector(models.Pack["blazeface"], _sessions);
    }

    // Boxes checked by eye on the photos with the boxes drawn in (2026-11-29): every visible face, nothing else.
    public static TheoryData<string, double[][]> ExpectedFaces => new()
    {
        { "sample1.jpg", [[423, 412, 188, 187], [1495, 270, 152, 152], [854, 472, 173, 173]] },
        { "sample5.jpg", [[780, 166, 164, 165], [574, 463, 198, 199], [1420, 442, 212, 213], [1116, 263, 180, 180], [363, 946, 205, 206]] },
    };

    [Theory]
    [MemberData(nameof(ExpectedFaces))]
    public async Task Detect_DemoPhoto_FindsEveryVisibleFaceAtItsBox(string file, double[][] expected)
    {
        var faces = _detector.Detect(await PhotoAsync(file));

        Assert.Equal(expected.Length, faces.Count);
        foreach (var e in expected)
        {
            var box = new FaceBox(e[0], e[1], e[2], e[3]);
            Assert.Contains(faces, f => f.Box.IntersectionOverUnion(box) > 0.8);
        }

        Assert.All(faces, f => Assert.InRange(f.Score, 0.5, 1.0));
        Assert.Equal(faces.OrderByDescending(f => f.Score).Select(f => f.Score), faces.Select(f => f.Score));
    }

    [Theory]
    [InlineData("sample2.jpg", 3)]
    [InlineData("sample4.jpg", 4)]
    public async Task Detect_DemoPhoto_CountMatchesVisibleFaces(string file, int count) =>
        Assert.Equal(count, _detector.Detect(await PhotoAsync(file)).Count);

    [Fact]
    public async Task Detect_FrontalFace_KeypointsInsideBoxInAnatomicalOrder()
    {
        var face = _detector.Detect(await PhotoAsync("sample1.jpg")).Single(f => f.Box.X < 600);

        Assert.Equal(6, face.Keypoints.Count);
        var (leftEye, rightEye, nose, mouth) = (face.Keypoints[0], face.Keypoints[1], face.Keypoints[2], face.Keypoints[3]);
        Assert.True(leftEye.X < rightEye.X, "keypoint 0 is the image-left eye");
        Assert.True(nose.Y > leftEye.Y && mouth.Y > nose.Y, "eyes above nose above mouth");
        foreach (var p in new[] { leftEye, rightEye, nose, mouth })
        {
            Assert.InRange(p.X, face.Box.X, face.Box.Right);
            Assert.InRange(p.Y, face.Box.Y, face.Box.Bottom);
        }
    }

    [Fact]
    public void Detect_BlankImage_FindsNothing()
    {
        var grey = RgbImage.Create(640, 480, p => p.Fill(128));

        Assert.Empty(_detector.Detect(grey));
    }

    [Fact]
    public async Task Detect_MirroredPhoto_FindsMirroredBoxes()
    {
        var photo = await PhotoAsync("sample5.jpg");
        var mirrored = RgbImage.Create(photo.Width, photo.Height, p =>
        {
            for (var y = 0; y < photo.Height; y++)
            {
                var row = photo.GetRow(y);
                for (var x = 0; x < photo.Width; x++)
                {
                    row.Slice(x * 3, 3).CopyTo(p.Slice(((y * photo.Width) + (photo.Width - 1 - x)) * 3, 3));
                }
            }
        });

        var original = _detector.Detect(photo);
        var flipped = _detector.Detect(mirrored);

        Assert.Equal(original.Count, flipped.Count);
        foreach (var f in original)
        {
            var expected = new FaceBox(photo.Width - f.Box.Right, f.Box.Y, f.Box.Width, f.Box.Height);
            Assert.Contains(flipped, g => g.Box.IntersectionOverUnion(expected) > 0.75);
        }
    }

    [Fact]
    public async Task Detect_PhotoRotatedUpsideDown_FindsFewerFacesThanUpright()
    {
        // BlazeFace is trained on upright faces: this documents the limit (the pipeline does not search rotations).
        var photo = await PhotoAsync("sample5.jpg");
        var rotated = RgbImage.Create(photo.Width, photo.Height, p =>
        {
            var src = photo.Pixels;
            var n = photo.Width * photo.Height;
            for (var i = 0; i < n; i++)
            {
                src.Slice(i * 3, 3).CopyTo(p.Slice((n - 1 - i) * 3, 3));
            }
        });

        Assert.True(_detector.Detect(rotated).Count < _detector.Detect(photo).Count);
    }

    [Fact]
    public void Tiles_LargePhoto_CoverEveryPixelWithHalfOverlap()
    {
        using var tiled = new BlazeFaceDetector(_models.Pack["blazeface"], _sessions, new BlazeFaceOptions { Tiling = true, TileSize = 512 });

        var tiles = tiled.Tiles(1920, 1280).ToArray();

        Assert.All(tiles, t => Assert.True(t.Left + t.Size <= 1920 && t.Top + t.Size <= 1280));
        for (var y = 0; y < 1280; y += 37)
        {
            for (var x = 0; x < 1920; x += 37)
            {
                Assert.Contains(tiles, t => x >= t.Left && x < t.Left + t.Size && y >= t.Top && y < t.Top + t.Size);
            }
        }

        Assert.Empty(tiled.Tiles(700, 700));
    }

    private async Task<RgbImage> PhotoAsync(string file)
    {
        var dir = Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo");
        return _decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(dir, file)));
    }

    public void Dispose()
    {
        _detector.Dispose();
        _decoder.Dispose();
        _sessions.Dispose();
    }
}
