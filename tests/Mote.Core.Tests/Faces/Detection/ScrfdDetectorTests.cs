using Mote.Core.Faces;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Detection;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Models.Onnx;

namespace Mote.Core.Tests.Faces.Detection;

/// <summary>
/// Writes an SCRFD-shaped ONNX model for a 64x64 input whose nine outputs are constants, in a scrambled
/// order and with numeric names like InsightFace's exports, so that chosen anchors fire with chosen boxes
/// and keypoints. Rows per stride: 8 → 8·8·2 = 128, 16 → 4·4·2 = 32, 32 → 2·2·2 = 8.
/// </summary>
internal sealed class DesignedScrfdModel
{
    public const int Size = 64;

    private readonly Dictionary<int, (float[] Scores, float[] Boxes, float[] Keypoints)> _heads = new()
    {
        [8] = (new float[128], new float[128 * 4], new float[128 * 10]),
        [16] = (new float[32], new float[32 * 4], new float[32 * 10]),
        [32] = (new float[8], new float[8 * 4], new float[8 * 10]),
    };

    /// <summary>Sets anchor <paramref name="row"/> of <paramref name="stride"/>: score, distances (left, top, right, bottom) and keypoint offsets, all in stride units.</summary>
    public void Set(int stride, int row, float score, float[] distances, float[] keypoints)
    {
        var (scores, boxes, kps) = _heads[stride];
        scores[row] = score;
        distances.CopyTo(boxes, row * 4);
        keypoints.CopyTo(kps, row * 10);
    }

    /// <param name="keypoints">Include the three keypoint heads (9 outputs) or not (6).</param>
    /// <param name="batched">Shape the heads [1, rows, k] instead of [rows, k].</param>
    /// <param name="scoresFromInput">
    /// Make the stride-8 scores the first 128 values of input channel 0 (rows 0–1 of the network input),
    /// so the scores reveal the preprocessing: channel order, (x − 127.5) / 128 and where the photo sits.
    /// </param>
    public byte[] Write(bool keypoints = true, bool batched = false, bool scoresFromInput = false)
    {
        var g = new OnnxGraphBuilder("designed-scrfd");
        var input = g.AddInput("input.1", OnnxElementType.Float, 1, 3, "height", "width");
        // Tie the constants to the input with a zero term so no runtime can prune the input away.
        var zero = g.AddNode("Mul", [g.AddNode("ReduceMean", [input], "mean", new Dictionary<string, object> { ["keepdims"] = 0L }), g.AddFloat("zero", [], [0f])], "zero_term");
        var outputs = new List<(string Name, float[] Values, int Rows, int Width)>();
        var id = 440;
        foreach (var stride in new[] { 32, 8, 16 })
        {
            var (scores, boxes, kps) = _heads[stride];
            var rows = scores.Length;
            outputs.Add(($"{id++}", kps, rows, 10));
            outputs.Add(($"{id++}", scores, rows, 1));
            outputs.Add(($"{id++}", boxes, rows, 4));
        }

        foreach (var (name, values, rows, width) in outputs)
        {
            if (width == 10 && !keypoints)
            {
                continue;
            }

            long[] dims = batched ? [1, rows, width] : [rows, width];
            if (scoresFromInput && width == 1 && rows == 128)
            {
                var slice = g.AddNode("Slice", [input, g.AddInt64("starts", [4], [0, 0, 0, 0]), g.AddInt64("ends", [4], [1, 1, 2, Size])], "first_rows");
                g.AddNode("Reshape", [slice, g.AddInt64("shape", [dims.Length], dims)], [name]);
            }
            else
            {
                var constant = g.AddFloat($"c{name}", dims, values);
                g.AddNode("Add", [constant, zero], [name]);
            }

            g.AddOutput(name, OnnxElementType.Float, [.. dims.Select(d => (OnnxDim)d)]);
        }

        return OnnxModelWriter.Write(g, new OnnxModelInfo("mote-tests", "1", "designed SCRFD outputs", new Dictionary<string, string>()));
    }
}

public sealed class ScrfdDetectorTests : IDisposable
{
    private readonly OnnxSessionFactory _factory = new(new OnnxSessionOptions { IntraOpThreads = 1 });
    private readonly string _dir = Directory.CreateTempSubdirectory("mote-scrfd-").FullName;

    [Fact]
    public void Detect_DesignedAnchors_DecodesBoxesKeypointsAndSuppressesOverlap()
    {
        var model = Designed();
        using var detector = Load(model.Write());
        // 128x96 photo → scale 0.5 into the 64x64 input (64x48, padded at the bottom), so source = 2·t + 0.5.
        var photo = RgbImage.Create(128, 96, _ => { });

        var faces = detector.Detect(photo);

        Assert.Equal(2, faces.Count);
        var best = faces[0];
        Assert.Equal(0.9, best.Score, 6);
        // Stride 8, row 39 = cell 19 = column 3, row 2 → anchor centre (24, 16); distances (1, 2, 3, 4)·8 → (16, 0)–(48, 48).
        AssertBox(new FaceBox(32.5, 0.5, 64, 96), best.Box);
        // Keypoint k = (24 + 8·0.25k, 16 + 8·(0.5 − 0.1k)) in the input.
        for (var k = 0; k < 5; k++)
        {
            var expected = new Point2D((2 * (24 + (2.0 * k))) + 0.5, (2 * (16 + (8 * (0.5 - (0.1 * k))))) + 0.5);
            Assert.Equal(expected.X, best.Keypoints[k].X, 4);
            Assert.Equal(expected.Y, best.Keypoints[k].Y, 4);
        }

        Assert.NotNull(best.Landmarks);
        Assert.Equal(best.Keypoints[2], best.Landmarks.Value.Nose);
        // Stride 32, row 1 = cell 0, second anchor → centre (0, 0); distances (0, 0, 0.25, 0.5)·32 → (0, 0)–(8, 16).
        Assert.Equal(0.7, faces[1].Score, 6);
        AssertBox(new FaceBox(0.5, 0.5, 16, 32), faces[1].Box);
    }

