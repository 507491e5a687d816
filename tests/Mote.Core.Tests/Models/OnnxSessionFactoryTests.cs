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
