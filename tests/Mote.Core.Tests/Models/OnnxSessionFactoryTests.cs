using Mote.Core.Faces.Detection;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Models.FaceApi;

namespace Mote.Core.Tests.Models;

[Collection(ModelPackCollection.Name)]
public sealed class OnnxSessionFactoryTests(ModelPackFixture fixture)
{
    [Fact]
    public void Constructor_Defaults_OneIntraOpThreadPerCoreAndFullOptimisation()
    {
        using var factory = new OnnxSessionFactory();

        Assert.Equal(Environment.ProcessorCount, factory.Options.IntraOpThreads);
        Assert.Equal(Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, factory.Options.OptimizationLevel);
        Assert.False(factory.Options.AllowSpinning);
        Assert.True(factory.Options.EnableMemoryPattern);
        Assert.Empty(factory.Options.DisabledOptimizers);
    }

    [Fact]
    public async Task Create_SpinningMemoryPatternAndDisabledNchwc_SameDetectionsAsDefaults()
    {
        // The tuning switches change speed only: BlazeFace must give the same faces with each of them.
        using var decoder = new ImageDecoder();
        var photo = decoder.Decode(await File.ReadAllBytesAsync(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", "sample5.jpg")));
        using var defaults = new OnnxSessionFactory();
        using var tuned = new OnnxSessionFactory(new OnnxSessionOptions { AllowSpinning = true, EnableMemoryPattern = false, DisabledOptimizers = ["NchwcTransformer"] });
        var options = new BlazeFaceOptions { Tiling = false };
        using var a = new BlazeFaceDetector(fixture.Pack["blazeface"], defaults, options);
        using var b = new BlazeFaceDetector(fixture.Pack["blazeface"], tuned, options);

        var expected = a.Detect(photo);
        var actual = b.Detect(photo);

        Assert.Equal(5, expected.Count);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Score, actual[i].Score, 4);
            Assert.True(expected[i].Box.IntersectionOverUnion(actual[i].Box) > 0.999);
        }
    }

    [Fact]
    public void Create_ProvisionedModel_OpensSessionWithManifestInput()
    {
        using var factory = new OnnxSessionFactory(new OnnxSessionOptions { IntraOpThreads = 1 });

        using var session = factory.Create(fixture.Pack[FaceRecognitionRecipe.ModelId]);

        Assert.Equal(FaceRecognitionNetOnnx.InputName, Assert.Single(session.InputMetadata).Key);
    }

    [Fact]
    public void Create_MissingFile_ThrowsNamingIt()
    {
        using var factory = new OnnxSessionFactory();
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx");

        var e = Assert.Throws<FileNotFoundException>(() => factory.Create(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AfterDispose_Throws()
    {
        var factory = new OnnxSessionFactory();
        factory.Dispose();

        Assert.Throws<ObjectDisposedException>(() => factory.Create(fixture.Pack[FaceRecognitionRecipe.ModelId]));
    }

    [Fact]
    public void Constructor_ZeroThreads_Refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxSessionFactory(new OnnxSessionOptions { IntraOpThreads = 0 }));
    }
}
