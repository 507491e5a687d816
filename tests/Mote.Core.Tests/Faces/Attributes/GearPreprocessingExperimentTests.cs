using Mote.Core.Faces.Alignment;
using Mote.Core.Faces.Attributes;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Models;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Faces.Attributes;

/// <summary>
/// The measurement behind the estimator's preprocessing choices (docs/attributes.md): gear on UTKFace
/// chips (seed 11) with other input scalings, channel order and small framing changes. 100 chips by
/// default (a regression check that the chosen normalisation still wins); the documented figures use 300
/// (<c>MOTE_ATTRIBUTE_EXPERIMENTS=1</c>, about 2,000 inferences).
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class GearPreprocessingExperimentTests(ModelPackFixture fixture, ITestOutputHelper output)
{
    [DatasetFact("utkface-part1")]
    public void Run_Variants_PrintsAccuracyPerVariant()
    {
        var dir = TestDatasets.Find("utkface-part1")!;
        using var factory = new OnnxSessionFactory();
        using var decoder = new ImageDecoder();
        var count = Environment.GetEnvironmentVariable("MOTE_ATTRIBUTE_EXPERIMENTS") == "1" ? 300 : 100;
        var samples = AttributeEvaluation.Sample(AttributeEvaluation.ReadLabels(dir), count, seed: 11);
        var images = samples.Select(s => decoder.Decode(File.ReadAllBytes(Path.Combine(dir, "images", s.File)))).ToArray();
        var replicate = new FaceAligner(WarpBorder.Replicate);
        var variants = new (string Name, PixelNormalization Normalization, Func<RgbImage, RgbImage> Frame)[]
        {
            ("pixel/255 RGB, whole chip", PixelNormalization.UnitRange, i => i),
            ("pixel 0..255", PixelNormalization.Raw, i => i),
            ("pixel/127.5 - 1", PixelNormalization.InsightFace, i => i),
            ("pixel/255 BGR", PixelNormalization.UnitRange with { Order = ChannelOrder.Bgr }, i => i),
            ("mirrored chip", PixelNormalization.UnitRange, Mirror),
            ("chip shifted 4 px", PixelNormalization.UnitRange, i => replicate.Warp(i, new SimilarityTransform(1, 0, 4, 4), i.Width, i.Height)),
            ("chip zoomed 3%", PixelNormalization.UnitRange, i => replicate.Warp(i, new SimilarityTransform(1.03, 0, -3, -3), i.Width, i.Height)),
        };
        var results = new List<double>();
        foreach (var (name, normalization, frame) in variants)
        {
            using var estimator = GearAttributeEstimator.Create(fixture.Pack, factory, new GearAttributeEstimatorOptions { Normalization = normalization });
            var estimates = images.Chunk(32).SelectMany(b => estimator.EstimateCrops(b.Select(frame).ToArray())).ToArray();
            var r = AttributeEvaluation.Summarise(samples.Zip(estimates).Select(p => (p.First, p.Second)).ToArray(), []).Overall;
            output.WriteLine($"{name,-28} gender {r.GenderAccuracy:0.000}  ethnicity {r.EthnicityAccuracy:0.000}  age MAE {r.AgeMeanAbsoluteError:0.00}  band {r.AgeBandAccuracy:0.000}");
            results.Add(r.GenderAccuracy);
        }

        // The chosen preprocessing must beat the wrong scalings and channel order it was chosen over.
        Assert.True(results[0] > results[1] && results[0] > results[2] && results[0] > results[3], string.Join(", ", results));
    }

    private static RgbImage Mirror(RgbImage image) => RgbImage.Create(image.Width, image.Height, pixels =>
    {
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.GetRow(y);
            for (var x = 0; x < image.Width; x++)
            {
                row.Slice((image.Width - 1 - x) * 3, 3).CopyTo(pixels.Slice(((y * image.Width) + x) * 3, 3));
            }
        }
    });
}
