using Mote.Core.Faces;
using Mote.Core.Faces.Attributes;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Models.HumanModels;
using Mote.Core.Models.Onnx;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Attributes;

public sealed class GearAttributeEstimatorCropTests
{
    [Fact]
    public void CropFace_BoxWithMargin_MapsBoxOntoCentreOfInput()
    {
        // A white 40x40 square at (100, 60) on black: with margin 0.25 the crop spans 40 · 1.5 = 60 source pixels,
        // 3.3 crop pixels each, so the square covers crop pixels 33..165 and the margins 33 pixels each side
        // (bilinear sampling blends about 2 crop pixels at each edge).
        var image = RgbImage.Create(300, 200, pixels =>
        {
            for (var y = 60; y < 100; y++)
            {
                pixels.Slice(((y * 300) + 100) * 3, 40 * 3).Fill(255);
            }
        });

        var crop = GearAttributeEstimator.CropFace(image, new FaceBox(99.5, 59.5, 40, 40), 0.25);

        Assert.Equal(198, crop.Width);
        Assert.Equal(198, crop.Height);
        Assert.Equal(255, crop.GetPixel(99, 99).R);
        Assert.Equal(255, crop.GetPixel(36, 36).G);
        Assert.Equal(255, crop.GetPixel(161, 161).B);
        Assert.Equal(0, crop.GetPixel(30, 99).R);
        Assert.Equal(0, crop.GetPixel(99, 170).R);
    }

    [Fact]
    public void CropFace_EmptyBox_ThrowsNamingBox()
    {
        var image = RgbImage.Create(10, 10, _ => { });

        var error = Assert.Throws<ArgumentException>(() => GearAttributeEstimator.CropFace(image, new FaceBox(1, 1, 0, 0), 0.25));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ModelWithoutRaceHead_ThrowsNamingHead()
    {
        using var factory = new OnnxSessionFactory(new OnnxSessionOptions { IntraOpThreads = 1 });
        var graph = new OnnxGraphBuilder("not-gear");
        var input = graph.AddInput("input_1", OnnxElementType.Float, "batch", 198, 198, 3);
        var pooled = graph.AddNode("ReduceMean", [input], "pooled", new Dictionary<string, object> { ["axes"] = new long[] { 1, 2 }, ["keepdims"] = 0L });
        var age = graph.AddNode("MatMul", [pooled, graph.AddFloat("w_age", [3, 7], new float[21])], "age");
        var gender = graph.AddNode("MatMul", [pooled, graph.AddFloat("w_gender", [3, 2], new float[6])], "gender");
        graph.AddOutput(age, OnnxElementType.Float, "batch", 7);
        graph.AddOutput(gender, OnnxElementType.Float, "batch", 2);
        var session = factory.Create(OnnxModelWriter.Write(graph, new OnnxModelInfo("test", "1", "", new Dictionary<string, string>())));

        var error = Assert.Throws<InvalidOperationException>(() => new GearAttributeEstimator(session));
        session.Dispose();

        Assert.Contains("race", error.Message, StringComparison.Ordinal);
    }
}

[Collection(ModelPackCollection.Name)]
public sealed class GearAttributeEstimatorTests(ModelPackFixture fixture)
{
    [Fact]
    public async Task Estimate_FaceInSamplePhoto_ReturnsConsistentEstimatedProbabilities()
    {
        using var factory = new OnnxSessionFactory();
        using var estimator = GearAttributeEstimator.Create(fixture.Pack, factory);
        using var decoder = new ImageDecoder();
        var photo = decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(await fixture.GetFaceApiPackageDirAsync(), "demo", "sample1.jpg")));
        // The frontal face picked by eye in FacePhotos (square 394,344 + 260 holds the face with a margin).
        var face = new DetectedFace(new FaceBox(444, 394, 160, 160), 0.9, [], null);

        var estimate = estimator.Estimate(photo, face);
        var fromCrop = estimator.EstimateCrops([GearAttributeEstimator.CropFace(photo, face.Box, estimator.Options.Margin)])[0];

        Assert.True(estimate.IsEstimated);
        Assert.Contains(estimate.Gender, AttributeVocabulary.Genders);
        Assert.InRange(estimate.GenderProbability, 0.5, 1.0);
        Assert.InRange(estimate.AgeYears, 15, 65);
        Assert.Equal(1.0, estimate.EthnicityProbabilities.Values.Sum(), 5);
        Assert.Equal(estimate.EthnicityProbabilities.Values.Max(), estimate.EthnicityProbability, 9);
        Assert.Equal(fromCrop.AgeYears, estimate.AgeYears, 9);
        Assert.Equal(fromCrop.GenderProbability, estimate.GenderProbability, 9);
    }

    [Fact]
    public void EstimateCrops_BatchOfTwo_EqualsOneByOne()
    {
        using var factory = new OnnxSessionFactory();
        using var estimator = new GearAttributeEstimator(factory.Create(fixture.Pack[HumanGraphRecipes.Gear]));
        var a = Gradient(198, 198, 0);
        var b = Gradient(200, 200, 1);

        var batch = estimator.EstimateCrops([a, b]);
        var single = estimator.EstimateCrops([b])[0];

        Assert.Equal(2, batch.Count);
        Assert.Equal(single.AgeYears, batch[1].AgeYears, 4);
        Assert.Equal(single.EthnicityProbability, batch[1].EthnicityProbability, 4);
    }

    private static RgbImage Gradient(int width, int height, int phase) => RgbImage.Create(width, height, pixels =>
    {
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((i * (7 + phase)) % 251);
        }
    });
}
