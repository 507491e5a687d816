using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Benchmark;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Benchmark;

/// <summary>
/// The bench end to end on a tiny dataset built in a temp folder from the demo photos: each demo face is an
/// identity with two photos (two different crops around it).
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class FaceBenchTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mote-bench-test-").FullName;
    private readonly FacePipeline _pipeline;

    public FaceBenchTests(ModelPackFixture models)
    {
        _pipeline = new FacePipeline(new FacePipelineOptions { Backbone = DlibResNetDescriber.Id }, models.Pack);
    }

    [Fact]
    public async Task Run_DemoFaceDataset_SeparatesIdentitiesAndReportsEveryFigure()
    {
        await BuildDatasetAsync();
        var dataset = BenchDataset.Open(_root);
        var reports = new List<BenchProgress>();

        var report = FaceBench.Run(_pipeline, dataset, pairs: 12, seed: 7, new InlineProgress(reports.Add), reportEvery: 10);

        Assert.Equal(12, report.GenuinePairs);
        Assert.Equal(12, report.ImpostorPairs);
        Assert.Equal(0, report.FailedToDetect);
        Assert.True(report.Accuracy.Mean >= 0.9, $"accuracy {report.Accuracy.Mean}");
        Assert.True(report.MedianTotalMs > report.MedianInferenceMs && report.MedianInferenceMs > 0);
        Assert.True(report.CpuMsPerPhoto > 0);
        Assert.NotEmpty(reports);
        Assert.Equal(report.Images, reports[^1].ImagesDone);
    }

    [Fact]
    public async Task DrawPairs_SameSeed_SamePairsAndAllDistinct()
    {
        await BuildDatasetAsync();
        var dataset = BenchDataset.Open(_root);

        var first = dataset.DrawPairs(10, 3);
        var second = dataset.DrawPairs(10, 3);

        Assert.Equal(first, second);
        Assert.Equal(20, first.Select(p => (p.A, p.B)).Distinct().Count());
        Assert.All(first.Where(p => p.Genuine), p => Assert.Equal(Path.GetDirectoryName(p.A), Path.GetDirectoryName(p.B)));
        Assert.All(first.Where(p => !p.Genuine), p => Assert.NotEqual(Path.GetDirectoryName(p.A), Path.GetDirectoryName(p.B)));
    }

    [Fact]
    public async Task DrawPairs_MorePairsThanTheDatasetHas_ThrowsNamingCounts()
    {
        await BuildDatasetAsync();

        var e = Assert.Throws<InvalidOperationException>(() => BenchDataset.Open(_root).DrawPairs(1000, 1));

        Assert.Contains("1000 genuine", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NoImagesFolder_ThrowsSayingTheLayout()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => BenchDataset.Open(_root));

        Assert.Contains("images/<identity>/*.jpg", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocateDatasets_EnvironmentVariableSet_UsesIt()
    {
        Assert.Equal(Path.GetFullPath(_root), BenchDataset.LocateDatasets(environment: _ => _root));
        Assert.Null(BenchDataset.LocateDatasets(environment: _ => Path.Combine(_root, "missing")));
    }

    private async Task BuildDatasetAsync()
    {
        var demo = Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo");
        using var decoder = new ImageDecoder();
        var identity = 0;
        foreach (var file in new[] { "sample1.jpg", "sample5.jpg", "sample6.jpg" })
        {
            var photo = decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(demo, file)));
            foreach (var face in _pipeline.Detector.Detect(photo))
            {
                var folder = Directory.CreateDirectory(Path.Combine(_root, "images", $"person_{identity++:D2}")).FullName;
                // Two framings of the same face: 2x and 3x the box, the second shifted.
                var c = face.Box.Center;
                for (var k = 0; k < 2; k++)
                {
                    var side = (int)(face.Box.Width * (2 + k));
                    var left = Math.Clamp((int)(c.X - (side / 2.0) + (k * face.Box.Width * 0.3)), 0, photo.Width - side);
                    var top = Math.Clamp((int)(c.Y - (side / 2.0)), 0, photo.Height - side);
                    var crop = ImageResizer.Resize(ImageRegion.Copy(photo, left, top, side, side), 250, 250).Image;
                    await File.WriteAllBytesAsync(Path.Combine(folder, $"{k}.jpg"), ImageEncoding.ToJpeg(crop));
                }
            }
        }
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private sealed class InlineProgress(Action<BenchProgress> report) : IProgress<BenchProgress>
    {
        public void Report(BenchProgress value) => report(value);
    }
}