    [Fact]
    public void Detect_UniformPhoto_InputIsRgbScaledBy128AndPlacedTopLeft()
    {
        var model = new DesignedScrfdModel();
        for (var row = 0; row < 128; row++)
        {
            model.Set(8, row, 0, [1, 1, 1, 1], new float[10]);
        }

        using var detector = Load(model.Write(scoresFromInput: true));
        // 128x96 → 64x48 in the input. Top-left placement puts photo pixels in rows 0–1 (centred would put
        // black padding there), and R = 200 gives (200 − 127.5) / 128 = 0.56640625; B first or std 127.5 would not.
        var photo = RgbImage.Create(128, 96, pixels =>
        {
            for (var i = 0; i < pixels.Length; i += 3)
            {
                pixels[i] = 200;
                pixels[i + 1] = 10;
                pixels[i + 2] = 90;
            }
        });

        var faces = detector.Detect(photo);

        Assert.NotEmpty(faces);
        Assert.All(faces, f => Assert.Equal(0.56640625, f.Score, 6));
    }

    [Fact]
    public void Detect_BatchedOutputShapes_SameFaces()
    {
        using var plain = Load(Designed().Write());
        using var batched = Load(Designed().Write(batched: true));
        var photo = RgbImage.Create(128, 96, _ => { });

        var a = plain.Detect(photo);
        var b = batched.Detect(photo);

        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++)
        {
            AssertBox(a[i].Box, b[i].Box);
        }
    }

    [Fact]
    public void Detect_ModelWithoutKeypoints_FacesWithoutLandmarks()
    {
        using var detector = Load(Designed().Write(keypoints: false));

        var faces = detector.Detect(RgbImage.Create(64, 64, _ => { }));

        Assert.Equal(2, faces.Count);
        Assert.Empty(faces[0].Keypoints);
        Assert.Null(faces[0].Landmarks);
        AssertBox(new FaceBox(16, 0, 32, 48), faces[0].Box);
    }

    [Fact]
    public void Detect_HigherThreshold_DropsWeakerFace()
    {
        using var detector = Load(Designed().Write(), o => o.ScoreThreshold = 0.75f);

        var faces = detector.Detect(RgbImage.Create(64, 64, _ => { }));

        Assert.Single(faces);
        Assert.Equal(0.9, faces[0].Score, 6);
    }

    [Fact]
    public void Load_InputSizeNotMultipleOf32_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Load(Designed().Write(), o => o.InputSize = 100));

        Assert.Contains("100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RecognitionModelInsteadOfDetector_ThrowsNamingOutputCount()
    {
        var g = new OnnxGraphBuilder("not-scrfd");
        var input = g.AddInput("input.1", OnnxElementType.Float, 1, 3, 64, 64);
        var pooled = g.AddNode("GlobalAveragePool", [input], "pooled");
        g.AddOutput(pooled, OnnxElementType.Float, 1, 3, 1, 1);

        var error = Assert.Throws<CustomModelException>(() => Load(OnnxModelWriter.Write(g, new OnnxModelInfo("t", "1", "", new Dictionary<string, string>()))));

        Assert.Contains("1 outputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Id_FromOptions()
    {
        using var detector = Load(Designed().Write(), o => o.Id = "det_10g");

        Assert.Equal("det_10g", detector.Id);
    }

    public void Dispose()
    {
        _factory.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static DesignedScrfdModel Designed()
    {
        var model = new DesignedScrfdModel();
        float[] keypoints = [0, 0.5f, 0.25f, 0.4f, 0.5f, 0.3f, 0.75f, 0.2f, 1f, 0.1f];
        model.Set(8, 39, 0.9f, [1, 2, 3, 4], keypoints);
        // Same cell, other anchor, slightly larger box (14, 0)–(48, 50), IoU 1536 / 1700 = 0.90 with the best: suppressed.
        model.Set(8, 38, 0.8f, [1.25f, 2, 3, 4.25f], keypoints);
        model.Set(32, 1, 0.7f, [0, 0, 0.25f, 0.5f], keypoints);
        // Below the default 0.5 threshold: never reported.
        model.Set(16, 20, 0.3f, [1, 1, 1, 1], keypoints);
        return model;
    }

    private ScrfdDetector Load(byte[] onnx, Action<ScrfdOptions>? configure = null)
    {
        var path = Path.Combine(_dir, $"det-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, onnx);
        var options = new ScrfdOptions { Path = path, InputSize = DesignedScrfdModel.Size };
        configure?.Invoke(options);
        return ScrfdDetector.Load(options, _factory);
    }

    private static void AssertBox(FaceBox expected, FaceBox actual)
    {
        Assert.Equal(expected.X, actual.X, 4);
        Assert.Equal(expected.Y, actual.Y, 4);
        Assert.Equal(expected.Width, actual.Width, 4);
        Assert.Equal(expected.Height, actual.Height, 4);
    }
}
