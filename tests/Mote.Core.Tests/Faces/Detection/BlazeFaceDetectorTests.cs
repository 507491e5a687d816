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
        var tiles = _detector.Tiles(1920, 1280).ToArray();

        Assert.All(tiles, t => Assert.True(t.Left + t.Size <= 1920 && t.Top + t.Size <= 1280 && t.Size == 512));
        for (var y = 0; y < 1280; y += 37)
        {
            for (var x = 0; x < 1920; x += 37)
            {
                Assert.Contains(tiles, t => x >= t.Left && x < t.Left + t.Size && y >= t.Top && y < t.Top + t.Size);
            }
        }
    }

    [Theory]
    [InlineData(250, 250)]
    [InlineData(512, 384)]
    public void Tiles_PhotoUpToTwiceTheInput_NoTilesSoOnePass(int width, int height) =>
        Assert.Empty(_detector.Tiles(width, height));

    [Theory]
    [InlineData(1600, 1200, 40, 11)]
    [InlineData(1920, 1080, 50, 12)]
    [InlineData(2400, 1600, 40, 13)]
    public async Task Detect_LargeSceneWithSmallRealFaces_FindsEachFaceAndNothingElse(int width, int height, int smallestFace, int seed)
    {
        // Six real faces from the demo photos pasted 40–60 px wide (boxes as BlazeFace draws them) onto texture:
        // the whole-photo pass alone sees them at 4–8 input pixels and misses them.
        var faces = new List<(RgbImage, FaceBox)>();
        foreach (var file in new[] { "sample2.jpg", "sample5.jpg" })
        {
            var photo = await PhotoAsync(file);
            faces.AddRange(_detector.Detect(photo).Take(3).Select(f => (photo, f.Box)));
        }

        var rng = new Random(seed);
        var widths = faces.Select(_ => smallestFace + rng.Next(0, 61 - smallestFace)).ToArray();
        widths[0] = smallestFace;
        var (scene, truth) = SyntheticScenes.PasteFaces(SyntheticScenes.Texture(width, height, seed), faces, widths, seed);
        using var untiled = new BlazeFaceDetector(_models.Pack["blazeface"], _sessions, new BlazeFaceOptions { Tiling = false });

        var found = _detector.Detect(scene);

        Assert.True(untiled.Detect(scene).Count < truth.Length, "the whole-photo pass alone must miss some of these faces, or this test proves nothing");
        Assert.Equal(truth.Length, found.Count);
        foreach (var face in truth)
        {
            Assert.Contains(found, f => f.Box.IntersectionOverUnion(face) > 0.4);
        }
    }

    [Theory]
    [InlineData(1600, 1200, 7)]
    [InlineData(2400, 1600, 8)]
    [InlineData(4000, 3000, 9)]
    public void Detect_LargeTextureWithoutFaces_FindsNothing(int width, int height, int seed) =>
        Assert.Empty(_detector.Detect(SyntheticScenes.Texture(width, height, seed)));

    [Fact]
    public void Detect_LargeNoiseAndGradientWithoutFaces_FindsNothing()
    {
        var rng = new Random(5);
        var noise = RgbImage.Create(1600, 1200, p => rng.NextBytes(p));
        var gradient = RgbImage.Create(1600, 1200, p =>
        {
            for (var i = 0; i < p.Length; i++)
            {
                var pixel = i / 3;
                p[i] = (byte)((pixel % 1600 * 255 / 1599 * (i % 3 == 0 ? 1 : 0)) + (pixel / 1600 * 255 / 1199 * (i % 3 == 1 ? 1 : 0)) + (i % 3 == 2 ? 128 : 0));
            }
        });

        Assert.Empty(_detector.Detect(noise));
        Assert.Empty(_detector.Detect(gradient));
    }

    [Theory]
    [InlineData("sample1.jpg")]
    [InlineData("sample2.jpg")]
    [InlineData("sample3.jpg")]
    [InlineData("sample4.jpg")]
    [InlineData("sample5.jpg")]
    [InlineData("sample6.jpg")]
    public async Task Detect_DemoPhoto_TilesAddNoDetectionToTheWholePhotoPass(string file)
    {
        // Unconfirmed, 512-px tiles added 8 spurious faces over these six photos (docs/faces.md).
        var photo = await PhotoAsync(file);
        using var untiled = new BlazeFaceDetector(_models.Pack["blazeface"], _sessions, new BlazeFaceOptions { Tiling = false });

        var whole = untiled.Detect(photo);
        var tiled = _detector.Detect(photo);

        Assert.NotEmpty(_detector.Tiles(photo.Width, photo.Height));
        Assert.Equal(whole.Count, tiled.Count);
        Assert.Equal(whole.Select(w => (w.Box, w.Score)), tiled.Select(t => (t.Box, t.Score)));
    }

    [Fact]
    public void Options_NoConfirmationScale_RejectedNamingTheOption()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BlazeFaceOptions { ConfirmCropScales = [] }.Validate());

        Assert.Equal(nameof(BlazeFaceOptions.ConfirmCropScales), e.ParamName);
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
