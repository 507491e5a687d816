using Mote.Core.Faces.Alignment;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Models;
using Mote.Core.Tests.Faces.Descriptors;
using Mote.Core.Tests.Models;

namespace Mote.Core.Tests.Faces.Pipeline;

/// <summary>
/// The <c>custom</c> backbone end to end: a generated InsightFace-style recognition model (input <c>input.1</c>,
/// float[batch, 3, 112, 112], one embedding output) loaded through <see cref="CustomModelFactory"/> by the pipeline,
/// on face-api's demo photo.
/// </summary>
[Collection(ModelPackCollection.Name)]
public sealed class CustomBackbonePipelineTests(ModelPackFixture models) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mote-custom-pipeline-").FullName;
    private readonly OnnxSessionFactory _sessions = new(new OnnxSessionOptions { IntraOpThreads = 1 });

    [Fact]
    public async Task Analyze_CustomBackbone_DescribesEveryFaceWithTheUsersModelOnInsightFaceCrops()
    {
        File.WriteAllBytes(Path.Combine(_dir, "w600k_test.onnx"), new TinyRecognitionModel().Write(112, 112));
        var factory = new CustomModelFactory(new CustomModelOptions { Recognition = new OnnxRecognitionOptions { Path = "w600k_test.onnx", BackboneId = "tiny-insightface" } }, _sessions, _dir);
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = FaceDescribers.Custom, KeepAlignedCrops = true }, models.Pack, _sessions, custom: factory);
        using var direct = factory.CreateDescriber();

        var analysis = pipeline.Analyze(await File.ReadAllBytesAsync(Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo", "sample1.jpg")));

        Assert.Equal("tiny-insightface", analysis.BackboneId);
        Assert.Equal(FaceTemplates.InsightFace112.Landmarks, pipeline.Describer.Template.Landmarks);
        Assert.Equal(3, analysis.Faces.Count);
        Assert.All(analysis.Faces, f =>
        {
            Assert.Equal(TinyRecognitionModel.Features, f.Descriptor.Length);
            Assert.Equal((112, 112), (f.AlignedCrop!.Width, f.AlignedCrop.Height));
            // The pipeline's descriptor is the user's model on the pipeline's crop, nothing else.
            Assert.Equal(1.0, DescriptorMath.Cosine(direct.Describe([f.AlignedCrop])[0], f.Descriptor), 6);
        });
        // Different people give different descriptors (a constant output would pass the checks above).
        Assert.True(DescriptorMath.Cosine(analysis.Faces[0].Descriptor, analysis.Faces[1].Descriptor) < 0.9999);
    }

    [Fact]
    public void Constructor_CustomBackboneWithoutConfiguredModel_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<CustomModelConfigurationException>(() => new FacePipeline(new FacePipelineOptions { Backbone = FaceDescribers.Custom }, models.Pack, _sessions));

        Assert.Contains("Mote:Faces:Custom:Recognition:Path", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _sessions.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
